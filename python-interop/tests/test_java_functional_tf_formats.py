"""Every Functional case of testdata/functional/, trained and saved by kerasj (Java), opens in Python TensorFlow and
Keras in the TensorFlow formats: the SavedModel serves what Java predicted, and Keras takes the TF checkpoint.

Reads what src/test/java/dev/kerasj/saving/PythonInteropFunctionalTfFormatsTest.java leaves under $KERASJ_INTEROP_DIR
(default: target/interop, relative to the repository root), per case of make_functional_fixtures.CASES, all in the
same state (one epoch from Keras' initial weights):
  functional_savedmodel/<case>/            Model.save(dir): a SavedModel, Keras config in assets/config.json
  functional_savedmodel/<case>-expected    tensor bundle: x_val/<input> and Java's predictions output_<i>
  functional_ckpt/<case>/ckpt-1            Model.saveWeights: a TF object-based checkpoint

Checked per case, against Java's predictions with an absolute tolerance of 1e-6 (Java runs TensorFlow 2.18, Python
2.21):
  - tf.saved_model.load(dir).signatures["serving_default"] takes exactly the inputs by name and returns output_0,
    output_1 ... (in the model's output order) equal to Java's;
  - keras.models.model_from_json(assets/config.json), compiled by its compile_config and with the optimizer built,
    restores the checkpoint with tf.train.Checkpoint(model=..., optimizer=...).restore(...).assert_consumed() (as
    test_java_checkpoints.py does), and then predicts what Java predicted.
Missing Java outputs fail the tests (they never skip): run the Java test first.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from make_functional_fixtures import CASES  # noqa: E402

from interop import INTEROP  # noqa: E402
SAVED = INTEROP / "functional_savedmodel"
CHECKPOINTS = INTEROP / "functional_ckpt"
ATOL = 1e-6


def java_outputs(case):
    """(SavedModel dir, checkpoint prefix, {input: x_val}, [Java's output_i]) or a loud failure when Java has not run."""
    model_dir, ckpt, expected = SAVED / case, CHECKPOINTS / case / "ckpt-1", SAVED / f"{case}-expected"
    missing = [p for p in (model_dir / "saved_model.pb", pathlib.Path(f"{ckpt}.index"),
                           pathlib.Path(f"{expected}.index")) if not p.exists()]
    if missing:
        pytest.fail(f"Java outputs missing: {[str(p) for p in missing]}. Run `mvn test "
                    f"-Dtest=PythonInteropFunctionalTfFormatsTest` first, or point KERASJ_INTEROP_DIR at the "
                    f"directory Maven used (its kerasj.interopDir; now: {INTEROP}).")
    reader = tf.train.load_checkpoint(str(expected))
    names = reader.get_variable_to_shape_map()
    x_val = {n[len("x_val/"):]: reader.get_tensor(n) for n in names if n.startswith("x_val/")}
    outputs = [reader.get_tensor(f"output_{i}") for i in range(sum(n.startswith("output_") for n in names))]
    return model_dir, ckpt, x_val, outputs


def assert_close(actual, expected, what):
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    worst = float(np.max(np.abs(actual - expected)))
    assert worst <= ATOL, f"{what}: max |python - java| = {worst} > {ATOL}"


@pytest.mark.parametrize("case", list(CASES))
def test_javaFunctionalSavedModel_servingDefault_givesEveryOutputLikeJava(case):
    model_dir, _, x_val, expected = java_outputs(case)
    signature = tf.saved_model.load(str(model_dir)).signatures["serving_default"]
    _, inputs = signature.structured_input_signature
    assert sorted(inputs) == sorted(x_val), f"{case}: signature inputs {sorted(inputs)}"
    outputs = signature(**{name: tf.constant(v) for name, v in x_val.items()})
    assert sorted(outputs) == [f"output_{i}" for i in range(len(expected))], f"{case}: {sorted(outputs)}"
    for i, want in enumerate(expected):
        assert_close(outputs[f"output_{i}"], want, f"{case} serving_default output_{i}")


@pytest.mark.parametrize("case", list(CASES))
def test_javaFunctionalCheckpoint_isConsumedByKerasModelFromConfig_andPredictsLikeJava(case):
    model_dir, ckpt, x_val, expected = java_outputs(case)
    keras.backend.clear_session()
    model = keras.models.model_from_json((model_dir / "assets" / "config.json").read_text())
    assert model.optimizer is not None, f"{case}: compile_config must compile the model"
    # Keras creates optimizer slots at the first step; without them, slot values would find nothing to restore into.
    model.optimizer.build(model.trainable_variables)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(str(ckpt)).assert_consumed()
    predicted = model.predict({name: x_val[name] for name in x_val}, batch_size=32, verbose=0)
    if isinstance(predicted, dict):
        predicted = [predicted[name] for name in model.output_names]
    elif not isinstance(predicted, (list, tuple)):
        predicted = [predicted]
    assert len(predicted) == len(expected), f"{case}: {len(predicted)} outputs"
    for i, want in enumerate(expected):
        assert_close(predicted[i], want, f"{case} Keras predict output {i} ({model.output_names[i]})")
