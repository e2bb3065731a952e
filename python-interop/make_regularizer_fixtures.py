"""Generates the Keras reference fixtures for kerasj's regularizers and constraints (issue 17).

Writes, under --out (default: the repository's testdata/regularizers/):
  values.index + .data-*               one TF tensor bundle with, for every case of VALUE_CASES:
                                         <case>/x          float32 [4, 3] (conv cases: [2, 2, 1, 3]) input
                                         <case>/value      float32, regularizer(x) (a scalar) or constraint(x)
                                                           (shaped like x), in eager mode
                                         <case>/config     string [], json.dumps of
                                                           keras.saving.serialize_keras_object(object)
                                       and meta/cases, meta/keras_version, meta/tf_version, meta/numpy_version,
                                       meta/command
  train/<case>.index + .data-*         one bundle per TRAIN_CASES case, in the format of testdata/fixtures/
                                       (x, y, x_val, y_val, meta/weight_names, initial/*, final/*, history/*,
                                       meta/*; see make_fixtures.py), plus
                                         evaluate/loss     float32 [], model.evaluate(x_val, y_val) after fit:
                                                           the penalties are in it
                                         keras/layers      string [], json.dumps(model.get_config()["layers"])
  keras/<case>.keras                   model.save() after fit, for every training case
  multi_output/two_outputs.index + .data-*
                                       a Functional model of two outputs (TWO_OUTPUTS_DESCRIPTION), in the format
                                       of train/ but with y_a, y_b, y_a_val, y_b_val and meta/history_keys (no
                                       evaluate, no keras/layers, no .keras): Keras' loss holds the penalties, its
                                       a_loss and b_loss do not

Data: numpy.random.default_rng(seed) per case; x = normal [96, 4] float32 (conv: [96, 5, 5, 1]; embedding: int32 ids
in [0, 10) of shape [96, 5]; y is drawn after x), rows 0..79 train
(two batches of 32 and one of 16), rows 80..95 validate; y = normal [96, 3]; loss mse; 3 epochs, batch 32,
shuffle=False, no metrics. Determinism as in make_fixtures.py (oneDNN off, single-threaded TF, op determinism,
jit_compile=False, clear_session() then set_random_seed(seed) per case).

Usage: python python-interop/make_regularizer_fixtures.py [--out DIR]
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

from make_fixtures import BATCH_SIZE, EPOCHS, Input, Layer, Opt, Spec, deterministic_tf, save_bundle, \
    training_meta, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_regularizer_fixtures.py"
N_TRAIN = 80
N_VAL = 16


class Arg(Spec):
    """A Spec passed as an argument of another: the outer Spec prints it with repr(), which must read as the call."""

    def __repr__(self):
        return str(self)


def Reg(name, *args, **kwargs):  # noqa: N802 - reads like keras.regularizers.L2(0.01) in descriptions
    return Arg(getattr(keras.regularizers, name), *args, **kwargs)


def Con(name, *args, **kwargs):  # noqa: N802
    return Arg(getattr(keras.constraints, name), *args, **kwargs)


VALUE_CASES = {
    "l1": Reg("L1", 0.03),
    "l1_default": Reg("L1"),
    "l2": Reg("L2", 0.2),
    "l2_default": Reg("L2"),
    "l1l2": Reg("L1L2", l1=0.01, l2=0.05),
    "l1l2_l1_only": Reg("L1L2", l1=0.3),
    "max_norm": Con("MaxNorm", max_value=1.5),
    "max_norm_axis1": Con("MaxNorm", max_value=0.7, axis=1),
    "max_norm_conv_axes": Con("MaxNorm", max_value=1.0, axis=[0, 1, 2]),
    "non_neg": Con("NonNeg"),
    "unit_norm": Con("UnitNorm"),
    "unit_norm_axis1": Con("UnitNorm", axis=1),
    "min_max_norm": Con("MinMaxNorm", min_value=0.5, max_value=1.2, rate=0.6),
    "min_max_norm_axis1": Con("MinMaxNorm", min_value=1.0, max_value=2.0, rate=1.0, axis=1),
}


def build(spec):
    """Spec.make() with the regularizer and constraint Specs among its arguments made first."""
    kwargs = {k: build(v) if isinstance(v, Spec) else v for k, v in spec.kwargs.items()}
    return spec.factory(*spec.args, **kwargs)


def values_bundle():
    t = {"meta/keras_version": keras.__version__, "meta/tf_version": tf.__version__,
         "meta/numpy_version": np.__version__, "meta/command": COMMAND,
         "meta/cases": np.array(list(VALUE_CASES), dtype=object)}
    for i, (name, spec) in enumerate(VALUE_CASES.items()):
        rng = np.random.default_rng(500 + i)
        shape = (2, 2, 1, 3) if name.endswith("conv_axes") else (4, 3)
        x = np.asarray(rng.normal(size=shape), dtype=np.float32)
        obj = spec.make()
        t[f"{name}/x"] = x
        t[f"{name}/value"] = np.asarray(obj(tf.constant(x)), dtype=np.float32)
        t[f"{name}/config"] = json.dumps(keras.saving.serialize_keras_object(obj))
        t[f"{name}/description"] = str(spec)
    return t


def case(seed, layers, optimizer, conv=False, ids=False):
    return dict(seed=seed, layers=layers, optimizer=optimizer, conv=conv, ids=ids)


TRAIN_CASES = {
    "dense_l2_kernel": case(601, [
        Layer("Dense", 6, activation="relu", kernel_regularizer=Reg("L2", 0.05)),
        Layer("Dense", 3, kernel_regularizer=Reg("L2", 0.01))], Opt("SGD", learning_rate=0.05)),
    "dense_l1_l1l2_bias": case(602, [
        Layer("Dense", 3, kernel_regularizer=Reg("L1", 0.02), bias_regularizer=Reg("L1L2", l1=0.01, l2=0.03))],
        Opt("SGD", learning_rate=0.05)),
    "dense_activity": case(603, [
        Layer("Dense", 6, activation="relu", activity_regularizer=Reg("L1", 0.01)),
        Layer("Dense", 3, activity_regularizer=Reg("L2", 0.02))], Opt("Adam", learning_rate=0.01)),
    "dense_constraints": case(604, [
        Layer("Dense", 6, activation="tanh", kernel_constraint=Con("MaxNorm", 0.6), bias_constraint=Con("NonNeg")),
        Layer("Dense", 3, kernel_constraint=Con("UnitNorm"),
              bias_constraint=Con("MinMaxNorm", min_value=0.1, max_value=0.5, rate=0.7))],
        Opt("SGD", learning_rate=0.1)),
    "conv2d": case(605, [
        Layer("Conv2D", 2, 3, activation="relu", kernel_regularizer=Reg("L2", 0.01),
              bias_regularizer=Reg("L1", 0.01), activity_regularizer=Reg("L2", 0.001),
              kernel_constraint=Con("MaxNorm", 1.0, axis=[0, 1, 2]), bias_constraint=Con("NonNeg")),
        Layer("Flatten"),
        Layer("Dense", 3, kernel_regularizer=Reg("L1L2", l1=0.001, l2=0.01),
              kernel_constraint=Con("MinMaxNorm", min_value=0.2, max_value=0.8, rate=0.5))],
        Opt("Adam", learning_rate=0.01), conv=True),
    "batch_norm": case(606, [
        Layer("Dense", 6),
        Layer("BatchNormalization", beta_regularizer=Reg("L1", 0.01), gamma_regularizer=Reg("L2", 0.02),
              beta_constraint=Con("MaxNorm", 0.1), gamma_constraint=Con("MinMaxNorm", min_value=0.5, max_value=2.0)),
        Layer("Dense", 3)], Opt("SGD", learning_rate=0.1)),
    # Adam: with a regularizer the table's gradient is dense (lookup rows + penalty), so is its square.
    "embedding": case(607, [
        Layer("Embedding", 10, 4, embeddings_regularizer=Reg("L2", 0.05), activity_regularizer=Reg("L1", 0.01),
              embeddings_constraint=Con("UnitNorm", axis=1)),
        Layer("Flatten"),
        Layer("Dense", 3)], Opt("Adam", learning_rate=0.01), ids=True),
}


def run_train_case(c, keras_path):
    keras.backend.clear_session()
    keras.utils.set_random_seed(c["seed"])
    rng = np.random.default_rng(c["seed"])
    n = N_TRAIN + N_VAL
    if c["ids"]:
        x = rng.integers(0, 10, size=(n, 5)).astype(np.int32)
        inp = Input((5,), dtype="int32")
    else:
        x = np.asarray(rng.normal(size=(n, 5, 5, 1) if c["conv"] else (n, 4)), dtype=np.float32)
        inp = Input((5, 5, 1) if c["conv"] else (4,))
    y = np.asarray(rng.normal(size=(n, 3)), dtype=np.float32)
    model = keras.Sequential([inp.make()] + [build(spec) for spec in c["layers"]])
    model.compile(optimizer=c["optimizer"].make(), loss="mse", jit_compile=False)
    names = weight_names(model)
    t = {"x": x[:N_TRAIN], "y": y[:N_TRAIN], "x_val": x[N_TRAIN:], "y_val": y[N_TRAIN:],
         "meta/weight_names": np.array(names, dtype=object)}
    for name, w in zip(names, model.weights):
        t[f"initial/{name}"] = np.array(w.numpy())
    history = model.fit(t["x"], t["y"], batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False,
                        validation_data=(t["x_val"], t["y_val"]), verbose=0)
    for name, w in zip(names, model.weights):
        t[f"final/{name}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    t["evaluate/loss"] = np.float32(model.evaluate(t["x_val"], t["y_val"], batch_size=BATCH_SIZE, verbose=0))
    t["keras/layers"] = json.dumps(model.get_config()["layers"])
    description = (f"Sequential([{inp}, {', '.join(str(s) for s in c['layers'])}]); optimizer={c['optimizer']}; "
                   f"loss='mse'; jit_compile=False; epochs={EPOCHS}, batch_size={BATCH_SIZE}, shuffle=False, "
                   "validation_data=(x_val, y_val); y: normal")
    t.update(training_meta(c["seed"], COMMAND, description))
    model.save(keras_path)
    return t, history.history


TWO_OUTPUTS_SEED = 608
TWO_OUTPUTS_DESCRIPTION = (
    "x = Input((4,), name='x'); h = Dense(5, activation='relu', kernel_regularizer=L2(0.05), "
    "activity_regularizer=L1(0.01))(x); a = Dense(2, kernel_regularizer=L1(0.02), name='a')(h); "
    "b = Dense(1, kernel_constraint=NonNeg(), name='b')(h); Model(x, [a, b]); optimizer=SGD(learning_rate=0.05); "
    "loss={'a': 'mse', 'b': 'mse'}, loss_weights={'a': 1.0, 'b': 0.5}; jit_compile=False; "
    f"epochs={EPOCHS}, batch_size={BATCH_SIZE}, shuffle=False, validation_data=(x_val, {{'a': y_a_val, 'b': y_b_val}})")


def run_two_outputs():
    """A Functional model of two outputs: the penalties go into loss and val_loss, not into a_loss or b_loss."""
    seed = TWO_OUTPUTS_SEED
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VAL
    x = np.asarray(rng.normal(size=(n, 4)), dtype=np.float32)
    ya = np.asarray(rng.normal(size=(n, 2)), dtype=np.float32)
    yb = np.asarray(rng.normal(size=(n, 1)), dtype=np.float32)
    R, C = keras.regularizers, keras.constraints
    inp = keras.Input((4,), name="x")
    h = keras.layers.Dense(5, activation="relu", kernel_regularizer=R.L2(0.05), activity_regularizer=R.L1(0.01))(inp)
    a = keras.layers.Dense(2, kernel_regularizer=R.L1(0.02), name="a")(h)
    b = keras.layers.Dense(1, kernel_constraint=C.NonNeg(), name="b")(h)
    model = keras.Model(inp, [a, b])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss={"a": "mse", "b": "mse"},
                  loss_weights={"a": 1.0, "b": 0.5}, jit_compile=False)
    names = weight_names(model)
    t = {"x": x[:N_TRAIN], "y_a": ya[:N_TRAIN], "y_b": yb[:N_TRAIN], "x_val": x[N_TRAIN:],
         "y_a_val": ya[N_TRAIN:], "y_b_val": yb[N_TRAIN:], "meta/weight_names": np.array(names, dtype=object)}
    for name, w in zip(names, model.weights):
        t[f"initial/{name}"] = np.array(w.numpy())
    history = model.fit(t["x"], {"a": t["y_a"], "b": t["y_b"]}, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False,
                        validation_data=(t["x_val"], {"a": t["y_a_val"], "b": t["y_b_val"]}), verbose=0)
    for name, w in zip(names, model.weights):
        t[f"final/{name}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    t["meta/history_keys"] = np.array(list(history.history), dtype=object)
    t.update(training_meta(seed, COMMAND, TWO_OUTPUTS_DESCRIPTION))
    return t, history.history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "regularizers",
                        help="output directory (default: the repository's testdata/regularizers/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    (args.out / "train").mkdir(parents=True, exist_ok=True)
    (args.out / "keras").mkdir(parents=True, exist_ok=True)
    save_bundle(args.out / "values", values_bundle())
    print(f"values: {len(VALUE_CASES)} cases", flush=True)
    for name, c in TRAIN_CASES.items():
        t, history = run_train_case(c, args.out / "keras" / f"{name}.keras")
        save_bundle(args.out / "train" / name, t)
        print(f"{name}: " + ", ".join(f"{k}={['%.5g' % v for v in vs]}" for k, vs in history.items())
              + f", evaluate={t['evaluate/loss']:.5g}", flush=True)
    (args.out / "multi_output").mkdir(parents=True, exist_ok=True)
    t, history = run_two_outputs()
    save_bundle(args.out / "multi_output" / "two_outputs", t)
    print("two_outputs: " + ", ".join(f"{k}={['%.5g' % v for v in vs]}" for k, vs in history.items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
