"""The committed Keras configs under testdata/savedmodel/configs/ are exactly what make_config_fixtures.py writes today.

KerasConfigParityTest (Java) compares kerasj's config.json with these files, so they must be what Keras 3.15.1
really writes. Regenerates them into a temporary directory (child process, as when run by hand) and requires
byte-identical files, and the same set of files. Byte identity holds on any CPU, unlike the trained fixtures (see
fixture_compare): a config's only floats are hyper-parameters and initializer arguments written as the user gave
them (float32-rounded learning rates included), never something a kernel computed. Regenerate with:
  python-interop/.venv/bin/python python-interop/make_config_fixtures.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_config_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "savedmodel"


@pytest.fixture(scope="module")
def regenerated_root(tmp_path_factory):
    out = tmp_path_factory.mktemp("savedmodel")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--configs-only"], check=True)
    return out


@pytest.mark.parametrize("folder", ["configs", "get_config"])
def test_regeneration_producesSameConfigFiles(regenerated_root, folder):
    fresh = sorted(p.name for p in (regenerated_root / folder).iterdir())
    assert fresh == sorted(p.name for p in (COMMITTED / folder).iterdir())


@pytest.mark.parametrize("folder", ["configs", "get_config"])
def test_regeneration_isByteIdentical(regenerated_root, folder):
    for fresh in sorted((regenerated_root / folder).iterdir()):
        committed = COMMITTED / folder / fresh.name
        assert fresh.read_bytes() == committed.read_bytes(), f"{committed} is stale: regenerate it"


def test_getConfig_isTheConfigOfToJson():
    for path in sorted((COMMITTED / "get_config").iterdir()):
        to_json = json.loads((COMMITTED / "configs" / path.name).read_text())
        assert json.loads(path.read_text()) == to_json["config"], path.name


def test_kerasExport_isAPythonSavedModelWithoutKerasjAssets():
    export = COMMITTED / "keras_export"
    assert (export / "saved_model.pb").is_file()
    assert not (export / "assets" / "config.json").exists()
