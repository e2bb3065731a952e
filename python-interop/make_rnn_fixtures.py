"""Generates the Keras reference fixtures of kerasj's recurrent layers (SimpleRNN, LSTM, GRU).

Writes, under --out (default: the repository's testdata/), in rnn/:
  <case>.index + .data-00000-of-00001    one TF tensor bundle per training case, in make_fixtures.py's format
                                         (x, y, x_val, y_val, meta/weight_names, initial/<layer>/<var>,
                                         final/<layer>/<var>, history/<key>, predict, evaluate/<key>, meta/...)
  <case>.keras, <case>.weights.h5        the trained model: model.save() and model.save_weights()
  configs/<case>.json                    json.loads(model.to_json()) of small uncompiled models with non-default
                                         arguments (src/test/.../saving/keras/RecurrentConfigsTest.java holds the
                                         Java twin of each)
  configs/_meta.json                     versions and command

Training cases (3 epochs, batch 32, no shuffling, validation on 64 rows, as make_fixtures.py):
  lstm_digits        the digits read as 8 time steps (image rows) of 8 features: LSTM(16) -> Dense softmax
  gru_digits         the same with GRU(16) (reset_after=True, Keras 3's default)
  simple_rnn_backwards  the digits: SimpleRNN(12, return_sequences=True, go_backwards=True) -> Flatten -> Dense
  bidirectional_masked  the masked_recurrent data (seed 305): Masking -> Bidirectional(LSTM(4, return_sequences=True))
                     -> Bidirectional(GRU(3, return_sequences=True), merge_mode="sum") -> Flatten -> Dense sigmoid
                     (Flatten drops the mask: the zeros Keras' Bidirectional outputs at masked steps reach Dense)
  bidirectional_modes   the digits: Bidirectional(SimpleRNN(4, return_sequences=True), merge_mode="mul") ->
                     Bidirectional(GRU(3), merge_mode="ave") -> Dense softmax
  Weight names in the bundles are '<layer>/<variable>' (make_fixtures.weight_names); inside a Bidirectional, whose
  variables share names, they are Keras' variable.path without the model and cell components
  ('bidirectional/forward_lstm/kernel'), the path kerasj gives them.
  masked_recurrent   synthetic sequences of 3..10 real steps of 3 features, zero-padded to 10 steps at the end
                     (even rows) or at the start (odd rows): Masking -> GRU(6, return_sequences=True) -> LSTM(5)
                     -> Dense sigmoid; the mask reaches both recurrent layers
  embedding_masked   synthetic token sequences (ids 1..19) of 2..10 real steps, zero-padded to 10 steps at the end
                     (even rows) or at the start (odd rows): Embedding(20, 8, mask_zero=True) ->
                     Bidirectional(LSTM(4)) -> Dense sigmoid; the Embedding's mask reaches both directions
  embedding_functional  the same kind of data (seed 308), a Functional model: Embedding(20, 6, mask_zero=True) ->
                     GlobalAveragePooling1D and LSTM(3) side by side -> Concatenate -> Dense sigmoid (Keras writes
                     the mask as a NotEqual op layer passed as mask= to both)
  masked_sequence_labels  per-step classes on token ids (seed 309, padded as embedding_masked): y[t] =
                     (x[t] + x[t-1]) % 3 at real steps, a random class at padded ones; Embedding(20, 6,
                     mask_zero=True) -> LSTM(5, return_sequences=True) -> Dense(3) softmax per step;
                     sparse_categorical_crossentropy and accuracy: the output keeps the mask, so Keras' loss and
                     accuracy leave the padded steps out
  masked_sequence_regression  per-step targets on masked_recurrent's kind of data (seed 310): y[t] = running sum
                     of feature 0 at real steps, a random value at padded ones; Masking -> GRU(4,
                     return_sequences=True) -> Dense(1) per step; mse with metrics mae
  masked_merges      two zero-padded token inputs with different lengths (seed 311), Embedding(20, 4,
                     mask_zero=True) each, merged with Add, Subtract, Multiply, Average, Maximum, Minimum and
                     Concatenate (each into GlobalAveragePooling1D, which reads the merged mask), Concatenate(axis=1)
                     (the masks joined along time) into LSTM(3), and Maximum, Multiply and Concatenate of a masked
                     and an unmasked Embedding (Keras' partial-mask rules) -> Concatenate -> Dense sigmoid

Usage: python python-interop/make_rnn_fixtures.py [--out DIR] [--cases NAME ...]
"""

import os

# As in make_fixtures.py (imported below, which sets the same): before TensorFlow is imported.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import sys

import keras
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_rnn_fixtures.py"
L = keras.layers
STEPS = 10
FEATURES = 3


def padded_sequences(seed):
    """mf.padded_sequences: rows of 3..10 real steps of 3 features; zeros after them (even rows) or before them (odd
    rows)."""
    return mf.padded_sequences(seed, STEPS, FEATURES, pad_odd_rows_at_start=True)


VOCABULARY = 20


def token_sequences(seed):
    """int32 rows of 2..10 token ids in 1..19, zeros after them (even rows) or before them (odd rows); y = 1.0 when
    the real tokens' mean exceeds 10."""
    rng = np.random.default_rng(seed)
    n = mf.N_TRAIN + mf.N_VAL
    x = rng.integers(1, VOCABULARY, size=(n, STEPS)).astype(np.int32)
    lengths = rng.integers(2, STEPS + 1, size=n)
    y = np.zeros((n, 1), dtype=np.float32)
    for i, length in enumerate(lengths):
        if i % 2 == 0:
            x[i, length:] = 0
        else:
            x[i, :STEPS - length] = 0
        y[i, 0] = float(x[i][x[i] != 0].mean() > 10)
    return x[:mf.N_TRAIN], y[:mf.N_TRAIN], x[mf.N_TRAIN:], y[mf.N_TRAIN:]


def binary_compile(model):
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=False)
    return model


def embedding_masked():
    model = keras.Sequential([
        keras.Input((STEPS,), dtype="int32"),
        L.Embedding(VOCABULARY, 8, mask_zero=True),
        L.Bidirectional(L.LSTM(4)),
        L.Dense(1, activation="sigmoid"),
    ])
    return binary_compile(model), token_sequences(307)


def embedding_functional():
    ids = keras.Input((STEPS,), dtype="int32")
    vectors = L.Embedding(VOCABULARY, 6, mask_zero=True)(ids)
    both = L.Concatenate()([L.GlobalAveragePooling1D()(vectors), L.LSTM(3)(vectors)])
    model = keras.Model(ids, L.Dense(1, activation="sigmoid")(both))
    return binary_compile(model), token_sequences(308)


def per_step_tokens(seed):
    """token_sequences(seed)'s ids, with one class per step: (x[t] + x[t-1]) % 3 at real steps (x[-1] = 0), a random
    class at padded steps (which a masked loss must ignore)."""
    x, _, x_val, _ = token_sequences(seed)
    rng = np.random.default_rng(seed + 1000)

    def labels(ids):
        previous = np.concatenate([np.zeros((len(ids), 1), np.int32), ids[:, :-1]], axis=1)
        y = (ids + previous) % 3
        return np.where(ids != 0, y, rng.integers(0, 3, size=ids.shape)).astype(np.int32)

    return x, labels(x), x_val, labels(x_val)


def masked_sequence_labels():
    model = keras.Sequential([
        keras.Input((STEPS,), dtype="int32"),
        L.Embedding(VOCABULARY, 6, mask_zero=True),
        L.LSTM(5, return_sequences=True),
        L.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, per_step_tokens(309)


def per_step_regression(seed):
    """padded_sequences(seed) with per-step targets: the running sum of feature 0 at real steps, a random value at
    padded steps."""
    x, _, x_val, _ = padded_sequences(seed)
    rng = np.random.default_rng(seed + 1000)

    def targets(rows):
        real = np.any(rows != 0, axis=-1)
        y = np.cumsum(rows[:, :, 0], axis=1)
        return np.where(real, y, rng.normal(size=real.shape)).astype(np.float32)[..., None]

    return x, targets(x), x_val, targets(x_val)


def masked_sequence_regression():
    model = keras.Sequential([
        keras.Input((STEPS, FEATURES)),
        L.Masking(),
        L.GRU(4, return_sequences=True),
        L.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"], jit_compile=False)
    return model, per_step_regression(310)


def two_token_inputs(seed):
    """Two token_sequences draws (seeds seed and seed + 1: other lengths and padding sides), y = 1.0 when the real
    tokens of both together average over 10."""
    a, _, a_val, _ = token_sequences(seed)
    b, _, b_val, _ = token_sequences(seed + 1)

    def label(p, q):
        both = np.concatenate([p, q], axis=1).astype(np.float32)
        return ((both * (both > 0)).sum(axis=1) / np.maximum((both > 0).sum(axis=1), 1) > 10).astype(
            np.float32).reshape(-1, 1)

    return [a, b], label(a, b), [a_val, b_val], label(a_val, b_val)


def masked_merges():
    a = keras.Input((STEPS,), dtype="int32", name="a")
    b = keras.Input((STEPS,), dtype="int32", name="b")
    ea = L.Embedding(VOCABULARY, 4, mask_zero=True)(a)
    eb = L.Embedding(VOCABULARY, 4, mask_zero=True)(b)
    plain = L.Embedding(VOCABULARY, 4)(b)  # no mask
    pooled = [L.GlobalAveragePooling1D()(merge()([ea, eb]))
              for merge in (L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum, L.Concatenate)]
    pooled += [L.GlobalAveragePooling1D()(merge()([ea, plain])) for merge in (L.Maximum, L.Multiply, L.Concatenate)]
    pooled.append(L.LSTM(3)(L.Concatenate(axis=1)([ea, eb])))
    model = keras.Model([a, b], L.Dense(1, activation="sigmoid")(L.Concatenate()(pooled)))
    return binary_compile(model), two_token_inputs(311)


def digits_classifier(recurrent):
    model = keras.Sequential([keras.Input((8, 8)), recurrent, L.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


def simple_rnn_backwards():
    model = keras.Sequential([
        keras.Input((8, 8)),
        L.SimpleRNN(12, return_sequences=True, go_backwards=True),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


def masked_recurrent():
    model = keras.Sequential([
        keras.Input((STEPS, FEATURES)),
        L.Masking(),
        L.GRU(6, return_sequences=True),
        L.LSTM(5),
        L.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=False)
    return model, padded_sequences(304)


def bidirectional_masked():
    model = keras.Sequential([
        keras.Input((STEPS, FEATURES)),
        L.Masking(),
        L.Bidirectional(L.LSTM(4, return_sequences=True)),
        L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum"),
        L.Flatten(),  # drops the mask, so the zeros Bidirectional outputs at masked steps reach Dense
        L.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=False)
    return model, padded_sequences(305)


def bidirectional_modes():
    model = keras.Sequential([
        keras.Input((8, 8)),
        L.Bidirectional(L.SimpleRNN(4, return_sequences=True), merge_mode="mul"),
        L.Bidirectional(L.GRU(3), merge_mode="ave"),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    return model, mf.digit_sequences()


def weight_names(model):
    """make_fixtures.weight_names, except inside a Bidirectional: variable.path without model and cell parts."""
    names = mf.weight_names(model)
    if not any(isinstance(layer, L.Bidirectional) for layer in model.layers):
        return names
    return ["/".join(p for p in w.path.split("/")[1:] if not p.endswith("_cell")) for w in model.weights]


# name -> (builder, seed)
CASES = {
    "lstm_digits": (lambda: digits_classifier(L.LSTM(16)), 301),
    "gru_digits": (lambda: digits_classifier(L.GRU(16)), 302),
    "simple_rnn_backwards": (simple_rnn_backwards, 303),
    "masked_recurrent": (masked_recurrent, 304),
    "bidirectional_masked": (bidirectional_masked, 305),
    "bidirectional_modes": (bidirectional_modes, 306),
    "embedding_masked": (embedding_masked, 307),
    "embedding_functional": (embedding_functional, 308),
    "masked_sequence_labels": (masked_sequence_labels, 309),
    "masked_sequence_regression": (masked_sequence_regression, 310),
    "masked_merges": (masked_merges, 311),
}

DESCRIPTIONS = {
    "lstm_digits": "Sequential([Input((8, 8)), LSTM(16), Dense(10, activation='softmax')]); Adam(1e-2); "
                   "sparse_categorical_crossentropy; metrics=['accuracy']",
    "gru_digits": "Sequential([Input((8, 8)), GRU(16), Dense(10, activation='softmax')]); Adam(1e-2); "
                  "sparse_categorical_crossentropy; metrics=['accuracy']",
    "simple_rnn_backwards": "Sequential([Input((8, 8)), SimpleRNN(12, return_sequences=True, go_backwards=True), "
                            "Flatten(), Dense(10, activation='softmax')]); Adam(1e-2); "
                            "sparse_categorical_crossentropy; metrics=['accuracy']",
    "masked_recurrent": "Sequential([Input((10, 3)), Masking(), GRU(6, return_sequences=True), LSTM(5), "
                        "Dense(1, activation='sigmoid')]); Adam(1e-2); binary_crossentropy; metrics=['accuracy']; "
                        "rows zero-padded at the end (even) or the start (odd)",
    "bidirectional_masked": "Sequential([Input((10, 3)), Masking(), Bidirectional(LSTM(4, return_sequences=True)), "
                            "Bidirectional(GRU(3, return_sequences=True), merge_mode='sum'), Flatten(), "
                            "Dense(1, activation='sigmoid')]); Adam(1e-2); "
                            "binary_crossentropy; metrics=['accuracy']",
    "bidirectional_modes": "Sequential([Input((8, 8)), Bidirectional(SimpleRNN(4, return_sequences=True), "
                           "merge_mode='mul'), Bidirectional(GRU(3), merge_mode='ave'), "
                           "Dense(10, activation='softmax')]); Adam(1e-2); sparse_categorical_crossentropy; "
                           "metrics=['accuracy']",
    "embedding_masked": "Sequential([Input((10,), dtype='int32'), Embedding(20, 8, mask_zero=True), "
                        "Bidirectional(LSTM(4)), Dense(1, activation='sigmoid')]); Adam(1e-2); binary_crossentropy; "
                        "metrics=['accuracy']; token ids zero-padded at the end (even rows) or the start (odd)",
    "embedding_functional": "ids = Input((10,), dtype='int32'); v = Embedding(20, 6, mask_zero=True)(ids); "
                            "Model(ids, Dense(1, activation='sigmoid')(Concatenate()([GlobalAveragePooling1D()(v), "
                            "LSTM(3)(v)]))); Adam(1e-2); binary_crossentropy; metrics=['accuracy']; "
                            "token ids zero-padded at the end (even rows) or the start (odd)",
    "masked_sequence_labels": "Sequential([Input((10,), dtype='int32'), Embedding(20, 6, mask_zero=True), "
                              "LSTM(5, return_sequences=True), Dense(3, activation='softmax')]); Adam(1e-2); "
                              "sparse_categorical_crossentropy; metrics=['accuracy']; one class per step, random at "
                              "padded steps",
    "masked_sequence_regression": "Sequential([Input((10, 3)), Masking(), GRU(4, return_sequences=True), Dense(1)]); "
                                  "Adam(1e-2); mse; metrics=['mae']; one target per step, random at padded steps",
    "masked_merges": "a, b = Input((10,), dtype='int32') x2; ea, eb = Embedding(20, 4, mask_zero=True) on each; "
                     "plain = Embedding(20, 4)(b); GlobalAveragePooling1D of Add, Subtract, Multiply, Average, "
                     "Maximum, Minimum, Concatenate of [ea, eb] and of Maximum, Multiply, Concatenate of "
                     "[ea, plain]; LSTM(3)(Concatenate(axis=1)([ea, eb])); Concatenate -> Dense(1, sigmoid); "
                     "Adam(1e-2); binary_crossentropy; metrics=['accuracy']",
}


def run_case(name, out):
    builder, seed = CASES[name]
    return mf.run_training_case(out, name, builder, seed, COMMAND, DESCRIPTIONS[name], weight_names)


# Small uncompiled models with non-default arguments.
CONFIG_CASES = {
    "recurrent_defaults": lambda: keras.Sequential([
        keras.Input((6, 3)), L.SimpleRNN(4, return_sequences=True), L.GRU(3, return_sequences=True), L.LSTM(2)]),
    "recurrent_options": lambda: keras.Sequential([
        keras.Input((6, 3)),
        L.SimpleRNN(4, activation="relu", use_bias=False, return_sequences=True, go_backwards=True, name="srnn",
                    kernel_initializer="he_normal"),
        L.LSTM(5, recurrent_activation="tanh", unit_forget_bias=False, return_sequences=True,
               recurrent_initializer=keras.initializers.Orthogonal(gain=0.5, seed=7),
               bias_initializer="ones"),
        L.GRU(3, activation="relu", go_backwards=True, use_bias=False)]),
    "bidirectional": lambda: keras.Sequential([
        keras.Input((6, 3)),
        L.Bidirectional(L.LSTM(4, return_sequences=True, name="enc")),
        L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="mul", name="bi_mul"),
        L.Bidirectional(L.GRU(3, activation="relu"), merge_mode="ave")]),
    "embedding_mask_zero": lambda: keras.Sequential([
        keras.Input((6,), dtype="int32"), L.Embedding(30, 4, mask_zero=True), L.LSTM(2)]),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata")
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES),
                        help="training cases to (re)write (default: all); the configs are always written")
    args = parser.parse_args(argv)
    out = mf.fixture_dir(args.out, "rnn")
    for name in args.cases:
        print(name, run_case(name, out), flush=True)
    mf.write_configs(out, CONFIG_CASES, COMMAND)


if __name__ == "__main__":
    sys.exit(main())
