#!/usr/bin/env bash
# The MLP benchmark's model and data streamed from TFRecord files (dev.kerasj.bench.TfRecordBenchmark).
#   --mode throughput (default): samples/s from arrays and from TFRecords, same process, interleaved epochs; ratio.
#   --mode memory: ~2 GB of TFRecords under a 512 MB heap; RSS every N steps and its growth after the first epoch.
# The TFRecord files go to a temp dir (TMPDIR) that is deleted afterwards.
#
# Usage: python-interop/benchmark_tfrecord.sh [--mode throughput|memory] [--rounds N] [--epochs N] [--gb G] [--every N]
# Environment: BUILD_DIR (default target), JAVA_OPTS (default: 1 GB heap; -Xmx512m in memory mode).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-target}"
OUT="$BUILD_DIR/bench"
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
HEAP="-Xms1g -Xmx1g"
for a in "$@"; do
  if [ "$a" = memory ]; then HEAP="-Xmx512m"; fi
done
mvn -q -B -o -Dstyle.color=never -Dkerasj.buildDirectory="$(realpath "$BUILD_DIR")" test-compile \
  >"$OUT/mvn-test-compile.log" 2>&1 || { cat "$OUT/mvn-test-compile.log" >&2; exit 1; }
mvn -q -B -o -Dstyle.color=never -Dkerasj.buildDirectory="$(realpath "$BUILD_DIR")" dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$(realpath "$OUT")/classpath.txt" >"$OUT/mvn-classpath.log" 2>&1 \
  || { cat "$OUT/mvn-classpath.log" >&2; exit 1; }
CP="$BUILD_DIR/classes:$BUILD_DIR/test-classes:$(cat "$OUT/classpath.txt")"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
java ${JAVA_OPTS:-$HEAP} -cp "$CP" dev.kerasj.bench.TfRecordBenchmark "$@" 2>&1 \
  | grep --line-buffered -v -e '^I0000' -e '^WARNING' | tee "$OUT/tfrecord.log"
