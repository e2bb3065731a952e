#!/usr/bin/env bash
# Training-throughput benchmark: the same MLP (784-256-128-10, Adam, sparse categorical cross-entropy, batch 128,
# 60,000 synthetic samples) in kerasj, in a bare TensorFlow Java loop over the same graph, and in Keras 3 (default
# jit_compile, and --no-jit when the Python script has that flag). Prints a summary table at the end.
#
# Usage: python-interop/benchmark_mlp.sh [--epochs N] [--memory-epochs N] [--profile]
#   --epochs N          timed epochs per side after one warm-up epoch (default 3; Java and Keras alike)
#   --memory-epochs N   extra kerasj epochs for the resident-memory check (default 10, at least 2)
#   --profile           also print a per-step time split of kerasj and the bare loop
# Environment:
#   JAVA_OPTS   JVM flags (default: a fixed, pre-touched 1.5 GB heap, so heap growth does not show up as RSS growth)
#   PYTHON      Python with keras + tensorflow (default: python-interop/.venv/bin/python, else /tmp/venvtest/bin/python)
# Logs go to target/bench/. Needs mvn, java 17 and a Python with Keras 3.
set -euo pipefail

cd "$(dirname "$0")/.."
EPOCHS=3
JAVA_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --epochs) EPOCHS="${2:?--epochs needs a number}"; JAVA_ARGS+=("$1" "$2"); shift 2 ;;
    --memory-epochs) JAVA_ARGS+=("$1" "${2:?--memory-epochs needs a number}"); shift 2 ;;
    --profile) JAVA_ARGS+=("$1"); shift ;;
    *) echo "Unknown argument '$1'. Expected: [--epochs N] [--memory-epochs N] [--profile]" >&2; exit 2 ;;
  esac
done
JAVA_OPTS="${JAVA_OPTS:--Xms1536m -Xmx1536m -XX:+AlwaysPreTouch}"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x python-interop/.venv/bin/python ]]; then PYTHON=python-interop/.venv/bin/python; else PYTHON=/tmp/venvtest/bin/python; fi
fi
KERAS_SCRIPT=python-interop/bench_keras_mlp.py
for f in "$KERAS_SCRIPT" "$PYTHON"; do
  [[ -e "$f" ]] || { echo "Missing $f (see python-interop/setup_venv.sh, or set PYTHON)" >&2; exit 1; }
done
OUT=target/bench
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

echo "== building (mvn test-compile)"
CLASSES=target/classes:target/test-classes
if ! mvn -q -B -Dstyle.color=never test-compile >"$OUT/mvn-test-compile.log" 2>&1; then
  # Other test sources may be mid-edit; the benchmark only needs the main classes and itself.
  echo "   test-compile failed (see $OUT/mvn-test-compile.log); compiling main + the benchmark alone" >&2
  mvn -q -B -Dstyle.color=never compile >"$OUT/mvn-compile.log" 2>&1 || { cat "$OUT/mvn-compile.log" >&2; exit 1; }
  mkdir -p "$OUT/classes"
  CLASSES=target/classes:$OUT/classes
fi
if ! mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/classpath.txt" >"$OUT/mvn-classpath.log" 2>&1; then
  cat "$OUT/mvn-classpath.log" >&2
  exit 1
fi
CP="$CLASSES:$(cat "$OUT/classpath.txt")"
if [[ "$CLASSES" == *"$OUT/classes" ]]; then
  javac -d "$OUT/classes" -cp "$CP" src/test/java/dev/kerasj/bench/MlpBenchmark.java \
    src/test/java/dev/kerasj/bench/ProcStatus.java
fi

echo "== kerasj vs bare TF Java: java $JAVA_OPTS MlpBenchmark ${JAVA_ARGS[*]}"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
java $JAVA_OPTS -cp "$CP" dev.kerasj.bench.MlpBenchmark "${JAVA_ARGS[@]}" 2>&1 | grep --line-buffered -v -e '^I0000' -e '^WARNING' \
  | tee "$OUT/java.log"

echo "== Keras 3 (default jit_compile): $PYTHON $KERAS_SCRIPT --epochs $EPOCHS"
"$PYTHON" "$KERAS_SCRIPT" --epochs "$EPOCHS" 2>&1 | tee "$OUT/keras.log"
NOJIT=""
if "$PYTHON" "$KERAS_SCRIPT" --help 2>/dev/null | grep -q -- '--no-jit'; then
  echo "== Keras 3 (jit_compile=False): $PYTHON $KERAS_SCRIPT --epochs $EPOCHS --no-jit"
  "$PYTHON" "$KERAS_SCRIPT" --epochs "$EPOCHS" --no-jit 2>&1 | tee "$OUT/keras-nojit.log"
  NOJIT="$OUT/keras-nojit.log"
fi

value() { # value KEY FILE: the number after KEY= on FILE's last such line
  local v
  v=$(grep "^$1=" "$2" | tail -1 | cut -d= -f2)
  [[ -n "$v" ]] || { echo "No '$1=' line in $2" >&2; exit 1; }
  echo "$v"
}
KJ=$(value kerasj_samples_per_sec "$OUT/java.log")
KJ_CALL=$(value kerasj_fit_call_samples_per_sec "$OUT/java.log")
BARE=$(value bare_samples_per_sec "$OUT/java.log")
OVER=$(value facade_overhead_pct "$OUT/java.log")
OVER_PAIRED=$(value facade_overhead_paired_pct "$OUT/java.log")
KJ_CPU=$(value kerasj_thread_cpu_us_per_step "$OUT/java.log")
BARE_CPU=$(value bare_thread_cpu_us_per_step "$OUT/java.log")
RSS=$(value rss_growth_mb "$OUT/java.log")
KERAS=$(value keras_samples_per_sec "$OUT/keras.log")
KERAS_NOJIT=""
[[ -n "$NOJIT" ]] && KERAS_NOJIT=$(value keras_samples_per_sec "$NOJIT")

echo
echo "== summary (medians of $EPOCHS timed epochs, samples/s; higher is better)"
awk -v kj="$KJ" -v kjc="$KJ_CALL" -v bare="$BARE" -v over="$OVER" -v overp="$OVER_PAIRED" -v kjcpu="$KJ_CPU" \
  -v barecpu="$BARE_CPU" -v rss="$RSS" -v k="$KERAS" -v kn="$KERAS_NOJIT" '
BEGIN {
  printf "%-40s %12.0f\n", "kerasj (fit loop, per-epoch callback)", kj
  printf "%-40s %12.0f\n", "kerasj (whole fit() call per epoch)", kjc
  printf "%-40s %12.0f\n", "bare TF Java (same graph)", bare
  printf "%-40s %12.0f\n", "Keras 3 (default jit_compile)", k
  if (kn != "") printf "%-40s %12.0f\n", "Keras 3 (jit_compile=False)", kn
  printf "%-40s %11.2fx  (goal >= 2x)\n", "kerasj / Keras 3 (default)", kj / k
  if (kn != "") printf "%-40s %11.2fx\n", "kerasj / Keras 3 (no jit)", kj / kn
  printf "%-40s %11.1f%%  (goal <= 5%%)\n", "facade overhead (bare/kerasj - 1)", over
  printf "%-40s %11.1f%%\n", "  same, median of adjacent epoch pairs", overp
  printf "%-40s %9.0f us  (bare %.0f us, +%.1f%%)\n", "training-thread CPU per step, kerasj", kjcpu, barecpu, \
    (kjcpu / barecpu - 1) * 100
  printf "%-40s %9.1f MB  (limit 50 MB)\n", "kerasj RSS growth over memory epochs", rss
}'
