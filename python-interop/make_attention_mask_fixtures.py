"""Generates the Keras reference fixtures of MultiHeadAttention's attention_mask argument and its attention scores
output (return_attention_scores).

Writes, under --out (default: the repository's testdata/), in attention_mask/, per case: a TF tensor bundle
<case>.index + .data-00000-of-00001 in make_fixtures.fit_tensors' format, but with two model inputs: `x`/`x_val` the
token ids (int32 [n, 10]) and `x_mask`/`x_mask_val` the attention masks (int32 0/1 [n, 10, 10], which Keras casts to
bool); <case>.keras and <case>.weights.h5 after training; configs/<case>.json, json.loads(model.to_json()) of the
untrained model, with configs/_meta.json.

Data: make_rnn_fixtures.token_sequences(seed) (ids 1..19, 2..10 real steps, zero-padded at the end of even rows and
the start of odd rows; y = 1.0 when the real ids' mean exceeds 10); allowed[i, t, s] = 1 when |t - s| <= w_i, a band
of half-width w_i drawn from 1..4 per row (default_rng(seed + 1000)).

Training cases (3 epochs, batch 32, no shuffling, validation on 64 rows, SGD(0.1) as make_attention_fixtures.py):
  mha_scores     ids -> Embedding(20, 8, mask_zero=True) = e; out, scores = MultiHeadAttention(2, 4)(e, e,
                 attention_mask=allowed, return_attention_scores=True) (Keras' path that materialises the scores:
                 query scaled first, masked logits -1e9, masked weights zeroed); Concatenate()([
                 GlobalAveragePooling1D()(out), Flatten()(scores)]) -> Dense(1, sigmoid)
  mha_mask_causal  ids -> Embedding(20, 8, mask_zero=True) = e; MultiHeadAttention(2, 4)(e, e, attention_mask=allowed,
                 use_causal_mask=True) (Keras' fast ops.dot_product_attention path, the given mask ANDed with the
                 padding and causal masks) -> GlobalAveragePooling1D() -> Dense(1, sigmoid)

Usage: python python-interop/make_attention_mask_fixtures.py [--out DIR] [--cases NAME ...]
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

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402
import make_rnn_fixtures as rnn  # noqa: E402

COMMAND = "python-interop/.venv/bin/python python-interop/make_attention_mask_fixtures.py"
L = keras.layers


def masked_data(seed):
    """(x, allowed, y, x_val, allowed_val, y_val)."""
    x, y, x_val, y_val = rnn.token_sequences(seed)
    rng = np.random.default_rng(seed + 1000)
    t = np.arange(rnn.STEPS)
    band = np.abs(t[:, None] - t[None, :])
    widths = rng.integers(1, 5, size=len(x) + len(x_val))
    allowed = (band[None, :, :] <= widths[:, None, None]).astype(np.int32)
    return x, allowed[:len(x)], y, x_val, allowed[len(x):], y_val


def inputs():
    return (keras.Input((rnn.STEPS,), dtype="int32", name="ids"),
            keras.Input((rnn.STEPS, rnn.STEPS), dtype="int32", name="allowed"))


def mha_scores_model():
    ids, allowed = inputs()
    e = L.Embedding(rnn.VOCABULARY, 8, mask_zero=True)(ids)
    out, scores = L.MultiHeadAttention(2, 4)(e, e, attention_mask=allowed, return_attention_scores=True)
    both = L.Concatenate()([L.GlobalAveragePooling1D()(out), L.Flatten()(scores)])
    return keras.Model([ids, allowed], L.Dense(1, activation="sigmoid")(both))


def mha_mask_causal_model():
    ids, allowed = inputs()
    e = L.Embedding(rnn.VOCABULARY, 8, mask_zero=True)(ids)
    a = L.MultiHeadAttention(2, 4)(e, e, attention_mask=allowed, use_causal_mask=True)
    return keras.Model([ids, allowed], L.Dense(1, activation="sigmoid")(L.GlobalAveragePooling1D()(a)))


CASES = {
    "mha_scores": (mha_scores_model, 331),
    "mha_mask_causal": (mha_mask_causal_model, 332),
}

DESCRIPTIONS = {
    "mha_scores": "ids = Input((10,), dtype='int32', name='ids'); allowed = Input((10, 10), dtype='int32', "
                  "name='allowed'); e = Embedding(20, 8, mask_zero=True)(ids); out, scores = MultiHeadAttention(2, 4)("
                  "e, e, attention_mask=allowed, return_attention_scores=True); Model([ids, allowed], Dense(1, "
                  "activation='sigmoid')(Concatenate()([GlobalAveragePooling1D()(out), Flatten()(scores)]))); "
                  "SGD(0.1); binary_crossentropy; metrics=['accuracy']",
    "mha_mask_causal": "ids, allowed as mha_scores; e = Embedding(20, 8, mask_zero=True)(ids); a = "
                       "MultiHeadAttention(2, 4)(e, e, attention_mask=allowed, use_causal_mask=True); Model([ids, "
                       "allowed], Dense(1, activation='sigmoid')(GlobalAveragePooling1D()(a))); SGD(0.1); "
                       "binary_crossentropy; metrics=['accuracy']",
}


def run_case(name, out):
    build, seed = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = build()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=False)
    x, m, y, x_val, m_val, y_val = masked_data(seed)
    names = [w.path for w in model.weights]
    assert len(set(names)) == len(names), names
    t = {"x": x, "x_mask": m, "y": y, "x_val": x_val, "x_mask_val": m_val, "y_val": y_val,
         "meta/weight_names": np.array(names, dtype=object)}
    for n, w in zip(names, model.weights):
        t[f"initial/{n}"] = np.array(w.numpy())
    history = model.fit([x, m], y, batch_size=mf.BATCH_SIZE, epochs=mf.EPOCHS, shuffle=False,
                        validation_data=([x_val, m_val], y_val), verbose=0)
    for n, w in zip(names, model.weights):
        t[f"final/{n}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    t["predict"] = model.predict([x_val, m_val], batch_size=mf.BATCH_SIZE, verbose=0)
    for key, value in model.evaluate([x_val, m_val], y_val, batch_size=mf.BATCH_SIZE, return_dict=True,
                                     verbose=0).items():
        t[f"evaluate/{key}"] = np.float32(value)
    t.update(mf.training_meta(seed, COMMAND, DESCRIPTIONS[name]))
    mf.save_bundle(out / name, t)
    model.save(out / f"{name}.keras")
    model.save_weights(out / f"{name}.weights.h5")
    return list(history.history)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=rnn.REPO / "testdata")
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    args = parser.parse_args(argv)
    out = mf.fixture_dir(args.out, "attention_mask")
    for name in args.cases:
        print(name, run_case(name, out), flush=True)
    mf.write_configs(out, {name: build for name, (build, _) in CASES.items()}, COMMAND)


if __name__ == "__main__":
    sys.exit(main())
