"""Writes SavedModels with real Python TensorFlow/Keras for kerasj's serving API (dev.kerasj.serving) tests.

Writes, under --out (default: the repository's testdata/serving/):
  keras_export/          keras.Sequential([Input((4,), name="features"), Dense(8, relu), Dense(3, softmax)])
                         exported with model.export(dir): signature serving_default, input "features", output
                         "output_0".
  keras_saved_model/     the same model (same weights) written with tf.saved_model.save(model, dir): the kind that
                         TF Java loads but cannot call ("Could not find variable ...", tensorflow/tensorflow#80191).
  module_multi_io/       tf.saved_model.save of a tf.Module with two tf.function signatures:
                           serving_default(x float32[?,3], ids int32[?], names string[?])
                             -> logits float32[?,2], shifted_ids int64[?], greeting string[?], positive bool[?]
                           scale(values float64[?,2], mask bool[?], factor int64[])
                             -> scaled float64[?,2], kept int64[]
                         Its variables (a float32 matrix, an int64 offset, a string prefix, a float64 bias) live in
                         variables/, so a caller that skipped the restore would get wrong numbers.
  expected.json          for each directory, calls (signature, inputs) and the outputs Python got, as JSON lists
                         with dtype and shape; strings as UTF-8 text.

Usage: python python-interop/make_serving_fixtures.py [--out DIR]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import pathlib
import shutil
import sys

import keras
import numpy as np
import tensorflow as tf

from make_fixtures import deterministic_tf

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_serving_fixtures.py"
SEED = 401


class MultiIo(tf.Module):
    """Several inputs of several dtypes, several named outputs, variables that matter."""

    def __init__(self):
        super().__init__()
        self.w = tf.Variable(np.array([[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]], np.float32), name="w")
        self.offset = tf.Variable(np.int64(1000), name="offset")
        self.prefix = tf.Variable("hello, ", dtype=tf.string, name="prefix")
        self.bias = tf.Variable(np.array([0.125, -3.0], np.float64), name="bias")

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x"),
                                  tf.TensorSpec([None], tf.int32, name="ids"),
                                  tf.TensorSpec([None], tf.string, name="names")])
    def score(self, x, ids, names):
        return {"logits": tf.matmul(x, self.w),
                "shifted_ids": tf.cast(ids, tf.int64) * 2 + self.offset,
                "greeting": tf.strings.join([self.prefix, names]),
                "positive": tf.reduce_sum(x, axis=1) > 0}

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float64, name="values"),
                                  tf.TensorSpec([None], tf.bool, name="mask"),
                                  tf.TensorSpec([], tf.int64, name="factor")])
    def scale(self, values, mask, factor):
        scaled = values * tf.cast(factor, tf.float64) + self.bias
        return {"scaled": tf.where(mask[:, None], scaled, tf.zeros_like(scaled)),
                "kept": tf.reduce_sum(tf.cast(mask, tf.int64))}


def encode(value):
    a = np.asarray(value)
    if a.dtype.kind in "SO":
        v = np.vectorize(lambda s: s.decode("utf-8") if isinstance(s, bytes) else s, otypes=[object])(a)
        return {"dtype": "string", "shape": list(a.shape), "value": v.tolist()}
    return {"dtype": a.dtype.name, "shape": list(a.shape), "value": a.tolist()}


def record(fn, signature, inputs):
    outputs = fn(**{k: tf.constant(v) for k, v in inputs.items()})
    return {"signature": signature, "inputs": {k: encode(v) for k, v in inputs.items()},
            "outputs": {k: encode(v.numpy()) for k, v in sorted(outputs.items())}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "serving")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    out = args.out
    for name in ("keras_export", "keras_saved_model", "module_multi_io"):
        if (out / name).exists():
            shutil.rmtree(out / name)
    out.mkdir(parents=True, exist_ok=True)

    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((4,), name="features"), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(SEED)
    x1 = rng.normal(size=(1, 4)).astype(np.float32)
    x5 = rng.normal(size=(5, 4)).astype(np.float32)
    model.export(str(out / "keras_export"), verbose=False)
    tf.saved_model.save(model, str(out / "keras_saved_model"))
    loaded = tf.saved_model.load(str(out / "keras_export")).signatures["serving_default"]
    predict = {"batch1": model.predict(x1, verbose=0), "batch5": model.predict(x5, verbose=0)}

    module = MultiIo()
    tf.saved_model.save(module, str(out / "module_multi_io"),
                        signatures={"serving_default": module.score, "scale": module.scale})
    m = tf.saved_model.load(str(out / "module_multi_io"))

    expected = {
        "meta": {"command": COMMAND, "seed": SEED, "tf_version": tf.__version__, "keras_version": keras.__version__,
                 "numpy_version": np.__version__},
        "keras_export": [record(loaded, "serving_default", {"features": x1}),
                         record(loaded, "serving_default", {"features": x5})],
        "keras_predict": {k: encode(v) for k, v in predict.items()},
        "module_multi_io": [
            record(m.signatures["serving_default"], "serving_default", {
                "x": np.array([[1.0, 2.0, 3.0], [-4.0, 0.5, 0.25], [0.0, 0.0, -1.0]], np.float32),
                "ids": np.array([1, -2, 300], np.int32),
                "names": np.array([b"ada", "żółw".encode("utf-8"), b""], object)}),
            record(m.signatures["scale"], "scale", {
                "values": np.array([[1.5, -2.0], [0.25, 4.0], [3.0, 3.0]], np.float64),
                "mask": np.array([True, False, True]),
                "factor": np.int64(3)}),
        ],
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}; wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
