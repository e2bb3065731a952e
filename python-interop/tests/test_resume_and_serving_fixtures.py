"""The committed testdata/resume/ and testdata/serving/ are exactly what their generators produce today.

Regenerates both into temporary directories (child processes, so each generator sets TensorFlow up as when run by hand)
and requires byte-identical files, except for the two fields TensorFlow fills from the clock or a random source:
the timestamps CheckpointManager writes into `checkpoint` state files (compared with those lines removed) and the
`uuid` of each SavedModel's fingerprint.pb (every other fingerprint field, the hashes of the graph, signatures,
object graph and checkpoint, must be equal). Keras' model.export() is the one exception: it orders the variables of
its save function differently from run to run (measured: 3 of 3 runs differ, with or without PYTHONHASHSEED), so for
serving/keras_export/ the signatures, the set of variable values and the recorded outputs in expected.json must be
equal instead of the bytes. Regenerate with:
  python-interop/.venv/bin/python python-interop/make_resume_fixtures.py
  python-interop/.venv/bin/python python-interop/make_serving_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
TESTDATA = HERE.parent.parent / "testdata"
GENERATORS = {"resume": HERE.parent / "make_resume_fixtures.py", "serving": HERE.parent / "make_serving_fixtures.py"}


def files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def comparable(path):
    data = path.read_bytes()
    if path.name == "checkpoint":
        return b"\n".join(line for line in data.split(b"\n") if b"timestamp" not in line)
    if path.name == "fingerprint.pb":
        from tensorflow.core.protobuf import fingerprint_pb2

        fp = fingerprint_pb2.FingerprintDef.FromString(data)
        fp.ClearField("uuid")
        return fp.SerializeToString(deterministic=True)
    return data


@pytest.fixture(scope="module", params=sorted(GENERATORS))
def regenerated(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    subprocess.run([sys.executable, str(GENERATORS[request.param]), "--out", str(out)], check=True)
    return TESTDATA / request.param, out


def test_regeneration_producesSameFiles(regenerated):
    committed, out = regenerated
    assert files(committed), f"no committed fixtures under {committed}"
    assert files(out) == files(committed)


def export_content(folder):
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    sm = saved_model_pb2.SavedModel.FromString((folder / "saved_model.pb").read_bytes())
    signatures = {k: v.SerializeToString(deterministic=True) for k, v in sm.meta_graphs[0].signature_def.items()}
    reader = tf.train.load_checkpoint(str(folder / "variables" / "variables"))
    values = sorted((tuple(reader.get_tensor(k).shape), reader.get_tensor(k).tobytes())
                    for k in reader.get_variable_to_shape_map() if k != "_CHECKPOINTABLE_OBJECT_GRAPH")
    return signatures, values


def test_regeneration_isIdenticalButForClockAndUuid(regenerated):
    committed, out = regenerated
    different = [f for f in files(committed) if not f.startswith("keras_export/")
                 and comparable(out / f) != comparable(committed / f)]
    if (committed / "keras_export").exists() and export_content(out / "keras_export") != export_content(
            committed / "keras_export"):
        different.append("keras_export/ (signatures or variable values)")
    assert not different, f"regenerated files differ from the committed ones: {different}"


def test_checkpointStateFiles_nameTheManagersCheckpoints():
    state = (TESTDATA / "resume" / "mlp_adam" / "checkpoint").read_text()
    assert 'model_checkpoint_path: "ckpt-2"' in state
    assert 'all_model_checkpoint_paths: "ckpt-1"' in state
