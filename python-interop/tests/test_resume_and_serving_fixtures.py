"""The committed testdata/resume/ and testdata/serving/ are what their generators produce today, on any x86-64 CPU.

Regenerates both into temporary directories (child processes, so each generator sets TensorFlow up as when run by hand)
and compares with fixture_compare: the same files; tensor names, dtypes, shapes, object graphs, integers and strings
exactly, float values (checkpoints, expected bundles, the .weights.h5 file, expected.json) within
fixture_compare.ATOL + RTOL*|committed|, since TensorFlow's CPU kernels round differently on different instruction
sets. Not compared: what TensorFlow fills from the clock or a random source, the timestamps CheckpointManager writes
into `checkpoint` state files and the `uuid` of each SavedModel's fingerprint.pb, and the fingerprint's
`checkpoint_hash` (a hash of the variables' bytes: the variables bundle is compared value by value instead); every
other fingerprint field and each saved_model.pb must be equal. Keras' model.export() is the one exception: it orders
the variables of its save function differently from run to run (measured: 3 of 3 runs differ, with or without
PYTHONHASHSEED), so for serving/keras_export/ the signatures must be equal and its variables must match one to one
(same dtypes and shapes, values within the tolerance) whatever their keys; the recorded outputs are in expected.json.
Regenerate with:
  python-interop/.venv/bin/python python-interop/make_resume_fixtures.py
  python-interop/.venv/bin/python python-interop/make_serving_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
TESTDATA = HERE.parent.parent / "testdata"
GENERATORS = {"resume": HERE.parent / "make_resume_fixtures.py", "serving": HERE.parent / "make_serving_fixtures.py"}
KERAS_EXPORT = "keras_export/"


@pytest.fixture(scope="module", params=sorted(GENERATORS))
def regenerated(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    subprocess.run([sys.executable, str(GENERATORS[request.param]), "--out", str(out)], check=True)
    return TESTDATA / request.param, out


def test_regeneration_producesSameFiles(regenerated):
    committed, out = regenerated
    assert fixture_compare.files(committed), f"no committed fixtures under {committed}"
    assert fixture_compare.files(out) == fixture_compare.files(committed)


def signatures(folder):
    from tensorflow.core.protobuf import saved_model_pb2

    sm = saved_model_pb2.SavedModel.FromString((folder / "saved_model.pb").read_bytes())
    return {k: v.SerializeToString(deterministic=True) for k, v in sm.meta_graphs[0].signature_def.items()}


def test_regeneration_matchesCommittedButForClockAndUuid_floatsWithinTolerance(regenerated):
    committed, out = regenerated
    result = fixture_compare.compare_trees(committed, out, skip=lambda relative: relative.startswith(KERAS_EXPORT))
    if (committed / KERAS_EXPORT).exists():
        if signatures(out / KERAS_EXPORT) != signatures(committed / KERAS_EXPORT):
            result.fail(KERAS_EXPORT + "saved_model.pb", "signatures differ")
        fixture_compare.compare_bundle_values_unordered(committed / KERAS_EXPORT / "variables" / "variables",
                                                        out / KERAS_EXPORT / "variables" / "variables",
                                                        KERAS_EXPORT + "variables/variables.index", result)
    assert not result.failures, result.report()


def test_checkpointStateFiles_nameTheManagersCheckpoints():
    state = (TESTDATA / "resume" / "mlp_adam" / "checkpoint").read_text()
    assert 'model_checkpoint_path: "ckpt-2"' in state
    assert 'all_model_checkpoint_paths: "ckpt-1"' in state
