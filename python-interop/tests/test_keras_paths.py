"""keras_paths.variables_by_path gives exactly the datasets model.save_weights() writes, each holding its variable.

Models: automatic names, custom names, names that are other layers' class paths, shifted automatic names, a nested
Sequential, a Functional model, and compiled models with built and unbuilt optimizers; then every committed
testdata/keras/ case (its .keras model against its .weights.h5). Also pins the rule those files follow: a layer is
stored under the snake_case of its class, numbered in its container, whatever its name.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib

import h5py
import keras
import numpy as np
import pytest

import keras_paths

L = keras.layers
O = keras.optimizers
REPO = pathlib.Path(__file__).resolve().parent.parent.parent
KERAS_FIXTURES = REPO / "testdata" / "keras"


def datasets(path):
    with h5py.File(path, "r") as f:
        out = {}
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def trained(model, x_shape=(6,), classes=3, optimizer=None):
    model.compile(optimizer=optimizer or O.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(8,) + x_shape).astype("float32"), rng.integers(0, classes, 8), epochs=1, verbose=0)
    return model


def automatic():
    return trained(keras.Sequential([keras.Input((6,)), L.Dense(4, activation="relu"), L.Dense(3)]))


def custom_names():
    return trained(keras.Sequential([keras.Input((6,)), L.Dense(4, name="encoder"), L.Dense(5, name="bottleneck"),
                                     L.Dense(3, name="head")], name="custom_model"))


def swapped_names():
    return trained(keras.Sequential([keras.Input((6,)), L.Dense(6, name="dense_1"), L.Dense(6, name="dense"),
                                     L.Dense(3, name="output")]), optimizer=O.Adagrad(0.1))


def shifted_names():
    keras.Sequential([keras.Input((6,)), L.Dense(2), L.BatchNormalization()])
    return keras.Sequential([keras.Input((6,)), L.Dense(4), L.BatchNormalization(), L.Dense(3)])  # uncompiled


def nested():
    inner = keras.Sequential([keras.Input((6,)), L.Dense(5, name="inner_a"), L.BatchNormalization(name="inner_bn"),
                              L.Dense(4, name="inner_b")], name="inner")
    return trained(keras.Sequential([keras.Input((6,)), inner, L.Dense(3, name="top")], name="outer"))


def functional():
    x = keras.Input((6,), name="features")
    a = L.Dense(4, name="left")(x)
    b = L.Dense(4, name="right")(x)
    out = L.Dense(3, name="joined")(L.Concatenate(name="cat")([a, b]))
    return trained(keras.Model(x, out, name="fork"))


def unbuilt_optimizer():
    m = keras.Sequential([keras.Input((6,)), L.Dense(3, name="only")])
    m.compile(optimizer=O.Adam(1e-3), loss="mse")
    return m


MODELS = {"automatic": automatic, "custom_names": custom_names, "swapped_names": swapped_names,
          "shifted_names": shifted_names, "nested": nested, "functional": functional,
          "unbuilt_optimizer": unbuilt_optimizer}


@pytest.fixture(autouse=True)
def fresh_session():
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)


def assert_matches_file(variables, path):
    written = datasets(path)
    assert sorted(variables) == sorted(written)
    for key, v in variables.items():
        assert isinstance(v, keras.Variable), key
        value = np.asarray(v.numpy())
        assert (value.dtype, value.shape) == (written[key].dtype, written[key].shape), key
        np.testing.assert_array_equal(value, written[key], err_msg=key)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_variablesByPath_equalsWhatSaveWeightsWrites(name, tmp_path):
    model = MODELS[name]()
    model.save_weights(tmp_path / "m.weights.h5")
    assert_matches_file(keras_paths.variables_by_path(model), tmp_path / "m.weights.h5")


def test_layersAreStoredByClassNotByName():
    model = swapped_names()
    first, second, output = model.layers
    assert [first.name, second.name, output.name] == ["dense_1", "dense", "output"]
    paths = keras_paths.variables_by_path(model)
    assert [p for p in paths if p.startswith("layers/")] == [
        "layers/dense/vars/0", "layers/dense/vars/1", "layers/dense_1/vars/0", "layers/dense_1/vars/1",
        "layers/dense_2/vars/0", "layers/dense_2/vars/1"]
    assert paths["layers/dense/vars/0"] is first.kernel  # the layer named dense_1 is stored as dense
    assert paths["layers/dense_1/vars/0"] is second.kernel  # and the one named dense as dense_1
    assert paths["layers/dense_2/vars/1"] is output.bias


def test_nestedSequential_pathsGoThroughTheInnerModel():
    paths = [p for p in keras_paths.variables_by_path(nested()) if p.startswith("layers/")]
    assert paths == ["layers/sequential/layers/dense/vars/0", "layers/sequential/layers/dense/vars/1",
                     "layers/sequential/layers/batch_normalization/vars/0",
                     "layers/sequential/layers/batch_normalization/vars/1",
                     "layers/sequential/layers/batch_normalization/vars/2",
                     "layers/sequential/layers/batch_normalization/vars/3",
                     "layers/sequential/layers/dense_1/vars/0", "layers/sequential/layers/dense_1/vars/1",
                     "layers/dense/vars/0", "layers/dense/vars/1"]


def test_optimizerState_isTheOptimizersOwnVariables():
    model = custom_names()
    paths = keras_paths.variables_by_path(model)
    optimizer = [v for p, v in paths.items() if p.startswith("optimizer/")]
    assert [id(v) for v in optimizer] == [id(v) for v in model.optimizer.variables]
    assert list(paths)[-len(optimizer):] == [f"optimizer/vars/{k}" for k in range(len(optimizer))]


@pytest.mark.parametrize("case", sorted(p.name[: -len(".keras")] for p in KERAS_FIXTURES.glob("*.keras")))
def test_committedKerasFixture_weightsFileIsKerasWalkOfItsModel(case):
    model = keras.models.load_model(KERAS_FIXTURES / f"{case}.keras")
    variables = keras_paths.variables_by_path(model)
    if case.startswith("untrained"):
        # Saved before any step, the file holds only optimizer/vars/0..1 (iterations, learning rate); load_model
        # builds the optimizer (all its slots) before restoring, skipping that state with a warning.
        extra = sorted(set(variables) - set(datasets(KERAS_FIXTURES / f"{case}.weights.h5")))
        assert extra and all(p.startswith("optimizer/vars/") for p in extra), extra
        variables = {p: v for p, v in variables.items() if p not in extra}
    assert_matches_file(variables, KERAS_FIXTURES / f"{case}.weights.h5")
