"""Generates the Keras 3 model configs that kerasj's SavedModel config.json is compared against.

Writes, under --out (default: the repository's testdata/savedmodel/):
  configs/<case>.json     json.loads(model.to_json()) of each case below, pretty-printed (indent 2, Keras' key order):
                          the same document a .keras archive's config.json holds (with build and compile config)
  configs/_meta.json      keras and tensorflow versions and the command that made the configs
  get_config/<case>.json  model.get_config() of the same model, the other shape of config Keras users hold (no
                          class_name envelope, no build or compile config); Sequential.fromConfig/fromJson take both
  keras_export/           a tiny Keras model exported with model.export(): a Python SavedModel, which kerasj must
                          refuse to rebuild as a trainable model (it has no assets/config.json)

Each case is built in a fresh Keras session (keras.backend.clear_session()), so names restart at dense, dense_1, ...
exactly as in a new kerasj Sequential. The Java twin of every case is in
src/test/java/dev/kerasj/saving/keras/KerasConfigParityTest.java; keep them in step.

Usage: python python-interop/make_config_fixtures.py [--out DIR]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import pathlib
import shutil

import keras
import tensorflow as tf

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_config_fixtures.py"
L = keras.layers
I = keras.initializers


def mlp():
    m = keras.Sequential([keras.Input((64,)), L.Dense(32, activation="relu"), L.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def cnn_bn():
    m = keras.Sequential([
        keras.Input((8, 8, 1)),
        L.Conv2D(8, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(2),
        L.Conv2D(16, 3, padding="same", activation="relu"),
        L.AveragePooling2D(2),
        L.GlobalAveragePooling2D(),
        L.Dense(10, activation="softmax"),
    ])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def embedding():
    m = keras.Sequential([keras.Input((10,), dtype="int32"), L.Embedding(50, 8), L.Flatten(),
                          L.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    return m


def all_layers():
    """Every kerasj layer but GlobalAveragePooling2D (in cnn_bn), with non-default arguments where kerasj has them."""
    m = keras.Sequential([
        keras.Input((64,)),
        L.Reshape((8, 8, 1)),
        L.Conv2D(4, (3, 2), strides=(2, 1), padding="same", activation="tanh", use_bias=False,
                 kernel_initializer=I.HeNormal(seed=3)),
        L.BatchNormalization(momentum=0.9, epsilon=1e-4, name="bn"),
        L.MaxPooling2D(pool_size=2, strides=1, padding="same"),
        L.AveragePooling2D(2),
        L.Flatten(),
        L.Dropout(0.25),
        L.Dense(16, activation="gelu", kernel_initializer=I.RandomNormal(0.0, 0.1, seed=5),
                bias_initializer=I.Constant(0.5), name="hidden"),
        L.Activation("swish"),
        L.Dense(3, kernel_initializer=I.VarianceScaling(0.5, "fan_out", "untruncated_normal"),
                bias_initializer=I.RandomUniform(-0.1, 0.1)),
    ])
    m.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy", "sparse_categorical_accuracy"])
    return m


def rmsprop_huber():
    m = keras.Sequential([keras.Input((8,)), L.Dense(4, activation="elu", kernel_initializer="he_uniform"),
                          L.Dense(1, kernel_initializer="glorot_normal")])
    m.compile(optimizer=keras.optimizers.RMSprop(0.01, rho=0.8, momentum=0.5, epsilon=1e-6, centered=True),
              loss="huber", metrics=["mae"])
    return m


def adagrad_binary_logits():
    m = keras.Sequential([keras.Input((6,)), L.Dense(1, kernel_initializer="zeros", bias_initializer="ones")])
    m.compile(optimizer=keras.optimizers.Adagrad(0.05, initial_accumulator_value=0.2, epsilon=1e-6),
              loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=["binary_accuracy"])
    return m


def adamw_categorical_logits():
    m = keras.Sequential([keras.Input((5,)), L.Dense(3, activation="selu", kernel_initializer="random_uniform")])
    m.compile(optimizer=keras.optimizers.AdamW(0.002, weight_decay=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
              loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["categorical_accuracy", "mse"])
    return m


def uncompiled():
    return keras.Sequential([keras.Input((3,)), L.Dense(2, activation="softplus")])


CASES = [mlp, cnn_bn, embedding, all_layers, rmsprop_huber, adagrad_binary_logits, adamw_categorical_logits,
         uncompiled]


def write_configs(out):
    configs = out / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    get_configs = out / "get_config"
    get_configs.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        keras.backend.clear_session()
        model = case()
        config = json.loads(model.to_json())
        (configs / f"{case.__name__}.json").write_text(json.dumps(config, indent=2) + "\n")
        plain = json.loads(json.dumps(model.get_config()))  # tuples become lists, as in any JSON round trip
        (get_configs / f"{case.__name__}.json").write_text(json.dumps(plain, indent=2) + "\n")
    meta = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__, "command": COMMAND}
    (configs / "_meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def write_keras_export(out):
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), L.Dense(2)])
    target = out / "keras_export"
    shutil.rmtree(target, ignore_errors=True)
    model.export(str(target), verbose=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "savedmodel")
    parser.add_argument("--configs-only", action="store_true", help="skip the Keras export")
    args = parser.parse_args()
    write_configs(args.out)
    if not args.configs_only:
        write_keras_export(args.out)
    print(f"wrote {len(CASES)} configs to {args.out / 'configs'}")


if __name__ == "__main__":
    main()
