"""Python Keras opens the .keras archives and .weights.h5 files of kerasj's sequence layers that Java wrote.

Reads what src/test/java/dev/kerasj/PythonInteropSequenceFilesTest.java leaves under $KERASJ_INTEROP_DIR/sequence
(default: target/interop): per case of testdata/sequence/ (built in Java with Keras' trained weights) <case>.keras,
<case>.weights.h5 and <case>.json (x_val and Java's predictions).

Per case: keras.models.load_model opens Java's archive, its model.weights.h5 holds exactly the datasets Keras' own
saving walk gives the model, and predict(x) equals Java's within 1e-5 relative + 1e-6 absolute (for masked_steps this
shows Keras rebuilds Java's Functional config with the Masking mask reaching GlobalAveragePooling1D, though Java
writes no NotEqual/Any op layers); Java's .weights.h5 loads into Keras' own model of the case
(testdata/sequence/<case>.keras, its weights zeroed first) and predicts Java's values again.

TensorFlow formats, after one more epoch in Java: tf.saved_model.load(<case>_savedmodel).signatures["serving_default"]
returns output_0 equal to Java's predictions; keras.models.model_from_json(its assets/config.json), with the optimizer
built, restores <case>_ckpt/ckpt-1 with tf.train.Checkpoint(model=..., optimizer=...).assert_consumed() (so Conv1D's
`_kernel` and LayerNormalization's `gamma`/`beta` sit where Keras tracks them) and predicts Java's values.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import pytest

from java_model_files import JavaModelFiles

FILES = JavaModelFiles("sequence", "PythonInteropSequenceFilesTest")
CASES = ["conv1d_digits", "masked_steps", "pooling_variants"]


@pytest.mark.parametrize("case", CASES)
def test_javaSequenceArchive_loadsInKerasAndPredictsLikeJava(case):
    FILES.check_archive(case)


@pytest.mark.parametrize("case", CASES)
def test_javaSequenceWeightsFile_loadsIntoKerasOwnModel(case):
    FILES.check_weights_file(case)


@pytest.mark.parametrize("case", CASES)
def test_javaSequenceSavedModel_servesJavaPredictions(case):
    FILES.check_saved_model(case)


@pytest.mark.parametrize("case", CASES)
def test_javaSequenceCheckpoint_isConsumedByKerasModel_andPredictsLikeJava(case):
    FILES.check_checkpoint(case)
