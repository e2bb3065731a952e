"""Python Keras opens the .keras files kerasj wrote with each learning-rate schedule and carries on training.

Reads what ScheduleConfigsTest.kerasFile_forPython_isLeftAfterJavasFit (src/test/java/dev/kerasj/saving/keras/)
leaves under $KERASJ_INTEROP_DIR/schedules (default: target/interop): per training case of testdata/schedules/train,
<case>.keras (the case's model fitted by Java for 3 epochs, 9 steps, from Keras' initial weights) and <case>.json
(the schedule config Java wrote, Java's loss on the validation data, Java's live learning rate).
keras.models.load_model must give the optimizer a schedule whose serialized form equals the one Keras itself stored
for the case (testdata bundle's config), at iteration 9, with Java's learning rate; evaluate to Java's loss; and
train one more epoch to Keras' own next epoch (next_history/* and next/* of the bundle), all within 1e-5 relative
+ 1e-6 absolute (Java runs TF 2.18, Python TF 2.21). Missing Java outputs fail the test: run the Java test first.
"""

import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from interop import INTEROP

FOLDER = INTEROP / "schedules"
TRAIN = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "schedules" / "train"
CASES = sorted(p.name[: -len(".index")] for p in TRAIN.glob("*.index"))
RTOL = 1e-5
ATOL = 1e-6


def close(got, want):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    return bool(np.all(np.abs(got - want) <= ATOL + RTOL * np.abs(want)))


def test_everyTrainingCase_isHere():
    assert len(CASES) == 7, CASES


@pytest.mark.parametrize("case", CASES)
def test_javaKerasFile_loadsWithItsSchedule_andTrainsTheNextEpochLikeKeras(case):
    path = FOLDER / f"{case}.keras"
    assert path.is_file(), f"{path} is missing: run ScheduleConfigsTest first"
    java = json.loads((FOLDER / f"{case}.json").read_text())
    reader = tf.train.load_checkpoint(str(TRAIN / case))
    keras_config = json.loads(reader.get_tensor("config").decode())
    model = keras.models.load_model(path)
    schedule = model.optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule), type(schedule)
    assert keras.saving.serialize_keras_object(schedule) == keras_config
    assert keras.saving.serialize_keras_object(schedule) == java["config"]
    assert int(model.optimizer.iterations.numpy()) == 9
    assert close(float(model.optimizer.learning_rate), java["learning_rate"])
    x_val, y_val = reader.get_tensor("x_val"), reader.get_tensor("y_val")
    got = model.evaluate(x_val, y_val, batch_size=32, verbose=0, return_dict=True)["loss"]
    print(f"{case}: java={java['loss']:.9g} keras={got:.9g}")
    assert close(got, java["loss"])
    history = model.fit(reader.get_tensor("x"), reader.get_tensor("y"), epochs=1, batch_size=32, shuffle=False,
                        validation_data=(x_val, y_val), verbose=0)
    for key in ("loss", "val_loss"):
        assert close(history.history[key], reader.get_tensor(f"next_history/{key}")), key
    names = [n.decode() for n in reader.get_tensor("meta/weight_names")]
    for name, w in zip(names, model.weights):
        assert close(w.numpy(), reader.get_tensor(f"next/{name}")), name
