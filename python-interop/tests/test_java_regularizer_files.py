"""Python Keras opens the .keras files kerasj wrote with regularizers and constraints and computes Java's loss.

Reads what PenaltyConfigsTest.kerasFile_forPython_isLeftWithJavasEvaluation (src/test/java/dev/kerasj/saving/keras/)
leaves under $KERASJ_INTEROP_DIR/regularizers (default: target/interop): per training case of
testdata/regularizers/train, <case>.keras (Keras' initial weights) and <case>.json (Java's evaluate loss on the
case's validation data). keras.models.load_model must rebuild layers whose get_config() equals that of the model
Keras trained for the fixture (keras/layers in the bundle: same regularizers, constraints and arguments), and evaluate
within 1e-5 relative + 1e-6 absolute of Java's value (the penalties are in both; Java runs TF 2.18, Python TF 2.21).
Missing Java outputs fail the test: run the Java test first.
"""

import json
import pathlib

import keras
import pytest
import tensorflow as tf

from interop import INTEROP

FOLDER = INTEROP / "regularizers"
TRAIN = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "regularizers" / "train"
CASES = sorted(p.name[: -len(".index")] for p in TRAIN.glob("*.index"))
RTOL = 1e-5
ATOL = 1e-6


def test_everyTrainingCase_isHere():
    assert len(CASES) == 7, CASES


@pytest.mark.parametrize("case", CASES)
def test_javaKerasFile_loadsWithItsPenalties_andEvaluatesLikeJava(case):
    path = FOLDER / f"{case}.keras"
    assert path.is_file(), f"{path} is missing: run PenaltyConfigsTest first"
    java = json.loads((FOLDER / f"{case}.json").read_text())
    keras.backend.clear_session()
    model = keras.models.load_model(path)
    reader = tf.train.load_checkpoint(str(TRAIN / case))
    expected = json.loads(reader.get_tensor("keras/layers").decode())
    assert json.loads(json.dumps(model.get_config()["layers"])) == expected
    got = model.evaluate(reader.get_tensor("x_val"), reader.get_tensor("y_val"), batch_size=32, verbose=0)
    print(f"{case}: java={java['loss']:.9g} keras={got:.9g}")
    assert abs(got - java["loss"]) <= ATOL + RTOL * abs(java["loss"])
