"""Generates the Keras reference fixtures that kerasj's Java tests compare against.

Writes, under --out (default: the repository's testdata/):
  digits/digits.csv                      the UCI handwritten digits (sklearn.datasets.load_digits), integers
  digits/README.md                       source and licence of that data
  fixtures/<case>.index + .data-*        one TF tensor bundle per training case (see CASES below)

Tensor names in each bundle (the contract with the Java side, also described in testdata/README.md):
  x, y, x_val, y_val                     training and validation data
  meta/weight_names                      1-D string: "<layer.name>/<variable.name>" in model.weights order
  initial/<layer>/<var>, final/<...>     every weight before and after model.fit
  history/<key>                          float32 [epochs] for every key of History.history
  predict                                model.predict(x_val) after training
  evaluate/<key>                         float32 scalar for every key of model.evaluate(..., return_dict=True)
  meta/epochs, meta/batch_size, meta/seed                               int32 scalars
  meta/keras_version, meta/tf_version, meta/numpy_version,
  meta/command, meta/description                                        string scalars

Usage: python python-interop/make_fixtures.py [--out DIR] [--case NAME ...]
"""

import os

# Both must be set before TensorFlow is imported.
# oneDNN picks kernels by the CPU's instruction set at run time (AVX2 here, AVX-512 elsewhere), which changes float
# rounding between machines. Forced, not defaulted: with oneDNN on, 15 of the 17 cases here differ in some tensor, by
# up to 5e-7 (measured). TF's plain Eigen kernels also dispatch on the instruction set, so even with oneDNN off the
# fixtures differ between CPUs in the last bits (up to 9.5e-7 AVX2 vs AVX-512): tests/fixture_compare.py compares
# floats with a tolerance.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import pathlib
import sys
import time

import keras
import numpy as np
import sklearn
import tensorflow as tf
from sklearn.datasets import load_digits

REPO = pathlib.Path(__file__).resolve().parent.parent
# Recorded in every bundle. Deliberately free of absolute paths and of --out, so fixtures regenerated into a
# temporary directory (tests/test_fixtures.py) are identical to the committed ones.
COMMAND = "python-interop/.venv/bin/python python-interop/make_fixtures.py"

EPOCHS = 3
BATCH_SIZE = 32
N_TRAIN = 250  # 7 full batches of 32 + one partial batch of 26
N_VAL = 64


class Spec:
    """A Keras constructor call kept as data, so the same object both builds the thing and describes it.

    Spec(keras.layers.Dense, 32, activation="relu") builds Dense(32, activation="relu") and prints exactly that.
    """

    def __init__(self, factory, *args, **kwargs):
        self.factory, self.args, self.kwargs = factory, args, kwargs

    def make(self):
        return self.factory(*self.args, **self.kwargs)

    def __str__(self):
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.factory.__name__}({', '.join(parts)})"


def make(spec):
    """Builds a Spec; plain strings (Keras identifiers such as "mse") are passed to Keras unchanged."""
    return spec.make() if isinstance(spec, Spec) else spec


def Input(*args, **kwargs):  # noqa: N802 - named like keras.Input so descriptions read "Input((64,))"
    return Spec(keras.Input, *args, **kwargs)


def Layer(name, *args, **kwargs):  # noqa: N802
    return Spec(getattr(keras.layers, name), *args, **kwargs)


def Opt(name, *args, **kwargs):  # noqa: N802
    return Spec(getattr(keras.optimizers, name), *args, **kwargs)


def Loss(name, *args, **kwargs):  # noqa: N802
    return Spec(getattr(keras.losses, name), *args, **kwargs)


# ---------------------------------------------------------------------------------------------------------------
# Data


def digits():
    """(pixels [1797, 64] int, labels [1797] int) of the UCI digits bundled with scikit-learn (no download)."""
    d = load_digits()
    return d.data.astype(np.int64), d.target.astype(np.int64)


def write_digits(out):
    pixels, labels = digits()
    folder = out / "digits"
    folder.mkdir(parents=True, exist_ok=True)
    header = ",".join([f"p{i}" for i in range(64)] + ["label"])
    rows = [",".join(str(v) for v in row) + f",{label}" for row, label in zip(pixels, labels)]
    (folder / "digits.csv").write_text("\n".join([header] + rows) + "\n", encoding="utf-8", newline="\n")
    (folder / "README.md").write_text(DIGITS_README.format(command=COMMAND), encoding="utf-8", newline="\n")


DIGITS_README = """\
# digits.csv

The UCI Machine Learning Repository data set "Optical Recognition of Handwritten Digits" by E. Alpaydin and
C. Kaynak (1998), https://doi.org/10.24432/C50P49, in the 8x8 version that ships with scikit-learn
(`sklearn.datasets.load_digits()`, bundled with the package, no download).

Licence: Creative Commons Attribution 4.0 International (CC BY 4.0), as stated by the UCI repository.

Format: a header line `p0,...,p63,label`, then 1797 rows; `p0..p63` are the pixel counts (integers 0..16, row-major
8x8), `label` is the digit 0..9. Row order is scikit-learn's.

Made by: `{command}` (from the repository root).
"""


def digits_split(y_kind):
    """x = pixels / 16 as float32; train = rows [0, 250), val = rows [250, 314); labels shaped by y_kind."""
    pixels, labels = digits()
    x = (pixels / 16.0).astype(np.float32)
    if y_kind == "sparse":
        y = labels.astype(np.int32)
    elif y_kind == "onehot":
        y = np.eye(10, dtype=np.float32)[labels]
    elif y_kind == "scaled":  # regression target in [0, 1]
        y = (labels / 9.0).astype(np.float32).reshape(-1, 1)
    elif y_kind == "label":  # regression target 0..9: errors above and below Huber's delta both occur
        y = labels.astype(np.float32).reshape(-1, 1)
    elif y_kind == "even":
        y = (labels % 2 == 0).astype(np.float32).reshape(-1, 1)
    else:
        raise ValueError(f"unknown y_kind: {y_kind!r}")
    end = N_TRAIN + N_VAL
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:end], y[N_TRAIN:end]


def token_split(seed):
    """Random int32 token rows in [0, 50); y = 1.0 when token 7 occurs in the row."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 50, size=(N_TRAIN + N_VAL, 10)).astype(np.int32)
    y = (x == 7).any(axis=1).astype(np.float32).reshape(-1, 1)
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


# ---------------------------------------------------------------------------------------------------------------
# Cases


def case(seed, layers, optimizer, loss, metrics, y="sparse", image=False, tokens=False):
    return dict(seed=seed, layers=layers, optimizer=optimizer, loss=loss, metrics=metrics, y=y, image=image,
                tokens=tokens)


def mlp(*out):
    return [Input((64,)), Layer("Dense", 32, activation="relu"), *out]


SOFTMAX_MLP = mlp(Layer("Dense", 10, activation="softmax"))
LOGITS_MLP = mlp(Layer("Dense", 10))
REGRESSOR = [Input((64,)), Layer("Dense", 16, activation="tanh"), Layer("Dense", 1)]
SPARSE_CE = "sparse_categorical_crossentropy"

# name -> case. Seeds differ per case so that no two cases start from the same weights by accident.
CASES = {
    "mlp_adam_sparse": case(101, SOFTMAX_MLP, Opt("Adam", learning_rate=1e-3), SPARSE_CE, ["accuracy"]),
    "mlp_sgd_categorical": case(102, SOFTMAX_MLP, Opt("SGD", learning_rate=0.1), "categorical_crossentropy",
                                ["accuracy"], y="onehot"),
    "mlp_sgd_momentum_logits": case(103, LOGITS_MLP, Opt("SGD", 0.05, momentum=0.9),
                                    Loss("SparseCategoricalCrossentropy", from_logits=True), ["accuracy"]),
    "mlp_sgd_nesterov_logits": case(104, LOGITS_MLP, Opt("SGD", 0.05, momentum=0.9, nesterov=True),
                                    Loss("CategoricalCrossentropy", from_logits=True), ["accuracy"], y="onehot"),
    "mlp_adamw": case(105, SOFTMAX_MLP, Opt("AdamW", learning_rate=1e-3, weight_decay=0.004), SPARSE_CE,
                      ["accuracy"]),
    "mlp_rmsprop": case(106, SOFTMAX_MLP, Opt("RMSprop", learning_rate=1e-3), SPARSE_CE, ["accuracy"]),
    "mlp_rmsprop_momentum_centered": case(107, SOFTMAX_MLP,
                                          Opt("RMSprop", learning_rate=1e-3, momentum=0.5, centered=True),
                                          SPARSE_CE, ["accuracy"]),
    "mlp_adagrad": case(108, SOFTMAX_MLP, Opt("Adagrad", learning_rate=0.05), SPARSE_CE, ["accuracy"]),
    "mlp_activations": case(
        109,
        [Input((64,))]
        + [Layer("Dense", 16, activation=a) for a in ("elu", "selu", "softplus", "swish", "gelu", "tanh", "sigmoid")]
        + [Layer("Dense", 10), Layer("Activation", "softmax")],
        Opt("Adam", 1e-3), SPARSE_CE, ["sparse_categorical_accuracy"]),
    "regress_mse": case(110, REGRESSOR, Opt("Adam", 1e-2), "mse", ["mae"], y="scaled"),
    "regress_mae": case(111, REGRESSOR, Opt("SGD", 0.05), "mae", ["mse"], y="scaled"),
    "regress_huber": case(112, REGRESSOR, Opt("Adam", 1e-2), Loss("Huber", delta=1.0), ["mae"], y="label"),
    "binary_bce": case(113, [Input((64,)), Layer("Dense", 16, activation="relu"), Layer("Dense", 1, activation="sigmoid")],
                       Opt("Adam", 1e-3), "binary_crossentropy", ["accuracy"], y="even"),
    # binary_accuracy thresholds at 0.5 even though the outputs are logits: that is what a user writing this gets.
    "binary_bce_logits": case(114, [Input((64,)), Layer("Dense", 16, activation="relu"), Layer("Dense", 1)],
                              Opt("Adam", 1e-3), Loss("BinaryCrossentropy", from_logits=True), ["binary_accuracy"],
                              y="even"),
    "cnn_bn": case(
        115,
        [Input((8, 8, 1)),
         Layer("Conv2D", 8, 3, padding="same", activation="relu"),
         Layer("BatchNormalization"),
         Layer("MaxPooling2D", 2),
         Layer("Conv2D", 16, 3, padding="same", activation="relu"),
         Layer("AveragePooling2D", 2),
         Layer("GlobalAveragePooling2D"),
         Layer("Dense", 10, activation="softmax")],
        Opt("Adam", 1e-3), SPARSE_CE, ["accuracy"], image=True),
    # Java cannot reproduce Keras' dropout masks; it compares predict/evaluate computed from final/* weights.
    "cnn_bn_dropout": case(
        116,
        [Input((64,)),
         Layer("Reshape", (8, 8, 1)),
         Layer("Conv2D", 4, 3, activation="relu"),
         Layer("BatchNormalization"),
         Layer("Flatten"),
         Layer("Dropout", 0.3),
         Layer("Dense", 10, activation="softmax")],
        Opt("Adam", 1e-3), SPARSE_CE, ["accuracy"]),
    "embedding": case(
        117,
        [Input((10,), dtype="int32"),
         Layer("Embedding", 50, 8),
         Layer("Flatten"),
         Layer("Dense", 1, activation="sigmoid")],
        Opt("Adam", 1e-2), "binary_crossentropy", ["accuracy"], tokens=True),
}


def describe(c):
    layers = ", ".join(str(s) for s in c["layers"])
    loss = repr(c["loss"]) if isinstance(c["loss"], str) else str(c["loss"])
    metrics = ", ".join(repr(m) for m in c["metrics"])
    return (f"Sequential([{layers}]); optimizer={c['optimizer']}; loss={loss}; metrics=[{metrics}]; "
            f"jit_compile=False; epochs={EPOCHS}, batch_size={BATCH_SIZE}, shuffle=False, "
            f"validation_data=(x_val, y_val)")


# ---------------------------------------------------------------------------------------------------------------
# Training and writing


def weight_names(model):
    """'<layer.name>/<variable.name>' for each of model.weights, in that order."""
    owner = {}
    for layer in model.layers:
        for w in layer.weights:
            owner[id(w)] = layer.name
    return [f"{owner[id(w)]}/{w.name}" for w in model.weights]


def run_case(c):
    """Trains one case from a clean, seeded Keras state; returns {tensor name: numpy value} for its bundle."""
    # clear_session first: it also drops Keras' global seed, and it restarts layer names at dense, dense_1, ...
    keras.backend.clear_session()
    keras.utils.set_random_seed(c["seed"])

    if c["tokens"]:
        x, y, x_val, y_val = token_split(c["seed"])
    else:
        x, y, x_val, y_val = digits_split(c["y"])
        if c["image"]:
            x, x_val = x.reshape(-1, 8, 8, 1), x_val.reshape(-1, 8, 8, 1)

    model = keras.Sequential([s.make() for s in c["layers"]])
    # jit_compile=False is what Keras' default "auto" resolves to on a CPU-only machine; spelled out so that a
    # machine with a GPU visible still produces the same (non-XLA) numbers.
    model.compile(optimizer=make(c["optimizer"]), loss=make(c["loss"]), metrics=list(c["metrics"]),
                  jit_compile=False)

    t, history = fit_tensors(model, (x, y, x_val, y_val), weight_names(model))
    t.update(training_meta(c["seed"], COMMAND, describe(c)))
    return t, list(history.history)


def training_meta(seed, command, description):
    """The meta/ tensors of a training-case bundle: epochs, batch size, seed, versions, command, description."""
    return {
        "meta/epochs": np.int32(EPOCHS),
        "meta/batch_size": np.int32(BATCH_SIZE),
        "meta/seed": np.int32(seed),
        "meta/keras_version": keras.__version__,
        "meta/tf_version": tf.__version__,
        "meta/numpy_version": np.__version__,
        "meta/command": command,
        "meta/description": description,
    }


def digit_sequences():
    """digits_split("sparse") with each 64-pixel row read as 8 time steps (image rows) of 8 features."""
    x, y, x_val, y_val = digits_split("sparse")
    return x.reshape(-1, 8, 8), y, x_val.reshape(-1, 8, 8), y_val


def padded_sequences(seed, steps, features, pad_odd_rows_at_start=False):
    """N_TRAIN + N_VAL rows of 3..steps real steps (normal values, never exactly 0) then zeros (with
    pad_odd_rows_at_start, odd rows have their zeros before the real steps); y = 1.0 when feature 0 sums > 0.
    Returns (x, y, x_val, y_val)."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VAL
    x = rng.normal(size=(n, steps, features)).astype(np.float32)
    lengths = rng.integers(3, steps + 1, size=n)
    for i, length in enumerate(lengths):
        if pad_odd_rows_at_start and i % 2 == 1:
            x[i, :steps - length, :] = 0.0
        else:
            x[i, length:, :] = 0.0
    y = (x[:, :, 0].sum(axis=1) > 0).astype(np.float32).reshape(-1, 1)
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


def fit_tensors(model, data, names):
    """Trains a compiled model on data = (x, y, x_val, y_val) for EPOCHS, BATCH_SIZE, no shuffling, validation on
    x_val; returns (the bundle's tensors but training_meta: the data, meta/weight_names = names, initial/<name> and
    final/<name> per model.weights, history/<key>, predict (of x_val), evaluate/<key>; fit's History)."""
    x, y, x_val, y_val = data
    t = {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "meta/weight_names": np.array(names, dtype=object)}
    for n, w in zip(names, model.weights):
        t[f"initial/{n}"] = np.array(w.numpy())
    history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False,
                        validation_data=(x_val, y_val), verbose=0)
    for n, w in zip(names, model.weights):
        t[f"final/{n}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    t["predict"] = model.predict(x_val, batch_size=BATCH_SIZE, verbose=0)
    for key, value in model.evaluate(x_val, y_val, batch_size=BATCH_SIZE, return_dict=True, verbose=0).items():
        t[f"evaluate/{key}"] = np.float32(value)
    return t, history


def fit_and_save(out, name, model, data, names, seed, command, description):
    """fit_tensors, then writes out/<name> (its tensors and training_meta: a bundle in run_case's format),
    out/<name>.keras and out/<name>.weights.h5. Returns the history's keys."""
    t, history = fit_tensors(model, data, names)
    t.update(training_meta(seed, command, description))
    save_bundle(out / name, t)
    model.save(out / f"{name}.keras")
    model.save_weights(out / f"{name}.weights.h5")
    return list(history.history)


def run_training_case(out, name, builder, seed, command, description, names_of=weight_names):
    """A training case of a generator whose CASES map name -> (builder, seed): builder() returns (a compiled model,
    data) in a cleared session seeded with seed; its weight names (names_of(model), which must be unique) go into
    fit_and_save's bundle. Returns the history's keys."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model, data = builder()
    names = names_of(model)
    assert len(set(names)) == len(names), names
    return fit_and_save(out, name, model, data, names, seed, command, description)


def fixture_dir(root, folder):
    """A generator's start-up: deterministic_tf, TF's Python logs at ERROR, and root/folder made; returns that."""
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    out = root / folder
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_configs(out, config_cases, command):
    """out/configs/<name>.json: json.loads(model.to_json()) of each config_cases[name]() (from a cleared session),
    and out/configs/_meta.json (Keras and TensorFlow versions, command)."""
    configs = out / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    for name, build in config_cases.items():
        keras.backend.clear_session()
        config = json.loads(build().to_json())
        (configs / f"{name}.json").write_text(json.dumps(config, indent=2) + "\n")
    meta = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__, "command": command}
    (configs / "_meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def deterministic_tf():
    """Single-threaded, deterministic TF kernels for every fixture generator.

    How a multi-threaded kernel splits its work, and so its float rounding, depends on the machine's core count
    (measured: with TF's default pools, cnn_bn differs by up to 2e-7 even on 2 cores). These models are far too small
    to gain from threads anyway. Call before TF runs any op.
    """
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()


def save_bundle(prefix, tensors):
    """Writes a TF tensor bundle (prefix.index + prefix.data-00000-of-00001) with TF's own SaveV2 op."""
    names = sorted(tensors)
    values = [tf.constant(tensors[n]) for n in names]
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=names, shape_and_slices=[""] * len(names), tensors=values)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata",
                        help="output directory (default: the repository's testdata/)")
    parser.add_argument("--case", action="append", choices=sorted(CASES),
                        help="only this case (repeatable); default: all")
    args = parser.parse_args(argv)

    deterministic_tf()
    # Building 17 models in one process makes tf.function warn about retracing; expected here, so keep it quiet.
    tf.get_logger().setLevel("ERROR")

    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}; out={args.out}", flush=True)
    start = time.perf_counter()
    write_digits(args.out)
    fixtures = args.out / "fixtures"
    fixtures.mkdir(parents=True, exist_ok=True)
    for name in args.case or CASES:
        c = CASES[name]
        case_start = time.perf_counter()
        tensors, keys = run_case(c)
        save_bundle(fixtures / name, tensors)
        print(f"{name}: seed={c['seed']} history={keys} ({time.perf_counter() - case_start:.1f}s)", flush=True)
    print(f"done in {time.perf_counter() - start:.1f}s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
