"""Keras 3 side of the kerasj LSTM training-throughput benchmark (src/test/java/dev/kerasj/bench/LstmBenchmark.java).

Sequential([Input((8, 8)), LSTM(32), Dense(10, softmax)]), Adam(1e-3), sparse categorical cross-entropy with the
accuracy metric, batch 32, on all 1797 rows of testdata/digits/digits.csv read as 8 time steps of 8 features
(pixels / 16). One warm-up epoch, then --epochs timed epochs in one fit() call, timed per epoch by a callback.
Prints one line per timed epoch, then `keras_samples_per_sec=<median>`.

Usage: python python-interop/bench_keras_lstm.py [--epochs 5] [--no-jit]
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

CSV = pathlib.Path(__file__).resolve().parent.parent / "testdata" / "digits" / "digits.csv"
BATCH_SIZE = 32


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def main():
    parser = argparse.ArgumentParser(description="Keras 3 LSTM training throughput")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--no-jit", action="store_true", help="compile with jit_compile=False")
    args = parser.parse_args()
    data = np.loadtxt(CSV, delimiter=",", skiprows=1, dtype=np.int64)
    x = (data[:, :64] / 16.0).astype(np.float32).reshape(-1, 8, 8)
    y = data[:, 64].astype(np.int32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8)), keras.layers.LSTM(32), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False if args.no_jit else "auto")
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}; jit_compile={model.jit_compile}; "
          f"samples={len(x)}, batch_size={BATCH_SIZE}", flush=True)
    timer = EpochTimer()
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=1 + args.epochs, verbose=0, callbacks=[timer])
    rates = []
    for i, seconds in enumerate(timer.seconds[1:], start=1):
        rates.append(len(x) / seconds)
        print(f"epoch {i}/{args.epochs}: {seconds:.3f} s, {rates[-1]:.1f} samples/s", flush=True)
    print(f"keras_samples_per_sec={statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
