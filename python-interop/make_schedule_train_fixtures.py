"""Generates the Keras 3 training runs and .keras files for kerasj's learning-rate schedules (issue 17).

Writes, under --out (default: the repository's testdata/schedules/):
  train/<case>.index + .data-*   one TF tensor bundle per case, in the format of testdata/fixtures/ (x, y, x_val,
                                 y_val, meta/weight_names, initial/*, final/*, history/*, meta/*; see make_fixtures.py)
                                 plus, after the .keras file was saved, one more epoch of the same fit:
                                 next/<weight> (the weights after it), next_history/loss and next_history/val_loss,
                                 and config (string [], json.dumps of the optimizer's serialized learning_rate as
                                 model.save() stored it in compile_config)
  keras/<case>.keras             model.save() after the first EPOCHS epochs: its compile_config holds the optimizer
                                 with the schedule as its learning_rate, its weights the optimizer's iterations and
                                 slots (no learning-rate variable, as with every schedule)

One case per schedule kind, spread over the five optimizers kerasj has. Data: numpy.random.default_rng(seed) per
case; x = normal [96, 4] float32, y = normal [96, 3]; rows 0..79 train (batches of 32, 32, 16: 3 steps an epoch),
rows 80..95 validate; Sequential([Input((4,)), Dense(3)]), loss "mse", 3 epochs, batch 32, shuffle=False. The
schedules' step lengths are a few steps so that the 9 + 3 steps cross warmup ends, restarts, cycles and stairs.
Determinism as in make_fixtures.py.

Usage: python-interop/.venv/bin/python python-interop/make_schedule_train_fixtures.py [--out DIR]
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

from make_fixtures import BATCH_SIZE, EPOCHS, deterministic_tf, save_bundle, training_meta, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_schedule_train_fixtures.py"
N_TRAIN = 80
N_VAL = 16
S = keras.optimizers.schedules

# name: (seed, optimizer class, optimizer keyword arguments besides learning_rate, schedule class, its arguments)
CASES = {
    "sgd_exponential": (501, "SGD", {"momentum": 0.5}, "ExponentialDecay",
                        dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.6)),
    "adam_piecewise": (502, "Adam", {}, "PiecewiseConstantDecay",
                       dict(boundaries=[2, 5, 10], values=[0.05, 0.02, 0.01, 0.005])),
    "rmsprop_polynomial_cycle": (503, "RMSprop", {}, "PolynomialDecay",
                                 dict(initial_learning_rate=0.01, decay_steps=4, end_learning_rate=0.001, power=2.0,
                                      cycle=True)),
    "adagrad_inverse_time_staircase": (504, "Adagrad", {}, "InverseTimeDecay",
                                       dict(initial_learning_rate=0.2, decay_steps=2, decay_rate=0.5,
                                            staircase=True)),
    "adamw_cosine": (505, "AdamW", {"weight_decay": 0.01}, "CosineDecay",
                     dict(initial_learning_rate=0.05, decay_steps=10, alpha=0.1)),
    "adam_cosine_warmup": (506, "Adam", {}, "CosineDecay",
                           dict(initial_learning_rate=0.0, decay_steps=6, warmup_target=0.05, warmup_steps=4)),
    "sgd_cosine_restarts": (507, "SGD", {}, "CosineDecayRestarts",
                            dict(initial_learning_rate=0.2, first_decay_steps=2, t_mul=1.5, m_mul=0.8, alpha=0.05)),
}


def f32(a):
    return np.asarray(a, dtype=np.float32)


def run_case(name, keras_path):
    seed, opt_cls, opt_args, sched_cls, sched_args = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = f32(rng.normal(size=(N_TRAIN + N_VAL, 4)))
    y = f32(rng.normal(size=(N_TRAIN + N_VAL, 3)))
    schedule = getattr(S, sched_cls)(**sched_args)
    optimizer = getattr(keras.optimizers, opt_cls)(learning_rate=schedule, **opt_args)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(optimizer=optimizer, loss="mse", jit_compile=False)
    names = weight_names(model)
    t = {"x": x[:N_TRAIN], "y": y[:N_TRAIN], "x_val": x[N_TRAIN:], "y_val": y[N_TRAIN:],
         "meta/weight_names": np.array(names, dtype=object)}
    for n, w in zip(names, model.weights):
        t[f"initial/{n}"] = np.array(w.numpy())
    fit = dict(batch_size=BATCH_SIZE, shuffle=False, validation_data=(t["x_val"], t["y_val"]), verbose=0)
    history = model.fit(t["x"], t["y"], epochs=EPOCHS, **fit)
    for n, w in zip(names, model.weights):
        t[f"final/{n}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    model.save(keras_path)
    t["config"] = json.dumps(model.get_compile_config()["optimizer"]["config"]["learning_rate"], sort_keys=True)
    # One more epoch: what a model loaded from the file must do next.
    nxt = model.fit(t["x"], t["y"], epochs=1, **fit)
    for n, w in zip(names, model.weights):
        t[f"next/{n}"] = np.array(w.numpy())
    for key, values in nxt.history.items():
        t[f"next_history/{key}"] = np.asarray(values, dtype=np.float32)
    opt_desc = ", ".join([f"learning_rate={sched_cls}({sched_args})"] + [f"{k}={v!r}" for k, v in opt_args.items()])
    description = (f"Sequential([Input((4,)), Dense(3)]); optimizer={opt_cls}({opt_desc}); loss='mse'; "
                   f"jit_compile=False; epochs={EPOCHS}, batch_size={BATCH_SIZE}, shuffle=False, "
                   f"validation_data=(x_val, y_val); saved, then one more epoch (next/*)")
    t.update(training_meta(seed, COMMAND, description))
    return t, history.history, nxt.history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "schedules",
                        help="output directory (default: the repository's testdata/schedules/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    (args.out / "train").mkdir(parents=True, exist_ok=True)
    (args.out / "keras").mkdir(parents=True, exist_ok=True)
    for name in CASES:
        t, history, nxt = run_case(name, args.out / "keras" / f"{name}.keras")
        save_bundle(args.out / "train" / name, t)
        print(f"{name}: " + ", ".join(f"{k}={['%.4g' % v for v in vs]}" for k, vs in history.items())
              + f"; next {nxt['loss'][0]:.4g}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
