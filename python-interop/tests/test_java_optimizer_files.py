"""Python Keras continues the training runs Java saved with the optimizers of issue 17 (Nadam, Adamax, Adadelta, Ftrl,
Lion, Adam/AdamW amsgrad).

Reads what OptimizerFixturesTest.fit_fromKerasInitialWeights_matchesKerasLossesWeightsAndOptimizerVariables
(src/test/java/dev/kerasj/saving/tfcheckpoint/) leaves under $KERASJ_INTEROP_DIR/optimizers (default:
target/interop), per case of testdata/optimizers/train: Java's state after 3 epochs from Keras' initial weights as
<case>.keras and as a TF checkpoint <case>/ckpt-1, and <case>.json with Java's fourth epoch (its loss, weights and
optimizer variables in Keras' order). Keras must open both files with the same optimizer (class and arguments),
the checkpoint with tf.train.Checkpoint(model, optimizer).restore(...).assert_consumed(), and one more epoch in
Keras must reach Java's numbers within 1e-5 relative + 1e-6 absolute (Java runs TF 2.18, Python TF 2.21). Missing
Java outputs fail the test: run the Java test first.
"""

import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from interop import INTEROP

FOLDER = INTEROP / "optimizers"
TRAIN = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "optimizers" / "train"
CASES = sorted(p.name[: -len(".index")] for p in TRAIN.glob("*.index"))
RTOL = 1e-5
ATOL = 1e-6


def test_everyCase_isHere():
    assert CASES == ["adadelta", "adadelta_embedding", "adam_amsgrad", "adamax", "adamax_embedding", "adamw_amsgrad",
                     "ftrl", "ftrl_defaults", "lion", "nadam"]


def fixture(case, train=TRAIN):
    reader = tf.train.load_checkpoint(str(train / case))
    config = json.loads(reader.get_tensor("meta/config").decode())
    return reader, config


def java_outputs(case, folder=FOLDER):
    path = folder / f"{case}.json"
    assert path.is_file(), f"{path} is missing: run OptimizerFixturesTest first"
    return json.loads(path.read_text())


# Keras' default optimizer name (the fixture config's "name") of each optimizer class.
CLASSES = {"sgd": "SGD", "adam": "Adam", "adam_w": "AdamW", "nadam": "Nadam", "adamax": "Adamax", "adadelta": "Adadelta",
           "ftrl": "Ftrl", "lion": "Lion"}


def keras_optimizer(config):
    """The optimizer Keras' fit used, rebuilt from its get_config() in the fixture."""
    return getattr(keras.optimizers, CLASSES[config["name"]]).from_config(config)


def assert_same_optimizer(optimizer, config):
    """Java wrote the class and every argument Keras' own config of the case holds."""
    assert type(optimizer).__name__ == CLASSES[config["name"]]
    got = optimizer.get_config()
    assert sorted(got) == sorted(config)
    for key, value in config.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-7), f"{key}: {got[key]!r}, Keras has {value!r}"
        else:
            assert got[key] == value, f"{key}: {got[key]!r}, Keras has {value!r}"


def steps_trained(reader):
    """Training steps of the case's first fit (Keras' raw _iterations): epochs times batches per epoch."""
    batch = int(reader.get_tensor("meta/batch_size"))
    return int(reader.get_tensor("meta/epochs")) * -(-len(reader.get_tensor("x")) // batch)


def one_more_epoch_matches_java(case, model, reader, java):
    batch = int(reader.get_tensor("meta/batch_size"))
    history = model.fit(reader.get_tensor("x"), reader.get_tensor("y"), batch_size=batch, epochs=1, shuffle=False,
                        verbose=0)
    loss = history.history["loss"][0]
    print(f"{case}: java next loss={java['next_loss']:.9g} keras={loss:.9g}")
    assert abs(loss - java["next_loss"]) <= ATOL + RTOL * abs(java["next_loss"])
    owner = {id(w): layer.name for layer in model.layers for w in layer.weights}
    for w in model.weights:
        name = f"{owner[id(w)]}/{w.name}"
        np.testing.assert_allclose(np.ravel(w.numpy()), java["final"][name], rtol=RTOL, atol=ATOL, err_msg=name)
    slots = model.optimizer.variables[1:]
    assert len(slots) == len(java["final_optimizer"])
    for v, expected in zip(slots, java["final_optimizer"]):
        np.testing.assert_allclose(np.ravel(v.numpy()), expected, rtol=RTOL, atol=ATOL, err_msg=v.path)


@pytest.mark.parametrize("case", CASES)
def test_javaKerasFile_loadsWithItsOptimizer_andTrainsOnLikeJava(case):
    check_java_keras_file(case, FOLDER, TRAIN)


@pytest.mark.parametrize("case", CASES)
def test_javaCheckpoint_restoresConsumedIntoKeras_andTrainsOnLikeJava(case):
    check_java_checkpoint(case, FOLDER, TRAIN)


def check_java_keras_file(case, folder, train):
    """Keras opens Java's .keras with the fixture's optimizer and trains one more epoch to Java's numbers."""
    java = java_outputs(case, folder)
    reader, config = fixture(case, train)
    model = keras.models.load_model(folder / f"{case}.keras")
    assert_same_optimizer(model.optimizer, config)
    assert int(model.optimizer._iterations.numpy()) == steps_trained(reader)
    one_more_epoch_matches_java(case, model, reader, java)


def check_java_checkpoint(case, folder, train):
    """Keras restores Java's TF checkpoint with assert_consumed() and trains one more epoch to Java's numbers."""
    java = java_outputs(case, folder)
    reader, config = fixture(case, train)
    keras.backend.clear_session()
    optimizer = keras_optimizer(config)
    if "_maxnorm" in case:  # make_clipping_fixtures.py's MaxNorm(0.3) on both kernels
        model = keras.Sequential([keras.Input((4,)),
                                  keras.layers.Dense(5, activation="tanh",
                                                     kernel_constraint=keras.constraints.MaxNorm(0.3)),
                                  keras.layers.Dense(2, kernel_constraint=keras.constraints.MaxNorm(0.3))])
    elif case.endswith("_embedding"):
        model = keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(6, 2),
                                  keras.layers.Flatten(), keras.layers.Dense(2)])
    else:
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                                  keras.layers.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse", jit_compile=False)
    model.optimizer.build(model.trainable_variables)
    status = tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(str(folder / case / "ckpt-1"))
    status.assert_consumed()
    assert int(model.optimizer._iterations.numpy()) == steps_trained(reader)
    one_more_epoch_matches_java(case, model, reader, java)
