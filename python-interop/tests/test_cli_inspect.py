"""`kerasj inspect` agrees with `saved_model_cli show --all` and `tf.train.list_variables` on the same files.

The Java test KerasjCliTest (run by `mvn test`) runs `kerasj inspect --json PATH` and `kerasj inspect PATH` and leaves
<interop>/cli/<case>.json and <case>.txt (<interop> = $KERASJ_INTEROP_DIR, default target/interop) for:
  keras_export       testdata/savedmodel/keras_export (Keras model.export)
  keras_ckpt_dir     testdata/checkpoints/mlp_adam (tf.train.Checkpoint written by Python, with its state file)
  kerasj_savedmodel  <interop>/cli/kerasj_savedmodel (written by kerasj's Sequential.save)
  kerasj_ckpt        <interop>/cli/kerasj_ckpt/ckpt-1 (written by kerasj's Sequential.saveWeights)
Checked: every signature (key, method, input/output keys, dtypes, shapes, tensor names) equals what saved_model_cli
parses from saved_model.pb, and kerasj's text block of SignatureDefs is saved_model_cli's own text; every checkpoint
key, shape and dtype equals tf.train.list_variables / the checkpoint reader's dtype map; the object graph equals
the TrackableObjectGraph Python reads; the state file equals tf.train.get_checkpoint_state.

For Keras 3 files (KerasFilesCliTest leaves <interop>/cli_keras/): every HDF5 dataset kerasj lists (path, shape,
dtype) equals what h5py lists, layer names equal h5py's groups / Keras' layers, metadata and compile config equal the
archive's, and a .keras archive converted by `kerasj convert` (.keras -> SavedModel -> .keras) opens in
keras.models.load_model and predicts what Java and the original predict. Missing Java output fails; nothing is
skipped.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import io
import json
import pathlib
import re
import subprocess
import sys
import zipfile

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2

import keras_paths

REPO = pathlib.Path(__file__).resolve().parents[2]
from interop import INTEROP  # noqa: E402
ROOT = INTEROP / "cli"
SAVED_MODELS = {"keras_export": REPO / "testdata/savedmodel/keras_export", "kerasj_savedmodel": ROOT / "kerasj_savedmodel"}
CHECKPOINTS = {"keras_ckpt_dir": REPO / "testdata/checkpoints/mlp_adam", "kerasj_ckpt": ROOT / "kerasj_ckpt/ckpt-1"}


def java_output(case):
    js, txt = ROOT / f"{case}.json", ROOT / f"{case}.txt"
    if not js.is_file() or not txt.is_file():
        pytest.fail(f"Java's `kerasj inspect` output for '{case}' is missing ({js}, {txt}). Run `mvn test` first "
                    "(KerasjCliTest writes it), or point KERASJ_INTEROP_DIR at the directory Maven used.")
    return json.loads(js.read_text()), txt.read_text()


def saved_model_cli_show_all(path):
    bin_dir = pathlib.Path(sys.executable).parent
    out = subprocess.run([str(bin_dir / "saved_model_cli"), "show", "--all", "--dir", str(path)],
                         capture_output=True, text=True, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    return out.stdout


def parse_signatures(text):
    """{tag-set: {signature key: (method, {input key: (dtype, shape, name)}, {output key: ...})}} from the text."""
    result, tagset, sig, side = {}, None, None, None
    for line in text.splitlines():
        m = re.match(r"MetaGraphDef with tag-set: '(.*)' contains the following SignatureDefs:", line)
        if m:
            tagset = m.group(1)
            result[tagset] = {}
            continue
        m = re.match(r"signature_def\['(.*)'\]:", line)
        if m:
            sig = {"inputs": {}, "outputs": {}, "method": None}
            result[tagset][m.group(1)] = sig
            continue
        m = re.match(r"\s+(inputs|outputs)\['(.*)'\] tensor_info:", line)
        if m:
            side, key = m.group(1), m.group(2)
            sig[side][key] = {}
            continue
        m = re.match(r"\s+(dtype|shape|name): (.*)", line)
        if m and sig is not None and side is not None:
            sig[side][key][m.group(1)] = m.group(2)
            continue
        m = re.match(r"\s+Method name is: (.*)", line)
        if m:
            sig["method"] = m.group(1)
            side = None
        if line.startswith("The MetaGraph with tag set") or line.startswith("Concrete Functions"):
            tagset = None
    return result


def java_signatures(js):
    result = {}
    for meta in js["meta_graphs"]:
        sigs = {}
        for s in meta["signatures"]:
            entry = {"inputs": {}, "outputs": {}, "method": s["method_name"]}
            for side in ["inputs", "outputs"]:
                for t in s[side]:
                    shape = "unknown_rank" if t["shape"] is None else "(" + ", ".join(str(d) for d in t["shape"]) + ")"
                    entry[side][t["key"]] = {"dtype": t["dtype"], "shape": shape, "name": t["name"]}
            sigs[s["key"]] = entry
        result[", ".join(meta["tags"])] = sigs
    return result


def signature_block(text):
    """The SignatureDefs part of the text: from the MetaGraphDef line to the last 'Method name is' line."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("MetaGraphDef with tag-set"))
    end = max(i for i, l in enumerate(lines) if l.strip().startswith("Method name is:"))
    return "\n".join(lines[start:end + 1])


def assert_checkpoint_matches(java_ckpt, prefix):
    prefix = str(prefix)
    python = dict(tf.train.list_variables(prefix))
    dtypes = tf.train.load_checkpoint(prefix).get_variable_to_dtype_map()
    java = {t["key"]: t for t in java_ckpt["tensors"]}
    assert sorted(java) == sorted(python)
    assert [t["key"] for t in java_ckpt["tensors"]] == sorted(python), "kerasj lists keys in the index's sorted order"
    for key, shape in python.items():
        assert java[key]["shape"] == list(shape), key
        assert java[key]["dtype"] == dtypes[key].name, key
    reader = tf.train.load_checkpoint(prefix)
    if not reader.has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"):  # kerasj's SavedModel variables are name-based
        assert java_ckpt["object_graph"] is None
        return
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    nodes = java_ckpt["object_graph"]
    assert len(nodes) == len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        assert [(c["name"], c["node"]) for c in nodes[i]["children"]] == [(c.local_name, c.node_id) for c in node.children]
        assert [(a["name"], a["checkpoint_key"]) for a in nodes[i]["attributes"]] == [
            (a.name, a.checkpoint_key) for a in node.attributes]
        assert [(s["slot_name"], s["original_variable_node"], s["slot_variable_node"]) for s in nodes[i]["slot_variables"]] == [
            (s.slot_name, s.original_variable_node_id, s.slot_variable_node_id) for s in node.slot_variables]


@pytest.mark.parametrize("case", sorted(SAVED_MODELS))
def test_signatures_agree_with_saved_model_cli(case):
    js, text = java_output(case)
    cli_text = saved_model_cli_show_all(SAVED_MODELS[case])
    assert java_signatures(js) == parse_signatures(cli_text)
    assert signature_block(text) == signature_block(cli_text)


@pytest.mark.parametrize("case", sorted(SAVED_MODELS))
def test_savedmodel_variables_agree_with_list_variables(case):
    js, _ = java_output(case)
    assert_checkpoint_matches(js["variables"], SAVED_MODELS[case] / "variables" / "variables")


@pytest.mark.parametrize("case", sorted(CHECKPOINTS))
def test_checkpoint_tensors_and_object_graph_agree_with_tensorflow(case):
    js, _ = java_output(case)
    path = CHECKPOINTS[case]
    if js["format"] == "tf_checkpoint_dir":
        state = tf.train.get_checkpoint_state(str(path))
        assert os.path.basename(state.model_checkpoint_path) == js["state"]["model_checkpoint_path"]
        assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == js["state"]["all_model_checkpoint_paths"]
        latest = tf.train.latest_checkpoint(str(path))
        assert os.path.realpath(latest) == os.path.realpath(js["latest"]["prefix"])
        assert_checkpoint_matches(js["latest"], latest)
    else:
        assert_checkpoint_matches(js, path)


# --- Keras 3 files: `kerasj inspect --json` against h5py and Keras -------------------------------------------------
# KerasFilesCliTest (run by `mvn test`) leaves <interop>/cli_keras/<case>.json for these fixtures, and
# converted_mlp.keras (testdata/keras/mlp_adam.keras converted by `kerasj convert` to a SavedModel and back) with
# converted_mlp.predict.json ([x, Java's predictions]).
KERAS_ROOT = INTEROP / "cli_keras"
KERAS_FILES = {"keras_cnn": REPO / "testdata/keras/cnn_sgd_momentum.keras",
               "weights_mlp": REPO / "testdata/keras/mlp_adam.weights.h5",
               "weights_dropout": REPO / "testdata/keras/uncompiled_dropout.weights.h5",
               "keras_conv_bn_names": REPO / "testdata/keras/conv_bn_names_sgd.keras",
               "weights_swapped_names": REPO / "testdata/keras/swapped_names_sgd.weights.h5"}


def java_keras_output(name):
    path = KERAS_ROOT / name
    if not path.is_file():
        pytest.fail(f"Java output {path} is missing. Run `mvn test` first (KerasFilesCliTest writes it), or point "
                    "KERASJ_INTEROP_DIR at the directory Maven used.")
    return path


def h5py_datasets(h5):
    found = {}
    h5.visititems(lambda name, obj: found.__setitem__(name, (list(obj.shape), obj.dtype.name))
                  if isinstance(obj, h5py.Dataset) else None)
    return found


def open_weights(path):
    if path.suffix == ".keras":
        with zipfile.ZipFile(path) as z:
            return h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
    return h5py.File(path, "r")


@pytest.mark.parametrize("case", sorted(KERAS_FILES))
def test_keras_file_listing_agrees_with_h5py(case):
    js = json.loads(java_keras_output(f"{case}.json").read_text())
    path = KERAS_FILES[case]
    listed = [d for layer in js["layers"] for d in layer["weights"]] + js["other_datasets"]
    if js["optimizer"] is not None:
        listed += js["optimizer"]["variables"]
    java = {d["path"]: (d["shape"], d["dtype"]) for d in listed}
    assert len(java) == len(listed), "every dataset listed once"
    with open_weights(path) as h5:
        assert java == h5py_datasets(h5)
        if js["format"] == "weights_h5":
            assert [l["group"] for l in js["layers"]] == [f"layers/{k}" for k in sorted(h5["layers"].keys())]
            assert [l["name"] for l in js["layers"]] == [h5[f"{l['group']}/vars"].attrs["name"] for l in js["layers"]]
        if "optimizer" in h5 and "vars" in h5["optimizer"]:
            assert js["optimizer"]["name"] == h5["optimizer/vars"].attrs["name"]


def test_keras_archive_layers_metadata_and_compile_config_agree_with_keras():
    js = json.loads(java_keras_output("keras_cnn.json").read_text())
    path = KERAS_FILES["keras_cnn"]
    with zipfile.ZipFile(path) as z:
        metadata = json.loads(z.read("metadata.json"))
        config = json.loads(z.read("config.json"))
    assert (js["keras_version"], js["date_saved"]) == (metadata["keras_version"], metadata["date_saved"])
    assert js["compile_config"] == config["compile_config"]
    model = keras.models.load_model(path)
    java_layers = [(l["name"], l["class_name"]) for l in js["layers"] if l["class_name"] != "InputLayer"]
    assert java_layers == [(l.name, type(l).__name__) for l in model.layers]
    assert js["optimizer"]["class_name"] == type(model.optimizer).__name__
    assert len(js["optimizer"]["variables"]) == len(model.optimizer.variables)


@pytest.mark.parametrize("case", ["keras_cnn", "keras_conv_bn_names"])
def test_keras_archive_weights_are_listed_under_the_layer_keras_stores_them_for(case):
    """Keras addresses a layer's weights by class and position, not by name: Java lists each dataset under the
    layer Keras' own saving walk (keras_paths) stores it for."""
    js = json.loads(java_keras_output(f"{case}.json").read_text())
    model = keras.models.load_model(KERAS_FILES[case])
    owner = {}
    for layer in model.layers:
        for v in layer.weights:
            owner[id(v)] = layer.name
    keras_layers = {path: owner[id(v)] for path, v in keras_paths.variables_by_path(model).items()
                    if path.startswith("layers/")}
    java_layers = {d["path"]: l["name"] for l in js["layers"] for d in l["weights"]}
    assert java_layers == keras_layers


def test_converted_keras_archive_opens_in_keras_and_predicts_like_java():
    converted = java_keras_output("converted_mlp.keras")
    x, java_pred = json.loads(java_keras_output("converted_mlp.predict.json").read_text())
    model = keras.models.load_model(converted)
    original = keras.models.load_model(REPO / "testdata/keras/mlp_adam.keras")
    x = np.asarray(x, dtype="float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(java_pred), rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), original.predict(x, verbose=0), rtol=0, atol=1e-6)
    for a, b in zip(model.optimizer.variables, original.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
