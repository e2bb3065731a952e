"""Python Keras opens the .keras file kerasj wrote with the stateful metrics of issue 17 and computes the metrics
Java computed.

Reads what MetricConfigsTest.kerasFile_forPython_isLeftWithJavasEvaluation (src/test/java/dev/kerasj/saving/keras/)
leaves under $KERASJ_INTEROP_DIR/metrics (default: target/interop): digits.keras (the digits model of
testdata/metrics/train/digits with Keras' final weights, compiled with AUC, a PR AUC, Precision, Recall at 0.3,
top-k accuracy, F1Score(macro) and accuracy) and digits.json (Java's evaluation of the validation rows and the metric
configs Java wrote). keras.models.load_model must compile the model with those metrics (same classes, same
arguments) and evaluate every one within 1e-5 relative + 1e-6 absolute of Java's value (Java runs TF 2.18, Python
TF 2.21). Missing Java outputs fail the test: run the Java test first.
"""

import json
import pathlib

import keras
import pytest
import tensorflow as tf

from interop import INTEROP

FOLDER = INTEROP / "metrics"
DIGITS = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "metrics" / "train" / "digits"
RTOL = 1e-5
ATOL = 1e-6


@pytest.fixture(scope="module")
def java():
    path = FOLDER / "digits.json"
    assert path.is_file(), f"{path} is missing: run MetricConfigsTest first"
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def model():
    return keras.models.load_model(FOLDER / "digits.keras")


def test_compileConfig_holdsJavasMetrics_asKerasDeserializesThem(model, java):
    stored = model.get_compile_config()["metrics"]
    assert stored == java["metrics"]
    for config in stored:
        if isinstance(config, dict):
            metric = keras.saving.deserialize_keras_object(config)
            kept = keras.saving.serialize_keras_object(metric)
            assert kept == config, f"Keras rewrites {config} as {kept}"
        else:
            assert keras.metrics.get(config) is not None or config == "accuracy"


def test_evaluate_inKeras_equalsJavasEvaluation(model, java):
    reader = tf.train.load_checkpoint(str(DIGITS))
    got = model.evaluate(reader.get_tensor("x_val"), reader.get_tensor("y_val"), batch_size=32, verbose=0,
                         return_dict=True)
    assert sorted(got) == sorted(java["evaluate"])
    for key, value in java["evaluate"].items():
        print(f"{key}: java={value:.9g} keras={got[key]:.9g}")
        assert abs(got[key] - value) <= ATOL + RTOL * abs(value), key
