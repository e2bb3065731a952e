"""Keras 3 side of the kerasj graph-build benchmark (python-interop/benchmark_graph_build.sh).

The same model as dev.kerasj.bench.GraphBuildBenchmark: Input(64), --layers x Dense(64, relu), Dense(10, softmax);
Adam, sparse categorical cross-entropy, batch 128, 384 synthetic samples (numpy default_rng(0)), one epoch of 3
steps, no shuffling. Phases, timed with perf_counter:

  import     import tensorflow and keras (kerasj's counterpart is the TF native library load inside its build)
  construct  keras.Sequential([...]) with an Input: builds the layers and creates the weights
  compile    model.compile(...)
  fit_setup  from the fit() call to the first on_train_batch_begin, plus the time between steps 2 and 3
  step1      the first batch: tracing the train function, Grappler or XLA compilation, the first run
  step2      the second batch

Prints `key=value` lines: times in ms, peak_rss_mb (ru_maxrss of this process, whole run).

Usage: python python-interop/bench_keras_graph_build.py --layers 64 [--jit auto|true|false]
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_T0 = time.perf_counter()

import argparse  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

IMPORT_MS = (time.perf_counter() - _T0) * 1e3
FEATURES, UNITS, CLASSES, BATCH_SIZE, SAMPLES = 64, 64, 10, 128, 384


class Phases:
    """Named wall-clock intervals, one open at a time; begin() closes the open one."""

    def __init__(self):
        self.ms = {}
        self._open = None
        self._start = 0.0

    def begin(self, name):
        self.end()
        self._open, self._start = name, time.perf_counter()

    def end(self):
        if self._open is not None:
            self.ms[self._open] = self.ms.get(self._open, 0.0) + (time.perf_counter() - self._start) * 1e3
            self._open = None


class StepTimer(keras.callbacks.Callback):
    """Times the first two training batches as step1 and step2; the rest of fit() goes to fit_setup."""

    def __init__(self, phases):
        super().__init__()
        self.phases = phases

    def on_train_batch_begin(self, batch, logs=None):
        if batch < 2:
            self.phases.begin(f"step{batch + 1}")

    def on_train_batch_end(self, batch, logs=None):
        if batch < 2:
            self.phases.begin("fit_setup")


def main():
    parser = argparse.ArgumentParser(description="Keras 3 graph build + first steps of a deep MLP")
    parser.add_argument("--layers", type=int, default=64, help="hidden Dense(64, relu) layers (default 64)")
    parser.add_argument("--jit", choices=("auto", "true", "false"), default="auto",
                        help='jit_compile passed to compile(): Keras\' default "auto" (False on a CPU-only machine), '
                        'or forced on (XLA) or off')
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, size=SAMPLES).astype(np.int32)
    keras.utils.set_random_seed(0)

    phases = Phases()
    phases.begin("construct")
    model = keras.Sequential(
        [keras.Input((FEATURES,))]
        + [keras.layers.Dense(UNITS, activation="relu") for _ in range(args.layers)]
        + [keras.layers.Dense(CLASSES, activation="softmax")])
    phases.begin("compile")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  jit_compile={"auto": "auto", "true": True, "false": False}[args.jit])
    phases.begin("fit_setup")
    history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0,
                        callbacks=[StepTimer(phases)])
    phases.end()

    # model.jit_compile shows what "auto" resolved to.
    print(f"python {platform.python_version()}, tensorflow {tf.__version__}, keras {keras.__version__}, "
          f"{os.cpu_count()} cpus; layers={args.layers} Dense({UNITS}, relu), jit_compile={model.jit_compile}, "
          f"samples={SAMPLES}, batch_size={BATCH_SIZE}", flush=True)
    print(f"import_ms={IMPORT_MS:.1f}")
    for name in ("construct", "compile", "fit_setup", "step1", "step2"):
        print(f"{name}_ms={phases.ms.get(name, float('nan')):.1f}")
    print(f"to_second_step_ms={sum(phases.ms.values()):.1f}")
    print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
    print(f"first_epoch_loss={history.history['loss'][0]:.6f}")


if __name__ == "__main__":
    main()
