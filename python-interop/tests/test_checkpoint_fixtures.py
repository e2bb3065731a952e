"""The committed testdata/checkpoints/ are exactly what make_checkpoint_fixtures.py produces today.

Regenerates every case into a temporary directory (child process, so the generator sets TensorFlow up as when run by
hand) and requires byte-identical files: checkpoints, expected-value bundles and `checkpoint` state files
(tf.train.Checkpoint.save writes no timestamps there). Regenerate with:
  python-interop/.venv/bin/python python-interop/make_checkpoint_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_checkpoint_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "checkpoints"


def files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("checkpoints")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committedCheckpointFixtures_exist():
    assert (COMMITTED / "mlp_adam" / "ckpt-1.index").exists(), f"missing fixtures under {COMMITTED}"


def test_regeneration_producesSameFiles(regenerated):
    assert files(regenerated) == files(COMMITTED)


def test_regeneration_isByteIdentical(regenerated):
    different = [f for f in files(COMMITTED) if (regenerated / f).read_bytes() != (COMMITTED / f).read_bytes()]
    assert not different, f"regenerated files differ from the committed ones: {different}"
