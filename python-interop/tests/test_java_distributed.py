"""Python TensorFlow restores the checkpoint the chief of a Java MultiWorkerMirroredStrategy group wrote.

Reads what src/test/java/dev/kerasj/distribute/MultiWorkerTrainingTest.java (the SIGKILL-and-relaunch test) leaves
under $KERASJ_INTEROP_DIR/distribute: the chief's ModelCheckpoint directory ckpt/ (weights-only TF checkpoints
ckpt-001..003 and the `checkpoint` state file; the first written before one worker was killed, the others after the
relaunch) and final_weights.json, the group's final weights in get_weights order.

tf.train.latest_checkpoint finds ckpt-003; tf.train.Checkpoint(model=..., optimizer=...) restores it into the same MLP
built and compiled with Adam in Keras, optimizer included (assert_consumed, iterations = the 36 global steps); the restored weights equal Java's final weights exactly (restore
copies floats, it computes nothing).

Missing Java outputs fail the test (they never skip): run `mvn test -Dtest=MultiWorkerTrainingTest` first.
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from interop import INTEROP  # noqa: E402

FOLDER = INTEROP / "distribute"


def java_outputs():
    ckpt = FOLDER / "ckpt"
    weights = FOLDER / "final_weights.json"
    missing = [str(p) for p in (ckpt / "checkpoint", ckpt / "ckpt-003.index", weights) if not p.exists()]
    if missing:
        pytest.fail(f"Java outputs missing: {missing}. Run `mvn test -Dtest=MultiWorkerTrainingTest` first (it "
                    f"writes them to target/interop), or point KERASJ_INTEROP_DIR at its directory (now: {INTEROP}).")
    return ckpt, np.array(json.loads(weights.read_text())["values"], dtype=np.float32)


STEPS = 3 * (576 // 48)  # WorkerChild: 3 epochs of 576 samples in global batches of 48


def digits_mlp():
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    model.optimizer.build(model.trainable_variables)
    return model


def test_chiefCheckpoint_isLatestAndRestoresTheGroupsFinalWeightsIntoKeras():
    ckpt, expected = java_outputs()
    latest = tf.train.latest_checkpoint(str(ckpt))
    assert latest == str(ckpt / "ckpt-003")
    model = digits_mlp()
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(latest).assert_consumed()
    assert int(model.optimizer.iterations.numpy()) == STEPS
    restored = np.concatenate([w.ravel() for w in model.get_weights()])
    assert restored.shape == expected.shape
    np.testing.assert_array_equal(restored, expected)


def test_chiefDirectory_holdsNoWorkerTemporaryFiles():
    ckpt, _ = java_outputs()
    assert not [p.name for p in ckpt.iterdir() if p.name.startswith("workertemp_")]
