"""The committed testdata/metrics/ is what make_metric_fixtures.py produces today, on any x86-64 CPU.

Regenerates the folder into a temporary directory (in a child process, so the generator sets TensorFlow up as when
run by hand) and compares it with fixture_compare: the same files; in the tensor bundles the same tensor names,
dtypes and shapes, strings (case names, Keras' serialized metric configs, descriptions, versions) and integers
exactly, floats within fixture_compare.ATOL + RTOL*|committed|; in the .keras archive member names, config.json (with
its compile_config, so the metrics as Keras stores them) and metadata.json but date_saved exactly, weights within the
same tolerance. Regenerate with:
  python-interop/.venv/bin/python python-interop/make_metric_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_metric_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "metrics"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("metrics")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committed_holdsValuesTrainingBundleAndKerasFile():
    names = fixture_compare.files(COMMITTED)
    assert "values.index" in names
    assert [n for n in names if n.startswith("train/") and n.endswith(".index")] == ["train/digits.index"]
    assert [n for n in names if n.endswith(".keras")] == ["keras/digits.keras"]


def test_regeneration_matchesCommitted_floatsWithinTolerance(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    for file, w in sorted(result.worst.items()):
        print(f"{file}: max abs diff {w['abs']:.3g}, max rel diff {w['rel']:.3g}, "
              f"{100 * w['of_tolerance']:.1f}% of the tolerance")
    assert not result.failures, result.report()
