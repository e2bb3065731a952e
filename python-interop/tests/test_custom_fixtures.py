"""The committed testdata/custom/ is what make_custom_fixtures.py produces today, on any x86-64 CPU.

Regenerates the folder into a temporary directory (in a child process, so the generator sets TensorFlow up as when
run by hand) and compares it with fixture_compare: the same files; in the tensor bundle the same tensor names,
dtypes and shapes, strings and integers exactly, floats within fixture_compare.ATOL + RTOL*|committed|; in the
.keras archive member names, config.json (with the custom layer's, loss's and metric's registered
names) and metadata.json
but date_saved exactly, weights within the same tolerance. Regenerate with:
  python-interop/.venv/bin/python python-interop/make_custom_fixtures.py
"""

import json
import pathlib
import subprocess
import sys
import zipfile

import pytest

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_custom_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "custom"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("custom")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committed_kerasFile_namesTheRegisteredLayerAndLoss():
    assert fixture_compare.files(COMMITTED) == sorted(["scaled_dense.keras", "train.index",
                                                       "train.data-00000-of-00001"])
    with zipfile.ZipFile(COMMITTED / "scaled_dense.keras") as z:
        config = json.loads(z.read("config.json"))
    layer = config["config"]["layers"][1]
    assert (layer["class_name"], layer["registered_name"]) == ("ScaledDense", "kerasj_test>ScaledDense")
    assert (layer["config"]["units"], layer["config"]["factor"]) == (3, 0.5)
    loss = config["compile_config"]["loss"]
    assert loss["registered_name"] == "kerasj_test>ScaledMeanSquaredError"
    assert loss["config"]["weight"] == 2.0
    metric = config["compile_config"]["metrics"][0]
    assert metric["registered_name"] == "kerasj_test>ScaledMeanAbsoluteError"
    assert metric["config"]["scale"] == 2.0


def test_regeneration_matchesCommitted_floatsWithinTolerance(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    for file, w in sorted(result.worst.items()):
        print(f"{file}: max abs diff {w['abs']:.3g}, max rel diff {w['rel']:.3g}, "
              f"{100 * w['of_tolerance']:.1f}% of the tolerance")
    assert not result.failures, result.report()
