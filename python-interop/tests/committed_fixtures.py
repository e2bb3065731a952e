"""The checks shared by the tests that hold a committed fixture directory against its generator and against Keras
(test_sequence_fixtures.py, test_attention_fixtures.py, test_rnn_fixtures.py, test_rnn_state_fixtures.py,
test_attention_layers_fixtures.py, test_attention_mask_fixtures.py).

Each such test file names its generator, its folder under testdata/, its cases and the dtypes of its bundles, and
calls these: regenerate() in a child process into a temporary directory, assert_tree_matches() with fixture_compare
(structure exactly, floats within fixture_compare.ATOL + RTOL*|committed|), and
assert_archive_and_weights_predict() for a committed .keras and its .weights.h5 loaded into that model with zeroed
weights.
"""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

import fixture_compare


def read_bundle(prefix, dtypes):
    """The named tensors of the TF bundle at prefix (a path without .index): dtypes maps each name to its tf dtype."""
    return {name: tf.raw_ops.RestoreV2(prefix=str(prefix), tensor_names=[name], shape_and_slices=[""],
                                       dtypes=[dtype])[0].numpy()
            for name, dtype in dtypes.items()}


def assert_close(want, got, where):
    """want and got agree within fixture_compare's tolerance; the failure names where."""
    result = fixture_compare.Comparison()
    fixture_compare.compare_values(where, want, got, result, where)
    assert not result.failures, result.report()


def regenerate(tmp_path_factory, generator, folder):
    """Runs generator (a make_*_fixtures.py) with --out into a fresh temporary directory; returns its folder."""
    out = tmp_path_factory.mktemp("testdata")
    subprocess.run([sys.executable, str(generator), "--out", str(out)], check=True)
    return out / folder


def assert_tree_matches(committed, regenerated):
    """The regenerated tree is the committed one, as fixture_compare.compare_trees judges."""
    result = fixture_compare.compare_trees(committed, regenerated)
    assert not result.failures, result.report()


def zero_weights(model):
    """Sets every weight of model to zeros, so that a load that misses a weight shows in the predictions."""
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype=v.dtype))


def assert_archive_and_weights_predict(committed, case, x, predict):
    """committed/<case>.keras predicts predict from x, and so does its <case>.weights.h5 loaded into it, zeroed."""
    model = keras.models.load_model(committed / f"{case}.keras")
    assert_close(predict, model.predict(x, verbose=0), f"{case}.keras")
    zero_weights(model)
    model.load_weights(committed / f"{case}.weights.h5")
    assert_close(predict, model.predict(x, verbose=0), f"{case}.weights.h5")
