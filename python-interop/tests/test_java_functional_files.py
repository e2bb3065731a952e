"""Python Keras opens the Functional-model .keras archives and .weights.h5 files kerasj's Java tests wrote.

Reads what src/test/java/dev/kerasj/saving/keras/PythonInteropFunctionalFilesTest.java leaves under
$KERASJ_INTEROP_DIR/functional (default: target/interop): per case of testdata/functional/ (built in Java with the
fixture's trained weights) <case>.keras, <case>.weights.h5 and <case>.json (x by input name, Java's predictions by
output name, the output order).

Per case: keras.models.load_model opens Java's archive, its model.weights.h5 holds exactly the datasets Keras' own
saving walk gives the model (keras_paths.variables_by_path: InputLayers, nested models' layers/<class>/layers/...,
optimizer state), and predict(x) equals Java's within 1e-5 relative + 1e-6 absolute; Java's .weights.h5 loads into
Keras' own model of the case (testdata/functional/<case>.keras, its weights zeroed first) and predicts Java's values
again. kerasj writes output_layers as a list, so Keras returns a list of outputs in Java's output order.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import io
import json
import pathlib
import zipfile

import h5py
import keras
import numpy as np
import pytest

from keras_paths import variables_by_path

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
from interop import INTEROP  # noqa: E402
FOLDER = INTEROP / "functional"
FIXTURES = REPO / "testdata" / "functional"
CASES = ["two_input_concat", "two_output", "residual_add", "shared_layer", "merge_layers", "nested_model", "transfer"]
RTOL = 1e-5
ATOL = 1e-6


def outputs(case):
    path = FOLDER / f"{case}.json"
    assert path.is_file(), f"{path} is missing: run `mvn test` first (PythonInteropFunctionalFilesTest writes it)"
    out = json.loads(path.read_text())
    out["x"] = {k: np.array(v, dtype="float32") for k, v in out["x"].items()}
    return out


def by_output(predicted, names):
    """Keras' predict result as {output name: array}: a dict, a list in output order, or one array."""
    if isinstance(predicted, dict):
        return predicted
    if isinstance(predicted, (list, tuple)):
        return dict(zip(names, predicted))
    return {names[0]: predicted}


def assert_predicts(model, out, what):
    predicted = by_output(model.predict(out["x"], verbose=0), out["output_names"])
    assert sorted(predicted) == sorted(out["output_names"]), what
    for name in out["output_names"]:
        np.testing.assert_allclose(np.asarray(predicted[name]).reshape(-1), np.array(out["predict"][name]).reshape(-1),
                                   rtol=RTOL, atol=ATOL, err_msg=f"{what}: {name}")


def weights_datasets(h5):
    names = []
    h5.visit(names.append)
    return [n for n in names if isinstance(h5[n], h5py.Dataset)]


@pytest.mark.parametrize("case", CASES)
def test_javaFunctionalArchive_loadsWithKerasLayoutAndPredictsLikeJava(case):
    out = outputs(case)
    model = keras.models.load_model(FOLDER / f"{case}.keras")
    assert type(model).__name__ == "Functional"
    with zipfile.ZipFile(FOLDER / f"{case}.keras") as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h5:
        assert sorted(weights_datasets(h5)) == sorted(variables_by_path(model)), \
            "the archive's model.weights.h5 datasets differ from Keras' variable paths"
    assert_predicts(model, out, f"{case} (Java .keras)")


@pytest.mark.parametrize("case", CASES)
def test_javaFunctionalWeightsFile_loadsIntoKerasOwnModel(case):
    out = outputs(case)
    model = keras.models.load_model(FIXTURES / f"{case}.keras")
    with h5py.File(FOLDER / f"{case}.weights.h5", "r") as h5:
        assert sorted(weights_datasets(h5)) == sorted(variables_by_path(model))
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype=v.dtype))
    model.load_weights(FOLDER / f"{case}.weights.h5")
    assert_predicts(model, out, f"{case} (Java .weights.h5 into Keras' model)")
