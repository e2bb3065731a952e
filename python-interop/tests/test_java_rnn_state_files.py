"""Python Keras and TensorFlow open the files of Java models whose recurrent layers return their states
(return_state) and start from given ones (initial_state).

Reads what src/test/java/dev/kerasj/PythonInteropRecurrentStateFilesTest.java leaves under
$KERASJ_INTEROP_DIR/rnn_state (default: target/interop): per case of testdata/rnn_state/ (built in Java with Keras'
trained weights) <case>.keras, <case>.weights.h5, <case>.json; after one more epoch in Java <case>_savedmodel,
<case>_ckpt/ckpt-1 and <case>_tf.json.

seq2seq_reverse: an encoder LSTM's states [lstm, 0, 1] and [lstm, 0, 2] start the decoder LSTM (initial_state);
gru_state_masked: a GRU's state feeds a Dense whose output starts a SimpleRNN, and both states reach a Concatenate,
on zero-padded int32 token ids masked by Embedding(mask_zero=True); bidirectional_state: a Bidirectional LSTM's four
states start an LSTM; bidirectional_initial_state: they start a second Bidirectional LSTM (kwargs.initial_state of a
Bidirectional, first half forward, second half backward). Per case (java_model_files.JavaModelFiles):
keras.models.load_model opens Java's archive (so Keras reads kerasj's keras_history tensor indices and
kwargs.initial_state) and predicts Java's values within 1e-5 relative + 1e-6 absolute; Java's .weights.h5 holds exactly
the datasets of Keras' own model of the case and, loaded into it, predicts Java's values; the SavedModel serves them;
Keras' model from Java's config restores the TF checkpoint with assert_consumed() and predicts them.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import pytest

from java_model_files import JavaModelFiles

FILES = JavaModelFiles("rnn_state", "PythonInteropRecurrentStateFilesTest", lambda case: "int32")
CASES = ["seq2seq_reverse", "gru_state_masked", "bidirectional_state", "bidirectional_initial_state"]


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentStateArchive_loadsInKerasAndPredictsLikeJava(case):
    FILES.check_archive(case)


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentStateWeightsFile_loadsIntoKerasOwnModel(case):
    FILES.check_weights_file(case)


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentStateSavedModel_servesJavaPredictions(case):
    FILES.check_saved_model(case)


@pytest.mark.parametrize("case", CASES)
def test_javaRecurrentStateCheckpoint_isConsumedByKerasModel_andPredictsLikeJava(case):
    FILES.check_checkpoint(case)
