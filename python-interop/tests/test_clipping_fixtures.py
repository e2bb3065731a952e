"""The committed testdata/clipping/ is what make_clipping_fixtures.py produces today, on any x86-64 CPU.

Regenerates the folder into a temporary directory (in a child process, so the generator sets TensorFlow up as when
run by hand) and compares it with fixture_compare: the same files; in the tensor bundles the same tensor names,
dtypes and shapes, strings (optimizer variable paths, Keras' optimizer configs with their clipping argument,
descriptions, versions) and integers exactly, floats within fixture_compare.ATOL + RTOL*|committed|; in the .keras archives member names, config.json and
metadata.json but date_saved exactly, weights within the same tolerance; the TF checkpoints' object graphs exactly.
Regenerate with:
  python-interop/.venv/bin/python python-interop/make_clipping_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_clipping_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "clipping"
CASES = 17


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("clipping")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committed_holdsTrainingBundlesKerasFilesAndCheckpoints():
    names = fixture_compare.files(COMMITTED)
    assert len([n for n in names if n.startswith("train/") and n.endswith(".index")]) == CASES
    assert len([n for n in names if n.endswith(".keras")]) == CASES
    assert len([n for n in names if n.startswith("checkpoints/") and n.endswith("ckpt-1.index")]) == CASES


def test_regeneration_matchesCommitted_floatsWithinTolerance(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    for file, w in sorted(result.worst.items()):
        print(f"{file}: max abs diff {w['abs']:.3g}, max rel diff {w['rel']:.3g}, "
              f"{100 * w['of_tolerance']:.1f}% of the tolerance")
    assert not result.failures, result.report()
