"""Generates the Keras reference fixtures of recurrent layers with several outputs (return_state) and initial states.

Writes, under --out (default: the repository's testdata/), in rnn_state/, per case, what make_rnn_fixtures.py writes
for its training cases (make_fixtures.fit_and_save: the tensor bundle <case>.index + .data-00000-of-00001 with data,
initial and final weights, history, predictions and evaluation; <case>.keras; <case>.weights.h5), and
configs/<case>.json, json.loads(model.to_json()) of the untrained model, with configs/_meta.json.

Training cases (3 epochs, batch 32, no shuffling, validation on 64 rows, as make_fixtures.py):
  seq2seq_reverse    an encoder-decoder on integer sequences: 6 token ids in 1..9; the target at step t is the id at
                     step 5 - t (the sequence reversed). Embedding(10, 8) -> encoder LSTM(16, return_state=True),
                     whose states h and c start the decoder LSTM(16, return_sequences=True) (initial_state=[h, c])
                     over the same embedded ids -> Dense(10, softmax) at every step; sparse_categorical_crossentropy
                     on [batch, 6] labels
  gru_state_masked   make_rnn_fixtures.token_sequences (seed 312): Embedding(20, 6, mask_zero=True) ->
                     GRU(5, return_sequences=True, return_state=True) -> (sequence, h); SimpleRNN(4,
                     return_sequences=True, return_state=True)(sequence, initial_state=[Dense(4)(h)]) -> (sequence2,
                     h2); Concatenate([Flatten()(sequence2), h, h2]) -> Dense(1, sigmoid). The mask reaches the GRU;
                     the SimpleRNN, called with initial_state, runs without it (Keras 3.15's Layer.__call__ fills
                     `mask` only for a call of one tensor argument) while its output still carries it to Flatten
  bidirectional_state  make_rnn_fixtures.token_sequences (seed 313): Embedding(20, 6, mask_zero=True) = e;
                     output, h_f, c_f, h_b, c_b = Bidirectional(LSTM(4, return_state=True))(e) (masked);
                     LSTM(8)(e, initial_state=[Concatenate()([h_f, h_b]), Concatenate()([c_f, c_b])]) = d (a decoder
                     started from both directions' states, without the mask); Concatenate()([output, d]) -> Dense(1,
                     sigmoid)
  bidirectional_initial_state  make_rnn_fixtures.token_sequences (seed 315): Embedding(20, 6, mask_zero=True) = e;
                     output, h_f, c_f, h_b, c_b = Bidirectional(LSTM(4, return_state=True))(e) (masked);
                     d = Bidirectional(LSTM(4))(e, initial_state=[h_b, c_b, h_f, c_f]) (Keras gives the first half of
                     the states to the forward layer, the rest to the backward one; swapped here so that the order
                     shows; without the mask, as a call of two tensor arguments); Concatenate()([output, d]) ->
                     Dense(1, sigmoid)

Not a training case (no training trajectory to compare: Keras and kerasj draw their own dropout masks):
  recurrent_dropout  lstm_dropout.keras, Keras' own file of Input((10, 4)) -> LSTM(8, dropout=0.5,
                     return_sequences=True) -> GRU(4, dropout=0.5) -> Dense(1), compiled SGD(1e-9) (weights all but
                     move), mse, whose config records {"training": false, "mask": null} for both recurrent calls; and
                     the bundle lstm_dropout with x, y (padded_sequences seed 314, the first 32 training rows), predict
                     (of x), evaluate/loss and fit_loss, the loss of one fit epoch on x as one batch. Keras' Functional
                     overrides a recorded training with fit's training=True (functional.operation_fn), so fit_loss
                     differs from evaluate/loss (checked here)

Usage: python python-interop/make_rnn_state_fixtures.py [--out DIR] [--cases NAME ...]
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

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402
import make_rnn_fixtures as rnn  # noqa: E402

COMMAND = "python-interop/.venv/bin/python python-interop/make_rnn_state_fixtures.py"
L = keras.layers
REVERSE_STEPS = 6
REVERSE_VOCABULARY = 10


def reverse_sequences(seed):
    """int32 rows of 6 ids in 1..9; y (int32, [n, 6]) is each row reversed."""
    rng = np.random.default_rng(seed)
    n = mf.N_TRAIN + mf.N_VAL
    x = rng.integers(1, REVERSE_VOCABULARY, size=(n, REVERSE_STEPS)).astype(np.int32)
    y = x[:, ::-1].copy()
    return x[:mf.N_TRAIN], y[:mf.N_TRAIN], x[mf.N_TRAIN:], y[mf.N_TRAIN:]


def seq2seq_model():
    ids = keras.Input((REVERSE_STEPS,), dtype="int32")
    embedded = L.Embedding(REVERSE_VOCABULARY, 8)(ids)
    _, h, c = L.LSTM(16, return_state=True)(embedded)
    decoded = L.LSTM(16, return_sequences=True)(embedded, initial_state=[h, c])
    return keras.Model(ids, L.Dense(REVERSE_VOCABULARY, activation="softmax")(decoded))


def seq2seq_reverse():
    model = seq2seq_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, reverse_sequences(311)


def gru_state_model():
    ids = keras.Input((rnn.STEPS,), dtype="int32")
    vectors = L.Embedding(rnn.VOCABULARY, 6, mask_zero=True)(ids)
    sequence, h = L.GRU(5, return_sequences=True, return_state=True)(vectors)
    sequence2, h2 = L.SimpleRNN(4, return_sequences=True, return_state=True)(sequence, initial_state=[L.Dense(4)(h)])
    both = L.Concatenate()([L.Flatten()(sequence2), h, h2])
    return keras.Model(ids, L.Dense(1, activation="sigmoid")(both))


def gru_state_masked():
    return rnn.binary_compile(gru_state_model()), rnn.token_sequences(312)


def bidirectional_state_model():
    ids = keras.Input((rnn.STEPS,), dtype="int32")
    e = L.Embedding(rnn.VOCABULARY, 6, mask_zero=True)(ids)
    output, h_f, c_f, h_b, c_b = L.Bidirectional(L.LSTM(4, return_state=True))(e)
    d = L.LSTM(8)(e, initial_state=[L.Concatenate()([h_f, h_b]), L.Concatenate()([c_f, c_b])])
    return keras.Model(ids, L.Dense(1, activation="sigmoid")(L.Concatenate()([output, d])))


def bidirectional_state():
    return rnn.binary_compile(bidirectional_state_model()), rnn.token_sequences(313)


def bidirectional_initial_state_model():
    ids = keras.Input((rnn.STEPS,), dtype="int32")
    e = L.Embedding(rnn.VOCABULARY, 6, mask_zero=True)(ids)
    output, h_f, c_f, h_b, c_b = L.Bidirectional(L.LSTM(4, return_state=True))(e)
    d = L.Bidirectional(L.LSTM(4))(e, initial_state=[h_b, c_b, h_f, c_f])
    return keras.Model(ids, L.Dense(1, activation="sigmoid")(L.Concatenate()([output, d])))


def bidirectional_initial_state():
    return rnn.binary_compile(bidirectional_initial_state_model()), rnn.token_sequences(315)


CASES = {
    "seq2seq_reverse": (seq2seq_reverse, 311),
    "gru_state_masked": (gru_state_masked, 312),
    "bidirectional_state": (bidirectional_state, 313),
    "bidirectional_initial_state": (bidirectional_initial_state, 315),
}

DESCRIPTIONS = {
    "seq2seq_reverse": "ids = Input((6,), dtype='int32'); e = Embedding(10, 8)(ids); _, h, c = LSTM(16, "
                       "return_state=True)(e); d = LSTM(16, return_sequences=True)(e, initial_state=[h, c]); "
                       "Model(ids, Dense(10, activation='softmax')(d)); Adam(1e-2); sparse_categorical_crossentropy; "
                       "metrics=['accuracy']; y = x reversed",
    "gru_state_masked": "ids = Input((10,), dtype='int32'); v = Embedding(20, 6, mask_zero=True)(ids); s, h = GRU(5, "
                        "return_sequences=True, return_state=True)(v); s2, h2 = SimpleRNN(4, return_sequences=True, "
                        "return_state=True)(s, initial_state=[Dense(4)(h)]); Model(ids, Dense(1, "
                        "activation='sigmoid')(Concatenate()([Flatten()(s2), h, h2]))); Adam(1e-2); "
                        "binary_crossentropy; metrics=['accuracy']; token ids zero-padded at the end (even rows) or "
                        "the start (odd)",
    "bidirectional_state": "ids = Input((10,), dtype='int32'); e = Embedding(20, 6, mask_zero=True)(ids); o, hf, cf, "
                           "hb, cb = Bidirectional(LSTM(4, return_state=True))(e); d = LSTM(8)(e, initial_state=["
                           "Concatenate()([hf, hb]), Concatenate()([cf, cb])]); Model(ids, Dense(1, "
                           "activation='sigmoid')(Concatenate()([o, d]))); Adam(1e-2); binary_crossentropy; "
                           "metrics=['accuracy']; token ids zero-padded at the end (even rows) or the start (odd)",
    "bidirectional_initial_state": "ids = Input((10,), dtype='int32'); e = Embedding(20, 6, mask_zero=True)(ids); o, "
                                   "hf, cf, hb, cb = Bidirectional(LSTM(4, return_state=True))(e); d = Bidirectional("
                                   "LSTM(4))(e, initial_state=[hb, cb, hf, cf]); Model(ids, Dense(1, "
                                   "activation='sigmoid')(Concatenate()([o, d]))); Adam(1e-2); binary_crossentropy; "
                                   "metrics=['accuracy']; token ids zero-padded at the end (even rows) or the start "
                                   "(odd)",
}

CONFIG_CASES = {
    "seq2seq_reverse": seq2seq_model,
    "gru_state_masked": gru_state_model,
    "bidirectional_state": bidirectional_state_model,
    "bidirectional_initial_state": bidirectional_initial_state_model,
}


def weight_names(model):
    """mf.weight_names, except with a Bidirectional (whose two layers' variables share names): Keras' variable.path
    without the cell parts ('bidirectional/forward_lstm/kernel'), kerasj's weight path. (make_rnn_fixtures.weight_names
    also drops the first part, the model's name in a Sequential's paths, which a Functional model's paths lack.)"""
    if not any(isinstance(layer, L.Bidirectional) for layer in model.layers):
        return mf.weight_names(model)
    return ["/".join(p for p in w.path.split("/") if not p.endswith("_cell")) for w in model.weights]


def lstm_dropout_model():
    x = keras.Input((10, 4))
    h = L.LSTM(8, dropout=0.5, return_sequences=True)(x)
    return keras.Model(x, L.Dense(1)(L.GRU(4, dropout=0.5)(h)))


DROPOUT_DESCRIPTION = ("x = Input((10, 4)); h = LSTM(8, dropout=0.5, return_sequences=True)(x); Model(x, Dense(1)("
                       "GRU(4, dropout=0.5)(h))); SGD(1e-9); mse; x, y = padded_sequences(314, 10, 4)[:2] first 32 "
                       "rows; fit_loss: one epoch, one batch of 32, no shuffling")


def write_dropout_case(out):
    """lstm_dropout.keras and the lstm_dropout bundle (see the module docstring, recurrent_dropout)."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(314)
    model = lstm_dropout_model()
    model.compile(optimizer=keras.optimizers.SGD(1e-9), loss="mse", jit_compile=False)
    recurrent = [layer for layer in json.loads(model.to_json())["config"]["layers"] if layer["class_name"] in
                 ("LSTM", "GRU")]
    for layer in recurrent:  # the kwargs the Java reader must not take as a forced inference mode
        assert layer["inbound_nodes"][0]["kwargs"] == {"training": False, "mask": None}, layer["inbound_nodes"]
    x, y, _, _ = mf.padded_sequences(314, 10, 4)
    x, y = x[:32], y[:32]
    t = {"x": x, "y": y, "predict": model.predict(x, batch_size=32, verbose=0),
         "evaluate/loss": np.float32(model.evaluate(x, y, batch_size=32, verbose=0))}
    t["fit_loss"] = np.float32(model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0).history["loss"][0])
    assert abs(t["fit_loss"] - t["evaluate/loss"]) > 1e-3 * t["evaluate/loss"], t  # Keras trains with dropout
    t.update(mf.training_meta(314, COMMAND, DROPOUT_DESCRIPTION))
    mf.save_bundle(out / "lstm_dropout", t)
    model.save(out / "lstm_dropout.keras")
    return float(t["evaluate/loss"]), float(t["fit_loss"])


def run_case(name, out):
    builder, seed = CASES[name]
    return mf.run_training_case(out, name, builder, seed, COMMAND, DESCRIPTIONS[name], weight_names)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=rnn.REPO / "testdata")
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES) + ["recurrent_dropout"],
                        default=list(CASES) + ["recurrent_dropout"])
    args = parser.parse_args(argv)
    out = mf.fixture_dir(args.out, "rnn_state")
    for name in args.cases:
        if name == "recurrent_dropout":
            print(name, write_dropout_case(out), flush=True)
        else:
            print(name, run_case(name, out), flush=True)
    mf.write_configs(out, CONFIG_CASES, COMMAND)


if __name__ == "__main__":
    sys.exit(main())
