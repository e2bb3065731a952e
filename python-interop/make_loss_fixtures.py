"""Generates the Keras reference fixtures for kerasj's losses beyond the first six (issue 17).

Writes, under --out (default: the repository's testdata/losses/):
  values.index + .data-*               one TF tensor bundle with, for every case of VALUE_CASES:
                                         <case>/y_true, <case>/y_pred   float32 inputs (y_true int32 for the
                                                                        sparse case)
                                         <case>/activation              string [], "" or the keras.ops function
                                                                        (sigmoid, softmax) applied to y_pred first
                                         <case>/loss                    float32 [], loss_object(y_true, y_pred) in
                                                                        eager mode (reduction sum_over_batch_size)
                                         <case>/config                  string [], json.dumps of
                                                                        keras.saving.serialize_keras_object(loss)
                                         <case>/description             string [], the Keras constructor call
                                       and meta/cases (string [n], the case names in order), meta/keras_version,
                                       meta/tf_version, meta/numpy_version, meta/command
  train/<case>.index + .data-*         one bundle per TRAIN_CASES case, in the format of testdata/fixtures/
                                       (x, y, x_val, y_val, meta/weight_names, initial/*, final/*, history/*,
                                       meta/*; see make_fixtures.py), without predict/evaluate
  keras/<case>.keras                   model.save() after fit of the KERAS_FILES cases (15 kB each, so not all):
                                       its compile_config holds the loss as Keras stores it (an identifier string,
                                       here the alias "kld", or a serialized loss object with its arguments)

Data: numpy.random.default_rng(seed) per case; training x = normal [96, 4] float32, rows 0..79 train (two batches of
32 and one of 16), rows 80..95 validate; Sequential([Input((4,)), Dense(units, activation)]), SGD, 3 epochs,
batch 32, shuffle=False, no metrics. Determinism as in make_fixtures.py (oneDNN off, single-threaded TF, op
determinism, jit_compile=False, clear_session() then set_random_seed(seed) per case).

Usage: python python-interop/make_loss_fixtures.py [--out DIR]
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

from make_fixtures import BATCH_SIZE, EPOCHS, Input, Layer, Loss, Opt, deterministic_tf, make, save_bundle, \
    training_meta, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_loss_fixtures.py"
N_TRAIN = 80
N_VAL = 16


# ---------------------------------------------------------------------------------------------------------------
# Loss values on given inputs


def f32(a):
    return np.asarray(a, dtype=np.float32)


def probabilities(rng, shape, zero_at=None):
    p = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    if zero_at is not None:  # an exact 0 exercises the clipping to [1e-7, 1]
        p[zero_at] = 0.0
    return f32(p)


def binary(rng, shape):
    return f32(rng.integers(0, 2, size=shape))


def one_hot(rng, n, classes):
    return f32(np.eye(classes)[rng.integers(0, classes, size=n)])


def value_inputs(name, rng):
    """(y_true, y_pred) of a value case; the comments say which edge of Keras' formula each input reaches."""
    normal = lambda *shape: f32(rng.normal(size=shape))  # noqa: E731
    if name == "kl_divergence":
        return probabilities(rng, (4, 3), zero_at=(0, 1)), probabilities(rng, (4, 3), zero_at=(2, 0))
    if name == "poisson":
        return f32(rng.poisson(2.0, size=(4, 3))), f32(rng.uniform(0.1, 3.0, size=(4, 3)))
    if name == "cosine_similarity":
        y_pred = normal(4, 3)
        y_pred[3] = 0.0  # a zero vector: Keras' normalize caps 1/norm at 1e7, the similarity is 0
        return normal(4, 3), y_pred
    if name == "cosine_similarity_axis1":
        return normal(3, 4, 2), normal(3, 4, 2)
    if name in ("hinge_binary_labels", "squared_hinge_binary_labels"):  # 0/1 labels are mapped to -1/1
        return binary(rng, (4, 3)), normal(4, 3)
    if name in ("hinge_signed_labels", "squared_hinge_signed_labels"):
        return f32(2 * rng.integers(0, 2, size=(4, 3)) - 1), normal(4, 3)
    if name == "log_cosh":
        y_pred = 3 * normal(4, 3)
        y_pred[0, 0] = 60.0  # cosh(60) overflows float32; Keras' x + softplus(-2x) - log 2 does not
        return normal(4, 3), f32(y_pred)
    if name == "mean_squared_logarithmic_error":
        y_pred = f32(np.exp(rng.normal(size=(4, 3))))
        y_pred[1, 2] = -0.5  # clipped to 1e-7 before the log
        return f32(np.exp(rng.normal(size=(4, 3)))), y_pred
    if name == "mean_absolute_percentage_error":
        y_true = normal(4, 3)
        y_true[2, 1] = 0.0  # divides by max(|0|, 1e-7)
        return y_true, normal(4, 3)
    if name.startswith("sparse_categorical_crossentropy"):
        return rng.integers(0, 3, size=4).astype(np.int32), 2 * normal(4, 3)
    if name.startswith("binary_focal") or name.startswith("binary_crossentropy"):
        if name.endswith("logits") or name.endswith("on_sigmoid"):
            return binary(rng, (4, 3)), 2 * normal(4, 3)
        y_pred = f32(rng.uniform(0, 1, size=(4, 3)))
        y_pred[0, 0], y_pred[1, 1] = 0.0, 1.0  # clipped to [1e-7, 1 - 1e-7]
        return binary(rng, (4, 3)), y_pred
    if name.startswith("categorical_focal") or name.startswith("categorical_crossentropy"):
        if name.endswith("rank3"):  # [batch, steps, classes]: TF's kernel takes rank 2, the wrapper flattens
            return one_hot(rng, 8, 3).reshape(2, 4, 3), 2 * normal(2, 4, 3)
        if name.endswith("logits") or name.endswith("on_softmax"):
            return one_hot(rng, 4, 3), 2 * normal(4, 3)
        return one_hot(rng, 4, 3), f32(rng.uniform(0.05, 2.0, size=(4, 3)))  # not normalised: Keras divides by sum
    raise ValueError(name)


# name -> loss; every name also picks its inputs in value_inputs().
VALUE_CASES = {
    "kl_divergence": Loss("KLDivergence"),
    "poisson": Loss("Poisson"),
    "cosine_similarity": Loss("CosineSimilarity"),
    "cosine_similarity_axis1": Loss("CosineSimilarity", axis=1),
    "hinge_binary_labels": Loss("Hinge"),
    "hinge_signed_labels": Loss("Hinge"),
    "squared_hinge_binary_labels": Loss("SquaredHinge"),
    "squared_hinge_signed_labels": Loss("SquaredHinge"),
    "log_cosh": Loss("LogCosh"),
    "mean_squared_logarithmic_error": Loss("MeanSquaredLogarithmicError"),
    "mean_absolute_percentage_error": Loss("MeanAbsolutePercentageError"),
    "binary_focal_default": Loss("BinaryFocalCrossentropy"),
    "binary_focal_balanced_smoothed": Loss("BinaryFocalCrossentropy", apply_class_balancing=True, alpha=0.4,
                                           gamma=1.5, label_smoothing=0.1),
    "binary_focal_logits": Loss("BinaryFocalCrossentropy", from_logits=True, gamma=3.0),
    "categorical_focal_default": Loss("CategoricalFocalCrossentropy"),
    "categorical_focal_smoothed": Loss("CategoricalFocalCrossentropy", alpha=0.5, gamma=3.0, label_smoothing=0.2),
    "categorical_focal_logits": Loss("CategoricalFocalCrossentropy", from_logits=True, gamma=1.0),
    "binary_crossentropy_smoothed": Loss("BinaryCrossentropy", label_smoothing=0.2),
    "binary_crossentropy_smoothed_logits": Loss("BinaryCrossentropy", from_logits=True, label_smoothing=0.2),
    "categorical_crossentropy_smoothed": Loss("CategoricalCrossentropy", label_smoothing=0.1),
    "categorical_crossentropy_smoothed_logits": Loss("CategoricalCrossentropy", from_logits=True,
                                                     label_smoothing=0.1),
    "categorical_crossentropy_smoothed_logits_rank3": Loss("CategoricalCrossentropy", from_logits=True,
                                                           label_smoothing=0.1),
    # Predictions passed through keras.ops.sigmoid/softmax (ACTIVATION below): Keras then takes the logits behind
    # the activation, even with from_logits=True (it warns), and the focal loss' crossentropy too.
    "binary_crossentropy_logits_on_sigmoid": Loss("BinaryCrossentropy", from_logits=True),
    "binary_focal_on_sigmoid": Loss("BinaryFocalCrossentropy"),
    "categorical_crossentropy_logits_on_softmax": Loss("CategoricalCrossentropy", from_logits=True),
    "sparse_categorical_crossentropy_logits_on_softmax": Loss("SparseCategoricalCrossentropy", from_logits=True),
}

# case -> the keras.ops activation applied to <case>/y_pred before the loss (in the same eager call)
ACTIVATION = {name: name.rsplit("_on_", 1)[1] for name in VALUE_CASES if "_on_" in name}


def values_bundle():
    t = {"meta/keras_version": keras.__version__, "meta/tf_version": tf.__version__,
         "meta/numpy_version": np.__version__, "meta/command": COMMAND,
         "meta/cases": np.array(list(VALUE_CASES), dtype=object)}
    for i, (name, spec) in enumerate(VALUE_CASES.items()):
        rng = np.random.default_rng(300 + i)
        y_true, y_pred = value_inputs(name, rng)
        loss = spec.make()
        t[f"{name}/y_true"] = y_true
        t[f"{name}/y_pred"] = y_pred
        activation = ACTIVATION.get(name, "")
        y_pred_in = tf.constant(y_pred)
        if activation:
            y_pred_in = getattr(keras.ops, activation)(y_pred_in)
        t[f"{name}/activation"] = activation
        t[f"{name}/loss"] = np.float32(loss(tf.constant(y_true), y_pred_in).numpy())
        t[f"{name}/config"] = json.dumps(keras.saving.serialize_keras_object(loss), sort_keys=True)
        t[f"{name}/description"] = str(spec)
    return t


# ---------------------------------------------------------------------------------------------------------------
# Training


def targets(kind, rng, n, units):
    if kind == "probabilities":
        return probabilities(rng, (n, units))
    if kind == "counts":
        return f32(rng.poisson(1.5, size=(n, units)))
    if kind == "normal":
        return f32(rng.normal(size=(n, units)))
    if kind == "positive":
        return f32(np.exp(rng.normal(size=(n, units))))
    if kind == "away_from_zero":
        return f32(rng.uniform(1.0, 3.0, size=(n, units)) * rng.choice([-1.0, 1.0], size=(n, units)))
    if kind == "binary":
        return binary(rng, (n, units))
    if kind == "signed":
        return f32(2 * rng.integers(0, 2, size=(n, units)) - 1)
    if kind == "one_hot":
        return one_hot(rng, n, units)
    raise ValueError(kind)


def train_case(seed, units, activation, loss, y, learning_rate=0.05):
    return dict(seed=seed, units=units, activation=activation, loss=loss, y=y, learning_rate=learning_rate)


# Strings are compiled as strings (so compile_config stores the identifier, aliases included), Specs as objects.
TRAIN_CASES = {
    "kld": train_case(401, 3, "softmax", "kld", "probabilities"),
    "poisson": train_case(402, 3, "softplus", "poisson", "counts"),
    "cosine_similarity": train_case(403, 3, None, Loss("CosineSimilarity"), "normal", learning_rate=0.2),
    "hinge": train_case(404, 3, None, "hinge", "binary"),
    "squared_hinge": train_case(405, 3, "tanh", "squared_hinge", "signed"),
    "log_cosh": train_case(406, 3, None, "log_cosh", "normal"),
    "msle": train_case(407, 3, "softplus", "msle", "positive"),
    "mape": train_case(408, 3, None, "mape", "away_from_zero", learning_rate=0.002),
    "binary_focal": train_case(409, 1, "sigmoid", Loss("BinaryFocalCrossentropy", apply_class_balancing=True,
                                                       alpha=0.4, gamma=1.5, label_smoothing=0.1), "binary",
                               learning_rate=0.2),
    "binary_focal_logits": train_case(410, 1, None, Loss("BinaryFocalCrossentropy", from_logits=True), "binary",
                                      learning_rate=0.2),
    "categorical_focal": train_case(411, 3, "softmax", Loss("CategoricalFocalCrossentropy", alpha=0.5, gamma=3.0,
                                                            label_smoothing=0.1), "one_hot", learning_rate=0.2),
    "categorical_focal_logits": train_case(412, 3, None, Loss("CategoricalFocalCrossentropy", from_logits=True),
                                           "one_hot", learning_rate=0.2),
    "binary_crossentropy_smoothed": train_case(413, 1, "sigmoid", Loss("BinaryCrossentropy", label_smoothing=0.2),
                                               "binary"),
    "categorical_crossentropy_smoothed": train_case(414, 3, "softmax",
                                                    Loss("CategoricalCrossentropy", label_smoothing=0.1), "one_hot"),
    "categorical_crossentropy_smoothed_logits": train_case(
        415, 3, None, Loss("CategoricalCrossentropy", from_logits=True, label_smoothing=0.1), "one_hot"),
}


# The training cases also saved as .keras: an alias string, an object whose get_config() drops an argument (axis),
# and the three parameterised losses.
KERAS_FILES = ["kld", "cosine_similarity", "binary_focal", "categorical_focal",
               "categorical_crossentropy_smoothed_logits"]


def describe(c):
    dense = Layer("Dense", c["units"], activation=c["activation"]) if c["activation"] else Layer("Dense", c["units"])
    loss = repr(c["loss"]) if isinstance(c["loss"], str) else str(c["loss"])
    return (f"Sequential([{Input((4,))}, {dense}]); optimizer={Opt('SGD', learning_rate=c['learning_rate'])}; "
            f"loss={loss}; jit_compile=False; epochs={EPOCHS}, batch_size={BATCH_SIZE}, shuffle=False, "
            f"validation_data=(x_val, y_val); y: {c['y']}"), dense


def run_train_case(c, keras_path):
    keras.backend.clear_session()
    keras.utils.set_random_seed(c["seed"])
    rng = np.random.default_rng(c["seed"])
    x = f32(rng.normal(size=(N_TRAIN + N_VAL, 4)))
    y = targets(c["y"], rng, N_TRAIN + N_VAL, c["units"])
    description, dense = describe(c)
    model = keras.Sequential([keras.Input((4,)), dense.make()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=c["learning_rate"]), loss=make(c["loss"]),
                  jit_compile=False)
    names = weight_names(model)
    t = {"x": x[:N_TRAIN], "y": y[:N_TRAIN], "x_val": x[N_TRAIN:], "y_val": y[N_TRAIN:],
         "meta/weight_names": np.array(names, dtype=object)}
    for n, w in zip(names, model.weights):
        t[f"initial/{n}"] = np.array(w.numpy())
    history = model.fit(t["x"], t["y"], batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False,
                        validation_data=(t["x_val"], t["y_val"]), verbose=0)
    for n, w in zip(names, model.weights):
        t[f"final/{n}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    t.update(training_meta(c["seed"], COMMAND, description))
    if keras_path is not None:
        model.save(keras_path)
    return t, history.history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "losses",
                        help="output directory (default: the repository's testdata/losses/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    (args.out / "train").mkdir(parents=True, exist_ok=True)
    (args.out / "keras").mkdir(parents=True, exist_ok=True)
    save_bundle(args.out / "values", values_bundle())
    print(f"values: {len(VALUE_CASES)} cases", flush=True)
    for name, c in TRAIN_CASES.items():
        keras_path = args.out / "keras" / f"{name}.keras" if name in KERAS_FILES else None
        t, history = run_train_case(c, keras_path)
        save_bundle(args.out / "train" / name, t)
        print(f"{name}: " + ", ".join(f"{k}={['%.4g' % v for v in vs]}" for k, vs in history.items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
