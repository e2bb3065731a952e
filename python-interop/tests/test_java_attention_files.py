"""Python Keras opens the .keras archives and .weights.h5 files of kerasj's MultiHeadAttention that Java wrote.

Reads what src/test/java/dev/kerasj/PythonInteropAttentionFilesTest.java leaves under $KERASJ_INTEROP_DIR/attention
(default: target/interop): per case of testdata/attention/ (built in Java with Keras' trained weights) <case>.keras,
<case>.weights.h5 and <case>.json (x_val and Java's predictions).

Per case: keras.models.load_model opens Java's archive (MultiHeadAttention's config, use_causal_mask in its call's
kwargs, query/value/key as positional arguments), its model.weights.h5 holds exactly the datasets Keras' own saving
walk gives the model (layers/multi_head_attention/query_dense/vars/0 ...), and predict(x) equals Java's within 1e-5
relative + 1e-6 absolute (for masked_attention this shows Keras rebuilds the padding mask reaching the attention from
Java's config, though Java writes no NotEqual/Any op layers); Java's .weights.h5 loads into Keras' own model of the
case (testdata/attention/<case>.keras, its weights zeroed first) and predicts Java's values again.

TensorFlow formats, after one more epoch in Java: tf.saved_model.load(<case>_savedmodel).signatures["serving_default"]
returns output_0 equal to Java's predictions; keras.models.model_from_json(its assets/config.json), with the optimizer
built, restores <case>_ckpt/ckpt-1 with tf.train.Checkpoint(model=..., optimizer=...).assert_consumed() (so the
attention's weights sit under _query_dense/_kernel ... with its empty _softmax and _dropout_layer, where Keras tracks
them) and predicts Java's values.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import pytest

from java_model_files import JavaModelFiles

FILES = JavaModelFiles("attention", "PythonInteropAttentionFilesTest")
CASES = ["encoder_digits", "masked_attention", "cross_attention", "dropout_attention"]


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionArchive_loadsInKerasAndPredictsLikeJava(case):
    FILES.check_archive(case)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionWeightsFile_loadsIntoKerasOwnModel(case):
    FILES.check_weights_file(case)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionSavedModel_servesJavaPredictions(case):
    FILES.check_saved_model(case)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionCheckpoint_isConsumedByKerasModel_andPredictsLikeJava(case):
    FILES.check_checkpoint(case)
