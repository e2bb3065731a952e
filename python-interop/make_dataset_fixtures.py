"""Generates the Keras reference fixtures for kerasj's Dataset (issue 16): TFRecords and a tf.data training run.

Writes, under --out (default: the repository's testdata/datasets/):
  digits_train.tfrecord          TRAIN_N records, uncompressed: the first rows of testdata/digits/digits.csv
  digits_val.tfrecord.gz         VAL_N records, GZIP-compressed: the next rows
      Every record is a tf.train.Example with
        pixels     float_list, 64 values: the 8x8 pixel counts 0..16 as floats (row-major)
        pixels_u8  bytes_list, one 64-byte string: the same pixels as uint8 (tf.io.decode_raw gives them back)
        label      int64_list, 1 value: the digit 0..9
        nonzero    int64_list, variable length: the indices of the non-zero pixels, in order
        id         bytes_list, one string: "digit-<row>"
  train.index + .data-*          one TF tensor bundle in the format of testdata/fixtures/ (see make_fixtures.py):
                                   meta/weight_names, initial/<weight>, final/<weight>, history/<key> (loss,
                                   accuracy, val_loss, val_accuracy per epoch), predict/val (model.predict on the
                                   validation dataset after fit), evaluate/loss, evaluate/accuracy (on it),
                                   labels/val (int32, the validation labels in record order), final/iterations
                                   (int64, optimizer.iterations after fit: one per batch),
                                   keras_bug/iterations_unknown_cardinality (see pipeline()) and meta/*
  digits_weighted.tfrecord       TRAIN_N records, uncompressed: the same rows as digits_train.tfrecord with the
                                   features pixels, label and w (float_list, 1 value: the sample weight
                                   sample_weights(row), 0.0 to 1.8; two of every seven rows weigh 0.0 or 0.3)
  weighted.index + .data-*       Keras trained on (x, y, sw) batches of digits_weighted.tfrecord (see
                                   weighted_runs()): sample_weight/* (metrics=[accuracy], weighted_metrics=[accuracy];
                                   validation on the same weighted batches; then evaluate on them) and class_weight/*
                                   (class_weight=CLASS_WEIGHT on (x, y) batches of digits_train.tfrecord, validation
                                   on the GZIP file, never class-weighted); each with initial/<weight>,
                                   final/<weight>, history/<key>, final/iterations; sample_weight/evaluate/<key>
Keras trains Sequential([Input((64,)), Dense(32, relu), Dense(10, softmax)]) with Adam(1e-3),
sparse_categorical_crossentropy and "accuracy" on
  tf.data.TFRecordDataset(files).batch(32).map(parse) with parse = tf.io.parse_example + (pixels - 8) / 4, its
  cardinality asserted (see pipeline() for why)
for EPOCHS epochs (no shuffle: the file order), validation on the GZIP file through the same pipeline.
Determinism as in make_fixtures.py (oneDNN off, single-threaded TF, op determinism, jit_compile=False,
clear_session() then set_random_seed(SEED)).

Usage: python python-interop/make_dataset_fixtures.py [--out DIR]
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

from make_fixtures import deterministic_tf, save_bundle, weight_names

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_dataset_fixtures.py"
TRAIN_N = 150  # 4 batches of 32 and a partial one of 22
VAL_N = 48
BATCH_SIZE = 32
EPOCHS = 3
SEED = 1601
MEAN = 8.0
SCALE = 4.0  # (pixels - MEAN) / SCALE; Java: Transforms.normalize(MEAN, SCALE ** 2)

# Sample weights of the weighted records: 0.0 (a sample trained away) to 1.8, by row.
WEIGHTS = (0.0, 0.3, 0.6, 1.0, 1.2, 1.5, 1.8)
# Class weights of the class_weight run, by digit; Keras maps each batch's labels through them (tf_dataset_adapter).
CLASS_WEIGHT = {d: 0.25 + 0.1 * d for d in range(10)}
WEIGHTED_FEATURES = {
    "pixels": tf.io.FixedLenFeature([64], tf.float32),
    "label": tf.io.FixedLenFeature([], tf.int64),
    "w": tf.io.FixedLenFeature([], tf.float32),
}

FEATURES = {
    "pixels": tf.io.FixedLenFeature([64], tf.float32),
    "pixels_u8": tf.io.FixedLenFeature([], tf.string),
    "label": tf.io.FixedLenFeature([], tf.int64),
    "nonzero": tf.io.VarLenFeature(tf.int64),
    "id": tf.io.FixedLenFeature([], tf.string),
}


def read_digits():
    data = np.loadtxt(REPO / "testdata" / "digits" / "digits.csv", delimiter=",", skiprows=1, dtype=np.int64)
    return data[:, :64], data[:, 64]


def example(row, pixels, label):
    f = tf.train.Feature
    return tf.train.Example(features=tf.train.Features(feature={
        "pixels": f(float_list=tf.train.FloatList(value=pixels.astype(np.float32))),
        "pixels_u8": f(bytes_list=tf.train.BytesList(value=[pixels.astype(np.uint8).tobytes()])),
        "label": f(int64_list=tf.train.Int64List(value=[int(label)])),
        "nonzero": f(int64_list=tf.train.Int64List(value=np.flatnonzero(pixels).tolist())),
        "id": f(bytes_list=tf.train.BytesList(value=[f"digit-{row}".encode()])),
    }))


def write_records(path, rows, pixels, labels, compression=None):
    options = tf.io.TFRecordOptions(compression_type=compression) if compression else None
    with tf.io.TFRecordWriter(str(path), options) as w:
        for r in rows:
            w.write(example(r, pixels[r], labels[r]).SerializeToString(deterministic=True))  # sorted map keys


def sample_weight(row):
    return WEIGHTS[row % len(WEIGHTS)]


def write_weighted_records(path, rows, pixels, labels):
    f = tf.train.Feature
    with tf.io.TFRecordWriter(str(path)) as w:
        for r in rows:
            w.write(tf.train.Example(features=tf.train.Features(feature={
                "pixels": f(float_list=tf.train.FloatList(value=pixels[r].astype(np.float32))),
                "label": f(int64_list=tf.train.Int64List(value=[int(labels[r])])),
                "w": f(float_list=tf.train.FloatList(value=[sample_weight(r)])),
            })).SerializeToString(deterministic=True))


def parse_weighted(serialized):
    f = tf.io.parse_example(serialized, WEIGHTED_FEATURES)
    return (f["pixels"] - MEAN) / SCALE, f["label"], f["w"]


def weighted_pipeline(path, records):
    ds = tf.data.TFRecordDataset([str(path)]).batch(BATCH_SIZE).map(parse_weighted)
    return ds.apply(tf.data.experimental.assert_cardinality(-(-records // BATCH_SIZE)))


def weighted_runs(weighted_file, train_file, val_file):
    """The two Keras runs of the weighted bundle: (x, y, sw) batches, and (x, y) batches with class_weight."""
    t = {}
    for case in ("sample_weight", "class_weight"):
        keras.backend.clear_session()
        keras.utils.set_random_seed(SEED)
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], weighted_metrics=["accuracy"], jit_compile=False)
        names = weight_names(model)
        t["meta/weight_names"] = np.array(names, dtype=object)
        for n, w in zip(names, model.weights):
            t[f"{case}/initial/{n}"] = np.array(w.numpy())
        if case == "sample_weight":
            history = model.fit(weighted_pipeline(weighted_file, TRAIN_N), epochs=EPOCHS,
                                validation_data=weighted_pipeline(weighted_file, TRAIN_N), verbose=0)
            scores = model.evaluate(weighted_pipeline(weighted_file, TRAIN_N), verbose=0, return_dict=True)
            for key, value in scores.items():
                t[f"{case}/evaluate/{key}"] = np.float32(value)
        else:
            history = model.fit(pipeline(train_file, records=TRAIN_N), epochs=EPOCHS, class_weight=CLASS_WEIGHT,
                                validation_data=pipeline(val_file, "GZIP", records=VAL_N), verbose=0)
        t[f"{case}/final/iterations"] = np.int64(model.optimizer.iterations.numpy())
        for n, w in zip(names, model.weights):
            t[f"{case}/final/{n}"] = np.array(w.numpy())
        for key, values in history.history.items():
            t[f"{case}/history/{key}"] = np.asarray(values, dtype=np.float32)
        print(case, ", ".join(f"{k}={['%.4g' % v for v in vs]}" for k, vs in history.history.items()), flush=True)
    t["meta/class_weight"] = np.asarray([CLASS_WEIGHT[d] for d in range(10)], dtype=np.float32)
    t.update({
        "meta/epochs": np.int32(EPOCHS), "meta/batch_size": np.int32(BATCH_SIZE), "meta/seed": np.int32(SEED),
        "meta/keras_version": keras.__version__, "meta/tf_version": tf.__version__,
        "meta/numpy_version": np.__version__, "meta/command": COMMAND,
        "meta/description": (f"the model, optimizer and loss of train; metrics=[accuracy], "
                             f"weighted_metrics=[accuracy]; sample_weight: fit(TFRecordDataset("
                             f"digits_weighted.tfrecord).batch({BATCH_SIZE}).map(parse -> (x, y, w))"
                             f".apply(assert_cardinality), epochs={EPOCHS}, validation_data=the same), then "
                             f"evaluate(the same); class_weight: fit(the train pipeline, class_weight=meta/"
                             f"class_weight by digit, validation_data=the val pipeline)"),
    })
    return t


def parse(serialized):
    f = tf.io.parse_example(serialized, FEATURES)
    return (f["pixels"] - MEAN) / SCALE, f["label"]


def pipeline(path, compression="", records=None):
    """TFRecordDataset(path).batch(BATCH_SIZE).map(parse); with `records`, its cardinality is asserted.

    Keras 3.15.1 (TF backend) runs one extra train step per epoch on a dataset of unknown cardinality: the step
    that meets the end of the data still increments optimizer.iterations (18 after 3 epochs of 5 batches, recorded
    in keras_bug/iterations_unknown_cardinality), which shifts Adam's bias correction. The reference run asserts
    the cardinality so that Keras takes exactly one step per batch.
    """
    ds = tf.data.TFRecordDataset([str(path)], compression_type=compression).batch(BATCH_SIZE).map(parse)
    if records is not None:
        ds = ds.apply(tf.data.experimental.assert_cardinality(-(-records // BATCH_SIZE)))
    return ds


def iterations_unknown_cardinality(train_file):
    """optimizer.iterations after fit(EPOCHS) on the train file without asserted cardinality (Keras' extra step)."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", jit_compile=False)
    model.fit(pipeline(train_file), epochs=EPOCHS, verbose=0)
    return np.int64(model.optimizer.iterations.numpy())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "datasets",
                        help="output directory (default: the repository's testdata/datasets/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    args.out.mkdir(parents=True, exist_ok=True)
    pixels, labels = read_digits()
    train_file = args.out / "digits_train.tfrecord"
    val_file = args.out / "digits_val.tfrecord.gz"
    write_records(train_file, range(TRAIN_N), pixels, labels)
    write_records(val_file, range(TRAIN_N, TRAIN_N + VAL_N), pixels, labels, "GZIP")

    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    names = weight_names(model)
    t = {"meta/weight_names": np.array(names, dtype=object)}
    for n, w in zip(names, model.weights):
        t[f"initial/{n}"] = np.array(w.numpy())
    history = model.fit(pipeline(train_file, records=TRAIN_N), epochs=EPOCHS,
                        validation_data=pipeline(val_file, "GZIP", records=VAL_N), verbose=0)
    t["final/iterations"] = np.int64(model.optimizer.iterations.numpy())
    for n, w in zip(names, model.weights):
        t[f"final/{n}"] = np.array(w.numpy())
    for key, values in history.history.items():
        t[f"history/{key}"] = np.asarray(values, dtype=np.float32)
    t["predict/val"] = np.asarray(model.predict(pipeline(val_file, "GZIP"), verbose=0), dtype=np.float32)
    scores = model.evaluate(pipeline(val_file, "GZIP"), verbose=0, return_dict=True)
    t["evaluate/loss"] = np.float32(scores["loss"])
    t["evaluate/accuracy"] = np.float32(scores["accuracy"])
    t["labels/val"] = labels[TRAIN_N:TRAIN_N + VAL_N].astype(np.int32)
    t["keras_bug/iterations_unknown_cardinality"] = iterations_unknown_cardinality(train_file)
    t.update({
        "meta/epochs": np.int32(EPOCHS), "meta/batch_size": np.int32(BATCH_SIZE), "meta/seed": np.int32(SEED),
        "meta/keras_version": keras.__version__, "meta/tf_version": tf.__version__,
        "meta/numpy_version": np.__version__, "meta/command": COMMAND,
        "meta/description": (f"Sequential([Input((64,)), Dense(32, relu), Dense(10, softmax)]); Adam(1e-3); "
                             f"sparse_categorical_crossentropy; metrics=[accuracy]; jit_compile=False; "
                             f"fit(TFRecordDataset(digits_train.tfrecord).batch({BATCH_SIZE}).map(parse)"
                             f".apply(assert_cardinality), "
                             f"epochs={EPOCHS}, validation_data=TFRecordDataset(digits_val.tfrecord.gz, GZIP)"
                             f".batch({BATCH_SIZE}).map(parse)); parse: (pixels - {MEAN}) / {SCALE}, label"),
    })
    save_bundle(args.out / "train", t)
    weighted_file = args.out / "digits_weighted.tfrecord"
    write_weighted_records(weighted_file, range(TRAIN_N), pixels, labels)
    save_bundle(args.out / "weighted", weighted_runs(weighted_file, train_file, val_file))
    print(", ".join(f"{k}={['%.4g' % v for v in vs]}" for k, vs in history.history.items()), flush=True)
    for p in sorted(args.out.iterdir()):
        print(f"{p.name}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    sys.exit(main())
