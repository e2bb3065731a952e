"""Python Keras and TensorFlow open the files of Java models with Attention (Luong) and AdditiveAttention (Bahdanau).

Reads what src/test/java/dev/kerasj/PythonInteropAttentionLayersFilesTest.java leaves under
$KERASJ_INTEROP_DIR/attention_layers (default: target/interop): per case of testdata/attention_layers/ (built in Java
with Keras' trained weights) <case>.keras, <case>.weights.h5, <case>.json; after one more epoch in Java
<case>_savedmodel, <case>_ckpt/ckpt-1 and <case>_tf.json.

attention_text: causal scaled dot-product self-attention over Embedding(mask_zero=True) token ids; attention_concat:
concat scores over the digit rows; additive_text: AdditiveAttention with a key and return_attention_scores (Java writes
the call's kwargs as Keras records them). Per case (java_model_files.JavaModelFiles): keras.models.load_model opens
Java's archive and predicts Java's values within 1e-5 relative + 1e-6 absolute; Java's .weights.h5 holds exactly the
datasets of Keras' own model of the case (the layer's scale and concat_score_weight) and, loaded into it, predicts
Java's values; the SavedModel serves them; Keras' model from Java's config restores the TF checkpoint with
assert_consumed() and predicts them.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import pytest

from java_model_files import JavaModelFiles

FILES = JavaModelFiles("attention_layers", "PythonInteropAttentionLayersFilesTest",
                       lambda case: "float32" if case == "attention_concat" else "int32")
CASES = ["attention_text", "attention_concat", "additive_text"]


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionLayerArchive_loadsInKerasAndPredictsLikeJava(case):
    FILES.check_archive(case)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionLayerWeightsFile_loadsIntoKerasOwnModel(case):
    FILES.check_weights_file(case)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionLayerSavedModel_servesJavaPredictions(case):
    FILES.check_saved_model(case)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionLayerCheckpoint_isConsumedByKerasModel_andPredictsLikeJava(case):
    FILES.check_checkpoint(case)
