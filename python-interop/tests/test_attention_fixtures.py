"""The committed testdata/attention/ fixtures are what make_attention_fixtures.py produces today, and its Keras files
predict what the bundles say.

Regeneration (a child process, into a temporary directory): the same set of files, and every bundle, .keras archive,
.weights.h5 and config compared with fixture_compare (names, dtypes, shapes, integers, strings and configs exactly,
floats within fixture_compare.ATOL + RTOL*|committed|; .keras archives never byte for byte: they hold the save date).
Without regeneration: each committed .keras predicts its bundle's predict, and so do its .weights.h5 and its TF
checkpoint (restored with assert_consumed) loaded into that model with zeroed weights.

Regenerate with:
  python-interop/.venv/bin/python python-interop/make_attention_fixtures.py
"""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib

import keras
import pytest
import tensorflow as tf

import committed_fixtures

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_attention_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "attention"
CASES = ["encoder_digits", "masked_attention", "cross_attention", "dropout_attention"]


def bundle(case):
    return committed_fixtures.read_bundle(COMMITTED / case, {"x_val": tf.float32, "predict": tf.float32})


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    return committed_fixtures.regenerate(tmp_path_factory, GENERATOR, "attention")


def test_regeneratedTree_matchesCommitted(regenerated):
    committed_fixtures.assert_tree_matches(COMMITTED, regenerated)


@pytest.mark.parametrize("case", CASES)
def test_committedKerasArchiveAndWeights_predictBundlePredictions(case):
    t = bundle(case)
    committed_fixtures.assert_archive_and_weights_predict(COMMITTED, case, t["x_val"], t["predict"])


@pytest.mark.parametrize("case", CASES)
def test_committedTfCheckpoint_isConsumedByKerasModel_andPredictsBundlePredictions(case):
    t = bundle(case)
    model = keras.models.load_model(COMMITTED / f"{case}.keras")
    committed_fixtures.zero_weights(model)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(
        str(COMMITTED / f"{case}_ckpt" / "ckpt-1")).assert_consumed()
    committed_fixtures.assert_close(t["predict"], model.predict(t["x_val"], verbose=0), f"{case}_ckpt/ckpt-1")
