"""Python side of the kerasj save/restore benchmark (python-interop/benchmark_save.sh).

The same model as dev.kerasj.bench.SaveBenchmark: Input(2048) -> Dense(4096, relu) -> Dense(4096, relu) ->
Dense(10, softmax), Adam, one training step of batch 32 so the optimizer slots exist (25.2M parameters, ~302 MB
with Adam's m and v). Each repetition writes into a fresh directory under --dir; the operations are interleaved per
repetition. Prints one line per repetition, then `key=value` lines with the medians in milliseconds.

Note: TensorFlow does not fsync checkpoint or SavedModel files; kerasj does. py_checkpoint_write_fsync is
Checkpoint.write followed by an fsync of the files and the directory, for a like-for-like comparison.

Usage: python python-interop/bench_save.py [--reps 5] [--dir target/bench/save-py] [--no-export]
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import shutil
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

INPUT, HIDDEN, CLASSES, BATCH = 2048, 4096, 10, 32


def new_model():
    model = keras.Sequential([
        keras.Input((INPUT,)),
        keras.layers.Dense(HIDDEN, activation="relu"),
        keras.layers.Dense(HIDDEN, activation="relu"),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def fsync_tree(root):
    """fsync every file under root, then the directories: what kerasj does before renaming into place."""
    for dirpath, _, files in os.walk(root, topdown=False):
        for f in files:
            fd = os.open(os.path.join(dirpath, f), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(dirpath, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_and_fsync(ckpt, prefix):
    ckpt.write(prefix)
    fsync_tree(os.path.dirname(prefix))


def timed(fn):
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--dir", default="target/bench/save-py")
    parser.add_argument("--no-export", action="store_true", help="skip model.export (a traced SavedModel)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, INPUT), dtype=np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    model = new_model()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    fresh = new_model()
    fresh.optimizer.build(fresh.trainable_variables)
    nbytes = sum(v.numpy().nbytes for v in model.variables) + sum(v.numpy().nbytes for v in model.optimizer.variables)
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}; params={model.count_params()}, "
          f"variables {nbytes / 1e6:.1f} MB, reps={args.reps}")
    ckpt = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    fresh_ckpt = tf.train.Checkpoint(model=fresh, optimizer=fresh.optimizer)
    ops = ["py_checkpoint_write", "py_checkpoint_write_fsync", "py_checkpoint_restore", "py_saved_model_save"]
    if not args.no_export:
        ops.append("py_model_export")
    times = {k: [] for k in ops}
    shutil.rmtree(args.dir, ignore_errors=True)
    for r in range(args.reps):
        rep = os.path.join(args.dir, f"rep-{r}")
        os.makedirs(rep)
        prefix = os.path.join(rep, "ckpt", "ckpt-1")
        times["py_checkpoint_write"].append(timed(lambda: ckpt.write(prefix)))
        fsynced = os.path.join(rep, "ckpt-fsync", "ckpt-1")
        times["py_checkpoint_write_fsync"].append(timed(lambda: write_and_fsync(ckpt, fsynced)))
        times["py_checkpoint_restore"].append(timed(lambda: fresh_ckpt.restore(prefix).assert_nontrivial_match()))
        times["py_saved_model_save"].append(timed(lambda: tf.saved_model.save(model, os.path.join(rep, "sm"))))
        if not args.no_export:
            times["py_model_export"].append(timed(lambda: model.export(os.path.join(rep, "export"), verbose=False)))
        print(f"rep {r + 1}/{args.reps}: " + "; ".join(f"{k} {v[-1]:.0f} ms" for k, v in times.items()))
        shutil.rmtree(rep)
    for k, v in times.items():
        print(f"{k}_ms={statistics.median(v):.1f}")


if __name__ == "__main__":
    main()
