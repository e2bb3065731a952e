"""Generates the Keras reference fixtures for sample weights and class weights (issue 16, part 2).

Writes, under --out (default: the repository's testdata/weights/):
  data.index + .data-*        the data every case shares: x [250, 64] and x_val [64, 64] float32 (digits / 16),
                              y [250] and y_val [64] int32 (make_fixtures.digits_split("sparse")); meta/*
  <case>.index + .data-*      one bundle per CASES entry:
                                sample_weight/<output>, val_sample_weight/<output>   float32, what fit and
                                    validation_data were given (absent where not used); <output> is "output" for a
                                    single-output model
                                class_weight/keys int32 [k], class_weight/values float32 [k]   (class_weight case)
                                meta/weight_names, initial/<name>, final/<name>, history/<key>, evaluate/<key>,
                                meta/* as in make_fixtures.py (epochs, batch_size, seed, versions, command,
                                description), meta/validation_split float32 [] (0 when validation_data is used),
                                meta/history_keys and meta/evaluate_keys (string [k], Keras' log names)
                                y, y_val float32 [n, 8, 1]     the per-step targets (sequence case only)
  metric_values.index + .data-*   for every case of make_metric_fixtures.VALUE_CASES (the same y_true, y_pred and
                              batches as testdata/metrics/values, which it does not repeat): <case>/sample_weight
                              float32 [70] (numpy.random.default_rng(700 + i), uniform [0, 2), every 7th 0) and
                              <case>/result, Keras' result() after update_state(y_true, y_pred, sample_weight) on
                              each batch; meta/cases and the versions
  keras/class_weight.keras    model.save() after fit: its compile_config holds weighted_metrics as Keras stores
                              them (an identifier, serialized AUC and Precision)
  keras/two_output.json       model.to_json() after fit (no weights: 3 kB instead of a 45 kB archive): its
                              compile_config holds weighted_metrics as a dict by output name

Cases (all: epochs 3, batch 32, shuffle=False, jit_compile=False, deterministic TF as in make_fixtures.py,
clear_session() then set_random_seed(seed) per case; weights from numpy.random.default_rng(seed)):
  sample_weight   digits MLP (Dense 32 relu, Dense 10 softmax), Adam(1e-3), sparse CE, metrics ["accuracy"],
                  weighted_metrics ["accuracy"] (logged as weighted_accuracy); sample_weight uniform [0, 2) with every
                  7th weight 0; validation_data=(x_val, y_val, sw_val); evaluate(x_val, y_val, sample_weight=sw_val)
  class_weight    the same MLP on one-hot labels, SGD(0.1), categorical CE, metrics ["accuracy"], weighted_metrics
                  ["accuracy", AUC(name="auc"), Precision(name="precision")]; class_weight {c: 0.5 + 0.2 c};
                  fit on x + x_val (314 rows) with validation_split=0.2; evaluate(x_val, y_val) unweighted
  two_output      Functional pixels -> Dense(32, relu, "trunk") -> digit Dense(10, softmax), value Dense(1) (label/9),
                  SGD(0.05, momentum 0.9), loss {digit: sparse CE, value: mse}, loss_weights {1.0, 0.5}, metrics
                  {digit: [accuracy]}, weighted_metrics {digit: [accuracy], value: [mae]}; sample_weight a dict per
                  output; validation_data with a dict; evaluate with a dict
  sequence        each digit as 8 steps of 8 pixels; Sequential([Input((8, 8)), Dense(8, tanh), Dense(1)]) on
                  per-step targets mean(row) (shape [n, 8, 1]), SGD(0.1), mse: one loss value per timestep,
                  sample_weight [n, 8]; metrics ["mae"], weighted_metrics ["mae"]; validation_data with [n_val, 8]
                  weights; evaluate with them
  masked_sequence  a mask at the output with weights (make_rnn_fixtures.masked_sequence_labels' model and data:
                  token ids zero-padded at the end or the start, per_step_tokens(309), random classes at padded
                  steps): Input((10,), int32) -> Embedding(20, 6, mask_zero=True) -> LSTM(5, return_sequences=True)
                  -> Dense(3, softmax) per step, Adam(1e-2), sparse CE, metrics ["accuracy"], weighted_metrics
                  ["accuracy"]; sample_weight [n, 10] (one per step, every 7th 0, padded steps too); validation_data
                  with [n_val, 10] weights; evaluate with them. Keras: loss weight = sample_weight * mask * total /
                  valid, weighted_accuracy weight = sample_weight * mask, accuracy weight = mask
  masked_binary_steps  a mask at the output with one weight per sequence: make_rnn_fixtures.padded_sequences(506)
                  (3..10 real steps of 3 features, zero-padded at the end or the start) with per-step labels 1.0
                  where the running sum of feature 0 is > 0, random 0/1 at padded steps (shape [n, 10, 1]):
                  Input((10, 3)) -> Masking -> GRU(4, return_sequences=True) -> Dense(1, sigmoid) per step,
                  Adam(1e-2), binary CE, metrics ["accuracy"], weighted_metrics ["accuracy",
                  Precision(name="precision")] (Precision never reads the mask: the sample weight alone);
                  sample_weight [n, 1] (every 7th 0); validation_data with [n_val, 1] weights; evaluate with them
  The two masked cases store their own data: x, y, x_val, y_val.

Usage: python python-interop/make_weight_fixtures.py [--out DIR] [--cases NAME ...]
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

import make_metric_fixtures as metric_fixtures
import make_rnn_fixtures as rnn_fixtures
from make_fixtures import BATCH_SIZE, EPOCHS, deterministic_tf, digits_split, save_bundle, training_meta, \
    weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_weight_fixtures.py"
L = keras.layers
SPARSE_CE = "sparse_categorical_crossentropy"


def weights(rng, shape):
    """Uniform [0, 2) float32 with every 7th value (in flat order) exactly 0: such samples must not count."""
    w = rng.uniform(0.0, 2.0, size=shape).astype(np.float32)
    w.reshape(-1)[::7] = 0.0
    return w


def mlp(units_out=10):
    return keras.Sequential([keras.Input((64,)), L.Dense(32, activation="relu"),
                             L.Dense(units_out, activation="softmax")])


def sample_weight_case(rng, data):
    x, y, x_val, y_val = data
    model = mlp()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=SPARSE_CE, metrics=["accuracy"],
                  weighted_metrics=["accuracy"], jit_compile=False)
    sw, sw_val = weights(rng, (len(x),)), weights(rng, (len(x_val),))
    fit = dict(x=x, y=y, sample_weight=sw, validation_data=(x_val, y_val, sw_val))
    evaluate = dict(x=x_val, y=y_val, sample_weight=sw_val)
    return model, fit, evaluate, {"sample_weight/output": sw, "val_sample_weight/output": sw_val}


def class_weight_case(rng, data):
    x, y, x_val, y_val = data
    eye = np.eye(10, dtype=np.float32)
    model = mlp()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"], weighted_metrics=["accuracy", keras.metrics.AUC(name="auc"),
                                                          keras.metrics.Precision(name="precision")],
                  jit_compile=False)
    class_weight = {c: 0.5 + 0.2 * c for c in range(10)}
    fit = dict(x=np.concatenate([x, x_val]), y=eye[np.concatenate([y, y_val])], class_weight=class_weight,
               validation_split=0.2)
    evaluate = dict(x=x_val, y=eye[y_val])
    keys = sorted(class_weight)
    return model, fit, evaluate, {"class_weight/keys": np.array(keys, dtype=np.int32),
                                  "class_weight/values": np.array([class_weight[k] for k in keys], dtype=np.float32)}


def two_output_case(rng, data):
    x, y, x_val, y_val = data
    pixels = keras.Input((64,), name="pixels")
    h = L.Dense(32, activation="relu", name="trunk")(pixels)
    outputs = {"digit": L.Dense(10, activation="softmax", name="digit")(h), "value": L.Dense(1, name="value")(h)}
    model = keras.Model(inputs=[pixels], outputs=outputs)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss={"digit": SPARSE_CE, "value": "mse"}, loss_weights={"digit": 1.0, "value": 0.5},
                  metrics={"digit": ["accuracy"]}, weighted_metrics={"digit": ["accuracy"], "value": ["mae"]},
                  jit_compile=False)
    ys = {"digit": y, "value": (y / 9.0).astype(np.float32).reshape(-1, 1)}
    ys_val = {"digit": y_val, "value": (y_val / 9.0).astype(np.float32).reshape(-1, 1)}
    sw = {n: weights(rng, (len(x),)) for n in ("digit", "value")}
    sw_val = {n: weights(rng, (len(x_val),)) for n in ("digit", "value")}
    fit = dict(x=x, y=ys, sample_weight=sw, validation_data=(x_val, ys_val, sw_val))
    evaluate = dict(x=x_val, y=ys_val, sample_weight=sw_val)
    t = {f"sample_weight/{n}": v for n, v in sw.items()}
    t.update({f"val_sample_weight/{n}": v for n, v in sw_val.items()})
    return model, fit, evaluate, t


def sequence_case(rng, data):
    x, _, x_val, _ = data
    seq, seq_val = x.reshape(-1, 8, 8), x_val.reshape(-1, 8, 8)
    target, target_val = seq.mean(axis=2, keepdims=True), seq_val.mean(axis=2, keepdims=True)
    model = keras.Sequential([keras.Input((8, 8)), L.Dense(8, activation="tanh"), L.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"],
                  weighted_metrics=["mae"], jit_compile=False)
    sw, sw_val = weights(rng, (len(x), 8)), weights(rng, (len(x_val), 8))
    fit = dict(x=seq, y=target, sample_weight=sw, validation_data=(seq_val, target_val, sw_val))
    evaluate = dict(x=seq_val, y=target_val, sample_weight=sw_val)
    return model, fit, evaluate, {"sample_weight/output": sw, "val_sample_weight/output": sw_val, "y": target,
                                  "y_val": target_val}


def masked_sequence_case(rng, data):
    x, y, x_val, y_val = rnn_fixtures.per_step_tokens(309)
    model = keras.Sequential([keras.Input((rnn_fixtures.STEPS,), dtype="int32"),
                              L.Embedding(rnn_fixtures.VOCABULARY, 6, mask_zero=True),
                              L.LSTM(5, return_sequences=True), L.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=SPARSE_CE, metrics=["accuracy"],
                  weighted_metrics=["accuracy"], jit_compile=False)
    sw, sw_val = weights(rng, y.shape), weights(rng, y_val.shape)
    fit = dict(x=x, y=y, sample_weight=sw, validation_data=(x_val, y_val, sw_val))
    evaluate = dict(x=x_val, y=y_val, sample_weight=sw_val)
    return model, fit, evaluate, {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "sample_weight/output": sw,
                                  "val_sample_weight/output": sw_val}


def per_step_binary(seed):
    """rnn_fixtures.padded_sequences(seed) with per-step labels [n, 10, 1]: 1.0 where the running sum of feature 0
    is > 0 at real steps, a random 0/1 at padded steps (which the masked loss and mean metrics must ignore)."""
    x, _, x_val, _ = rnn_fixtures.padded_sequences(seed)
    rng = np.random.default_rng(seed + 1000)

    def labels(rows):
        real = np.any(rows != 0, axis=-1)
        y = (np.cumsum(rows[:, :, 0], axis=1) > 0).astype(np.float32)
        return np.where(real, y, rng.integers(0, 2, size=real.shape)).astype(np.float32)[..., None]

    return x, labels(x), x_val, labels(x_val)


def masked_binary_steps_case(rng, data):
    x, y, x_val, y_val = per_step_binary(506)
    model = keras.Sequential([keras.Input((rnn_fixtures.STEPS, rnn_fixtures.FEATURES)), L.Masking(),
                              L.GRU(4, return_sequences=True), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy", keras.metrics.Precision(name="precision")], jit_compile=False)
    sw, sw_val = weights(rng, (len(x), 1)), weights(rng, (len(x_val), 1))
    fit = dict(x=x, y=y, sample_weight=sw, validation_data=(x_val, y_val, sw_val))
    evaluate = dict(x=x_val, y=y_val, sample_weight=sw_val)
    return model, fit, evaluate, {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "sample_weight/output": sw,
                                  "val_sample_weight/output": sw_val}


CASES = {
    "sample_weight": (501, sample_weight_case),
    "class_weight": (502, class_weight_case),
    "two_output": (503, two_output_case),
    "sequence": (504, sequence_case),
    "masked_sequence": (505, masked_sequence_case),
    "masked_binary_steps": (506, masked_binary_steps_case),
}


# The case saved as .keras (28 kB): a Sequential whose weighted metrics include serialized objects; and the one whose
# config only is kept: a Functional model whose weighted metrics are a dict by output name.
KERAS_FILES = ["class_weight"]
JSON_CONFIGS = ["two_output"]


def metric_values_bundle():
    """Keras' stateful metrics and top-k accuracies with sample weights, accumulated over the batches of
    make_metric_fixtures (same inputs, regenerated from the same seeds)."""
    t = {"meta/keras_version": keras.__version__, "meta/tf_version": tf.__version__,
         "meta/numpy_version": np.__version__, "meta/command": COMMAND,
         "meta/cases": np.array(list(metric_fixtures.VALUE_CASES), dtype=object)}
    for i, (name, (spec, inputs)) in enumerate(metric_fixtures.VALUE_CASES.items()):
        y_true, y_pred = inputs(np.random.default_rng(500 + i), sum(metric_fixtures.BATCHES))
        sw = weights(np.random.default_rng(700 + i), (len(y_true),))
        keras.backend.clear_session()
        metric = spec.make()
        start = 0
        for size in metric_fixtures.BATCHES:
            end = start + size
            metric.update_state(y_true[start:end], y_pred[start:end], sample_weight=sw[start:end])
            start = end
        t[f"{name}/sample_weight"] = sw
        t[f"{name}/result"] = np.asarray(metric.result(), dtype=np.float32)
    return t


def run_case(name, seed, build, data, keras_path=None, json_path=None):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model, fit, evaluate, t = build(rng, data)
    names = weight_names(model)
    t["meta/weight_names"] = np.array(names, dtype=object)
    for n, w in zip(names, model.weights):
        t[f"initial/{n}"] = np.array(w.numpy())
    history = model.fit(**fit, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False, verbose=0)
    for n, w in zip(names, model.weights):
        t[f"final/{n}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    for key, value in model.evaluate(**evaluate, batch_size=BATCH_SIZE, return_dict=True, verbose=0).items():
        t[f"evaluate/{key}"] = np.float32(value)
    t["meta/validation_split"] = np.float32(fit.get("validation_split", 0.0))
    t["meta/history_keys"] = np.array(list(history.history), dtype=object)
    t["meta/evaluate_keys"] = np.array([k[len("evaluate/"):] for k in t if k.startswith("evaluate/")], dtype=object)
    description = (f"{name}: see the module docstring of {COMMAND.split()[-1]}; fit keys {sorted(fit)}; "
                   f"epochs={EPOCHS}, batch_size={BATCH_SIZE}, shuffle=False")
    t.update(training_meta(seed, COMMAND, description))
    if keras_path is not None:
        model.save(keras_path)
    if json_path is not None:
        json_path.write_text(json.dumps(json.loads(model.to_json()), indent=2, sort_keys=True) + "\n")
    return t, history.history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "weights",
                        help="output directory (default: the repository's testdata/weights/)")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES),
                        help="cases to (re)write (default: all, and the shared data and metric_values bundles, "
                             "which are written only then)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    (args.out / "keras").mkdir(parents=True, exist_ok=True)
    x, y, x_val, y_val = digits_split("sparse")
    if set(args.cases) == set(CASES):
        save_bundle(args.out / "data", {"x": x, "y": y, "x_val": x_val, "y_val": y_val,
                                        "meta/keras_version": keras.__version__, "meta/tf_version": tf.__version__,
                                        "meta/numpy_version": np.__version__, "meta/command": COMMAND})
        save_bundle(args.out / "metric_values", metric_values_bundle())
    for name in args.cases:
        seed, build = CASES[name]
        keras_path = args.out / "keras" / f"{name}.keras" if name in KERAS_FILES else None
        json_path = args.out / "keras" / f"{name}.json" if name in JSON_CONFIGS else None
        t, history = run_case(name, seed, build, (x, y, x_val, y_val), keras_path, json_path)
        save_bundle(args.out / name, t)
        print(f"{name}: " + ", ".join(f"{k}={['%.4g' % v for v in vs]}" for k, vs in history.items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
