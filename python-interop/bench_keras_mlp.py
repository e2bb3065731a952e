"""Keras 3 side of the kerasj training-throughput benchmark.

MLP 784-256-128-10 (relu, relu, softmax), Adam, sparse categorical cross-entropy, batch 128, on 60,000 synthetic
samples (numpy default_rng(0): float32 standard-normal x, integer labels 0..9). One warm-up epoch (tracing, kernel
setup), then --epochs timed epochs, all in one fit() call timed per epoch by a callback, so no per-call setup is
counted. Prints one line per timed epoch, then exactly one line `keras_samples_per_sec=<median over timed epochs>`.

Usage: python python-interop/bench_keras_mlp.py [--epochs 3] [--no-jit]
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

SAMPLES = 60_000
BATCH_SIZE = 128
WARMUP_EPOCHS = 1


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of every epoch (epoch-end minus epoch-begin)."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def main():
    parser = argparse.ArgumentParser(description="Keras 3 MLP training throughput")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after the warm-up (default 3)")
    parser.add_argument("--no-jit", action="store_true",
                        help='compile with jit_compile=False (default: Keras\' "auto")')
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=SAMPLES).astype(np.int32)

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((784,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  jit_compile=False if args.no_jit else "auto")
    devices = ", ".join(d.name for d in tf.config.list_logical_devices())
    # model.jit_compile shows what "auto" resolved to (False on CPU-only machines).
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}; devices: {devices}; "
          f"jit_compile={model.jit_compile}; samples={SAMPLES}, batch_size={BATCH_SIZE}", flush=True)

    timer = EpochTimer()
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=WARMUP_EPOCHS + args.epochs, verbose=0, callbacks=[timer])
    rates = []
    for i, seconds in enumerate(timer.seconds[WARMUP_EPOCHS:], start=1):
        rates.append(SAMPLES / seconds)
        print(f"epoch {i}/{args.epochs}: {seconds:.3f} s, {rates[-1]:.1f} samples/s", flush=True)
    print(f"keras_samples_per_sec={statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
