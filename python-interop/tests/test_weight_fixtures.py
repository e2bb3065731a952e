"""The committed testdata/weights/ is what make_weight_fixtures.py produces today, on any x86-64 CPU.

Regenerates the folder into a temporary directory (in a child process, so the generator sets TensorFlow up as when
run by hand) and compares it with fixture_compare: the same files; in the tensor bundles the same tensor names,
dtypes and shapes, strings (Keras' history and evaluate keys, descriptions, versions) and integers (class-weight keys,
epochs, seeds) exactly, floats within fixture_compare.ATOL + RTOL*|committed|; in the .keras archive member names,
config.json (its compile_config with weighted_metrics) and metadata.json but date_saved exactly, weights within the
same tolerance; the JSON config exactly. Regenerate with:
  python-interop/.venv/bin/python python-interop/make_weight_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest
import tensorflow as tf

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_weight_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "weights"
CASES = ["class_weight", "masked_binary_steps", "masked_sequence", "sample_weight", "sequence", "two_output"]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("weights")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committed_holdsTheDataOneBundlePerCaseAndKerasFiles():
    names = fixture_compare.files(COMMITTED)
    assert sorted(n[:-len(".index")] for n in names if n.endswith(".index")) == sorted(
        ["data", "metric_values"] + CASES)
    assert [n for n in names if n.startswith("keras/")] == ["keras/class_weight.keras", "keras/two_output.json"]


def test_committed_logsWeightedMetricsUnderKerasNames():
    """Keras 3.15 logs a metric in both lists as weighted_<name>, and one only in weighted_metrics by its name."""
    def keys(case):
        return sorted(k.decode() for k in tf.train.load_variable(str(COMMITTED / case), "meta/history_keys"))
    assert keys("sample_weight") == ["accuracy", "loss", "val_accuracy", "val_loss", "val_weighted_accuracy",
                                     "weighted_accuracy"]
    assert keys("two_output") == sorted(["digit_accuracy", "digit_loss", "digit_weighted_accuracy", "loss",
                                         "value_loss", "value_mae"] + [
        "val_" + k for k in ["digit_accuracy", "digit_loss", "digit_weighted_accuracy", "loss", "value_loss",
                             "value_mae"]])
    assert keys("masked_sequence") == keys("sample_weight")
    assert keys("masked_binary_steps") == sorted(["accuracy", "loss", "precision", "weighted_accuracy"] + [
        "val_" + k for k in ["accuracy", "loss", "precision", "weighted_accuracy"]])


def test_committed_maskedCases_haveWeightsAtPaddedSteps():
    """The masked cases' labels at padded steps are random and their weights there non-zero (every 7th 0, flat), so
    only the mask keeps those steps out of Keras' numbers; the per-step weights differ from one per sequence."""
    def read(case, name):
        return tf.train.load_variable(str(COMMITTED / case), name)
    x, sw = read("masked_sequence", "x"), read("masked_sequence", "sample_weight/output")
    assert sw.shape == x.shape and (x == 0).any() and (sw[x == 0] > 0).any()
    x, sw = read("masked_binary_steps", "x"), read("masked_binary_steps", "sample_weight/output")
    assert sw.shape == (len(x), 1) and (x == 0).all(axis=-1).any()


def test_regeneration_matchesCommitted_floatsWithinTolerance(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    for file, w in sorted(result.worst.items()):
        print(f"{file}: max abs diff {w['abs']:.3g}, max rel diff {w['rel']:.3g}, "
              f"{100 * w['of_tolerance']:.1f}% of the tolerance")
    assert not result.failures, result.report()
