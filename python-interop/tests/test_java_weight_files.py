"""Python Keras opens the .keras files kerasj wrote with weighted metrics and evaluates them with sample weights to
Java's numbers.

Reads what WeightedMetricConfigsTest.kerasFiles_forPython_areLeftWithJavasWeightedEvaluation
(src/test/java/dev/kerasj/saving/keras/) leaves under $KERASJ_INTEROP_DIR/weights (default: target/interop): for the
sample_weight and two_output cases of testdata/weights, <case>.keras (Keras' final weights, compiled like the case)
and <case>.json (Java's evaluate on the validation rows with their sample weights). keras.models.load_model must
compile the weighted metrics Java wrote and evaluate, with the same weights, within 1e-5 relative + 1e-6 absolute of
Java (Java runs TF 2.18, Python TF 2.21). Missing Java outputs fail the test: run the Java test first.
"""

import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from interop import INTEROP

FOLDER = INTEROP / "weights"
FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "weights"
RTOL = 1e-5
ATOL = 1e-6


def bundle(name):
    return tf.train.load_checkpoint(str(FIXTURES / name))


def evaluation_data(case):
    data, b = bundle("data"), bundle(case)
    x_val, y_val = data.get_tensor("x_val"), data.get_tensor("y_val")
    if case == "two_output":
        y = [y_val, (y_val / 9.0).astype(np.float32).reshape(-1, 1)]
        # Java's Functional config lists its outputs, so Keras' outputs are a list: Keras 3.15 resolves nested sample
        # weights by the outputs' structure (a dict would fail with KeyError: 0), so y and the weights go as lists in
        # that order.
        sw = [b.get_tensor(f"val_sample_weight/{n}") for n in ("digit", "value")]
        return x_val, y, sw
    return x_val, y_val, b.get_tensor("val_sample_weight/output")


@pytest.mark.parametrize("case,weighted", [
    ("sample_weight", ["accuracy"]),
    ("two_output", {"digit": ["accuracy"], "value": ["mae"]}),
])
def test_javaKerasFile_compilesWeightedMetrics_andEvaluatesLikeJava(case, weighted):
    path = FOLDER / f"{case}.keras"
    assert path.is_file(), f"{path} is missing: run WeightedMetricConfigsTest first"
    java = json.loads((FOLDER / f"{case}.json").read_text())
    model = keras.models.load_model(path)
    assert model.get_compile_config()["weighted_metrics"] == weighted
    x, y, sw = evaluation_data(case)
    got = model.evaluate(x, y, sample_weight=sw, batch_size=32, verbose=0, return_dict=True)
    assert set(got) == set(java), (sorted(got), sorted(java))
    for key, value in java.items():
        print(f"{case} {key}: java={value:.9g} keras={got[key]:.9g}")
        assert abs(got[key] - value) <= ATOL + RTOL * abs(value), key
