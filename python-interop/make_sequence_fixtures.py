"""Generates the Keras reference fixtures of kerasj's sequence layers (Conv1D, MaxPooling1D, AveragePooling1D,
GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalMaxPooling2D, LayerNormalization, Masking).

Writes, under --out (default: the repository's testdata/), in sequence/:
  <case>.index + .data-00000-of-00001    one TF tensor bundle per training case, in make_fixtures.py's format
                                         (x, y, x_val, y_val, meta/weight_names, initial/<layer>/<var>,
                                         final/<layer>/<var>, history/<key>, predict, evaluate/<key>, meta/...)
  <case>.keras, <case>.weights.h5        the trained model: model.save() and model.save_weights()
  configs/<layer case>.json              json.loads(model.to_json()) of a small uncompiled model per new layer,
                                         with non-default arguments, and one Functional model (src/test/.../layers/SequenceConfigTest.java
                                         holds the Java twin of each)
  configs/_meta.json                     versions and command

Training cases (3 epochs, batch 32, no shuffling, validation on 64 rows, as make_fixtures.py):
  conv1d_digits    the digits read as 8 time steps (image rows) of 8 features (pixels / 16): Conv1D(causal,
                   dilation 2) -> MaxPooling1D -> Conv1D(same) -> LayerNormalization -> GlobalAveragePooling1D ->
                   Dense softmax; Sequential
  masked_steps     Functional: synthetic sequences of 3..10 real steps of 3 features, zero-padded at the end to 10
                   steps; Masking -> Dense(tanh) -> [GlobalAveragePooling1D (mask respected),
                   GlobalMaxPooling1D (mask dropped, as in Keras)] -> Concatenate -> Dense sigmoid
  pooling_variants digits as 8x8 sequences: AveragePooling1D(same, stride 1) -> Conv1D(same, dilation 2) ->
                   Conv1D(stride 2) -> Reshape -> Conv2D -> GlobalMaxPooling2D -> Dense softmax; Sequential

Usage: python python-interop/make_sequence_fixtures.py [--out DIR]
"""

import os

# As in make_fixtures.py (imported below, which sets the same): before TensorFlow is imported.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import sys

import keras
import tensorflow as tf

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_sequence_fixtures.py"
L = keras.layers
STEPS = 10
FEATURES = 3


def padded_sequences(seed):
    """mf.padded_sequences: rows of 3..10 real steps of 3 features, zero-padded at the end."""
    return mf.padded_sequences(seed, STEPS, FEATURES)


def conv1d_digits():
    model = keras.Sequential([
        keras.Input((8, 8)),
        L.Conv1D(8, 3, padding="causal", dilation_rate=2, activation="relu"),
        L.MaxPooling1D(2),
        L.Conv1D(16, 3, padding="same", activation="relu"),
        L.LayerNormalization(),
        L.GlobalAveragePooling1D(),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


def masked_steps():
    inputs = keras.Input((STEPS, FEATURES), name="steps")
    h = L.Dense(8, activation="tanh")(L.Masking()(inputs))
    pooled = L.Concatenate()([L.GlobalAveragePooling1D()(h), L.GlobalMaxPooling1D()(h)])
    model = keras.Model(inputs, L.Dense(1, activation="sigmoid")(pooled))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"], jit_compile=False)
    return model, padded_sequences(202)


def pooling_variants():
    model = keras.Sequential([
        keras.Input((8, 8)),
        L.AveragePooling1D(3, strides=1, padding="same"),
        L.Conv1D(6, 3, padding="same", dilation_rate=2, activation="relu"),
        L.Conv1D(4, 2, strides=2, activation="relu"),
        L.Reshape((4, 4, 1)),
        L.Conv2D(4, 2, activation="relu"),
        L.GlobalMaxPooling2D(),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


# name -> (builder, seed)
CASES = {"conv1d_digits": (conv1d_digits, 201), "masked_steps": (masked_steps, 202),
         "pooling_variants": (pooling_variants, 203)}

DESCRIPTIONS = {
    "conv1d_digits": "Sequential([Input((8, 8)), Conv1D(8, 3, padding='causal', dilation_rate=2, activation='relu'), "
                     "MaxPooling1D(2), Conv1D(16, 3, padding='same', activation='relu'), LayerNormalization(), "
                     "GlobalAveragePooling1D(), Dense(10, activation='softmax')]); Adam(1e-3); "
                     "sparse_categorical_crossentropy; metrics=['accuracy']",
    "masked_steps": "Model(Input((10, 3)) -> Masking() -> Dense(8, tanh) -> Concatenate([GlobalAveragePooling1D, "
                    "GlobalMaxPooling1D]) -> Dense(1, sigmoid)); Adam(1e-2); binary_crossentropy; "
                    "metrics=['accuracy']",
    "pooling_variants": "Sequential([Input((8, 8)), AveragePooling1D(3, strides=1, padding='same'), Conv1D(6, 3, "
                        "padding='same', dilation_rate=2, activation='relu'), Conv1D(4, 2, strides=2, "
                        "activation='relu'), Reshape((4, 4, 1)), Conv2D(4, 2, activation='relu'), "
                        "GlobalMaxPooling2D(), Dense(10, activation='softmax')]); Adam(1e-3); "
                        "sparse_categorical_crossentropy; metrics=['accuracy']",
}


def run_case(name, out):
    builder, seed = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model, data = builder()
    return mf.fit_and_save(out, name, model, data, mf.weight_names(model), seed, COMMAND, DESCRIPTIONS[name])


# One small uncompiled model per new layer, non-default arguments where the layer has them.
CONFIG_CASES = {
    "conv1d": lambda: keras.Sequential([
        keras.Input((12, 3)),
        L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu", name="causal"),
        L.Conv1D(5, 2, strides=2, padding="same", use_bias=False, kernel_initializer="he_normal"),
        L.Conv1D(2, 1)]),
    "pooling1d": lambda: keras.Sequential([
        keras.Input((12, 3)),
        L.MaxPooling1D(),
        L.MaxPooling1D(3, strides=1, padding="same"),
        L.AveragePooling1D(2),
        L.AveragePooling1D(2, strides=1, padding="same", name="avg")]),
    "global_pooling": lambda: keras.Sequential([
        keras.Input((6, 5, 2)), L.Reshape((30, 2)), L.GlobalMaxPooling1D(), L.Reshape((2, 1, 1)),
        L.GlobalMaxPooling2D(name="gmp2")]),
    "masking_gap1d": lambda: keras.Sequential([
        keras.Input((7, 4)), L.Masking(mask_value=-1.0), L.Dense(3), L.GlobalAveragePooling1D()]),
    "layer_normalization": lambda: keras.Sequential([
        keras.Input((5, 4)), L.LayerNormalization(),
        L.LayerNormalization(epsilon=1e-6, center=False, name="ln_scale_only"),
        L.LayerNormalization(scale=False, beta_initializer="ones")]),
    "functional_pooling": lambda: functional_pooling(),
}


def functional_pooling():
    """A Functional model: Keras records GlobalAveragePooling1D's call with mask=None (its call takes a mask)."""
    inputs = keras.Input((10, 3))
    h = L.LayerNormalization()(L.Conv1D(4, 3, padding="causal")(inputs))
    # Lists, as kerasj writes input_layers/output_layers (a bare tensor makes Keras write one [name, 0, 0]).
    return keras.Model([inputs], [L.Concatenate()([L.GlobalAveragePooling1D()(h), L.GlobalMaxPooling1D()(h)])])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata")
    args = parser.parse_args(argv)
    mf.deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    out = args.out / "sequence"
    out.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        print(name, run_case(name, out), flush=True)
    mf.write_configs(out, CONFIG_CASES, COMMAND)


if __name__ == "__main__":
    sys.exit(main())
