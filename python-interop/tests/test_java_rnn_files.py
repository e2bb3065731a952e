"""Python Keras opens the .keras archives and .weights.h5 files of kerasj's recurrent layers that Java wrote.

Reads what src/test/java/dev/kerasj/PythonInteropRecurrentFilesTest.java leaves under $KERASJ_INTEROP_DIR/rnn
(default: target/interop): per case of testdata/rnn/ (built in Java with Keras' trained weights) <case>.keras,
<case>.weights.h5 and <case>.json (x_val and Java's predictions).

Per case: keras.models.load_model opens Java's archive, its model.weights.h5 holds exactly the datasets Keras' own
saving walk gives the model (a recurrent layer's weights under layers/<lstm>/cell/vars/i), and predict(x) equals
Java's within 1e-5 relative + 1e-6 absolute (masked_recurrent: Keras rebuilds the mask from Java's Masking layer;
embedding_masked, embedding_functional: from Java's Embedding(mask_zero=True), on zero-padded int32 token ids);
Java's .weights.h5 loads into Keras' own model of the case (testdata/rnn/<case>.keras, its weights zeroed first) and
predicts Java's values again.

TensorFlow formats, after one more epoch in Java: tf.saved_model.load(<case>_savedmodel).signatures["serving_default"]
returns output_0 equal to Java's predictions; keras.models.model_from_json(its assets/config.json), with the optimizer
built, restores <case>_ckpt/ckpt-1 with tf.train.Checkpoint(model=..., optimizer=...).assert_consumed() (so the
kernel, recurrent_kernel and bias sit under the layer's `cell`, where Keras tracks them) and predicts Java's values.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import json
import pathlib

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from interop import INTEROP
from keras_paths import variables_by_path

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
FOLDER = INTEROP / "rnn"
FIXTURES = REPO / "testdata" / "rnn"
CASES = ["lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent", "bidirectional_masked",
         "bidirectional_modes", "embedding_masked", "embedding_functional"]


def x_dtype(case):
    """The embedding_* cases take int32 token ids (0 = padding, masked by Embedding(mask_zero=True))."""
    return "int32" if case.startswith("embedding_") else "float32"


RTOL = 1e-5
ATOL = 1e-6


def outputs(case):
    path = FOLDER / f"{case}.json"
    assert path.is_file(), f"{path} is missing: run `mvn test` first (PythonInteropRecurrentFilesTest writes it)"
    out = json.loads(path.read_text())
    return (np.array(out["x"], dtype=x_dtype(case)).reshape(out["x_shape"]),
            np.array(out["predict"], dtype="float32"))


def weights_datasets(h5):
    names = []
    h5.visit(names.append)
    return [n for n in names if isinstance(h5[n], h5py.Dataset)]


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentArchive_loadsInKerasAndPredictsLikeJava(case):
    x, predicted = outputs(case)
    model = keras.models.load_model(FOLDER / f"{case}.keras")
    np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                               err_msg=f"{case} (Java .keras)")


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentWeightsFile_loadsIntoKerasOwnModel(case):
    x, predicted = outputs(case)
    model = keras.models.load_model(FIXTURES / f"{case}.keras")
    with h5py.File(FOLDER / f"{case}.weights.h5", "r") as h5:
        assert sorted(weights_datasets(h5)) == sorted(variables_by_path(model))
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype=v.dtype))
    model.load_weights(FOLDER / f"{case}.weights.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                               err_msg=f"{case} (Java .weights.h5 into Keras' model)")


def tf_outputs(case):
    x, _ = outputs(case)
    path = FOLDER / f"{case}_tf.json"
    assert path.is_file(), f"{path} is missing: run `mvn test` first (PythonInteropRecurrentFilesTest writes it)"
    return x, np.array(json.loads(path.read_text())["predict"], dtype="float32")


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentSavedModel_servesJavaPredictions(case):
    x, predicted = tf_outputs(case)
    signature = tf.saved_model.load(str(FOLDER / f"{case}_savedmodel")).signatures["serving_default"]
    _, inputs = signature.structured_input_signature
    assert len(inputs) == 1, f"{case}: signature inputs {sorted(inputs)}"
    served = signature(**{next(iter(inputs)): tf.constant(x)})
    assert sorted(served) == ["output_0"]
    np.testing.assert_allclose(served["output_0"].numpy().reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                               err_msg=f"{case} serving_default")


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentCheckpoint_isConsumedByKerasModel_andPredictsLikeJava(case):
    x, predicted = tf_outputs(case)
    keras.backend.clear_session()
    model = keras.models.model_from_json((FOLDER / f"{case}_savedmodel" / "assets" / "config.json").read_text())
    model.optimizer.build(model.trainable_variables)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(
        str(FOLDER / f"{case}_ckpt" / "ckpt-1")).assert_consumed()
    np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                               err_msg=f"{case} (Java TF checkpoint into Keras)")


def test_javaFunctionalRecurrentArchive_loadsInKerasAndPredictsLikeJava():
    # Masking -> Bidirectional(LSTM, sequences) -> GRU -> Dense, written by Java with no mask op layers or call
    # kwargs: Keras rebuilds the mask from the Masking layer and predicts Java's values on partly padded rows.
    x, predicted = outputs("functional")
    model = keras.models.load_model(FOLDER / "functional.keras")
    np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                               err_msg="functional (Java .keras)")
