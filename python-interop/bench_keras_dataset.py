"""Keras 3 side of the per-step overhead benchmark (python-interop/benchmark_dataset.sh).

The digits MLP of dev.kerasj.bench.DatasetBenchmark (64-64-10, relu, softmax, Adam(1e-3), sparse categorical
cross-entropy + accuracy) at batch 32 on the same 1,800 samples (the first 150 rows of testdata/digits/digits.csv,
x / 16, then (x - 8) / 4, 12 times), fit from arrays without shuffling, with compile(steps_per_execution=1) and
with steps_per_execution=16. One warm-up fit per setting, then --rounds rounds in alternating order of
--epochs epochs each, timed around fit(). Prints one line per round and then
`keras_spe<k>_samples_per_sec=<median>` for each k.

Usage: python python-interop/bench_keras_dataset.py [--rounds 5] [--epochs 3]
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

BATCH_SIZE = 32
STEPS_PER_EXECUTION = (1, 16)


def data():
    here = os.path.dirname(os.path.abspath(__file__))
    rows = np.loadtxt(os.path.join(here, "..", "testdata", "digits", "digits.csv"), delimiter=",", skiprows=1,
                      dtype=np.float32)[:150]
    x = ((rows[:, :64] / 16.0 - 8.0) / 4.0).astype(np.float32)
    y = rows[:, 64].astype(np.int32)
    return np.tile(x, (12, 1)), np.tile(y, 12)


def model(steps_per_execution):
    keras.utils.set_random_seed(42)
    m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              steps_per_execution=steps_per_execution)
    return m


def main():
    parser = argparse.ArgumentParser(description="Keras 3 digits MLP per-step overhead")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    x, y = data()
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}; samples={len(x)}, batch_size={BATCH_SIZE}",
          flush=True)
    models = {k: model(k) for k in STEPS_PER_EXECUTION}
    for m in models.values():
        m.fit(x, y, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0)  # warm-up: tracing
    rates = {k: [] for k in STEPS_PER_EXECUTION}
    for r in range(args.rounds):
        order = STEPS_PER_EXECUTION if r % 2 == 0 else STEPS_PER_EXECUTION[::-1]
        line = []
        for k in order:
            t0 = time.perf_counter()
            models[k].fit(x, y, batch_size=BATCH_SIZE, epochs=args.epochs, shuffle=False, verbose=0)
            rate = len(x) * args.epochs / (time.perf_counter() - t0)
            rates[k].append(rate)
            line.append(f"steps_per_execution={k} {rate:.0f} samples/s")
        print(f"round {r + 1}: " + "; ".join(line), flush=True)
    for k in STEPS_PER_EXECUTION:
        print(f"keras_spe{k}_samples_per_sec={statistics.median(rates[k]):.0f}")


if __name__ == "__main__":
    main()
