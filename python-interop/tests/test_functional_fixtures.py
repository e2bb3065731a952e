"""The committed testdata/functional/ fixtures are what make_functional_fixtures.py produces today, and its Keras files
load in Keras and predict what the bundles say.

Regeneration (in a child process, so the generator sets TensorFlow up as when run by hand, into a temporary
directory): the same set of files; every bundle, .keras archive and .weights.h5 compared with fixture_compare
(names, dtypes, shapes, integers, strings and configs exactly, floats within fixture_compare.ATOL + RTOL*|committed|;
the .keras archives are zips with a clock field and Python id()s in them, so never compared byte for byte); and the
regenerated .keras and .weights.h5 files, loaded in Keras, predict the committed predictions within the same
tolerance.

Without regeneration (cheap): each committed .keras predicts its bundle's predict/<output>; each .weights.h5 loaded
into a model rebuilt from meta/config_json does too; transfer_base.keras holds exactly the base weights the transfer
bundle starts from; history keys and model.layers are the ones Keras 3.15.1 gave (the Java side names by them).
Regenerate with:
  python-interop/.venv/bin/python python-interop/make_functional_fixtures.py
"""

import os

# Only effective when this module is the first to import TensorFlow; the comparisons have a tolerance either way.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_functional_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "functional"
TRANSFER_BASE = "transfer_base.keras"

SINGLE_OUTPUT_KEYS = ["accuracy", "loss", "val_accuracy", "val_loss"]
# What History.history held, per case, with Keras 3.15.1: the Java side must produce the same keys.
HISTORY_KEYS = {
    "two_input_concat": SINGLE_OUTPUT_KEYS,
    "two_output": ["digit_accuracy", "digit_loss", "loss", "val_digit_accuracy", "val_digit_loss", "val_loss",
                   "val_value_loss", "val_value_mae", "value_loss", "value_mae"],
    "residual_add": SINGLE_OUTPUT_KEYS,
    "shared_layer": SINGLE_OUTPUT_KEYS,
    "merge_layers": SINGLE_OUTPUT_KEYS,
    "nested_model": SINGLE_OUTPUT_KEYS,
    "transfer": SINGLE_OUTPUT_KEYS,
}
# [layer.name for layer in model.layers] of each committed model (topological order; InputLayers first here).
LAYERS = {
    "two_input_concat": ["a", "b", "a_dense", "b_dense", "concatenate", "digit"],
    "two_output": ["pixels", "trunk", "digit", "value"],
    "residual_add": ["pixels", "dense", "dense_1", "add", "digit"],
    "shared_layer": ["a", "b", "shared", "concatenate", "digit"],
    "merge_layers": ["a", "b", "pa", "pb", "add", "subtract", "multiply", "average", "maximum", "minimum",
                     "concatenate", "digit"],
    "nested_model": ["pixels", "encoder", "digit"],
    "transfer": ["pixels", "base", "head"],
}
CASES = sorted(HISTORY_KEYS)
KERAS_FILES = sorted([f"{case}.keras" for case in CASES] + [TRANSFER_BASE])


def read_bundle(prefix):
    """{tensor name: value} of a TF tensor bundle; string tensors come back as bytes / object arrays."""
    reader = tf.train.load_checkpoint(str(prefix))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def strings(t, key):
    return [v.decode() for v in t[key]]


def x_val(t):
    return {name: t[f"x_val/{name}"] for name in strings(t, "meta/input_names")}


def bundle_of(keras_file):
    """The bundle whose x_val a .keras file is checked on: transfer_base takes the transfer case's pixels."""
    return COMMITTED / ("transfer" if keras_file == TRANSFER_BASE else keras_file[: -len(".keras")])


def predict(model, t):
    """model.predict(x_val) as {output name: array}; transfer_base (a bare input and output) as {"base": array}."""
    batch_size = int(t["meta/batch_size"])
    if model.name == "base":
        return {"base": model.predict(t["x_val/pixels"], batch_size=batch_size, verbose=0)}
    return model.predict(x_val(t), batch_size=batch_size, verbose=0)


def assert_predictions_close(want, got, where):
    result = fixture_compare.Comparison()
    assert sorted(want) == sorted(got), f"{where}: outputs {sorted(got)}, expected {sorted(want)}"
    for name in want:
        fixture_compare.compare_values(f"{where} {name}", want[name], got[name], result, where)
    assert not result.failures, result.report()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("testdata")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out / "functional"


# --- regeneration -----------------------------------------------------------------------------------------------------

def test_regeneration_producesSameSetOfFiles(regenerated):
    assert fixture_compare.files(regenerated) == fixture_compare.files(COMMITTED)


@pytest.mark.parametrize("case", CASES)
def test_regeneratedBundle_matchesCommitted_floatsWithinTolerance(regenerated, case):
    result = fixture_compare.Comparison()
    fixture_compare.compare_bundles(COMMITTED / case, regenerated / case, f"functional/{case}", result)
    assert not result.failures, result.report()


@pytest.mark.parametrize("name", KERAS_FILES + [f"{case}.weights.h5" for case in CASES])
def test_regeneratedKerasFile_matchesCommitted_configExactlyWeightsWithinTolerance(regenerated, name):
    result = fixture_compare.Comparison()
    fixture_compare.compare_file(COMMITTED / name, regenerated / name, f"functional/{name}", result)
    assert not result.failures, result.report()


@pytest.mark.parametrize("name", KERAS_FILES)
def test_regeneratedKerasArchive_predictsLikeCommitted(regenerated, name):
    t = read_bundle(bundle_of(name))
    want = predict(keras.models.load_model(COMMITTED / name), t)
    assert_predictions_close(want, predict(keras.models.load_model(regenerated / name), t), name)


@pytest.mark.parametrize("case", CASES)
def test_regeneratedWeightsFile_predictsLikeCommitted(regenerated, case):
    t = read_bundle(COMMITTED / case)
    model = keras.models.model_from_json(t["meta/config_json"].decode())
    model.load_weights(regenerated / f"{case}.weights.h5")
    want = {name: t[f"predict/{name}"] for name in strings(t, "meta/output_names")}
    assert_predictions_close(want, predict(model, t), f"{case}.weights.h5")


# --- committed files, no regeneration ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_committedKerasArchive_predictsBundlePredictions(case):
    t = read_bundle(COMMITTED / case)
    want = {name: t[f"predict/{name}"] for name in strings(t, "meta/output_names")}
    model = keras.models.load_model(COMMITTED / f"{case}.keras")
    assert_predictions_close(want, predict(model, t), f"{case}.keras")


@pytest.mark.parametrize("case", CASES)
def test_committedWeightsFile_inModelFromConfigJson_predictsBundlePredictions(case):
    t = read_bundle(COMMITTED / case)
    model = keras.models.model_from_json(t["meta/config_json"].decode())  # freshly initialised weights
    model.load_weights(COMMITTED / f"{case}.weights.h5")
    want = {name: t[f"predict/{name}"] for name in strings(t, "meta/output_names")}
    assert_predictions_close(want, predict(model, t), f"{case}.weights.h5")


@pytest.mark.parametrize("case", CASES)
def test_committedKerasArchive_layersAndWeightsAreTheBundles(case):
    t = read_bundle(COMMITTED / case)
    model = keras.models.load_model(COMMITTED / f"{case}.keras")
    assert [layer.name for layer in model.layers] == LAYERS[case]
    assert [layer["name"] for layer in json.loads(t["meta/config_json"])["config"]["layers"]] == LAYERS[case]
    assert set(strings(t, "meta/weight_layers")) <= set(LAYERS[case])
    assert len(model.weights) == len(t["meta/weight_names"])
    for i, w in enumerate(model.weights):
        assert np.array_equal(w.numpy(), t[f"final/{i}"]), f"{case}.keras: weight {i} is not final/{i}"


def test_transferBase_holdsExactlyTheFrozenWeightsTheTransferCaseStartsFrom():
    t = read_bundle(COMMITTED / "transfer")
    base = keras.models.load_model(COMMITTED / TRANSFER_BASE)
    assert base.name == "base" and base.trainable, "saved before freezing: the Java side freezes it"
    owners = strings(t, "meta/weight_layers")
    frozen = [i for i, owner in enumerate(owners) if owner == "base"]
    assert [w.path for w in base.weights] == [strings(t, "meta/weight_names")[i] for i in frozen]
    for w, i in zip(base.weights, frozen):
        assert np.array_equal(w.numpy(), t[f"initial/{i}"]), f"{w.path} differs from initial/{i}"
        assert np.array_equal(t[f"initial/{i}"], t[f"final/{i}"]), f"frozen {w.path} changed in training"
        assert t["meta/trainable"][i] == 0
    assert [o for o, tr in zip(owners, t["meta/trainable"]) if tr] == ["head", "head"]


@pytest.mark.parametrize("case", CASES)
def test_bundle_recordsTraining(case):
    t = read_bundle(COMMITTED / case)
    n = len(t["meta/weight_names"])
    assert n and len(t["meta/weight_layers"]) == n and t["meta/trainable"].shape == (n,)
    assert sorted(k for k in t if k.startswith(("initial/", "final/"))) == sorted(
        [f"initial/{i}" for i in range(n)] + [f"final/{i}" for i in range(n)])
    for i in range(n):
        changed = not np.array_equal(t[f"initial/{i}"], t[f"final/{i}"])
        assert changed == bool(t["meta/trainable"][i]), f"{case}: weight {i} trainable={t['meta/trainable'][i]}"
    inputs, outputs = strings(t, "meta/input_names"), strings(t, "meta/output_names")
    assert sorted(k for k in t if k.startswith(("x/", "x_val/"))) == sorted(
        [f"x/{n}" for n in inputs] + [f"x_val/{n}" for n in inputs])
    assert sorted(k for k in t if k.startswith(("y/", "y_val/", "predict/"))) == sorted(
        [f"{p}/{n}" for n in outputs for p in ("y", "y_val", "predict")])
    epochs = int(t["meta/epochs"])
    history = sorted(k[len("history/"):] for k in t if k.startswith("history/"))
    assert history == HISTORY_KEYS[case]
    for k in history:
        assert t[f"history/{k}"].shape == (epochs,)
    evaluate = {k[len("evaluate/"):] for k in t if k.startswith("evaluate/")}
    assert {k[len("val_"):] for k in history if k.startswith("val_")} == evaluate
    for key in ("meta/keras_version", "meta/tf_version", "meta/command", "meta/description"):
        assert t[key], f"{case}: {key} empty"


@pytest.mark.parametrize("case", CASES)
def test_bundle_lastValidationEpoch_matchesEvaluate(case):
    # As in test_fixtures.py: observed bit-identical for every case with the pinned stack; the Java side may rely on it.
    t = read_bundle(COMMITTED / case)
    for k in (k for k in t if k.startswith("evaluate/")):
        name = k[len("evaluate/"):]
        assert t[k] == t[f"history/val_{name}"][-1], f"{case}: evaluate/{name} != history/val_{name}[-1]"
