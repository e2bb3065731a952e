"""The committed testdata/rnn_state/ fixtures (recurrent layers with return_state and initial_state) are what
make_rnn_state_fixtures.py produces today, and its Keras files predict what the bundles say.

Regeneration (a child process, into a temporary directory): the same set of files, and every bundle, .keras archive,
.weights.h5 and config compared with fixture_compare (names, dtypes, shapes, integers, strings and configs exactly,
floats within fixture_compare.ATOL + RTOL*|committed|). Without regeneration: each committed .keras predicts its
bundle's predict, and so does its .weights.h5 loaded into that model with zeroed weights.

Regenerate with:
  python-interop/.venv/bin/python python-interop/make_rnn_state_fixtures.py
"""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_rnn_state_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "rnn_state"
CASES = ["seq2seq_reverse", "gru_state_masked", "bidirectional_state", "bidirectional_initial_state"]


def bundle(case):
    prefix = str(COMMITTED / case)
    return {name: tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[name], shape_and_slices=[""],
                                       dtypes=[dtype])[0].numpy()
            for name, dtype in (("x_val", tf.int32), ("predict", tf.float32))}


def assert_close(want, got, where):
    result = fixture_compare.Comparison()
    fixture_compare.compare_values(where, want, got, result, where)
    assert not result.failures, result.report()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("testdata")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out / "rnn_state"


def test_regeneratedTree_matchesCommitted(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    assert not result.failures, result.report()


@pytest.mark.parametrize("case", CASES)
def test_committedKerasArchiveAndWeights_predictBundlePredictions(case):
    t = bundle(case)
    model = keras.models.load_model(COMMITTED / f"{case}.keras")
    assert_close(t["predict"], model.predict(t["x_val"], verbose=0), f"{case}.keras")
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype=v.dtype))
    model.load_weights(COMMITTED / f"{case}.weights.h5")
    assert_close(t["predict"], model.predict(t["x_val"], verbose=0), f"{case}.weights.h5")
