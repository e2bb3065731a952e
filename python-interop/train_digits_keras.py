"""Python twin of kerasj's digits example: the Keras accuracy that the Java job is quoted against.

Digits pixels / 16 as float32; the first 1437 rows train, the last 360 rows test. Input((64,)), Dense(64, relu),
Dense(10, softmax); Adam(1e-3); sparse categorical cross-entropy; ["accuracy"]; batch 32, 20 epochs,
validation_split=0.1, shuffle=True.

Usage:
  python python-interop/train_digits_keras.py               # one run, seed 42
  python python-interop/train_digits_keras.py --seeds 5     # seeds 1..5, prints the median test accuracy
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import statistics

import keras
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits

N_TRAIN = 1437  # the remaining 360 rows are the test set


def load():
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int32)
    return (x[:N_TRAIN], y[:N_TRAIN]), (x[N_TRAIN:], y[N_TRAIN:])


def train_and_test(seed, verbose):
    """Trains from a clean, seeded state; returns model.evaluate's {loss, accuracy} on the 360 test rows."""
    keras.backend.clear_session()  # first: clearing the session also forgets Keras' global seed
    keras.utils.set_random_seed(seed)
    (x, y), (x_test, y_test) = load()
    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=20, validation_split=0.1, shuffle=True, verbose=verbose)
    return model.evaluate(x_test, y_test, batch_size=32, return_dict=True, verbose=0)


def main():
    parser = argparse.ArgumentParser(description="Keras reference accuracy on the digits test split")
    parser.add_argument("--seed", type=int, default=42, help="seed of the single run (default 42)")
    parser.add_argument("--seeds", type=int, default=0,
                        help="instead of one run, train with seeds 1..N and print the median test accuracy")
    args = parser.parse_args()
    tf.config.experimental.enable_op_determinism()
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, numpy {np.__version__}")

    if args.seeds <= 0:
        result = train_and_test(args.seed, verbose=2)
        print(f"seed={args.seed} test_loss={result['loss']:.4f} test_accuracy={result['accuracy']:.4f}")
        return

    accuracies = []
    for seed in range(1, args.seeds + 1):
        result = train_and_test(seed, verbose=0)
        accuracies.append(result["accuracy"])
        print(f"seed={seed} test_loss={result['loss']:.4f} test_accuracy={result['accuracy']:.4f}", flush=True)
    print(f"median_test_accuracy={statistics.median(accuracies):.4f} over seeds 1..{args.seeds}")


if __name__ == "__main__":
    main()
