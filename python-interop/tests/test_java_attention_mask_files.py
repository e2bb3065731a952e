"""Python Keras and TensorFlow open the files of Java models whose MultiHeadAttention takes an explicit
attention_mask (a second model input) and returns its attention scores (return_attention_scores).

Reads what src/test/java/dev/kerasj/AttentionMaskParityTest.java (writeAttentionMaskFilesForPython) leaves under
$KERASJ_INTEROP_DIR/attention_mask (default: target/interop): per case of testdata/attention_mask/ (built in Java with
Keras' trained weights) <case>.keras, <case>.weights.h5 and <case>.json (x_val's ids [64, 10] and allowed [64, 10, 10],
Java's predictions); after one more epoch in Java <case>_savedmodel, <case>_ckpt/ckpt-1 and <case>_tf.json.

Per case: keras.models.load_model opens Java's archive (kwargs attention_mask, return_attention_scores and
use_causal_mask as Keras records them) and predicts Java's values within 1e-5 relative + 1e-6 absolute; Java's
.weights.h5 holds exactly the datasets of Keras' own model of the case and, loaded into it, predicts them; the
SavedModel's serving_default takes `ids` and `allowed` and returns output_0 equal to Java's predictions after its one
more epoch; Keras' model from Java's config restores the TF checkpoint with assert_consumed() and predicts them.

Missing Java outputs fail the test (they never skip): run `mvn test` first.
"""

import json

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from interop import INTEROP, REPO
from java_model_files import ATOL, RTOL, weights_datasets
from keras_paths import variables_by_path

FOLDER = INTEROP / "attention_mask"
FIXTURES = REPO / "testdata" / "attention_mask"
CASES = ["mha_scores", "mha_mask_causal"]


def read(name):
    path = FOLDER / name
    assert path.is_file(), f"{path} is missing: run `mvn test` first (AttentionMaskParityTest writes it)"
    return json.loads(path.read_text())


def inputs(case):
    out = read(f"{case}.json")
    ids = np.array(out["ids"], dtype="int32").reshape(-1, 10)
    allowed = np.array(out["allowed"], dtype="int32").reshape(-1, 10, 10)
    return [ids, allowed], np.array(out["predict"], dtype="float32")


def tf_predictions(case):
    return np.array(read(f"{case}_tf.json")["predict"], dtype="float32")


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionMaskArchive_loadsInKerasAndPredictsLikeJava(case):
    x, predicted = inputs(case)
    model = keras.models.load_model(FOLDER / f"{case}.keras")
    np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionMaskWeightsFile_loadsIntoKerasOwnModel(case):
    x, predicted = inputs(case)
    model = keras.models.load_model(FIXTURES / f"{case}.keras")
    with h5py.File(FOLDER / f"{case}.weights.h5", "r") as h5:
        assert sorted(weights_datasets(h5)) == sorted(variables_by_path(model))
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype=v.dtype))
    model.load_weights(FOLDER / f"{case}.weights.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionMaskSavedModel_servesJavaPredictions(case):
    x, _ = inputs(case)
    signature = tf.saved_model.load(str(FOLDER / f"{case}_savedmodel")).signatures["serving_default"]
    _, spec = signature.structured_input_signature
    assert sorted(spec) == ["allowed", "ids"]
    served = signature(ids=tf.constant(x[0]), allowed=tf.constant(x[1]))
    assert sorted(served) == ["output_0"]
    np.testing.assert_allclose(served["output_0"].numpy().reshape(-1), tf_predictions(case), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES)
def test_javaAttentionMaskCheckpoint_isConsumedByKerasModel_andPredictsLikeJava(case):
    x, _ = inputs(case)
    keras.backend.clear_session()
    model = keras.models.model_from_json((FOLDER / f"{case}_savedmodel" / "assets" / "config.json").read_text())
    model.optimizer.build(model.trainable_variables)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(
        str(FOLDER / f"{case}_ckpt" / "ckpt-1")).assert_consumed()
    np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), tf_predictions(case), rtol=RTOL, atol=ATOL)
