#!/usr/bin/env bash
# Per-step time and bytes exchanged of MultiWorkerMirroredStrategy for 1, 2 and 3 worker JVMs on 127.0.0.1
# (src/test/java/dev/kerasj/bench/DistributedBenchmark.java): prints a Markdown table.
#
# Usage: python-interop/benchmark_distributed.sh [--steps N] [--hidden H,H,...]
# Logs go to target/bench/. Needs mvn and java 17.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=target/bench
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
echo "== building (mvn test-compile)" >&2
mvn -q -B -Dstyle.color=never test-compile >"$OUT/mvn-test-compile.log" 2>&1 || { cat "$OUT/mvn-test-compile.log" >&2; exit 1; }
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$OUT/classpath.txt" >"$OUT/mvn-classpath.log" 2>&1 || { cat "$OUT/mvn-classpath.log" >&2; exit 1; }
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
java -cp "target/classes:target/test-classes:$(cat "$OUT/classpath.txt")" dev.kerasj.bench.DistributedBenchmark "$@"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
