"""The committed fixtures under testdata/ are what make_fixtures.py produces today, on any x86-64 CPU.

Regenerates everything into a temporary directory (in a child process, so make_fixtures.py sets up TensorFlow the
way it does when run by hand) and compares bundle by bundle with fixture_compare: the same bundles, tensor names,
dtypes and shapes, integer and string tensors exactly, float tensors within fixture_compare.ATOL + RTOL*|committed|
(TensorFlow's CPU kernels round differently on different instruction sets; fixture_compare says by how much).
digits.csv holds integers and must be byte-identical. A failure means the generator changed without the fixtures
being regenerated, or the pinned stack changed; both need a human. A fixture regenerated on another CPU differs in
the last bits: that is expected and needs no commit. Regenerate with:
  python-interop/.venv/bin/python python-interop/make_fixtures.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_fixtures.py"
TESTDATA = HERE.parent.parent / "testdata"
COMMITTED = TESTDATA / "fixtures"
CASES = sorted(p.name[: -len(".index")] for p in COMMITTED.glob("*.index"))


def read_bundle(prefix):
    """{tensor name: value} of a TF tensor bundle; string tensors come back as bytes / object arrays."""
    reader = tf.train.load_checkpoint(str(prefix))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("testdata")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committedFixtures_exist():
    assert len(CASES) >= 17, f"expected the 17 fixture bundles in {COMMITTED}, found {CASES}"


def test_regeneration_producesSameSetOfBundles(regenerated):
    fresh = sorted(p.name for p in (regenerated / "fixtures").iterdir())
    committed = sorted(p.name for p in COMMITTED.iterdir())
    assert fresh == committed


def test_digitsCsv_isByteIdentical(regenerated):
    assert (regenerated / "digits" / "digits.csv").read_bytes() == (TESTDATA / "digits" / "digits.csv").read_bytes()


def test_digitsCsv_hasHeaderAnd1797Rows():
    lines = (TESTDATA / "digits" / "digits.csv").read_text().splitlines()
    assert lines[0] == ",".join([f"p{i}" for i in range(64)] + ["label"])
    assert len(lines) == 1 + 1797
    values = np.array([[int(v) for v in line.split(",")] for line in lines[1:]])
    assert values[:, :64].min() == 0 and values[:, :64].max() == 16
    assert sorted(set(values[:, 64])) == list(range(10))


@pytest.mark.parametrize("case", CASES)
def test_regeneratedBundle_matchesCommitted_floatsWithinTolerance(regenerated, case):
    result = fixture_compare.Comparison()
    fixture_compare.compare_bundles(COMMITTED / case, regenerated / "fixtures" / case, f"fixtures/{case}", result)
    assert not result.failures, result.report()


@pytest.mark.parametrize("case", CASES)
def test_bundle_recordsTraining(case):
    t = read_bundle(COMMITTED / case)
    names = [n.decode() for n in t["meta/weight_names"]]
    assert names, f"{case}: no weights"
    for n in names:
        assert t[f"initial/{n}"].shape == t[f"final/{n}"].shape
        assert not np.array_equal(t[f"initial/{n}"], t[f"final/{n}"]), f"{case}: {n} did not change in training"
    epochs = int(t["meta/epochs"])
    history = [k for k in t if k.startswith("history/")]
    assert "history/loss" in history and "history/val_loss" in history
    for k in history:
        assert t[k].shape == (epochs,), f"{case}: {k} has shape {t[k].shape}"
    evaluate = {k[len("evaluate/"):] for k in t if k.startswith("evaluate/")}
    assert {k[len("history/val_"):] for k in history if k.startswith("history/val_")} == evaluate
    assert t["predict"].shape[0] == t["x_val"].shape[0] == t["y_val"].shape[0]
    assert t["x"].shape[0] == t["y"].shape[0]
    for key in ("meta/keras_version", "meta/tf_version", "meta/command", "meta/description"):
        assert t[key], f"{case}: {key} empty"


@pytest.mark.parametrize("case", CASES)
def test_bundle_lastValidationEpoch_matchesEvaluate(case):
    # Keras' val_* of the last epoch and evaluate() both run the final weights over x_val in the same batches, and
    # with the pinned stack they agree to the bit (observed for every case); the Java side may rely on it.
    t = read_bundle(COMMITTED / case)
    for k in (k for k in t if k.startswith("evaluate/")):
        name = k[len("evaluate/"):]
        assert t[k] == t[f"history/val_{name}"][-1], f"{case}: evaluate/{name} != history/val_{name}[-1]"
