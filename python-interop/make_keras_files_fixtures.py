"""Generates Keras 3 native files (.keras archives and .weights.h5 files) for kerasj's reader and writer tests.

Writes, under --out (default: the repository's testdata/keras/), for each case below:
  <case>.keras           model.save(): config.json (with compile_config when compiled), metadata.json,
                         model.weights.h5 (weights and, when compiled, optimizer state)
  <case>.weights.h5      model.save_weights() of the same model at the same moment
  <case>.expected.h5     h5py file with what Java must reproduce:
                           x             inputs for predict (float32, or int32 tokens)
                           predict       model.predict(x, batch_size=32) at save time
                           step/x, step/y  one training batch (compiled cases only)
                           step/loss     the loss train_on_batch(step/x, step/y) returns
                           after/<layer>/<i>, after/optimizer/<k>
                                         every variable after that step, indexed as in the .weights.h5 file
                           attrs: seed, keras_version, tf_version, command, description

Every compiled case except untrained_adam is trained one epoch first, so the optimizer state is not trivial.
Dropout is only in the uncompiled case (a training step with Dropout cannot match mask for mask). Determinism as in
make_fixtures.py: oneDNN off, single-threaded TF, op determinism, clear_session() then set_random_seed(seed).

Usage: python python-interop/make_keras_files_fixtures.py [--out DIR]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib

import h5py
import keras
import numpy as np
import tensorflow as tf

from make_fixtures import deterministic_tf

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_keras_files_fixtures.py"
L = keras.layers
O = keras.optimizers


def mlp_adam():
    m = keras.Sequential([keras.Input((6,)), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer=O.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, "float", "sparse"


def cnn_sgd_momentum():
    m = keras.Sequential([
        keras.Input((8, 8, 1)),
        L.Conv2D(3, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(2),
        L.Conv2D(2, 2, strides=(1, 1), padding="valid", activation="tanh", kernel_initializer="he_normal"),
        L.AveragePooling2D(1),
        L.Flatten(),
        L.Dense(4),
        L.Activation("softmax"),
    ])
    m.compile(optimizer=O.SGD(0.05, momentum=0.9, nesterov=True), loss="categorical_crossentropy",
              metrics=["categorical_accuracy"])
    return m, "image", "onehot"


def gap_rmsprop():
    m = keras.Sequential([keras.Input((6, 6, 2)), L.Conv2D(4, 3, activation="elu"), L.GlobalAveragePooling2D(),
                          L.Dense(1, activation="sigmoid")])
    m.compile(optimizer=O.RMSprop(1e-2, momentum=0.5, centered=True), loss="binary_crossentropy",
              metrics=["binary_accuracy"])
    return m, "image2", "binary"


def embedding_adagrad():
    m = keras.Sequential([keras.Input((5,), dtype="int32"), L.Embedding(12, 4), L.Flatten(),
                          L.Dense(2, activation="softmax")])
    m.compile(optimizer=O.Adagrad(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, "tokens", "sparse2"


def reshape_adamw():
    m = keras.Sequential([keras.Input((12,)), L.Reshape((3, 4)), L.Flatten(), L.Dense(5, activation="swish"),
                          L.Dense(2)])
    m.compile(optimizer=O.AdamW(1e-2, weight_decay=0.01), loss="mse", metrics=["mae"])
    return m, "float12", "regression"


def untrained_adam():
    m = keras.Sequential([keras.Input((6,)), L.Dense(8, activation="sigmoid"), L.Dense(3, activation="softmax")])
    m.compile(optimizer=O.Adam(5e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, "float", "sparse"


def uncompiled_dropout():
    m = keras.Sequential([keras.Input((6,)), L.Dense(8, activation="gelu"), L.Dropout(0.25),
                          L.Dense(3, activation="softmax")])
    return m, "float", None


# case -> (factory, seed, description); Java twins: src/test/java/dev/kerasj/saving/keras/KerasFilesFixturesTest.java
CASES = {
    "mlp_adam": (mlp_adam, 501, "Dense/relu/softmax, Adam(1e-2), sparse CE, accuracy"),
    "cnn_sgd_momentum": (cnn_sgd_momentum, 502, "Conv2D same/valid, BatchNormalization, MaxPooling2D, "
                         "AveragePooling2D, Flatten, Dense, Activation; SGD(0.05, momentum 0.9, nesterov), "
                         "categorical CE"),
    "gap_rmsprop": (gap_rmsprop, 503, "Conv2D elu, GlobalAveragePooling2D, Dense sigmoid; RMSprop(1e-2, momentum "
                    "0.5, centered), binary CE"),
    "embedding_adagrad": (embedding_adagrad, 504, "int32 input, Embedding, Flatten, Dense; Adagrad(0.1)"),
    "reshape_adamw": (reshape_adamw, 505, "Reshape, Flatten, Dense swish, Dense linear; AdamW(1e-2, wd 0.01), mse"),
    "untrained_adam": (untrained_adam, 507, "compiled, never trained: Keras saves only iterations and learning "
                       "rate of its unbuilt optimizer"),
    "uncompiled_dropout": (uncompiled_dropout, 506, "Dense gelu, Dropout(0.25), Dense softmax; not compiled"),
}


def data(kind, target, rng, n):
    shapes = {"float": (6,), "image": (8, 8, 1), "image2": (6, 6, 2), "float12": (12,)}
    if kind == "tokens":
        x = rng.integers(0, 12, size=(n, 5)).astype("int32")
    else:
        x = rng.normal(size=(n,) + shapes[kind]).astype("float32")
    if target == "sparse":
        y = rng.integers(0, 3, size=n).astype("int32")
    elif target == "sparse2":
        y = rng.integers(0, 2, size=n).astype("int32")
    elif target == "onehot":
        y = np.eye(4, dtype="float32")[rng.integers(0, 4, size=n)]
    elif target == "binary":
        y = rng.integers(0, 2, size=(n, 1)).astype("float32")
    elif target == "regression":
        y = rng.normal(size=(n, 2)).astype("float32")
    else:
        y = None
    return x, y


def weights_by_file_path(model):
    """Every variable keyed as in a .weights.h5 file: <layer>/<i>, optimizer/<k>."""
    out = {}
    for layer in model.layers:
        for i, v in enumerate(layer._trainable_variables + layer._non_trainable_variables):  # as save_own_variables
            out[f"{layer.name}/{i}"] = np.array(v.numpy())
    if getattr(model, "optimizer", None) is not None and model.optimizer.built:
        for k, v in enumerate(model.optimizer.variables):
            out[f"optimizer/{k}"] = np.array(v.numpy())
    return out


def run_case(name, out):
    factory, seed, description = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model, kind, target = factory()
    rng = np.random.default_rng(seed)
    x, y = data(kind, target, rng, 40)
    if target is not None and not name.startswith("untrained"):
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    x_pred = x[:10]
    predict = model.predict(x_pred, batch_size=32, verbose=0)
    model.save(out / f"{name}.keras")
    model.save_weights(out / f"{name}.weights.h5")
    with h5py.File(out / f"{name}.expected.h5", "w") as f:
        f["x"] = x_pred
        f["predict"] = predict
        if target is not None:
            sx, sy = x[:16], y[:16]
            f["step/x"] = sx
            f["step/y"] = sy
            loss = model.train_on_batch(sx, sy, return_dict=True)["loss"]
            f["step/loss"] = np.float32(loss)
            for key, value in weights_by_file_path(model).items():
                f[f"after/{key}"] = value
        f.attrs["seed"] = seed
        f.attrs["keras_version"] = keras.__version__
        f.attrs["tf_version"] = tf.__version__
        f.attrs["command"] = COMMAND
        f.attrs["description"] = description
    print(f"{name}: {description}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "keras")
    args = p.parse_args(argv)
    deterministic_tf()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        run_case(name, args.out)


if __name__ == "__main__":
    main()
