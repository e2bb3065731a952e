"""The committed testdata/checkpoints/ are what make_checkpoint_fixtures.py produces today, on any x86-64 CPU.

Regenerates every case into a temporary directory (child process, so the generator sets TensorFlow up as when run by
hand) and compares with fixture_compare: the same files; in checkpoints and expected-value bundles the same tensor
names, dtypes and shapes, the same object graph (TrackableObjectGraph) and integer values exactly, float values within
fixture_compare.ATOL + RTOL*|committed| (TensorFlow's CPU kernels round differently on different instruction sets);
the `checkpoint` state files exactly (tf.train.Checkpoint.save writes no timestamps there). Regenerate with:
  python-interop/.venv/bin/python python-interop/make_checkpoint_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_checkpoint_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "checkpoints"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("checkpoints")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committedCheckpointFixtures_exist():
    assert (COMMITTED / "mlp_adam" / "ckpt-1.index").exists(), f"missing fixtures under {COMMITTED}"


def test_regeneration_producesSameFiles(regenerated):
    assert fixture_compare.files(regenerated) == fixture_compare.files(COMMITTED)


def test_regeneration_matchesCommitted_floatsWithinTolerance(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    assert not result.failures, result.report()
