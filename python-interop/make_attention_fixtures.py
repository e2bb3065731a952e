"""Generates the Keras reference fixtures of kerasj's MultiHeadAttention (Keras 3.15's layer, its EinsumDense
sublayers query/key/value/attention_output, masks as Keras combines them).

Writes, under --out (default: the repository's testdata/), in attention/:
  <case>.index + .data-00000-of-00001    one TF tensor bundle per training case, in make_fixtures.py's format
                                         (x, y, x_val, y_val, meta/weight_names, initial/<path>, final/<path>,
                                         history/<key>, predict, evaluate/<key>, meta/...), where <path> is Keras'
                                         variable.path (multi_head_attention/query/kernel, dense/bias)
  <case>.keras, <case>.weights.h5        the trained model: model.save() and model.save_weights()
  <case>_ckpt/ckpt-1.*, checkpoint       the trained model as a TF object-based checkpoint:
                                         tf.train.Checkpoint(model=model, optimizer=model.optimizer).save()
  <case>.json                            json.loads(to_json()) of the case's model, uncompiled, inputs and outputs
                                         as lists
  value_mask_config.json                 to_json() of a small uncompiled model whose value alone is masked
  _meta.json                             versions and command

SGD, not Adam: the gradient of every bias that shifts all keys alike (the key projection's bias, a Dense bias right
before the key) is exactly zero in theory (softmax does not change when every logit of a row moves by the same
amount), so what TensorFlow computes for it is float rounding noise; Adam divides by the noise's own size and turns it
into steps of the learning rate's size, which would make those weights compare rounding noise. SGD keeps them ~1e-9.

Training cases (3 epochs, batch 32, no shuffling, validation on 64 rows, as make_fixtures.py):
  encoder_digits    a Transformer encoder block on the digits read as 8 time steps of 8 features (pixels / 16):
                    Dense(16) -> MultiHeadAttention(2, 8)(h, h, use_causal_mask=True) + residual Add ->
                    LayerNormalization -> Dense(32, relu) -> Dense(16) + residual Add -> LayerNormalization ->
                    GlobalAveragePooling1D -> Dense(10, softmax)
  masked_attention  synthetic sequences of 3..10 real steps of 3 features, zero-padded to 10 steps (as
                    make_sequence_fixtures.py's masked_steps): Masking -> Dense(8, tanh) ->
                    MultiHeadAttention(2, 4)(h, h, use_causal_mask=True), whose query and value carry the padding
                    mask -> GlobalAveragePooling1D (mask respected) -> Dense(1, sigmoid)
  cross_attention   digits: query Dense(6) over 8 steps; value Dense(5) and key Dense(3) over 4 max-pooled steps;
                    MultiHeadAttention(3, 4, value_dim=2, output_shape=12, use_bias=False)(query, value, key) ->
                    GlobalAveragePooling1D -> Dense(10, softmax)
  dropout_attention masked_attention's model with MultiHeadAttention(2, 4, dropout=0.25): Keras' other attention
                    path (query scaled first, masked logits -1e9, fully masked rows zeroed); its training draws Keras'
                    random stream, so Java compares its inference only (predict, evaluate, the saved files)

Usage: python python-interop/make_attention_fixtures.py [--out DIR]
"""

import os

# As in make_fixtures.py (imported below, which sets the same): before TensorFlow is imported.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import pathlib
import sys

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402
import make_sequence_fixtures as msf  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_attention_fixtures.py"
L = keras.layers


def encoder_digits():
    inputs = keras.Input((8, 8))
    h = L.Dense(16)(inputs)
    a = L.MultiHeadAttention(num_heads=2, key_dim=8)(h, h, use_causal_mask=True)
    h = L.LayerNormalization()(L.Add()([h, a]))
    f = L.Dense(32, activation="relu")(h)  # made before Dense(16), so that it is dense_1 as in topological order
    f = L.Dense(16)(f)
    h = L.LayerNormalization()(L.Add()([h, f]))
    model = keras.Model(inputs, L.Dense(10, activation="softmax")(L.GlobalAveragePooling1D()(h)))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


def masked_attention():
    inputs = keras.Input((msf.STEPS, msf.FEATURES), name="steps")
    h = L.Dense(8, activation="tanh")(L.Masking()(inputs))
    a = L.MultiHeadAttention(num_heads=2, key_dim=4)(h, h, use_causal_mask=True)
    model = keras.Model(inputs, L.Dense(1, activation="sigmoid")(L.GlobalAveragePooling1D()(a)))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=False)
    return model, msf.padded_sequences(302)


def cross_attention():
    inputs = keras.Input((8, 8))
    query = L.Dense(6)(inputs)
    pooled = L.MaxPooling1D(2)(inputs)
    value = L.Dense(5)(pooled)
    key = L.Dense(3)(pooled)
    a = L.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=2, output_shape=12, use_bias=False)(query, value, key)
    model = keras.Model(inputs, L.Dense(10, activation="softmax")(L.GlobalAveragePooling1D()(a)))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


def dropout_attention():
    inputs = keras.Input((msf.STEPS, msf.FEATURES), name="steps")
    h = L.Dense(8, activation="tanh")(L.Masking()(inputs))
    a = L.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.25)(h, h, use_causal_mask=True)
    model = keras.Model(inputs, L.Dense(1, activation="sigmoid")(L.GlobalAveragePooling1D()(a)))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=False)
    return model, msf.padded_sequences(304)


# name -> (builder, seed)
CASES = {"encoder_digits": (encoder_digits, 301), "masked_attention": (masked_attention, 302),
         "cross_attention": (cross_attention, 303), "dropout_attention": (dropout_attention, 304)}

DESCRIPTIONS = {
    "encoder_digits": "Model(Input((8, 8)) -> Dense(16) -> h; MultiHeadAttention(num_heads=2, key_dim=8)(h, h, "
                      "use_causal_mask=True) -> a; LayerNormalization()(Add()([h, a])) -> h; "
                      "Dense(32, relu)(h) -> f; Dense(16)(f) -> f; LayerNormalization()(Add()([h, f])) -> "
                      "GlobalAveragePooling1D() -> Dense(10, softmax)); SGD(0.1); sparse_categorical_crossentropy; "
                      "metrics=['accuracy']",
    "masked_attention": "Model(Input((10, 3)) -> Masking() -> Dense(8, tanh) -> h; MultiHeadAttention(num_heads=2, "
                        "key_dim=4)(h, h, use_causal_mask=True) -> GlobalAveragePooling1D() -> Dense(1, sigmoid)); "
                        "SGD(0.1); binary_crossentropy; metrics=['accuracy']",
    "cross_attention": "Model(Input((8, 8)) -> x; query = Dense(6)(x); p = MaxPooling1D(2)(x); value = Dense(5)(p); "
                       "key = Dense(3)(p); MultiHeadAttention(num_heads=3, key_dim=4, value_dim=2, output_shape=12, "
                       "use_bias=False)(query, value, key) -> GlobalAveragePooling1D() -> Dense(10, softmax)); "
                       "SGD(0.1); sparse_categorical_crossentropy; metrics=['accuracy']",
    "dropout_attention": "masked_attention's model with MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.25); "
                         "SGD(0.1); binary_crossentropy; metrics=['accuracy']. Keras' dropout draws its own random "
                         "stream: only inference (predict, evaluate, the saved files) is comparable",
}


def value_mask_config():
    """Config only: the value carries a Masking mask, the query none. The attention's output takes the query's (no)
    mask, so Keras records GlobalAveragePooling1D's call with mask=None and writes no NotEqual/Any op layers."""
    q = keras.Input((4, 3), name="q")
    v = keras.Input((6, 3), name="v")
    a = L.MultiHeadAttention(2, 4)(q, L.Masking()(v))
    return keras.Model([q, v], [L.GlobalAveragePooling1D()(a)])


def weight_paths(model):
    """Keras' variable.path of each of model.weights: layer/variable, layer/sublayer/variable inside attention."""
    return [w.path for w in model.weights]


def run_case(name, out):
    builder, seed = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model, data = builder()
    # The config of an uncompiled twin over the same layers, with lists of inputs and outputs (the form kerasj writes;
    # a bare tensor makes Keras write one [name, 0, 0]).
    twin = keras.Model(list(model.inputs), list(model.outputs), name=model.name)
    (out / f"{name}.json").write_text(json.dumps(json.loads(twin.to_json()), indent=2) + "\n")
    names = weight_paths(model)
    history = mf.fit_and_save(out, name, model, data, names, seed, COMMAND, DESCRIPTIONS[name])
    # save(), not write(): it tracks save_counter too (so assert_consumed() passes) and writes the state file.
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(str(out / f"{name}_ckpt" / "ckpt"))
    return history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata")
    args = parser.parse_args(argv)
    mf.deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    out = args.out / "attention"
    out.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        print(name, run_case(name, out), flush=True)
    keras.backend.clear_session()
    (out / "value_mask_config.json").write_text(json.dumps(json.loads(value_mask_config().to_json()), indent=2) + "\n")
    meta = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__, "numpy_version": np.__version__,
            "command": COMMAND}
    (out / "_meta.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
