"""Generates the Keras reference fixtures for the base-optimizer options of Keras 3.15 (issue 17): gradient clipping
(`clipnorm`, `clipvalue`, `global_clipnorm`) for SGD and Adam, plus clipping by norm on an Embedding (whose gradient
Keras clips as IndexedSlices, one row per lookup), and the weights' moving average (`use_ema`, `ema_momentum`,
`ema_overwrite_frequency`) for Adam, and gradient accumulation (`gradient_accumulation_steps`) for SGD and Adam, and
the order of weight constraints (MaxNorm on the kernels) after Adam's update, accumulation and moving averages.

Same files, model, data, determinism and layout as make_optimizer_fixtures.py (train/<case> bundles with history,
weights and every optimizer variable, keras/<case>.keras, checkpoints/<case>/ckpt-1.*), written under --out (default:
the repository's testdata/clipping/). The clip thresholds bite: measured on the first batch at the initial weights,
the per-weight gradient norms are 0.02 to 1.8 (so clipnorm clips the kernels and leaves some biases alone), the
global norms 0.34 to 2.3 and the largest elements 0.06 to 1.0, all above the thresholds below.

Usage: python python-interop/make_clipping_fixtures.py [--out DIR]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import pathlib
import sys

import tensorflow as tf

from make_fixtures import Opt, deterministic_tf
from make_optimizer_fixtures import run_case

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_clipping_fixtures.py"

CASES = {
    "sgd_clipnorm": (601, Opt("SGD", learning_rate=0.5, momentum=0.5, clipnorm=0.2)),
    "sgd_clipvalue": (602, Opt("SGD", learning_rate=0.5, clipvalue=0.05)),
    "sgd_global_clipnorm": (603, Opt("SGD", learning_rate=0.5, global_clipnorm=0.3)),
    "adam_clipnorm": (604, Opt("Adam", learning_rate=0.02, clipnorm=0.2)),
    "adam_clipvalue": (605, Opt("Adam", learning_rate=0.02, clipvalue=0.05)),
    "adam_global_clipnorm": (606, Opt("Adam", learning_rate=0.02, global_clipnorm=0.3)),
    "adam_clipnorm_embedding": (607, Opt("Adam", learning_rate=0.05, clipnorm=0.1)),
    "sgd_global_clipnorm_embedding": (608, Opt("SGD", learning_rate=0.5, global_clipnorm=0.1)),
    # Moving averages of the weights: updated after every step, the weights set to them at the end of each fit
    # (finalize_variable_values) and, with ema_overwrite_frequency=2, whenever (iterations + 1) % 2 == 0.
    "adam_ema": (611, Opt("Adam", learning_rate=0.02, use_ema=True, ema_momentum=0.9)),
    "adam_ema_overwrite": (612, Opt("Adam", learning_rate=0.02, use_ema=True, ema_momentum=0.8,
                                    ema_overwrite_frequency=2)),
    # Gradient accumulation over 3 steps, trained with batch 16 (5 steps per epoch) for 2 epochs: the files are
    # written after 10 steps, one gradient into the next accumulation, and the fourth epoch (steps 11 to 15) applies
    # at steps 12 and 15.
    "sgd_accumulation": (621, Opt("SGD", learning_rate=0.2, momentum=0.5, gradient_accumulation_steps=3)),
    "adam_accumulation": (622, Opt("Adam", learning_rate=0.02, gradient_accumulation_steps=3)),
    # All three together: the mean gradient is clipped, the EMA sees iterations // 3 (its first step and overwrites).
    "adam_ema_clipnorm_accumulation": (623, Opt("Adam", learning_rate=0.02, gradient_accumulation_steps=3,
                                                clipnorm=0.2, use_ema=True, ema_momentum=0.8,
                                                ema_overwrite_frequency=2)),
    # An Embedding's IndexedSlices gradient plus the dense accumulator is dense: Adam's squared gradient is then the
    # square of the summed rows, not the sum of squared lookups.
    "adam_accumulation_embedding": (624, Opt("Adam", learning_rate=0.05, gradient_accumulation_steps=3)),
    # Weight constraints: MaxNorm(0.3) on both kernels, below every column's norm at the start and after almost every
    # step. Keras' BaseOptimizer.apply assigns constraint(variable) after _backend_apply_gradients (the update, the
    # accumulation cond and the moving averages), on every step, so the averages follow unconstrained weights, the
    # weights written from the averages (overwrites, the end of fit) stay unconstrained until the next step, and a
    # step that only accumulates still constrains them.
    "adam_ema_maxnorm": (631, Opt("Adam", learning_rate=0.02, use_ema=True, ema_momentum=0.9)),
    "adam_ema_maxnorm_accumulation": (632, Opt("Adam", learning_rate=0.02, use_ema=True, ema_momentum=0.9,
                                               gradient_accumulation_steps=3)),
    "adam_ema_overwrite_maxnorm": (633, Opt("Adam", learning_rate=0.02, use_ema=True, ema_momentum=0.9,
                                            ema_overwrite_frequency=2)),
}
ACCUMULATION_FIT = dict(epochs=2, batch_size=16)
MAX_NORM = 0.3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "testdata" / "clipping",
                        help="output directory (default: the repository's testdata/clipping/)")
    args = parser.parse_args(argv)
    deterministic_tf()
    tf.get_logger().setLevel("ERROR")
    for sub in ("train", "keras", "checkpoints"):
        (args.out / sub).mkdir(parents=True, exist_ok=True)
    for name in CASES:
        fit = ACCUMULATION_FIT if "_accumulation" in name else {}
        if "_maxnorm" in name:
            fit["max_norm"] = MAX_NORM
        losses, next_loss = run_case(name, args.out, CASES, COMMAND, **fit)
        print(f"{name}: loss={['%.4g' % v for v in losses]} next={next_loss[0]:.4g}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
