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

import pytest

from java_model_files import JavaModelFiles


def x_dtype(case):
    """The embedding_* cases take int32 token ids (0 = padding, masked by Embedding(mask_zero=True))."""
    return "int32" if case.startswith("embedding_") else "float32"


FILES = JavaModelFiles("rnn", "PythonInteropRecurrentFilesTest", x_dtype)
CASES = ["lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent", "bidirectional_masked",
         "bidirectional_modes", "embedding_masked", "embedding_functional"]


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
