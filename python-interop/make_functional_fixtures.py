"""Generates Keras Functional-model reference fixtures (several inputs or outputs, merges, shared and nested layers,
a frozen pretrained base) that kerasj's Java tests compare against.

Writes, under --out (default: the repository's testdata/), in functional/:
  <case>.index + .data-00000-of-00001    one TF tensor bundle per case (see CASES below)
  <case>.keras, <case>.weights.h5        the trained model: model.save() and model.save_weights()
  transfer_base.keras                    the pretrained "base" model of case `transfer`, saved alone before freezing

Tensor names in each bundle (the contract with the Java side, also described in testdata/README.md):
  x/<input>, x_val/<input>               one per model input, named as the Input; model.inputs order is the
                                         order of meta/input_names
  y/<output>, y_val/<output>             one per model output
  meta/input_names, meta/output_names    1-D string, in model order (model.inputs, model.output_names)
  meta/weight_names                      1-D string: Keras 3's variable path, w.path, for each of model.weights
  meta/weight_layers                     1-D string: the name of the top-level layer (an entry of model.layers)
                                         that owns each weight: "encoder" or "base" for a nested model's weights
  meta/trainable                         1-D int32: 1 where the weight is in model.trainable_weights
  initial/<i>, final/<i>                 weight i of model.weights (the index of meta/weight_names) right after
                                         compile, and after fit
  history/<key>                          float32 [epochs] for every key of History.history
  predict/<output>                       model.predict(x_val) after training, one per output
  evaluate/<key>                         float32 scalar for every key of model.evaluate(..., return_dict=True)
  meta/config_json                       model.to_json() of the compiled model, before training
  meta/epochs, meta/batch_size, meta/seed                               int32 scalars
  meta/keras_version, meta/tf_version, meta/numpy_version,
  meta/command, meta/description                                        string scalars

Weight paths (w.path, Keras 3.15.1): a layer's weights are "<layer name>/<weight>" (`digit/kernel`). A variable's
path is fixed when it is created, under the name scopes open at that moment, so nesting shows only where the inner
model built its own layers:
  - nested_model: the Sequential "encoder" (with an Input) builds its Dense layers inside its own scope, so their
    paths are `encoder/dense/kernel`, `encoder/dense_1/bias`; meta/weight_layers says `encoder`.
  - transfer: the Functional "base" is built by calling its layers on symbolic tensors before the model exists, so
    its paths carry no `base/` prefix: `base_dense/kernel`, `base_bn/moving_mean`, `base_features/bias`, then
    `head/kernel`, `head/bias`; meta/weight_layers says `base` for the first eight. Only the head is trainable.
  A path is therefore not unique in general (two inner models can both hold a `dense/kernel`), and not stable: the
  nested_model.keras file loaded back gives `dense/kernel` (no `encoder/`), as its layers are then rebuilt outside
  the encoder's scope. The bundles key weights by index for that reason.

Adaptations to Keras 3.15.1, each needed for fit(x=dict, y=dict keyed by name):
  - Every model is keras.Model(inputs=[<Input>, ...], outputs={<name>: <tensor>, ...}). With a single output given
    as a tensor or a one-element list, Keras 3.15 rejects a y dict ("Expected float32, but got digit of type
    'str'"); a dict of outputs accepts it. Multi-output models use the same dict form for uniformity (output
    names in sorted order, which is also the order Keras flattens a dict in). Inputs are a list: a single Input
    given as a bare tensor makes Keras warn that a dict x does not match its structure, and a dict of inputs would
    be serialized in insertion order while model.inputs is sorted.
  - So the config's "output_layers" is a dict ({"digit": ["digit", 0, 0]}) and "input_layers" a list of
    [name, 0, 0]; model.predict returns a dict keyed by output name.
  - Model names are automatic: "functional", except nested_model and transfer, "functional_1" (a Sequential built
    from an Input holds a Functional that takes "functional"; transfer's pretraining model takes it too). The
    temporary pretraining head of transfer is auto-named "dense".

Usage: python python-interop/make_functional_fixtures.py [--out DIR] [--case NAME ...]
"""

import os

# As in make_fixtures.py (which this imports and which sets the same): before TensorFlow is imported.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from make_fixtures import BATCH_SIZE, EPOCHS, deterministic_tf, digits_split, save_bundle, training_meta

REPO = pathlib.Path(__file__).resolve().parent.parent
# Free of absolute paths and of --out, so regenerated bundles equal the committed ones (see make_fixtures.COMMAND).
COMMAND = "python-interop/.venv/bin/python python-interop/make_functional_fixtures.py"
FOLDER = "functional"
TRANSFER_BASE = "transfer_base.keras"
PRETRAIN_EPOCHS = 2
L = keras.layers
SPARSE_CE = "sparse_categorical_crossentropy"

# Input name -> the digits feature columns it gets (pixels / 16, as make_fixtures.digits_split).
COLUMNS = {"pixels": slice(0, 64), "a": slice(0, 32), "b": slice(32, 64)}
# Output name -> digits_split y kind: "sparse" = int32 [N] labels, "scaled" = float32 [N, 1] label / 9.
TARGETS = {"digit": "sparse", "head": "sparse", "value": "scaled"}


# ---------------------------------------------------------------------------------------------------------------
# Cases. Each builder makes the (uncompiled) model in a fresh, seeded session and returns it with its compile
# arguments; its docstring is the case's meta/description.


def functional(inputs, outputs):
    """keras.Model with a list of inputs and a dict of outputs, in sorted name order (see the module docstring)."""
    return keras.Model(inputs=list(inputs), outputs=dict(sorted(outputs.items())))


def two_input_concat(ctx):
    """a = Input((32,), name="a"), b = Input((32,), name="b"); Dense(16, relu, name="a_dense")(a),
    Dense(16, relu, name="b_dense")(b); Concatenate()([.., ..]); Dense(10, softmax, name="digit").
    Adam(learning_rate=1e-3); loss "sparse_categorical_crossentropy"; metrics ["accuracy"]."""
    a, b = keras.Input((32,), name="a"), keras.Input((32,), name="b")
    h = L.Concatenate()([L.Dense(16, activation="relu", name="a_dense")(a),
                         L.Dense(16, activation="relu", name="b_dense")(b)])
    digit = L.Dense(10, activation="softmax", name="digit")(h)
    return functional([a, b], {"digit": digit}), dict(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=SPARSE_CE, metrics=["accuracy"])


def two_output(ctx):
    """pixels = Input((64,), name="pixels"); h = Dense(32, relu, name="trunk"); outputs digit = Dense(10, softmax,
    name="digit")(h), value = Dense(1, name="value")(h) regressing label / 9. SGD(learning_rate=0.05, momentum=0.9);
    loss {"digit": "sparse_categorical_crossentropy", "value": "mse"}, loss_weights {"digit": 1.0, "value": 0.5},
    metrics {"digit": ["accuracy"], "value": ["mae"]}."""
    pixels = keras.Input((64,), name="pixels")
    h = L.Dense(32, activation="relu", name="trunk")(pixels)
    digit = L.Dense(10, activation="softmax", name="digit")(h)
    value = L.Dense(1, name="value")(h)
    return functional([pixels], {"digit": digit, "value": value}), dict(
        optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
        loss={"digit": SPARSE_CE, "value": "mse"}, loss_weights={"digit": 1.0, "value": 0.5},
        metrics={"digit": ["accuracy"], "value": ["mae"]})


def residual_add(ctx):
    """pixels = Input((64,), name="pixels"); h = Dense(32, relu)(pixels); r = Dense(32, relu)(h); Add()([h, r]);
    Dense(10, softmax, name="digit"). RMSprop(learning_rate=1e-3); loss "sparse_categorical_crossentropy";
    metrics ["accuracy"]."""
    pixels = keras.Input((64,), name="pixels")
    h = L.Dense(32, activation="relu")(pixels)
    r = L.Dense(32, activation="relu")(h)
    digit = L.Dense(10, activation="softmax", name="digit")(L.Add()([h, r]))
    return functional([pixels], {"digit": digit}), dict(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss=SPARSE_CE, metrics=["accuracy"])


def shared_layer(ctx):
    """a = Input((32,), name="a"), b = Input((32,), name="b"); shared = Dense(16, relu, name="shared");
    Concatenate()([shared(a), shared(b)]); Dense(10, softmax, name="digit"). Adam(learning_rate=1e-3); loss
    "sparse_categorical_crossentropy"; metrics ["accuracy"]."""
    a, b = keras.Input((32,), name="a"), keras.Input((32,), name="b")
    shared = L.Dense(16, activation="relu", name="shared")
    digit = L.Dense(10, activation="softmax", name="digit")(L.Concatenate()([shared(a), shared(b)]))
    return functional([a, b], {"digit": digit}), dict(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=SPARSE_CE, metrics=["accuracy"])


def merge_layers(ctx):
    """a = Input((32,), name="a"), b = Input((32,), name="b"); pa = Dense(16, tanh, name="pa")(a),
    pb = Dense(16, tanh, name="pb")(b); Add, Subtract, Multiply, Average, Maximum, Minimum, each ()([pa, pb]);
    Concatenate() of the six in that order; Dense(10, softmax, name="digit"). Adam(learning_rate=1e-3); loss
    "sparse_categorical_crossentropy"; metrics ["accuracy"]."""
    a, b = keras.Input((32,), name="a"), keras.Input((32,), name="b")
    pa = L.Dense(16, activation="tanh", name="pa")(a)
    pb = L.Dense(16, activation="tanh", name="pb")(b)
    merged = [merge()([pa, pb]) for merge in (L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum)]
    digit = L.Dense(10, activation="softmax", name="digit")(L.Concatenate()(merged))
    return functional([a, b], {"digit": digit}), dict(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=SPARSE_CE, metrics=["accuracy"])


def nested_model(ctx):
    """encoder = Sequential([Input((64,)), Dense(32, relu), Dense(16, relu)], name="encoder");
    pixels = Input((64,), name="pixels"); Dense(10, softmax, name="digit")(encoder(pixels)). SGD(learning_rate=0.1);
    loss "sparse_categorical_crossentropy"; metrics ["accuracy"]."""
    encoder = keras.Sequential([keras.Input((64,)), L.Dense(32, activation="relu"), L.Dense(16, activation="relu")],
                               name="encoder")
    pixels = keras.Input((64,), name="pixels")
    digit = L.Dense(10, activation="softmax", name="digit")(encoder(pixels))
    return functional([pixels], {"digit": digit}), dict(
        optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=SPARSE_CE, metrics=["accuracy"])


def transfer(ctx):
    """base = Model(Input((64,), name="pixels") -> Dense(32, relu, name="base_dense") ->
    BatchNormalization(name="base_bn") -> Dense(16, relu, name="base_features"), name="base"), pretrained with a
    temporary head Dense(10, softmax) (Adam(learning_rate=1e-3), sparse CE, 2 epochs on x/y, batch 32,
    shuffle=False) and saved alone as transfer_base.keras; then base.trainable = False; pixels = Input((64,),
    name="pixels"); Dense(10, softmax, name="head")(base(pixels, training=False)). Adam(learning_rate=1e-3); loss
    "sparse_categorical_crossentropy"; metrics ["accuracy"]."""
    pixels = keras.Input((64,), name="pixels")
    h = L.Dense(32, activation="relu", name="base_dense")(pixels)
    h = L.BatchNormalization(name="base_bn")(h)
    h = L.Dense(16, activation="relu", name="base_features")(h)
    base = keras.Model(pixels, h, name="base")

    pretrain = functional([pixels], {"digit": L.Dense(10, activation="softmax")(base.output)})
    pretrain.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=SPARSE_CE, jit_compile=False)
    x, y, _, _ = ctx["data"](["pixels"], ["digit"])
    pretrain.fit(x, y, batch_size=BATCH_SIZE, epochs=PRETRAIN_EPOCHS, shuffle=False, verbose=0)
    base.save(ctx["out"] / TRANSFER_BASE)  # before freezing: the Java side freezes it itself

    base.trainable = False
    outer = keras.Input((64,), name="pixels")
    head = L.Dense(10, activation="softmax", name="head")(base(outer, training=False))
    return functional([outer], {"head": head}), dict(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=SPARSE_CE, metrics=["accuracy"])


# name -> (seed, builder). Seeds differ from every other generator's.
CASES = {
    "two_input_concat": (201, two_input_concat),
    "two_output": (202, two_output),
    "residual_add": (203, residual_add),
    "shared_layer": (204, shared_layer),
    "merge_layers": (205, merge_layers),
    "nested_model": (206, nested_model),
    "transfer": (207, transfer),
}


# ---------------------------------------------------------------------------------------------------------------
# Training and writing


def digits_dicts(input_names, output_names):
    """(x, y, x_val, y_val) as dicts keyed by input and output name (see COLUMNS and TARGETS)."""
    x, _, x_val, _ = digits_split("sparse")
    ys = {n: digits_split(TARGETS[n]) for n in output_names}
    return ({n: x[:, COLUMNS[n]] for n in input_names}, {n: ys[n][1] for n in output_names},
            {n: x_val[:, COLUMNS[n]] for n in input_names}, {n: ys[n][3] for n in output_names})


def weight_layers(model):
    """The name of the entry of model.layers that owns each of model.weights (a nested model owns its layers')."""
    owner = {}
    for layer in model.layers:
        for w in layer.weights:
            owner[id(w)] = layer.name
    return [owner[id(w)] for w in model.weights]


def describe(builder):
    text = " ".join(builder.__doc__.split())
    return (f"{text} Model(inputs=[...], outputs={{name: ...}}); jit_compile=False; epochs={EPOCHS}, "
            f"batch_size={BATCH_SIZE}, shuffle=False, x, y and validation_data=(x_val, y_val) as dicts keyed by name")


def run_case(name, out):
    """Trains one case from a clean, seeded Keras state, saves its .keras and .weights.h5 in `out`; returns the
    {tensor name: numpy value} of its bundle and its history keys."""
    seed, builder = CASES[name]
    keras.backend.clear_session()  # first: it also drops Keras' global seed and restarts automatic layer names
    keras.utils.set_random_seed(seed)

    model, compile_args = builder({"data": digits_dicts, "out": out})
    # jit_compile=False: what "auto" resolves to on a CPU-only machine (see make_fixtures.run_case).
    model.compile(**compile_args, jit_compile=False)
    input_names = [t.name for t in model.inputs]
    output_names = list(model.output_names)
    x, y, x_val, y_val = digits_dicts(input_names, output_names)

    trainable = {id(w) for w in model.trainable_weights}
    t = {"meta/input_names": np.array(input_names, dtype=object),
         "meta/output_names": np.array(output_names, dtype=object),
         "meta/weight_names": np.array([w.path for w in model.weights], dtype=object),
         "meta/weight_layers": np.array(weight_layers(model), dtype=object),
         "meta/trainable": np.array([int(id(w) in trainable) for w in model.weights], dtype=np.int32),
         "meta/config_json": model.to_json()}
    for n in input_names:
        t[f"x/{n}"], t[f"x_val/{n}"] = x[n], x_val[n]
    for n in output_names:
        t[f"y/{n}"], t[f"y_val/{n}"] = y[n], y_val[n]
    for i, w in enumerate(model.weights):
        t[f"initial/{i}"] = np.array(w.numpy())

    history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=False, validation_data=(x_val, y_val),
                        verbose=0)

    for i, w in enumerate(model.weights):
        t[f"final/{i}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    predicted = model.predict(x_val, batch_size=BATCH_SIZE, verbose=0)
    for n in output_names:
        t[f"predict/{n}"] = predicted[n]
    for key, value in model.evaluate(x_val, y_val, batch_size=BATCH_SIZE, return_dict=True, verbose=0).items():
        t[f"evaluate/{key}"] = np.float32(value)

    model.save(out / f"{name}.keras")
    model.save_weights(out / f"{name}.weights.h5")

    t.update(training_meta(seed, COMMAND, describe(builder)))
    return t, list(history.history)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata",
                        help="output directory (default: the repository's testdata/)")
    parser.add_argument("--case", action="append", choices=sorted(CASES),
                        help="only this case (repeatable); default: all")
    args = parser.parse_args(argv)

    deterministic_tf()
    tf.get_logger().setLevel("ERROR")  # tf.function retracing warnings, expected when building many models

    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, numpy {np.__version__}; out={args.out}",
          flush=True)
    start = time.perf_counter()
    out = args.out / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    for name in args.case or CASES:
        case_start = time.perf_counter()
        tensors, keys = run_case(name, out)
        save_bundle(out / name, tensors)
        print(f"{name}: seed={CASES[name][0]} history={keys} ({time.perf_counter() - case_start:.1f}s)", flush=True)
    print(f"done in {time.perf_counter() - start:.1f}s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
