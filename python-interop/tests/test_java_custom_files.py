"""Python Keras opens what kerasj wrote with registered custom objects, with the Python classes registered.

Reads what CustomObjectParityTest.javaKerasFile_namesTheRegisteredClasses_andLoadsBack (src/test/java/dev/kerasj/)
leaves under $KERASJ_INTEROP_DIR/custom (default: target/interop): scaled_dense_java.keras (Keras' trained weights
of testdata/custom, in a model Java built with its ScaledDense, ScaledMeanSquaredError and ScaledMeanAbsoluteError,
registered as kerasj_test>ScaledDense, kerasj_test>ScaledMeanSquaredError and kerasj_test>ScaledMeanAbsoluteError),
ckpt/scaled_dense (the same weights as a TF checkpoint) and scaled_dense_java.json (Java's loss, metric and
predictions on the validation data). With python-interop/kerasj_custom_objects.py imported (it registers the Python
classes), keras.models.load_model must rebuild the custom layer, loss and metric with Java's arguments and evaluate
within 1e-5 relative + 1e-6 absolute of Java (Java runs TF 2.18, Python TF 2.21); a Keras model of the same classes
must restore the checkpoint. Missing Java outputs fail the test: run the Java test first.
"""
import json
import pathlib
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from interop import INTEROP

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from kerasj_custom_objects import (  # noqa: E402  (importing registers them)
    ScaledDense, ScaledMeanAbsoluteError, ScaledMeanSquaredError)
from make_custom_fixtures import build_model  # noqa: E402

FOLDER = INTEROP / "custom"
TRAIN = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "custom" / "train"
RTOL = 1e-5
ATOL = 1e-6


@pytest.fixture(scope="module")
def java():
    path = FOLDER / "scaled_dense_java.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run CustomObjectParityTest first (KERASJ_INTEROP_DIR now: {INTEROP})")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def validation():
    reader = tf.train.load_checkpoint(str(TRAIN))
    return reader.get_tensor("x_val"), reader.get_tensor("y_val")


def test_javaKerasFile_rebuildsTheRegisteredClassesWithJavasArguments(java):
    model = keras.models.load_model(FOLDER / "scaled_dense_java.keras")
    layer = model.layers[0]
    assert type(layer) is ScaledDense
    assert (layer.units, layer.factor) == (3, 0.5)
    assert type(model.loss) is ScaledMeanSquaredError
    assert model.loss.weight == 2.0
    metric = model._compile_metrics._user_metrics[0]  # what compile(metrics=[...]) received; built at first use
    assert type(metric) is ScaledMeanAbsoluteError
    assert (metric.name, metric.scale) == ("scaled_mae", 2.0)


def test_javaKerasFile_evaluatesAndPredictsLikeJava(java, validation):
    model = keras.models.load_model(FOLDER / "scaled_dense_java.keras")
    x_val, y_val = validation
    got = model.evaluate(x_val, y_val, batch_size=32, verbose=0, return_dict=True)
    for key in ("loss", "scaled_mae"):
        print(f"{key}: java={java[key]:.9g} keras={got[key]:.9g}")
        assert abs(got[key] - java[key]) <= ATOL + RTOL * abs(java[key]), key
    predicted = model.predict(x_val, batch_size=32, verbose=0)
    np.testing.assert_allclose(predicted.reshape(-1), np.asarray(java["predict"], np.float32), rtol=RTOL, atol=ATOL)


def test_javaCheckpoint_restoresIntoAKerasModelOfTheCustomLayer(java, validation):
    keras.backend.clear_session()
    model = build_model()
    model.build((None, 4))
    status = tf.train.Checkpoint(model=model).read(str(FOLDER / "ckpt" / "scaled_dense"))
    status.assert_existing_objects_matched()
    predicted = model.predict(validation[0], batch_size=32, verbose=0)
    np.testing.assert_allclose(predicted.reshape(-1), np.asarray(java["predict"], np.float32), rtol=RTOL, atol=ATOL)
