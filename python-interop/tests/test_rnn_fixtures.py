"""The committed testdata/rnn/ fixtures are what make_rnn_fixtures.py produces today, and its Keras files
predict what the bundles say.

Regeneration (a child process, into a temporary directory): the same set of files, and every bundle, .keras archive,
.weights.h5 and config compared with fixture_compare (names, dtypes, shapes, integers, strings and configs exactly,
floats within fixture_compare.ATOL + RTOL*|committed|; .keras archives never byte for byte: they hold the save date).
Without regeneration: each committed .keras predicts its bundle's predict, and so does its .weights.h5 loaded into
that model with zeroed weights.

Regenerate with:
  python-interop/.venv/bin/python python-interop/make_rnn_fixtures.py
"""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib

import pytest
import tensorflow as tf

import committed_fixtures

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_rnn_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "rnn"
CASES = ["lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent", "bidirectional_masked",
         "bidirectional_modes", "embedding_masked", "embedding_functional"]


def x_dtype(case):
    """The embedding_* cases take int32 token ids (0 = padding, masked by Embedding(mask_zero=True))."""
    return "int32" if case.startswith("embedding_") else "float32"


def bundle(case):
    return committed_fixtures.read_bundle(COMMITTED / case,
                                          {"x_val": tf.as_dtype(x_dtype(case)), "predict": tf.float32})


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    return committed_fixtures.regenerate(tmp_path_factory, GENERATOR, "rnn")


def test_regeneratedTree_matchesCommitted(regenerated):
    committed_fixtures.assert_tree_matches(COMMITTED, regenerated)


@pytest.mark.parametrize("case", CASES)
def test_committedKerasArchiveAndWeights_predictBundlePredictions(case):
    t = bundle(case)
    committed_fixtures.assert_archive_and_weights_predict(COMMITTED, case, t["x_val"], t["predict"])
