"""Generates the Keras reference fixtures for kerasj's stateful metrics (issue 17).

Writes, under --out (default: the repository's testdata/metrics/):
  values.index + .data-*               one TF tensor bundle with, for every case of VALUE_CASES:
                                         <case>/y_true, <case>/y_pred   all batches concatenated (float32; int32
                                                                        labels for the sparse top-k cases)
                                         <case>/batch_sizes             int32 [b], how the rows split into batches
                                         <case>/result                  float32 [] or [n]: metric.result() after
                                                                        update_state(batch) for every batch
                                         <case>/batch_mean              float32, the mean of the per-batch
                                                                        results (what averaging per batch would
                                                                        give; differs from result)
                                         <case>/config                  string [], json.dumps of
                                                                        keras.saving.serialize_keras_object(metric)
                                         <case>/description             string [], the Keras constructor call
                                       and meta/cases, meta/keras_version, meta/tf_version, meta/numpy_version,
                                       meta/command
  train/digits.index + .data-*         a Keras fit on the shipped digits (testdata/digits) in the format of
                                       testdata/fixtures/ (x, y, x_val, y_val, meta/weight_names, initial/*,
                                       final/*, history/* with every metric and val_ metric per epoch, meta/*)
  keras/digits.keras                   model.save() after that fit: compile_config holds the metrics as Keras
                                       stores them (identifier strings and serialized metric objects)

Data: numpy.random.default_rng(500 + case index) per value case; digits rows 0..399 train (12 batches of 32 and
one of 16), rows 400..499 validate, pixels / 16, one-hot labels. Determinism as in make_fixtures.py.

Usage: python python-interop/make_metric_fixtures.py [--out DIR]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import pathlib
import sys

import keras
import numpy as np
import tensorflow as tf

from make_fixtures import EPOCHS, BATCH_SIZE, deterministic_tf, digits, save_bundle, training_meta, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_metric_fixtures.py"
BATCHES = [23, 17, 30]  # uneven, so averaging per batch differs from the epoch's value


def f32(a):
    return np.asarray(a, dtype=np.float32)


class M:
    """A metric constructor call, printable and buildable."""

    def __init__(self, cls, **kwargs):
        self.cls, self.kwargs = cls, kwargs

    def make(self):
        return getattr(keras.metrics, self.cls)(**self.kwargs)

    def __str__(self):
        return f"keras.metrics.{self.cls}(" + ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items()) + ")"


def imbalanced_binary(rng, n, width=1, positive=0.2):
    y_true = f32(rng.random((n, width)) < positive)
    # Predictions that lean towards the truth, so the curves are not flat; exact 0 and 1 reach the end buckets.
    y_pred = np.clip(0.35 * y_true + 0.65 * rng.random((n, width)), 0.0, 1.0)
    y_pred[0, 0], y_pred[1, 0] = 0.0, 1.0
    return y_true, f32(y_pred)


def classes(rng, n, k, skew=True):
    p = np.array([0.5] + [0.5 / (k - 1)] * (k - 1)) if skew else None
    labels = rng.choice(k, size=n, p=p)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[labels]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return labels, f32(probs)


def multilabel(rng, n, k):
    y_true = f32(rng.random((n, k)) < np.linspace(0.1, 0.6, k))
    y_pred = f32(np.clip(0.3 * y_true + 0.7 * rng.random((n, k)), 0, 1))
    return y_true, y_pred


def binary_case(rng, n):
    return imbalanced_binary(rng, n)


def one_hot_case(rng, n, k=6):
    labels, probs = classes(rng, n, k)
    return f32(np.eye(k)[labels]), probs


def sparse_case(rng, n, k=6):
    labels, probs = classes(rng, n, k)
    return labels.astype(np.int32), probs


VALUE_CASES = {
    "auc_roc": (M("AUC"), binary_case),
    "auc_pr": (M("AUC", curve="PR"), binary_case),
    "auc_roc_minoring_50": (M("AUC", num_thresholds=50, summation_method="minoring"), binary_case),
    "auc_pr_majoring": (M("AUC", curve="PR", summation_method="majoring"), binary_case),
    "auc_roc_thresholds": (M("AUC", thresholds=[0.1, 0.3, 0.35, 0.8]), binary_case),
    "auc_pr_3": (M("AUC", curve="PR", num_thresholds=3), binary_case),
    "auc_one_hot_flattened": (M("AUC"), one_hot_case),
    "precision": (M("Precision"), binary_case),
    "precision_threshold_07": (M("Precision", thresholds=0.7), binary_case),
    "precision_thresholds": (M("Precision", thresholds=[0.2, 0.5, 0.8]), binary_case),
    "precision_even_thresholds": (M("Precision", thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]), binary_case),
    "precision_top_k": (M("Precision", top_k=2), lambda rng, n: multilabel(rng, n, 5)),
    "precision_class_id": (M("Precision", class_id=1), lambda rng, n: multilabel(rng, n, 5)),
    "recall": (M("Recall"), binary_case),
    "recall_thresholds": (M("Recall", thresholds=[0.3, 0.6]), binary_case),
    "recall_top_k_class_id": (M("Recall", top_k=2, class_id=3), lambda rng, n: multilabel(rng, n, 5)),
    "top_k_categorical": (M("TopKCategoricalAccuracy"), lambda rng, n: one_hot_case(rng, n, 8)),
    "top_k_categorical_2": (M("TopKCategoricalAccuracy", k=2), one_hot_case),
    "sparse_top_k_categorical": (M("SparseTopKCategoricalAccuracy"), lambda rng, n: sparse_case(rng, n, 8)),
    "sparse_top_k_categorical_2": (M("SparseTopKCategoricalAccuracy", k=2), sparse_case),
    "f1_none": (M("F1Score"), one_hot_case),
    "f1_micro": (M("F1Score", average="micro"), one_hot_case),
    "f1_macro": (M("F1Score", average="macro"), one_hot_case),
    "f1_weighted": (M("F1Score", average="weighted"), one_hot_case),
    "f1_macro_threshold": (M("F1Score", average="macro", threshold=0.3), lambda rng, n: multilabel(rng, n, 4)),
}


def values_bundle():
    t = {"meta/keras_version": keras.__version__, "meta/tf_version": tf.__version__,
         "meta/numpy_version": np.__version__, "meta/command": COMMAND,
         "meta/cases": np.array(list(VALUE_CASES), dtype=object)}
    for i, (name, (spec, inputs)) in enumerate(VALUE_CASES.items()):
        rng = np.random.default_rng(500 + i)
        y_true, y_pred = inputs(rng, sum(BATCHES))
        keras.backend.clear_session()  # so the metric gets its default name, not a de-duplicated one (auc_4)
        metric = spec.make()
        config = json.dumps(keras.saving.serialize_keras_object(metric), sort_keys=True)
        per_batch = []
        start = 0
        for size in BATCHES:
            one = spec.make()
            one.update_state(y_true[start:start + size], y_pred[start:start + size])
            per_batch.append(np.asarray(one.result()))
            metric.update_state(y_true[start:start + size], y_pred[start:start + size])
            start += size
        t[f"{name}/y_true"] = y_true
        t[f"{name}/y_pred"] = y_pred
        t[f"{name}/batch_sizes"] = np.array(BATCHES, dtype=np.int32)
        t[f"{name}/result"] = f32(metric.result())
        t[f"{name}/batch_mean"] = f32(np.mean(per_batch, axis=0))
        t[f"{name}/config"] = config
        t[f"{name}/description"] = str(spec)
    return t


def train_metrics():
    """Built after deterministic_tf(): a metric object creates TF variables."""
    return ["auc", keras.metrics.AUC(curve="PR", num_thresholds=50, name="pr_auc"), "precision",
            keras.metrics.Recall(thresholds=0.3, name="recall_at_03"), "top_k_categorical_accuracy",
            keras.metrics.F1Score(average="macro"), "accuracy"]
TRAIN_SEED = 520


def train_digits(keras_path):
    keras.backend.clear_session()
    keras.utils.set_random_seed(TRAIN_SEED)
    pixels, labels = digits()
    x = f32(pixels[:500] / 16.0)
    y = f32(np.eye(10)[labels[:500]])
    metrics = train_metrics()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="categorical_crossentropy",
                  metrics=metrics, jit_compile=False)
    names = weight_names(model)
    t = {"x": x[:400], "y": y[:400], "x_val": x[400:], "y_val": y[400:],
         "meta/weight_names": np.array(names, dtype=object)}
    for n, w in zip(names, model.weights):
        t[f"initial/{n}"] = np.array(w.numpy())
    history = model.fit(t["x"], t["y"], batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False,
                        validation_data=(t["x_val"], t["y_val"]), verbose=0)
    for n, w in zip(names, model.weights):
        t[f"final/{n}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    t["meta/history_keys"] = np.array(list(history.history), dtype=object)
    description = ("Sequential([Input((64,)), Dense(16, activation='relu'), Dense(10, activation='softmax')]); "
                   "optimizer=SGD(learning_rate=0.5); loss='categorical_crossentropy'; metrics=["
                   + ", ".join(repr(m) if isinstance(m, str) else f"{type(m).__name__}({m.get_config()})"
                               for m in metrics)
                   + f"]; jit_compile=False; epochs={EPOCHS}, batch_size={BATCH_SIZE}, shuffle=False, "
                     "validation_data=(x_val, y_val); digits rows 0..399 train, 400..499 validate, pixels/16")
    t.update(training_meta(TRAIN_SEED, COMMAND, description))
    model.save(keras_path)
    return t, history.history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "metrics",
                        help="output directory (default: the repository's testdata/metrics/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    (args.out / "train").mkdir(parents=True, exist_ok=True)
    (args.out / "keras").mkdir(parents=True, exist_ok=True)
    values = values_bundle()
    save_bundle(args.out / "values", values)
    for name in VALUE_CASES:
        print(f"{name}: result={values[name + '/result']} batch_mean={values[name + '/batch_mean']}", flush=True)
    t, history = train_digits(args.out / "keras" / "digits.keras")
    save_bundle(args.out / "train" / "digits", t)
    print("digits: " + ", ".join(f"{k}={['%.4g' % v for v in vs]}" for k, vs in history.items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
