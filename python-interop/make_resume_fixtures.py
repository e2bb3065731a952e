"""Python trains, checkpoints with tf.train.CheckpointManager, trains on: fixtures for continuing training in Java.

For each case, with real Keras 3.15.1 (same determinism setup as make_fixtures.py):
  1. build and compile the model (seeded), fit N_BEFORE=2 epochs one at a time on 96 digits rows (batch 32,
     shuffle=False), and after each epoch CheckpointManager(tf.train.Checkpoint(model=m, optimizer=m.optimizer),
     <case>/, max_to_keep=2).save(): <case>/ckpt-1, <case>/ckpt-2 (save_counter 2) and the `checkpoint` state file;
     cases in WEIGHTS_H5_CASES also save that state with model.save_weights() as <case>/ckpt-2.weights.h5;
  2. fit M_AFTER=2 more epochs on the same rows in the same order, recording the loss of each epoch and the weights
     after them.
Java restores <case>/ (the latest checkpoint, through the state file), fits M_AFTER epochs on the same rows with
shuffle=false, and must reach the same losses and weights.

expected/<case>.index + .data-00000-of-00001 (a plain tensor bundle):
  x, y                       the training rows, in training order (int32 token ids for lstm_masked_steps_adam)
  restored/<layer>/<var>     every model weight at the save of ckpt-2 (what a reader must restore, exactly)
  optimizer/iterations       int64, steps taken at the save of ckpt-2
  history/loss               float32 [M_AFTER], the loss Keras' fit reported for each epoch after the checkpoint
  final/<layer>/<var>        every model weight after those epochs
  meta/*                     seed, versions, command, description

Usage: python python-interop/make_resume_fixtures.py [--out DIR] [--case NAME ...]
"""

import os

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

from make_fixtures import BATCH_SIZE, deterministic_tf, digits_split, save_bundle, weight_names
from make_rnn_fixtures import per_step_tokens

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_resume_fixtures.py"
L = keras.layers
N_SAMPLES = 96  # 3 full batches of 32
N_BEFORE = 2
M_AFTER = 2


def mlp():
    return [keras.Input((64,)), L.Dense(16, activation="relu"), L.Dense(10, activation="softmax")]


def cnn_bn():
    return [keras.Input((8, 8, 1)), L.Conv2D(4, 3, padding="same", activation="relu"), L.BatchNormalization(),
            L.MaxPooling2D(2), L.Flatten(), L.Dense(10, activation="softmax")]


def lstm_classifier():
    """The digits read as 8 steps of 8 features (image rows)."""
    return [keras.Input((8, 8)), L.LSTM(8), L.Dense(10, activation="softmax")]


def lstm_masked_steps():
    """One class per step of zero-padded token ids (make_rnn_fixtures.per_step_tokens): the output keeps the
    Embedding's mask, so the loss leaves padded steps out."""
    return [keras.Input((10,), dtype="int32"), L.Embedding(20, 6, mask_zero=True), L.LSTM(5, return_sequences=True),
            L.Dense(3, activation="softmax")]


def conv_tanh_flat_bn_regressor():
    """Used by no other Java test: tanh valid Conv2D, BatchNormalization on a flat (rank-2) input, elu, Huber."""
    return [keras.Input((3, 3, 2)), L.Conv2D(4, 2, padding="valid", activation="tanh"), L.Flatten(),
            L.BatchNormalization(), L.Dense(6, activation="elu"), L.Dense(1)]


SCCE = "sparse_categorical_crossentropy"
# name -> (seed, layers, optimizer factory, loss, data kind)
CASES = {
    "mlp_sgd": (501, mlp, lambda: keras.optimizers.SGD(0.1), SCCE, "digits"),
    "mlp_sgd_momentum": (502, mlp, lambda: keras.optimizers.SGD(0.05, momentum=0.9), SCCE, "digits"),
    "mlp_adam": (503, mlp, lambda: keras.optimizers.Adam(1e-2), SCCE, "digits"),
    "mlp_adamw": (504, mlp, lambda: keras.optimizers.AdamW(1e-2, weight_decay=0.01), SCCE, "digits"),
    "mlp_rmsprop": (505, mlp, lambda: keras.optimizers.RMSprop(1e-2), SCCE, "digits"),
    "mlp_adagrad": (506, mlp, lambda: keras.optimizers.Adagrad(0.1), SCCE, "digits"),
    "cnn_bn_adam": (507, cnn_bn, lambda: keras.optimizers.Adam(1e-2), SCCE, "image"),
    # A schedule: Keras' optimizer then has no learning-rate variable (slots at _variables/1...); 6 steps span 3 decays.
    "mlp_adam_exponential_decay": (
        509, mlp, lambda: keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(1e-2, 2, 0.5)), SCCE,
        "digits"),
    "conv_tanh_flat_bn_regressor_adagrad_huber": (
        508, conv_tanh_flat_bn_regressor,
        lambda: keras.optimizers.Adagrad(0.1, initial_accumulator_value=0.5), keras.losses.Huber(0.5), "regress"),
    "lstm_adam": (510, lstm_classifier, lambda: keras.optimizers.Adam(1e-2), SCCE, "sequence"),
    "lstm_masked_steps_adam": (511, lstm_masked_steps, lambda: keras.optimizers.Adam(1e-2), SCCE, "tokens"),
}

# Cases that also save the ckpt-2 state with model.save_weights(), as <case>/ckpt-2.weights.h5.
WEIGHTS_H5_CASES = {"mlp_adam_exponential_decay"}


def data(kind):
    if kind == "tokens":
        x, y, _, _ = per_step_tokens(511)
        return x[:N_SAMPLES], y[:N_SAMPLES]
    x, y, _, _ = digits_split("sparse")
    x, y = x[:N_SAMPLES], y[:N_SAMPLES]
    if kind == "image":
        return x.reshape(-1, 8, 8, 1), y
    if kind == "sequence":
        return x.reshape(-1, 8, 8), y
    if kind == "regress":
        return x[:, 20:38].reshape(-1, 3, 3, 2), x.mean(axis=1, keepdims=True).astype(np.float32)
    return x, y


def run_case(name, out):
    seed, layers, optimizer, loss, kind = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(layers())
    model.compile(optimizer=optimizer(), loss=loss, jit_compile=False)
    model.optimizer.build(model.trainable_variables)
    folder = out / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model, optimizer=model.optimizer), str(folder),
                                         max_to_keep=2)
    x, y = data(kind)
    for _ in range(N_BEFORE):
        model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0)
        manager.save()
    if name in WEIGHTS_H5_CASES:
        model.save_weights(folder / "ckpt-2.weights.h5")
    names = weight_names(model)
    t = {"x": x, "y": y}
    t.update({f"restored/{n}": np.array(w.numpy()) for n, w in zip(names, model.weights)})
    t["optimizer/iterations"] = np.int64(model.optimizer.iterations.numpy())
    history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=M_AFTER, shuffle=False, verbose=0).history
    t["history/loss"] = np.array(history["loss"], np.float32)
    t.update({f"final/{n}": np.array(w.numpy()) for n, w in zip(names, model.weights)})
    t["meta/seed"] = np.int32(seed)
    t["meta/keras_version"] = keras.__version__
    t["meta/tf_version"] = tf.__version__
    t["meta/command"] = COMMAND
    t["meta/description"] = (f"{name}: Sequential({[type(layer).__name__ for layer in model.layers]}), "
                             f"{type(model.optimizer).__name__}, fit {N_BEFORE} epochs batch {BATCH_SIZE} "
                             f"shuffle=False saving with CheckpointManager after each, then {M_AFTER} more")
    (out / "expected").mkdir(exist_ok=True)
    save_bundle(out / "expected" / name, t)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "resume")
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
