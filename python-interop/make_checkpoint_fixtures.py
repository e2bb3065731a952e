"""Writes TF object-based checkpoints with real Python Keras, for kerasj's Java checkpoint reader and writer tests.

Writes, under --out (default: the repository's testdata/checkpoints/):
  <case>/ckpt-1.index + ckpt-1.data-00000-of-00001 + checkpoint
      tf.train.Checkpoint(model=m, optimizer=m.optimizer).save(<case>/ckpt): Keras 3's object graph, model weights,
      optimizer state and save_counter=1, plus the `checkpoint` state file (relative paths; its timestamps are the
      only bytes that change between runs).
  expected/<case>.index + .data-00000-of-00001   (trained cases only; a plain tensor bundle, kept out of <case>/
                                                  so that <case>/ holds exactly one checkpoint)
      weights/<layer>/<var>        every model weight at save time (what a reader must restore, exactly)
      optimizer/iterations         int64, optimizer/learning_rate float32
      x_val, predict               validation inputs; model.predict(feed(kind, x_val), batch_size=32) at save time
                                   (predict/<output> per output of a two-output model)
      batch/x, batch/y             the first 32 training samples (batch/y/<output> per output of a two-output model)
      after_step/<layer>/<var>     every model weight after one more model.train_on_batch(batch/x, batch/y)
      meta/*                       versions, seed, command, description

Cases "layout_*" only pin the object graph Keras writes for an architecture/optimizer pair (optimizer built, not
trained); trained cases fit one epoch on the data of make_fixtures.py (shuffle=False, batch 32) before saving.

Usage: python python-interop/make_checkpoint_fixtures.py [--out DIR] [--case NAME ...]
"""

import os

# Same determinism setup as make_fixtures.py (see testdata/README.md, "Determinism"); before TensorFlow is imported.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import shutil
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from make_fixtures import BATCH_SIZE, deterministic_tf, digits_split, save_bundle, token_split, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_checkpoint_fixtures.py"
L = keras.layers


def mlp(out_activation="softmax"):
    return [keras.Input((64,)), L.Dense(32, activation="relu"), L.Dense(10, activation=out_activation)]


def cnn_bn():
    return [keras.Input((8, 8, 1)), L.Conv2D(8, 3, padding="same", activation="relu"), L.BatchNormalization(),
            L.MaxPooling2D(2), L.Conv2D(16, 3, padding="same", activation="relu"), L.AveragePooling2D(2),
            L.GlobalAveragePooling2D(), L.Dense(10, activation="softmax")]


def embedding():
    return [keras.Input((10,), dtype="int32"), L.Embedding(50, 8), L.Flatten(), L.Dense(1, activation="sigmoid")]


def all_layers():
    return [keras.Input((64,)), L.Reshape((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(),
            L.MaxPooling2D(2), L.AveragePooling2D(1), L.Flatten(), L.Dropout(0.3), L.Dense(10),
            L.Activation("softmax")]


def two_input(frozen=False):
    """keras.Model([a, b], digit): each half of a digit through its own Dense, concatenated, then a softmax Dense."""
    a, b = keras.Input((32,), name="a"), keras.Input((32,), name="b")
    a_dense = L.Dense(16, activation="relu", name="a_dense")
    a_dense.trainable = not frozen
    h = L.Concatenate()([a_dense(a), L.Dense(16, activation="relu", name="b_dense")(b)])
    return keras.Model([a, b], L.Dense(10, activation="softmax", name="digit")(h))


def nested():
    """A Functional encoder used as a layer of a Functional model (weights tracked inside the encoder's node)."""
    x = keras.Input((64,), name="x")
    encoder = keras.Model(x, L.Dense(16, activation="relu", name="enc_dense")(x), name="encoder")
    inp = keras.Input((64,), name="inp")
    return keras.Model(inp, L.Dense(10, activation="softmax", name="head")(L.Dropout(0.1)(encoder(inp))))


def two_output():
    """keras.Model(pixels, [digit, value]): a shared Dense trunk, a softmax digit head and a linear value head."""
    pixels = keras.Input((64,), name="pixels")
    h = L.Dense(32, activation="relu", name="trunk")(pixels)
    return keras.Model(pixels, [L.Dense(10, activation="softmax", name="digit")(h), L.Dense(1, name="value")(h)])


def residual_add():
    """keras.Model(pixels, digit) with a skip connection: Add()([h, Dense(32)(h)]); the Dense layers named by Keras."""
    pixels = keras.Input((64,), name="pixels")
    h = L.Dense(32, activation="relu")(pixels)
    r = L.Dense(32, activation="relu")(h)
    return keras.Model(pixels, L.Dense(10, activation="softmax", name="digit")(L.Add()([h, r])))


def shared_layer():
    """keras.Model([a, b], digit): one Dense called on both inputs (two nodes, one set of weights)."""
    a, b = keras.Input((32,), name="a"), keras.Input((32,), name="b")
    shared = L.Dense(16, activation="relu", name="shared")
    return keras.Model([a, b], L.Dense(10, activation="softmax", name="digit")(L.Concatenate()([shared(a), shared(b)])))


def nested_sequential():
    """A Sequential encoder used as a layer of a Functional model: its node holds a _functional of its own."""
    encoder = keras.Sequential([keras.Input((64,)), L.Dense(16, activation="relu", name="enc_dense")], name="encoder")
    inp = keras.Input((64,), name="inp")
    return keras.Model(inp, L.Dense(10, activation="softmax", name="head")(encoder(inp)))


SCCE = "sparse_categorical_crossentropy"
# As make_functional_fixtures.py's two_output: per-output losses, loss weights and metrics (metrics hold no state that
# a checkpoint saves, so they must not change its object graph either).
TWO_OUTPUT_COMPILE = {"loss": {"digit": SCCE, "value": "mse"}, "loss_weights": {"digit": 1.0, "value": 0.5},
                      "metrics": {"digit": ["accuracy"], "value": ["mae"]}}
# name -> (seed, layers, optimizer factory or None for an uncompiled model, loss (or a dict of compile() keyword
# arguments: loss, loss_weights, metrics), data kind, trained)
CASES = {
    "mlp_adam": (201, mlp, lambda: keras.optimizers.Adam(1e-3), SCCE, "digits", True),
    "cnn_bn_sgd_momentum": (202, cnn_bn, lambda: keras.optimizers.SGD(0.05, momentum=0.9), SCCE, "image", True),
    "embedding_adam": (203, embedding, lambda: keras.optimizers.Adam(1e-2), "binary_crossentropy", "tokens", True),
    "layout_mlp_sgd": (204, mlp, lambda: keras.optimizers.SGD(0.1), SCCE, "digits", False),
    "layout_mlp_rmsprop": (205, mlp, lambda: keras.optimizers.RMSprop(1e-3), SCCE, "digits", False),
    "layout_mlp_rmsprop_momentum_centered": (
        206, mlp, lambda: keras.optimizers.RMSprop(1e-3, momentum=0.5, centered=True), SCCE, "digits", False),
    "layout_mlp_adagrad": (207, mlp, lambda: keras.optimizers.Adagrad(0.05), SCCE, "digits", False),
    "layout_mlp_adamw": (208, mlp, lambda: keras.optimizers.AdamW(1e-3, weight_decay=0.004), SCCE, "digits", False),
    "layout_all_layers_adam": (209, all_layers, lambda: keras.optimizers.Adam(1e-3), SCCE, "digits", False),
    "layout_mlp_uncompiled": (210, mlp, None, None, "digits", False),
    # With a learning-rate schedule Keras' optimizer has no learning-rate variable: no _learning_rate node, slots
    # from optimizer/_variables/1.
    "layout_mlp_adam_exponential_decay": (
        211, mlp, lambda: keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(1e-3, 2, 0.5)), SCCE,
        "digits", False),
    # Functional models: no _functional wrapper, Input layers among _operations (see testdata/README.md).
    "functional_two_input_adam": (212, two_input, lambda: keras.optimizers.Adam(1e-3), SCCE, "digits_two", True),
    "layout_functional_frozen_adam": (
        213, lambda: two_input(frozen=True), lambda: keras.optimizers.Adam(1e-3), SCCE, "digits_two", False),
    "layout_functional_nested_adam": (214, nested, lambda: keras.optimizers.Adam(1e-3), SCCE, "digits", False),
    "layout_functional_nested_sequential_adam": (
        215, nested_sequential, lambda: keras.optimizers.Adam(1e-3), SCCE, "digits", False),
    "functional_two_output_sgd_momentum": (
        216, two_output, lambda: keras.optimizers.SGD(0.05, momentum=0.9), TWO_OUTPUT_COMPILE, "digits_value", True),
    "functional_residual_add_rmsprop": (
        217, residual_add, lambda: keras.optimizers.RMSprop(1e-3), SCCE, "digits", True),
    "functional_shared_layer_adam": (218, shared_layer, lambda: keras.optimizers.Adam(1e-3), SCCE, "digits_two", True),
}


def data(kind, seed):
    if kind == "tokens":
        return token_split(seed)
    x, y, x_val, y_val = digits_split("sparse")
    if kind == "digits_value":  # [digit label, label / 9], as make_functional_fixtures.py's two_output targets
        return x, [y, digits_split("scaled")[1]], x_val, [y_val, digits_split("scaled")[3]]
    if kind == "image":
        x, x_val = x.reshape(-1, 8, 8, 1), x_val.reshape(-1, 8, 8, 1)
    return x, y, x_val, y_val


def feed(kind, x):
    """The model input for samples x: two-input cases take the first and the last 32 of the 64 features."""
    return [x[:, :32], x[:, 32:]] if kind == "digits_two" else x


def first_rows(y, n):
    return [v[:n] for v in y] if isinstance(y, list) else y[:n]


def per_output(key, model, values):
    """{key: values} for a one-output model, {key/<output name>: value} for each output of a multi-output one."""
    if not isinstance(values, list):
        return {key: values}
    return {f"{key}/{name}": v for name, v in zip(model.output_names, values)}


def run_case(name, out):
    seed, layers, optimizer, loss, kind, trained = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    built = layers()
    model = built if isinstance(built, keras.Model) else keras.Sequential(built)
    folder = out / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if optimizer is None:
        tf.train.Checkpoint(model=model).save(str(folder / "ckpt"))
        return
    model.compile(optimizer=optimizer(), **(loss if isinstance(loss, dict) else {"loss": loss}), jit_compile=False)
    # Keras builds its optimizer at the first step; build it now so every slot exists and is saved.
    model.optimizer.build(model.trainable_variables)
    x, y, x_val, y_val = data(kind, seed)
    if trained:
        model.fit(feed(kind, x), y, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(str(folder / "ckpt"))
    if not trained:
        return
    names = weight_names(model)
    t = {f"weights/{n}": np.array(w.numpy()) for n, w in zip(names, model.weights)}
    t["optimizer/iterations"] = np.int64(model.optimizer.iterations.numpy())
    t["optimizer/learning_rate"] = np.float32(model.optimizer.learning_rate.numpy())
    t["x_val"] = x_val
    t.update(per_output("predict", model, model.predict(feed(kind, x_val), batch_size=BATCH_SIZE, verbose=0)))
    t["batch/x"] = x[:BATCH_SIZE]
    t.update(per_output("batch/y", model, first_rows(y, BATCH_SIZE)))
    model.train_on_batch(feed(kind, x[:BATCH_SIZE]), first_rows(y, BATCH_SIZE))
    t.update({f"after_step/{n}": np.array(w.numpy()) for n, w in zip(names, model.weights)})
    t["meta/seed"] = np.int32(seed)
    t["meta/keras_version"] = keras.__version__
    t["meta/tf_version"] = tf.__version__
    t["meta/command"] = COMMAND
    t["meta/description"] = (f"{name}: {type(model).__name__}({[type(layer).__name__ for layer in model.layers]}), "
                             f"{type(model.optimizer).__name__}, loss={loss}, fit 1 epoch batch {BATCH_SIZE} "
                             f"shuffle=False, then tf.train.Checkpoint(model, optimizer).save")
    (out / "expected").mkdir(exist_ok=True)
    save_bundle(out / "expected" / name, t)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "checkpoints")
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, numpy {np.__version__}; out={args.out}")
    for name in args.case or CASES:
        start = time.perf_counter()
        run_case(name, args.out)
        print(f"{name}: seed={CASES[name][0]} ({time.perf_counter() - start:.1f}s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
