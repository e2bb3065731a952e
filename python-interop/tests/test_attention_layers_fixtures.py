"""The committed testdata/attention_layers/ fixtures (Attention, AdditiveAttention) are what
make_attention_layers_fixtures.py produces today, and its Keras files predict what the bundles say.

Regeneration (a child process, into a temporary directory): the same set of files, and every bundle, .keras archive,
.weights.h5 and config compared with fixture_compare (names, dtypes, shapes, integers, strings and configs exactly,
floats within fixture_compare.ATOL + RTOL*|committed|). Without regeneration: each committed .keras predicts its
bundle's predict, and so does its .weights.h5 loaded into that model with zeroed weights.

Regenerate with:
  python-interop/.venv/bin/python python-interop/make_attention_layers_fixtures.py
"""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib

import pytest
import tensorflow as tf

import committed_fixtures

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_attention_layers_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "attention_layers"
CASES = ["attention_text", "attention_concat", "additive_text"]


def x_dtype(case):
    return tf.float32 if case == "attention_concat" else tf.int32


def bundle(case):
    return committed_fixtures.read_bundle(COMMITTED / case, {"x_val": x_dtype(case), "predict": tf.float32})


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    return committed_fixtures.regenerate(tmp_path_factory, GENERATOR, "attention_layers")


def test_regeneratedTree_matchesCommitted(regenerated):
    committed_fixtures.assert_tree_matches(COMMITTED, regenerated)


@pytest.mark.parametrize("case", CASES)
def test_committedKerasArchiveAndWeights_predictBundlePredictions(case):
    t = bundle(case)
    committed_fixtures.assert_archive_and_weights_predict(COMMITTED, case, t["x_val"], t["predict"])
