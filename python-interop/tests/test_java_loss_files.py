"""Python Keras opens the .keras files kerasj wrote with each loss of issue 17 and computes the loss Java computed.

Reads what LossConfigsTest.kerasFile_forPython_isLeftWithJavasEvaluation (src/test/java/dev/kerasj/saving/keras/)
leaves under $KERASJ_INTEROP_DIR/losses (default: target/interop): per training case of testdata/losses/train,
<case>.keras (Keras' initial weights, compiled with the case's loss) and <case>.json (Java's loss on the case's
validation data and the loss config Java wrote). keras.models.load_model must compile the model with that loss
(same class, same arguments) and evaluate it within 1e-5 relative + 1e-6 absolute of Java's value (Java runs TF
2.18, Python TF 2.21). Missing Java outputs fail the test: run the Java test first.
"""

import json
import pathlib

import keras
import pytest
import tensorflow as tf

from interop import INTEROP

FOLDER = INTEROP / "losses"
TRAIN = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "losses" / "train"
CASES = sorted(p.name[: -len(".index")] for p in TRAIN.glob("*.index"))
RTOL = 1e-5
ATOL = 1e-6


def test_everyTrainingCase_isHere():
    assert len(CASES) == 15, CASES


@pytest.mark.parametrize("case", CASES)
def test_javaKerasFile_loadsWithItsLoss_andEvaluatesLikeJava(case):
    path = FOLDER / f"{case}.keras"
    assert path.is_file(), f"{path} is missing: run LossConfigsTest first"
    java = json.loads((FOLDER / f"{case}.json").read_text())
    model = keras.models.load_model(path)
    config = java["config"]
    if isinstance(config, str):
        assert model.loss == config
        assert keras.losses.get(config) is not None
    else:
        assert type(model.loss).__name__ == config["class_name"]
        kept = model.loss.get_config()
        for key, value in config["config"].items():
            if key in kept:
                assert kept[key] == value, f"{case}: {key}={kept[key]!r}, Java wrote {value!r}"
    reader = tf.train.load_checkpoint(str(TRAIN / case))
    got = model.evaluate(reader.get_tensor("x_val"), reader.get_tensor("y_val"), batch_size=32, verbose=0,
                         return_dict=True)["loss"]
    print(f"{case}: java={java['loss']:.9g} keras={got:.9g}")
    assert abs(got - java["loss"]) <= ATOL + RTOL * abs(java["loss"])
