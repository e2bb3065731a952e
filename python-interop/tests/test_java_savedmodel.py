"""SavedModels written by kerasj (Java) open in Python TensorFlow and Keras and predict what Java predicted.

The Java test PythonInteropSavedModelTest (run by `mvn test`) leaves, per case (mlp, cnn_bn, embedding):
  <interop>/savedmodel/<case>/       a SavedModel written by SavedModelWriter after 2 epochs of training
  <interop>/savedmodel/<case>.json   the input it predicted on and Java's predictions
where <interop> is $KERASJ_INTEROP_DIR, default target/interop under the repository root (Maven's default).

Checked for each case, against Java's predictions with an absolute tolerance of 1e-6:
  - tf.saved_model.load(dir).signatures["serving_default"], called with the input named "input_layer";
  - keras.layers.TFSMLayer(dir, call_endpoint="serving_default");
  - saved_model_cli show --dir D --all exits 0 and lists the signature with method name tensorflow/serving/predict;
  - keras.models.model_from_json(assets/config.json) rebuilds and compiles the same architecture in Keras, and with
    the weights from variables/ it predicts the same.
Missing Java output fails the tests (run `mvn test` first); nothing here is skipped.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import keras

from interop import INTEROP  # noqa: E402
ROOT = INTEROP / "savedmodel"
CASES = ["mlp", "cnn_bn", "embedding"]
ATOL = 1e-6


def java_output(case):
    """(SavedModel dir, input, Java's predictions, expected json) or a loud failure when Java has not run."""
    model_dir = ROOT / case
    expected_file = ROOT / f"{case}.json"
    if not (model_dir / "saved_model.pb").is_file() or not expected_file.is_file():
        pytest.fail(
            f"Java's SavedModel output for '{case}' is missing ({model_dir}, {expected_file}). "
            "Run `mvn test` first (PythonInteropSavedModelTest writes it), or point KERASJ_INTEROP_DIR at the "
            "directory Maven used (its kerasj.interopDir)."
        )
    expected = json.loads(expected_file.read_text())
    x = np.array(expected["input"], dtype=expected["input_dtype"])
    predictions = np.array(expected["predictions"], dtype=np.float32)
    return model_dir, x, predictions, expected


def assert_close(actual, expected, what):
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    worst = float(np.max(np.abs(actual - expected)))
    assert worst <= ATOL, f"{what}: max |python - java| = {worst} > {ATOL}"


@pytest.mark.parametrize("case", CASES)
def test_tfSavedModelLoad_servingDefault_predictsWhatJavaPredicted(case):
    model_dir, x, predictions, expected = java_output(case)
    signature = tf.saved_model.load(str(model_dir)).signatures["serving_default"]
    _, inputs = signature.structured_input_signature
    assert list(inputs) == [expected["input_key"]]
    outputs = signature(**{expected["input_key"]: tf.constant(x)})
    assert list(outputs) == [expected["output_key"]]
    assert_close(outputs[expected["output_key"]], predictions, f"{case} serving_default")


@pytest.mark.parametrize("case", CASES)
def test_kerasTfsmLayer_predictsWhatJavaPredicted(case):
    model_dir, x, predictions, expected = java_output(case)
    layer = keras.layers.TFSMLayer(str(model_dir), call_endpoint="serving_default")
    out = layer(x)
    if isinstance(out, dict):
        out = out[expected["output_key"]]
    assert_close(keras.ops.convert_to_numpy(out), predictions, f"{case} TFSMLayer")


@pytest.mark.parametrize("case", CASES)
def test_savedModelCli_showAll_listsPredictSignature(case):
    model_dir, _, _, expected = java_output(case)
    cli = pathlib.Path(sys.executable).parent / "saved_model_cli"
    assert cli.is_file(), f"saved_model_cli is missing next to {sys.executable}"
    run = subprocess.run([str(cli), "show", "--dir", str(model_dir), "--all"], capture_output=True, text=True)
    assert run.returncode == 0, f"saved_model_cli failed ({run.returncode}):\n{run.stderr}"
    assert "signature_def['serving_default']" in run.stdout, run.stdout
    assert f"inputs['{expected['input_key']}']" in run.stdout, run.stdout
    assert f"outputs['{expected['output_key']}']" in run.stdout, run.stdout
    assert "Method name is: tensorflow/serving/predict" in run.stdout, run.stdout


@pytest.mark.parametrize("case", CASES)
def test_kerasModelFromJson_configRebuildsSameModel(case):
    model_dir, x, predictions, expected = java_output(case)
    model = keras.models.model_from_json((model_dir / "assets" / "config.json").read_text())
    assert model.count_params() == expected["params"]
    assert model.optimizer is not None, "compile_config must compile the model"
    reader = tf.train.load_checkpoint(str(model_dir / "variables" / "variables"))
    # kerasj keys each weight by Keras' own variable path (layer name / weight name).
    model.set_weights([reader.get_tensor(w.path) for w in model.weights])
    assert_close(model.predict(x, verbose=0), predictions, f"{case} Keras model from config.json")


FUNCTIONAL_CASE = "functional_two_in_two_out"


def test_functionalSavedModel_servingDefault_takesNamedInputsAndGivesEachOutputLikeJava():
    """FunctionalSavedModelTest.java: Model([a, b], [digit, size]); inputs keyed by input layer name and outputs
    output_0, output_1, as Keras 3's model.export() keys a model with a list of outputs."""
    model_dir = ROOT / FUNCTIONAL_CASE
    expected_file = ROOT / f"{FUNCTIONAL_CASE}.json"
    if not (model_dir / "saved_model.pb").is_file() or not expected_file.is_file():
        pytest.fail(f"Java's Functional SavedModel ({model_dir}, {expected_file}) is missing: run `mvn test` first "
                    "(FunctionalSavedModelTest writes it), or point KERASJ_INTEROP_DIR at Maven's kerasj.interopDir.")
    expected = json.loads(expected_file.read_text())
    signature = tf.saved_model.load(str(model_dir)).signatures["serving_default"]
    _, inputs = signature.structured_input_signature
    assert sorted(inputs) == ["a", "b"]
    assert inputs["a"].shape.as_list() == [None, 4] and inputs["b"].shape.as_list() == [None, 3]
    outputs = signature(**{k: tf.constant(np.array(v, dtype=np.float32)) for k, v in expected["inputs"].items()})
    assert sorted(outputs) == ["output_0", "output_1"]
    for key in ("output_0", "output_1"):
        assert_close(outputs[key], np.array(expected[key], dtype=np.float32), f"{FUNCTIONAL_CASE} {key}")
