"""Generates the Keras reference fixtures for kerasj's registered custom objects (issue 17).

Writes, under --out (default: the repository's testdata/custom/):
  train.index + .data-*     one TF tensor bundle in the format of testdata/fixtures/ (see make_fixtures.py):
                              x, y, x_val, y_val, meta/weight_names, initial/<weight> (the fixed initial weights),
                              history/{loss,scaled_mae,val_loss,val_scaled_mae} (EPOCHS epochs),
                              final/<weight> (after them),
                              predict/x_val (model.predict(x_val) after them), next/<the same keys> and
                              next/<weight> (one more epoch, fit(initial_epoch=EPOCHS), from the saved state),
                              meta/*
  scaled_dense.keras        model.save() after the EPOCHS epochs: its config holds the custom layer
                            ("registered_name": "kerasj_test>ScaledDense") and the compile_config the custom loss
                            ("kerasj_test>ScaledMeanSquaredError") and metric ("kerasj_test>ScaledMeanAbsoluteError")

Model: Sequential([Input((4,)), ScaledDense(3, factor=0.5), Dense(2)]) with the classes of kerasj_custom_objects.py;
SGD(learning_rate=0.05); loss ScaledMeanSquaredError(weight=2.0); metrics [ScaledMeanAbsoluteError(scale=2.0)]
(an averaging metric, logged as scaled_mae); 3 epochs, batch 32, shuffle=False. Data from
numpy.random.default_rng(SEED): x normal [96, 4] float32, y normal [96, 2] float32; rows 0..79 train, 80..95
validate. Initial weights are fixed: keras.utils.set_random_seed(SEED) before the model is built, then recorded.
Determinism as in make_fixtures.py (oneDNN off, single-threaded TF, op determinism, jit_compile=False).

Usage: python python-interop/make_custom_fixtures.py [--out DIR]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import sys

import keras
import numpy as np
import tensorflow as tf

from kerasj_custom_objects import ScaledDense, ScaledMeanAbsoluteError, ScaledMeanSquaredError
from make_fixtures import BATCH_SIZE, EPOCHS, deterministic_tf, save_bundle, training_meta, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_custom_fixtures.py"
SEED = 1701
N_TRAIN = 80
N_VAL = 16
DESCRIPTION = ("Sequential([Input((4,)), ScaledDense(3, factor=0.5), Dense(2)]); "
               "optimizer=SGD(learning_rate=0.05); loss=ScaledMeanSquaredError(weight=2.0); "
               "metrics=[ScaledMeanAbsoluteError(scale=2.0)]; jit_compile=False; epochs=3, batch_size=32, "
               "shuffle=False, validation_data=(x_val, y_val); then one more epoch (initial_epoch=3)")


def build_model():
    model = keras.Sequential([keras.Input((4,)), ScaledDense(3, factor=0.5), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss=ScaledMeanSquaredError(weight=2.0),
                  metrics=[ScaledMeanAbsoluteError(scale=2.0)], jit_compile=False)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "custom",
                        help="output directory (default: the repository's testdata/custom/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    args.out.mkdir(parents=True, exist_ok=True)
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(N_TRAIN + N_VAL, 4)).astype(np.float32)
    y = rng.normal(size=(N_TRAIN + N_VAL, 2)).astype(np.float32)
    model = build_model()
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
    t["predict/x_val"] = model.predict(t["x_val"], batch_size=BATCH_SIZE, verbose=0)
    keras_path = args.out / "scaled_dense.keras"
    model.save(keras_path)
    # The next epoch starts from the saved file, as a Java user resuming from it does.
    resumed = keras.models.load_model(keras_path)
    following = resumed.fit(t["x"], t["y"], epochs=EPOCHS + 1, initial_epoch=EPOCHS, **fit)
    for key, values in following.history.items():
        t[f"next/{key}"] = np.asarray(values, dtype=np.float32)
    for n, w in zip(names, resumed.weights):
        t[f"next/{n}"] = np.array(w.numpy())
    t.update(training_meta(SEED, COMMAND, DESCRIPTION))
    save_bundle(args.out / "train", t)
    print(", ".join(f"{k}={['%.6g' % v for v in vs]}" for k, vs in history.history.items()),
          "next:", {k: v for k, v in following.history.items()}, flush=True)


if __name__ == "__main__":
    sys.exit(main())
