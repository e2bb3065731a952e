#!/usr/bin/env bash
# Step overhead of fit over a Dataset (tf.data: arrays and TFRecords) against the array feed, on the digits MLP at
# batch 32 (dev.kerasj.bench.DatasetBenchmark). Prints samples/s per feed and the ratios dataset / arrays, then
# Keras 3 on the same model and data with steps_per_execution 1 and 16 (python-interop/bench_keras_dataset.py, when
# python-interop/.venv exists) and kerasj arrays / Keras.
#
# Usage: python-interop/benchmark_dataset.sh [--rounds N] [--epochs N]
# Environment: BUILD_DIR (default target), JAVA_OPTS (default: a fixed 1 GB heap).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-target}"
OUT="$BUILD_DIR/bench"
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
mvn -q -B -o -Dstyle.color=never -Dkerasj.buildDirectory="$(realpath "$BUILD_DIR")" test-compile \
  >"$OUT/mvn-test-compile.log" 2>&1 || { cat "$OUT/mvn-test-compile.log" >&2; exit 1; }
mvn -q -B -o -Dstyle.color=never -Dkerasj.buildDirectory="$(realpath "$BUILD_DIR")" dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$(realpath "$OUT")/classpath.txt" >"$OUT/mvn-classpath.log" 2>&1 \
  || { cat "$OUT/mvn-classpath.log" >&2; exit 1; }
CP="$BUILD_DIR/classes:$BUILD_DIR/test-classes:$(cat "$OUT/classpath.txt")"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
java ${JAVA_OPTS:--Xms1g -Xmx1g} -cp "$CP" dev.kerasj.bench.DatasetBenchmark "$@" 2>&1 \
  | grep --line-buffered -v -e '^I0000' -e '^WARNING' | tee "$OUT/dataset.log"
PY=python-interop/.venv/bin/python
if [ -x "$PY" ]; then
  "$PY" python-interop/bench_keras_dataset.py "$@" 2>&1 | grep --line-buffered -v -e '^I0000' -e '^WARNING' \
    | tee "$OUT/dataset-keras.log"
  for feed in arrays dataset_arrays dataset_tfrecord; do
    ours=$(sed -n "s/^${feed}_samples_per_sec=//p" "$OUT/dataset.log")
    for k in 1 16; do
      keras=$(sed -n "s/^keras_spe${k}_samples_per_sec=//p" "$OUT/dataset-keras.log")
      awk -v a="$ours" -v b="$keras" -v n="ratio_${feed}_over_keras_spe${k}" 'BEGIN { printf "%s=%.3f\n", n, a / b }'
    done
  done
fi
