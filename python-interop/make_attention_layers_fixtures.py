"""Generates the Keras reference fixtures of kerasj's Attention (Luong) and AdditiveAttention (Bahdanau) layers.

Writes, under --out (default: the repository's testdata/), in attention_layers/, per case what make_rnn_fixtures.py
writes for its training cases (make_fixtures.fit_and_save: the tensor bundle <case>.index + .data-00000-of-00001 with
data, initial and final weights, history, predictions and evaluation; <case>.keras; <case>.weights.h5), and
configs/<case>.json, json.loads(model.to_json()) of the untrained model, with configs/_meta.json.

Training cases (3 epochs, batch 32, no shuffling, validation on 64 rows, as make_fixtures.py). attention_text trains
with Adam(1e-2); the two cases with tanh scores with SGD(0.1): the query and key projections there get gradients so
small that Adam's normalisation scales their last-bit rounding differences (TensorFlow's Python gradients against the
C++ ones kerasj uses) up to 1e-5 in the weights after 24 steps, as make_attention_fixtures.py found for
MultiHeadAttention.
  attention_text       make_rnn_fixtures.token_sequences(321): Embedding(20, 8, mask_zero=True) = e;
                       Attention(use_scale=True)([e, e], use_causal_mask=True) -> GlobalAveragePooling1D -> Dense(1,
                       sigmoid); the padding mask reaches query and value and is ANDed with the causal mask
  attention_concat     the digits as 8 steps of 8 features (x): Attention(score_mode="concat", use_scale=True)(
                       [Dense(8)(x), x, x]) -> GlobalAveragePooling1D -> Dense(10, softmax)
  additive_text        make_rnn_fixtures.token_sequences(323): Embedding(20, 8, mask_zero=True) = e;
                       output, scores = AdditiveAttention()([e, e, Dense(8)(e)], return_attention_scores=True);
                       Concatenate()([GlobalAveragePooling1D()(output), Flatten()(scores)]) -> Dense(1, sigmoid)

Usage: python python-interop/make_attention_layers_fixtures.py [--out DIR] [--cases NAME ...]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import sys

import keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402
import make_rnn_fixtures as rnn  # noqa: E402

COMMAND = "python-interop/.venv/bin/python python-interop/make_attention_layers_fixtures.py"
L = keras.layers


def attention_text_model():
    ids = keras.Input((rnn.STEPS,), dtype="int32")
    e = L.Embedding(rnn.VOCABULARY, 8, mask_zero=True)(ids)
    a = L.Attention(use_scale=True)([e, e], use_causal_mask=True)
    return keras.Model(ids, L.Dense(1, activation="sigmoid")(L.GlobalAveragePooling1D()(a)))


def attention_concat_model():
    x = keras.Input((8, 8))
    a = L.Attention(score_mode="concat", use_scale=True)([L.Dense(8)(x), x, x])
    return keras.Model(x, L.Dense(10, activation="softmax")(L.GlobalAveragePooling1D()(a)))


def additive_text_model():
    ids = keras.Input((rnn.STEPS,), dtype="int32")
    e = L.Embedding(rnn.VOCABULARY, 8, mask_zero=True)(ids)
    output, scores = L.AdditiveAttention()([e, e, L.Dense(8)(e)], return_attention_scores=True)
    both = L.Concatenate()([L.GlobalAveragePooling1D()(output), L.Flatten()(scores)])
    return keras.Model(ids, L.Dense(1, activation="sigmoid")(both))


def attention_text():
    return rnn.binary_compile(attention_text_model()), rnn.token_sequences(321)


def attention_concat():
    model = attention_concat_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


def additive_text():
    model = additive_text_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=False)
    return model, rnn.token_sequences(323)


CASES = {
    "attention_text": (attention_text, 321),
    "attention_concat": (attention_concat, 322),
    "additive_text": (additive_text, 323),
}

DESCRIPTIONS = {
    "attention_text": "ids = Input((10,), dtype='int32'); e = Embedding(20, 8, mask_zero=True)(ids); a = "
                      "Attention(use_scale=True)([e, e], use_causal_mask=True); Model(ids, Dense(1, "
                      "activation='sigmoid')(GlobalAveragePooling1D()(a))); Adam(1e-2); binary_crossentropy; "
                      "metrics=['accuracy']; token ids zero-padded at the end (even rows) or the start (odd)",
    "attention_concat": "x = Input((8, 8)); a = Attention(score_mode='concat', use_scale=True)([Dense(8)(x), x, x]); "
                        "Model(x, Dense(10, activation='softmax')(GlobalAveragePooling1D()(a))); SGD(0.1); "
                        "sparse_categorical_crossentropy; metrics=['accuracy']",
    "additive_text": "ids = Input((10,), dtype='int32'); e = Embedding(20, 8, mask_zero=True)(ids); o, s = "
                     "AdditiveAttention()([e, e, Dense(8)(e)], return_attention_scores=True); Model(ids, Dense(1, "
                     "activation='sigmoid')(Concatenate()([GlobalAveragePooling1D()(o), Flatten()(s)]))); "
                     "SGD(0.1); binary_crossentropy; metrics=['accuracy']; token ids zero-padded at the end (even "
                     "rows) or the start (odd)",
}

CONFIG_CASES = {
    "attention_text": attention_text_model,
    "attention_concat": attention_concat_model,
    "additive_text": additive_text_model,
}


def run_case(name, out):
    builder, seed = CASES[name]
    return mf.run_training_case(out, name, builder, seed, COMMAND, DESCRIPTIONS[name])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=rnn.REPO / "testdata")
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    args = parser.parse_args(argv)
    out = mf.fixture_dir(args.out, "attention_layers")
    for name in args.cases:
        print(name, run_case(name, out), flush=True)
    mf.write_configs(out, CONFIG_CASES, COMMAND)


if __name__ == "__main__":
    sys.exit(main())
