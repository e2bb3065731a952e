"""Python Keras opens the .keras archives and .weights.h5 files kerasj's Java tests wrote, and carries on like Java.

Reads what src/test/java/dev/kerasj/saving/keras/PythonInteropKerasFilesTest.java leaves under
$KERASJ_INTEROP_DIR/keras (default: target/interop): per case <case>.keras, <case>.weights.h5 and <case>.json
(x, Java's predictions, the next batch, Java's loss on it and every variable after that step).

Per case: keras.models.load_model opens the archive (compiled with Java's optimizer and its state); predict(x)
equals Java's within 1e-6; one train_on_batch on the same batch gives Java's loss and every variable (weights and
optimizer state, by .weights.h5 path) within 1e-5 relative + 1e-6 absolute. model.load_weights takes Java's
.weights.h5 into a zeroed model and predicts Java's values again, optimizer state included; h5py reads every file,
and the datasets of Java's .weights.h5 and of the archive's model.weights.h5 are exactly the paths Keras' own saving
walk gives the model (keras_paths.variables_by_path).
Java and Python run different TensorFlow builds (2.18 vs 2.21), hence tolerances rather than equality.

Paths: Keras stores a layer under the snake_case of its class, numbered within its container, not under its name
(layers/dense/vars/0 for a Dense layer named "encoder"). java_custom_names (layers named "encoder", "head", ...) and
java_swapped_names (Dense layers named "dense_1" then "dense", of equal shapes) check that Java writes by that rule;
Java's "after" keys are such paths, and so are the keys compared here.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import io
import json
import zipfile

import h5py
import keras
import numpy as np
import pytest

from keras_paths import variables_by_path

from interop import INTEROP  # noqa: E402
FOLDER = INTEROP / "keras"

CASES = ["mlp_adam", "cnn_sgd_momentum", "gap_rmsprop", "embedding_adagrad", "reshape_adamw", "untrained_adam",
         "uncompiled_dropout", "java_bn_rmsprop", "java_untrained_adam", "java_custom_names", "java_swapped_names"]
RTOL = 1e-5
ATOL = 1e-6
# Layer names these cases must come back with, in order (so that they do test names that are not Keras' paths)
NAMES = {"java_custom_names": lambda names: {"encoder", "head"} <= set(names),
         "java_swapped_names": lambda names: [n for n in names if n.startswith("dense")][:2] == ["dense_1", "dense"]}


def outputs(case):
    path = FOLDER / f"{case}.json"
    assert path.is_file(), f"{path} is missing: run `mvn test` first (PythonInteropKerasFilesTest writes it)"
    out = json.loads(path.read_text())
    x = np.array(out["x"])
    out["x"] = x.astype("int32") if case.startswith("embedding") else x.astype("float32")
    return out


def weights_datasets(h5):
    """The dataset paths of an open HDF5 file (a .weights.h5 file, or an archive's model.weights.h5)."""
    names = []
    h5.visit(names.append)
    return [n for n in names if isinstance(h5[n], h5py.Dataset)]


@pytest.mark.parametrize("case", CASES)
def test_javaKerasArchive_loadsPredictsAndTrainsOneStepLikeJava(case):
    out = outputs(case)
    model = keras.models.load_model(FOLDER / f"{case}.keras")
    if case in NAMES:
        assert NAMES[case]([layer.name for layer in model.layers]), [layer.name for layer in model.layers]
    with zipfile.ZipFile(FOLDER / f"{case}.keras") as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h5:
        assert sorted(weights_datasets(h5)) == sorted(variables_by_path(model)), \
            "the archive's model.weights.h5 datasets differ from Keras' variable paths"
    np.testing.assert_allclose(model.predict(out["x"], batch_size=32, verbose=0), np.array(out["predict"]),
                               rtol=0, atol=1e-6)
    if "step_x" not in out:
        assert getattr(model, "optimizer", None) is None, "an uncompiled model came back compiled"
        return
    if "untrained" not in case:
        assert model.optimizer.built, "the optimizer state was not restored"
    step_x = np.array(out["step_x"], dtype="int32" if case.startswith("embedding") else "float32")
    step_y = np.array(out["step_y"])
    step_y = step_y.astype("int32") if step_y.dtype.kind == "i" else step_y.astype("float32")
    loss = model.train_on_batch(step_x, step_y, return_dict=True)["loss"]
    np.testing.assert_allclose(loss, out["step_loss"], rtol=RTOL, atol=ATOL)
    variables = variables_by_path(model)
    assert sorted(variables) == sorted(out["after"]), "Keras' variables differ from the ones Java wrote"
    for path, v in variables.items():
        np.testing.assert_allclose(np.ravel(v.numpy()), np.array(out["after"][path]), rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case} {path}")


@pytest.mark.parametrize("case", CASES)
def test_javaWeightsFile_isKerasLayoutAndLoadsIntoKerasModel(case):
    out = outputs(case)
    reference = variables_by_path(keras.models.load_model(FOLDER / f"{case}.keras"))
    with h5py.File(FOLDER / f"{case}.weights.h5", "r") as f:
        assert sorted(weights_datasets(f)) == sorted(reference), "datasets differ from Keras' variable paths"
        for path, v in reference.items():
            assert f[path].dtype == v.numpy().dtype, path
            np.testing.assert_array_equal(f[path][()], v.numpy(), err_msg=path)
    model = keras.models.load_model(FOLDER / f"{case}.keras")
    for v in variables_by_path(model).values():
        v.assign(np.zeros(v.shape, dtype=v.dtype))
    model.load_weights(FOLDER / f"{case}.weights.h5")
    np.testing.assert_allclose(model.predict(out["x"], batch_size=32, verbose=0), np.array(out["predict"]),
                               rtol=0, atol=1e-6)
    for path, v in variables_by_path(model).items():
        np.testing.assert_array_equal(v.numpy(), reference[path].numpy(), err_msg=f"{case} {path}")
