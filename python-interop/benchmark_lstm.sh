#!/usr/bin/env bash
# LSTM benchmark: the unrolled graph's size, build and step time for several sequence lengths, then the LSTM digits
# model's training throughput in kerasj (LstmBenchmark) and in Keras 3 (bench_keras_lstm.py), and their ratio.
#
# Usage: python-interop/benchmark_lstm.sh [--lengths 8,32,128] [--epochs 5]
# Environment: BUILD (Maven build directory, default target), PYTHON (default python-interop/.venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
LENGTHS=8,32,128
EPOCHS=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --lengths) LENGTHS="${2:?--lengths needs a list}"; shift 2 ;;
    --epochs) EPOCHS="${2:?--epochs needs a number}"; shift 2 ;;
    *) echo "Unknown argument '$1'. Expected: [--lengths 8,32,128] [--epochs 5]" >&2; exit 2 ;;
  esac
done
BUILD="${BUILD:-target}"
PYTHON="${PYTHON:-python-interop/.venv/bin/python}"
OUT="$BUILD/bench"
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
mvn -o -q -B -Dstyle.color=never -Dkerasj.buildDirectory="$BUILD" test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >"$OUT/mvn-lstm.log" 2>&1 \
  || { cat "$OUT/mvn-lstm.log" >&2; exit 1; }
CP="$BUILD/classes:$BUILD/test-classes:$(cat "$OUT/classpath.txt")"
java -cp "$CP" dev.kerasj.bench.LstmBenchmark --lengths "$LENGTHS" --epochs "$EPOCHS" 2>&1 \
  | grep --line-buffered -v -e '^I0000' -e '^WARNING' -e 'tensorflow/core' | tee "$OUT/lstm-java.log"
"$PYTHON" python-interop/bench_keras_lstm.py --epochs "$EPOCHS" 2>&1 | tee "$OUT/lstm-keras.log"
KJ=$(grep '^kerasj_samples_per_sec=' "$OUT/lstm-java.log" | tail -1 | cut -d= -f2)
K=$(grep '^keras_samples_per_sec=' "$OUT/lstm-keras.log" | tail -1 | cut -d= -f2)
awk -v kj="$KJ" -v k="$K" 'BEGIN { printf "kerasj %.0f samples/s, Keras 3 %.0f samples/s, kerasj / Keras = %.2fx\n", kj, k, kj / k }'
