"""Python Keras takes the TF checkpoints kerasj's Java tests wrote, and carries on exactly as Java did.

Reads what src/test/java/dev/kerasj/saving/tfcheckpoint/PythonInteropExportTest.java leaves under
$KERASJ_INTEROP_DIR/tfcheckpoint (default: target/interop, relative to the repository root): for each case a
checkpoint directory <case>/ (ckpt-1.index, ckpt-1.data-00000-of-00001, checkpoint) and a tensor bundle
<case>-outputs with Java's predictions and Java's weights after one more training step.

Per case: tf.train.latest_checkpoint finds ckpt-1; a Keras model of the same architecture, compiled with the same
optimizer and with the optimizer built, restores it with assert_consumed(); predict(x_val) equals Java's within 1e-6
absolute; one train_on_batch on the same batch gives Java's next weights within 1e-5 relative (+1e-6 absolute).
Java also saved the same state as <case>.weights.h5: model.load_weights takes it (optimizer variables included, by
Keras' numbering) and the model predicts and trains one step like Java again.
Java and Python run different TensorFlow builds (2.18 vs 2.21), hence tolerances rather than equality.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from make_checkpoint_fixtures import cnn_bn, embedding, feed, mlp, two_input  # noqa: E402
from make_fixtures import weight_names  # noqa: E402

from interop import INTEROP  # noqa: E402
FOLDER = INTEROP / "tfcheckpoint"

# case -> (layers, optimizer, loss): the same models as CheckpointTesting.CASES on the Java side.
CASES = {
    "mlp_adam": (mlp, lambda: keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy"),
    # With a schedule Keras' optimizer has no learning-rate variable: Java's checkpoint must not hold one either.
    "layout_mlp_adam_exponential_decay": (
        mlp, lambda: keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(1e-3, 2, 0.5)),
        "sparse_categorical_crossentropy"),
    "cnn_bn_sgd_momentum": (cnn_bn, lambda: keras.optimizers.SGD(0.05, momentum=0.9),
                            "sparse_categorical_crossentropy"),
    "embedding_adam": (embedding, lambda: keras.optimizers.Adam(1e-2), "binary_crossentropy"),
}
# Functional models (written by FunctionalCheckpointTest.java): keras.Model([a, b], digit), inputs the two halves of
# each 64-feature digit; no .weights.h5 (the Keras-file side of Functional models is tested elsewhere).
FUNCTIONAL_CASES = {
    "functional_two_input_adam": (two_input, lambda: keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy"),
}
DATA_KIND = {"functional_two_input_adam": "digits_two"}
CHECKPOINT_CASES = sorted(CASES) + sorted(FUNCTIONAL_CASES)
PREDICT_ATOL = 1e-6
STEP_RTOL, STEP_ATOL = 1e-5, 1e-6


def java_outputs(case):
    folder = FOLDER / case
    outputs = FOLDER / f"{case}-outputs"
    missing = [p for p in (folder / "checkpoint", folder / "ckpt-1.index", pathlib.Path(f"{outputs}.index"))
               if not p.exists()]
    if missing:
        pytest.fail(f"Java outputs missing: {[str(p) for p in missing]}. Run `mvn test` first (it writes them to "
                    f"target/interop), or point KERASJ_INTEROP_DIR at the directory it wrote (now: {INTEROP}).")
    reader = tf.train.load_checkpoint(str(outputs))
    return folder, {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def keras_model(case):
    layers, optimizer, loss = {**CASES, **FUNCTIONAL_CASES}[case]
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    built = layers()
    model = built if isinstance(built, keras.Model) else keras.Sequential(built)
    model.compile(optimizer=optimizer(), loss=loss, jit_compile=False)
    # Keras creates optimizer slots at the first step; without them, slot values would find nothing to restore into.
    model.optimizer.build(model.trainable_variables)
    return model


@pytest.mark.parametrize("case", CHECKPOINT_CASES)
def test_javaCheckpoint_isFoundByLatestCheckpointAndConsumedByKeras(case):
    folder, out = java_outputs(case)
    assert tf.train.latest_checkpoint(str(folder)) == str(folder / "ckpt-1")
    state = tf.train.get_checkpoint_state(str(folder))
    assert state.model_checkpoint_path.endswith("ckpt-1")
    assert len(state.all_model_checkpoint_timestamps) == len(state.all_model_checkpoint_paths)
    model = keras_model(case)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(str(folder / "ckpt-1")).assert_consumed()
    assert int(model.optimizer.iterations.numpy()) == int(out["iterations"])


@pytest.mark.parametrize("case", CHECKPOINT_CASES)
def test_javaCheckpoint_predictsAndTrainsOneStepInKerasLikeJava(case):
    folder, out = java_outputs(case)
    model = keras_model(case)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(
        tf.train.latest_checkpoint(str(folder))).assert_consumed()
    kind = DATA_KIND.get(case)
    np.testing.assert_allclose(model.predict(feed(kind, out["x_val"]), batch_size=32, verbose=0), out["predict"],
                               rtol=0, atol=PREDICT_ATOL, err_msg=f"{case}: predict")
    model.train_on_batch(feed(kind, out["batch/x"]), out["batch/y"])
    for name, w in zip(weight_names(model), model.weights):
        np.testing.assert_allclose(w.numpy(), out[f"after_step/{name}"], rtol=STEP_RTOL, atol=STEP_ATOL,
                                   err_msg=f"{case}: {name} after one more training step")


@pytest.mark.parametrize("case", sorted(CASES))
def test_javaWeightsH5_loadsIntoKerasAndTrainsOneStepLikeJava(case):
    _, out = java_outputs(case)
    path = FOLDER / f"{case}.weights.h5"
    assert path.is_file(), f"{path} is missing: run `mvn test` first (PythonInteropExportTest writes it)"
    model = keras_model(case)
    with h5py.File(path, "r") as f:
        saved = sorted(f["optimizer/vars"].keys(), key=int)
    assert saved == [str(k) for k in range(len(model.optimizer.variables))], (
        f"{case}: optimizer/vars {saved} vs Keras' {[v.path for v in model.optimizer.variables]}")
    model.load_weights(str(path))
    assert int(model.optimizer.iterations.numpy()) == int(out["iterations"])
    np.testing.assert_allclose(model.predict(out["x_val"], batch_size=32, verbose=0), out["predict"],
                               rtol=0, atol=PREDICT_ATOL, err_msg=f"{case}: predict")
    model.train_on_batch(out["batch/x"], out["batch/y"])
    for name, w in zip(weight_names(model), model.weights):
        np.testing.assert_allclose(w.numpy(), out[f"after_step/{name}"], rtol=STEP_RTOL, atol=STEP_ATOL,
                                   err_msg=f"{case}: {name} after one more training step")
