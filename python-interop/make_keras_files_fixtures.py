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
                                         every variable after that step, indexed as in the .weights.h5 file; <layer>
                                         is the layer's NAME (unique in a model), not its path in the files
                           attrs: seed, keras_version, tf_version, command, description

Every compiled case except untrained_adam is trained one epoch first, so the optimizer state is not trivial.
Dropout is only in the uncompiled case (a training step with Dropout cannot match mask for mask). Determinism as in
make_fixtures.py: oneDNN off, single-threaded TF, op determinism, clear_session() then set_random_seed(seed).

Layer addressing: Keras 3 stores a layer in .keras and .weights.h5 files not under its name but under the snake_case
of its class, numbered in order within its container (saving_lib._save_container_state): a Sequential of Dense layers
named "encoder" and "head" is stored as layers/dense/vars/0..1 and layers/dense_1/vars/0..1. The first seven cases use
automatic names, where name and path coincide; four cases exist so that a reader or writer keying by name fails:
  custom_names_sgd       custom layer and model names (encoder, bottleneck, head) over the paths dense, dense_1,
                         dense_2
  shifted_names_adagrad  automatic names shifted by a model built earlier in the same process (embedding_1,
                         flatten_1, dense_3) over the paths embedding, flatten, dense
  swapped_names_sgd      two Dense layers of equal shape named "dense_1" then "dense", i.e. each named the other's path:
                         a name-based reader loads them swapped without any shape error
  conv_bn_names_sgd      custom names on Conv2D, BatchNormalization, GlobalAveragePooling2D and Dense (stem,
                         stem_norm, block, block_norm, pool, classifier) over conv2d, batch_normalization, conv2d_1,
                         batch_normalization_1, global_average_pooling2d, dense
They use SGD with momentum or Adagrad, not Adam or RMSprop: Adam on a near-zero gradient turns last-bit CPU
differences into differences beyond the regeneration tolerance (see testdata/README.md), and
tests/test_keras_files_fixtures.py regenerates these four cases on whatever CPU runs it.

Usage: python python-interop/make_keras_files_fixtures.py [--out DIR] [--cases NAME [NAME ...]]
  (--cases: only these cases; default all. Do not recommit the first seven from another CPU: see testdata/README.md)
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


def custom_names_sgd():
    m = keras.Sequential([keras.Input((6,)), L.Dense(8, activation="relu", name="encoder"),
                          L.Dense(5, activation="tanh", name="bottleneck"),
                          L.Dense(3, activation="softmax", name="head")], name="custom_model")
    m.compile(optimizer=O.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, "float", "sparse"


def shifted_names_adagrad():
    # A model built (and dropped) first in the same session takes the automatic names embedding, flatten, dense,
    # dense_1 and dense_2, so the real model's layers are named embedding_1, flatten_1, dense_3 while Keras still
    # stores them under layers/embedding, layers/flatten, layers/dense.
    keras.Sequential([keras.Input((5,), dtype="int32"), L.Embedding(12, 3), L.Flatten(), L.Dense(2), L.Dense(2)])
    L.Dense(2)
    m = keras.Sequential([keras.Input((5,), dtype="int32"), L.Embedding(12, 4), L.Flatten(),
                          L.Dense(3, activation="softmax")])
    names = [layer.name for layer in m.layers]
    assert names == ["embedding_1", "flatten_1", "dense_3"], f"names not shifted as intended: {names}"
    m.compile(optimizer=O.Adagrad(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, "tokens", "sparse"


def swapped_names_sgd():
    m = keras.Sequential([keras.Input((6,)), L.Dense(6, activation="relu", name="dense_1"),
                          L.Dense(6, activation="tanh", name="dense"), L.Dense(3, activation="softmax", name="output")])
    m.compile(optimizer=O.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, "float", "sparse"


def conv_bn_names_sgd():
    m = keras.Sequential([
        keras.Input((8, 8, 1)),
        L.Conv2D(4, 3, padding="same", activation="relu", name="stem"),
        L.BatchNormalization(name="stem_norm"),
        L.Conv2D(4, 3, padding="same", activation="relu", name="block"),
        L.BatchNormalization(name="block_norm"),
        L.GlobalAveragePooling2D(name="pool"),
        L.Dense(3, activation="softmax", name="classifier"),
    ])
    m.compile(optimizer=O.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, "image", "sparse"


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
    # Names that are not the paths Keras stores layers under (the class's snake_case, numbered per container):
    "custom_names_sgd": (custom_names_sgd, 508, "custom names encoder/bottleneck/head (model custom_model) stored as "
                         "layers/dense, dense_1, dense_2; Dense relu/tanh/softmax; SGD(0.05, momentum 0.9), "
                         "sparse CE"),
    "shifted_names_adagrad": (shifted_names_adagrad, 509, "automatic names shifted by an earlier model "
                              "(embedding_1, flatten_1, dense_3) stored as layers/embedding, flatten, dense; int32 "
                              "input, Embedding, Flatten, Dense softmax; Adagrad(0.1), sparse CE"),
    "swapped_names_sgd": (swapped_names_sgd, 510, "equal-shape Dense layers named dense_1 then dense, stored as "
                          "layers/dense then layers/dense_1 (a name-based reader swaps them silently); "
                          "SGD(0.05, momentum 0.9), sparse CE"),
    "conv_bn_names_sgd": (conv_bn_names_sgd, 511, "custom names stem/stem_norm/block/block_norm/pool/classifier "
                          "stored as layers/conv2d, batch_normalization, conv2d_1, batch_normalization_1, "
                          "global_average_pooling2d, dense; SGD(0.05, momentum 0.9), sparse CE"),
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
    """Every variable keyed <layer NAME>/<i>, optimizer/<k> for expected.h5's after/ group: i and k index the
    variables as the .weights.h5 file does, but the file stores the layer under its class path (layers/dense_1/vars/i
    for a Dense named "dense"), not under this name."""
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
    p.add_argument("--cases", nargs="+", choices=list(CASES), metavar="NAME",
                   help="only these cases (default: all): " + ", ".join(CASES))
    args = p.parse_args(argv)
    deterministic_tf()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in [c for c in CASES if c in set(args.cases or CASES)]:  # each case starts with clear_session()
        run_case(name, args.out)


if __name__ == "__main__":
    main()
