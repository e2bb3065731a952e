"""Generates the Keras reference fixtures for the optimizers of issue 17 (Nadam, Adamax, Adadelta, Ftrl, Lion, and
Adam's/AdamW's amsgrad).

Writes, under --out (default: the repository's testdata/optimizers/), for every case of CASES:
  train/<case>.index + .data-*   one TF tensor bundle:
                                   x [80, 4], y [80, 2]                 float32 training data
                                   meta/weight_names                    '<layer>/<weight>' of model.weights
                                   meta/optimizer_variable_paths        Keras' variable.path of each of
                                                                        optimizer.variables, in that order
                                   initial/<weight>                     weights before fit
                                   history/loss [3]                     fit(epochs=3) per-epoch loss
                                   trained/<weight>                     weights after those 3 epochs
                                   trained_optimizer/<k>                optimizer.variables[k] after them
                                   next/loss [1]                        loss of one more epoch (fit(epochs=1))
                                   final/<weight>, final_optimizer/<k>  the state after that fourth epoch
                                   meta/config                          json.dumps(optimizer.get_config())
                                   meta/epochs, meta/batch_size, meta/seed, meta/*_version, meta/command,
                                   meta/description
  keras/<case>.keras             model.save() after the 3 epochs (the optimizer state travels with it)
  checkpoints/<case>/ckpt-1.*    tf.train.Checkpoint(model=model, optimizer=model.optimizer).save() after the same
                                 3 epochs (Keras 3.15's object graph, with the optimizer's slot lists)

Model: Sequential([Input((4,)), Dense(5, activation="tanh"), Dense(2)]), loss "mse", batch 32 (two batches of 32
and one of 16 per epoch), shuffle=False, jit_compile=False. Data: numpy.random.default_rng(seed), x normal [80, 4],
y = tanh(x @ A) + 0.1 * noise with A normal [4, 2]. The *_embedding cases instead train
Sequential([Input((3,), dtype="int32"), Embedding(6, 2), Flatten(), Dense(2)]) on int32 tokens
integers(0, 6, [80, 3]) (so tokens repeat within each batch) and y normal [80, 2]. Determinism as in make_fixtures.py (oneDNN off, single-threaded
TF, op determinism, clear_session() then set_random_seed(seed) per case).

Usage: python python-interop/make_optimizer_fixtures.py [--out DIR]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import pathlib
import shutil
import sys

import keras
import numpy as np
import tensorflow as tf

from make_fixtures import Opt, deterministic_tf, make, save_bundle, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_optimizer_fixtures.py"
N_TRAIN = 80
EPOCHS = 3
BATCH_SIZE = 32

# Learning rates well above Keras' defaults so that three epochs move every weight visibly; Ftrl with every
# regularizer on, and once with its defaults (through the identifier string, as compile("ftrl") stores it).
CASES = {
    "adam_amsgrad": (501, Opt("Adam", learning_rate=0.02, amsgrad=True)),
    "adamw_amsgrad": (502, Opt("AdamW", learning_rate=0.02, weight_decay=0.05, amsgrad=True)),
    "nadam": (503, Opt("Nadam", learning_rate=0.02)),
    "adamax": (504, Opt("Adamax", learning_rate=0.05, beta_1=0.8, beta_2=0.95)),
    "adadelta": (505, Opt("Adadelta", learning_rate=1.0, rho=0.9)),
    "ftrl": (506, Opt("Ftrl", learning_rate=0.2, learning_rate_power=-0.6, initial_accumulator_value=0.05,
                      l1_regularization_strength=0.01, l2_regularization_strength=0.02,
                      l2_shrinkage_regularization_strength=0.03, beta=0.1)),
    "ftrl_defaults": (507, "ftrl"),
    "lion": (508, Opt("Lion", learning_rate=0.01, beta_1=0.85, beta_2=0.98)),
    # An Embedding table's gradient reaches Keras' update_step as IndexedSlices, one row per lookup; Adamax's abs and
    # Adadelta's squared update work on those rows before duplicates are summed. Tokens repeat within every batch.
    "adamax_embedding": (509, Opt("Adamax", learning_rate=0.05)),
    "adadelta_embedding": (510, Opt("Adadelta", learning_rate=1.0, rho=0.9)),
}
EMBEDDING_VOCABULARY = 6


def data(seed, embedding):
    rng = np.random.default_rng(seed)
    if embedding:
        x = rng.integers(0, EMBEDDING_VOCABULARY, size=(N_TRAIN, 3)).astype(np.int32)
        return x, rng.normal(size=(N_TRAIN, 2)).astype(np.float32)
    x = rng.normal(size=(N_TRAIN, 4)).astype(np.float32)
    a = rng.normal(size=(4, 2)).astype(np.float32)
    y = (np.tanh(x @ a) + 0.1 * rng.normal(size=(N_TRAIN, 2))).astype(np.float32)
    return x, y


def build(embedding, max_norm=None):
    if max_norm is not None:  # MaxNorm(max_norm) on both kernels (make_clipping_fixtures.py's *_maxnorm cases)
        c = keras.constraints.MaxNorm(max_norm)
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh", kernel_constraint=c),
                                 keras.layers.Dense(2, kernel_constraint=c)])
    if embedding:
        return keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(EMBEDDING_VOCABULARY, 2),
                                 keras.layers.Flatten(), keras.layers.Dense(2)])
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"), keras.layers.Dense(2)])


def optimizer_state(prefix, opt):
    return {f"{prefix}/{k}": np.array(v.numpy()) for k, v in enumerate(opt.variables)}


def run_case(name, out, cases=None, command=COMMAND, epochs=EPOCHS, batch_size=BATCH_SIZE, max_norm=None):
    seed, spec = (cases or CASES)[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    embedding = name.endswith("_embedding")
    model = build(embedding, max_norm)
    model.compile(optimizer=make(spec), loss="mse", jit_compile=False)
    x, y = data(seed, embedding)
    names = weight_names(model)
    t = {"x": x, "y": y, "meta/weight_names": np.array(names, dtype=object)}
    t.update({f"initial/{n}": np.array(w.numpy()) for n, w in zip(names, model.weights)})
    fit = dict(batch_size=batch_size, shuffle=False, verbose=0)
    history = model.fit(x, y, epochs=epochs, **fit).history
    t["history/loss"] = np.asarray(history["loss"], dtype=np.float32)
    t.update({f"trained/{n}": np.array(w.numpy()) for n, w in zip(names, model.weights)})
    t.update(optimizer_state("trained_optimizer", model.optimizer))
    t["meta/optimizer_variable_paths"] = np.array([v.path for v in model.optimizer.variables], dtype=object)
    t["meta/config"] = json.dumps(model.optimizer.get_config())
    model.save(out / "keras" / f"{name}.keras")
    folder = out / "checkpoints" / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(str(folder / "ckpt"))
    t["next/loss"] = np.asarray(model.fit(x, y, epochs=1, **fit).history["loss"], dtype=np.float32)
    t.update({f"final/{n}": np.array(w.numpy()) for n, w in zip(names, model.weights)})
    t.update(optimizer_state("final_optimizer", model.optimizer))
    t.update({
        "meta/epochs": np.int32(epochs),
        "meta/batch_size": np.int32(batch_size),
        "meta/seed": np.int32(seed),
        "meta/keras_version": keras.__version__,
        "meta/tf_version": tf.__version__,
        "meta/numpy_version": np.__version__,
        "meta/command": command,
        "meta/description": ((f"Sequential([Input((3,), dtype='int32'), Embedding({EMBEDDING_VOCABULARY}, 2), "
                              f"Flatten(), Dense(2)]); " if embedding else
                              f"Sequential([Input((4,)), Dense(5, activation='tanh', "
                              f"kernel_constraint=MaxNorm({max_norm})), Dense(2, "
                              f"kernel_constraint=MaxNorm({max_norm}))]); " if max_norm is not None else
                              "Sequential([Input((4,)), Dense(5, activation='tanh'), Dense(2)]); ") +
                             f"optimizer={spec if not isinstance(spec, str) else repr(spec)}; loss='mse'; "
                             f"jit_compile=False; fit epochs={epochs} then 1, batch_size={batch_size}, "
                             f"shuffle=False"),
    })
    save_bundle(out / "train" / name, t)
    return history["loss"], t["next/loss"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "optimizers",
                        help="output directory (default: the repository's testdata/optimizers/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    for sub in ("train", "keras", "checkpoints"):
        (args.out / sub).mkdir(parents=True, exist_ok=True)
    for name in CASES:
        losses, next_loss = run_case(name, args.out)
        print(f"{name}: loss={['%.4g' % v for v in losses]} next={next_loss[0]:.4g}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
