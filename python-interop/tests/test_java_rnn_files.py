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

import h5py
import keras
import numpy as np
import pytest

from java_model_files import ATOL, RTOL, JavaModelFiles, weights_datasets
from keras_paths import variables_by_path


def x_dtype(case):
    """The embedding_* cases, masked_sequence_labels and masked_merges take int32 token ids (0 = padding, masked by
    Embedding(mask_zero=True))."""
    tokens = case.startswith("embedding_") or case in ("masked_sequence_labels", "masked_merges")
    return "int32" if tokens else "float32"


FILES = JavaModelFiles("rnn", "PythonInteropRecurrentFilesTest", x_dtype)
CASES = ["lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent", "bidirectional_masked",
         "bidirectional_modes", "embedding_masked", "embedding_functional", "masked_sequence_labels",
         "masked_sequence_regression"]


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentArchive_loadsInKerasAndPredictsLikeJava(case):
    FILES.check_archive(case)


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentWeightsFile_loadsIntoKerasOwnModel(case):
    FILES.check_weights_file(case)


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentSavedModel_servesJavaPredictions(case):
    FILES.check_saved_model(case)


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentCheckpoint_isConsumedByKerasModel_andPredictsLikeJava(case):
    FILES.check_checkpoint(case)


def test_javaFunctionalRecurrentArchive_loadsInKerasAndPredictsLikeJava():
    # Masking -> Bidirectional(LSTM, sequences) -> GRU -> Dense, written by Java with no mask op layers or call
    # kwargs: Keras rebuilds the mask from the Masking layer and predicts Java's values on partly padded rows.
    FILES.check_archive("functional")


def test_javaMaskedMergesArchive_loadsInKerasAndPredictsLikeJava():
    # Two masked Embeddings merged by Add, Subtract, Multiply, Average, Maximum, Minimum and Concatenate (and three
    # merges with an unmasked Embedding), pooled, and joined along time into an LSTM. Java writes no mask op layers
    # or mask= kwargs: Keras infers every merged mask from the Embeddings and predicts Java's values.
    x, predicted = FILES.outputs("masked_merges")
    model = keras.models.load_model(FILES.folder / "masked_merges.keras")
    np.testing.assert_allclose(model.predict([x[0], x[1]], verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                               err_msg="masked_merges (Java .keras)")


def test_javaMaskedMergesWeightsFile_loadsIntoKerasOwnModel():
    x, predicted = FILES.outputs("masked_merges")
    model = keras.models.load_model(FILES.fixtures / "masked_merges.keras")
    with h5py.File(FILES.folder / "masked_merges.weights.h5", "r") as h5:
        assert sorted(weights_datasets(h5)) == sorted(variables_by_path(model))
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype=v.dtype))
    model.load_weights(FILES.folder / "masked_merges.weights.h5")
    np.testing.assert_allclose(model.predict([x[0], x[1]], verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                               err_msg="masked_merges (Java .weights.h5 into Keras' model)")
