#!/usr/bin/env bash
# Graph build time and memory: a deep MLP (Input(64), N x Dense(64, relu), Dense(10, softmax); Adam, sparse categorical
# cross-entropy, batch 128, 384 samples) built, compiled and trained for its first two steps by kerasj and by Keras 3
# (jit_compile as Keras resolves "auto" here, and the other setting too: forced on when "auto" is off, as on a CPU-only
# machine, else off). Every cell is one fresh process (JVM or Python), so peak memory is comparable; the repetitions
# are interleaved (all depths and sides, then again) so machine noise hits all of them. Prints one summary table of
# medians and the Keras/kerasj ratios at the end.
#
# Usage: python-interop/benchmark_graph_build.sh [--reps N] [--layers "16 64 256"] [--no-keras] [--profile]
#   --reps N       fresh processes per depth and side (default 3); every figure is the median
#   --layers LIST  hidden-layer counts (default "16 64 256")
#   --no-keras     kerasj only
#   --profile      also one JVM per depth with a JFR recording: kerasj's time split by phase and TF C function
# Environment:
#   JAVA_OPTS   JVM flags (default: -Xmx2g)
#   PYTHON      Python with keras + tensorflow (default: python-interop/.venv/bin/python, else /tmp/venvtest/bin/python)
#   BUILD_DIR   Maven build directory (default: target; passed as -Dkerasj.buildDirectory)
#   MVN_FLAGS   extra Maven flags, such as -o (offline)
# Logs go to $BUILD_DIR/bench/graph-build/.
set -euo pipefail

cd "$(dirname "$0")/.."
REPS=3
LAYERS="16 64 256"
KERAS=1
PROFILE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) REPS="${2:?--reps needs a number}"; shift 2 ;;
    --layers) LAYERS="${2:?--layers needs a list}"; shift 2 ;;
    --no-keras) KERAS=0; shift ;;
    --profile) PROFILE=1; shift ;;
    *) echo "Unknown argument '$1'. Expected: [--reps N] [--layers \"16 64 256\"] [--no-keras] [--profile]" >&2; exit 2 ;;
  esac
done
JAVA_OPTS="${JAVA_OPTS:--Xmx2g}"
BUILD_DIR="${BUILD_DIR:-target}"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x python-interop/.venv/bin/python ]]; then PYTHON=python-interop/.venv/bin/python; else PYTHON=/tmp/venvtest/bin/python; fi
fi
KERAS_SCRIPT=python-interop/bench_keras_graph_build.py
if [[ $KERAS == 1 ]]; then
  [[ -e "$PYTHON" ]] || { echo "Missing $PYTHON (see python-interop/setup_venv.sh, or set PYTHON)" >&2; exit 1; }
fi
OUT="$BUILD_DIR/bench/graph-build"
rm -rf "$OUT"
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# shellcheck disable=SC2206  # MVN_FLAGS is a list of flags
MVN=(mvn -q -B -Dstyle.color=never "-Dkerasj.buildDirectory=$BUILD_DIR" ${MVN_FLAGS:-})

echo "== building (mvn compile; javac of the benchmark alone, so other test sources cannot hold it up)"
"${MVN[@]}" compile >"$OUT/mvn-compile.log" 2>&1 || { cat "$OUT/mvn-compile.log" >&2; exit 1; }
"${MVN[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" \
  >"$OUT/mvn-classpath.log" 2>&1 || { cat "$OUT/mvn-classpath.log" >&2; exit 1; }
CP="$BUILD_DIR/classes:$(cat "$OUT/classpath.txt")"
javac -d "$OUT/classes" -cp "$CP" src/test/java/dev/kerasj/bench/GraphBuildBenchmark.java \
  src/test/java/dev/kerasj/bench/ProcStatus.java
CP="$OUT/classes:$CP"

# The Keras sides: "auto", then the other setting of jit_compile (what "auto" resolves to depends on the machine).
KERAS_SIDES=()
if [[ $KERAS == 1 ]]; then
  AUTO=$("$PYTHON" -c 'import os; os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"; import tensorflow as tf
print("false" if all(d.device_type == "CPU" for d in tf.config.list_physical_devices()) else "true")' 2>/dev/null)
  OTHER=$([[ "$AUTO" == "false" ]] && echo true || echo false)
  KERAS_SIDES=("auto" "$OTHER")
  echo "== Keras 3 jit_compile=\"auto\" resolves to $AUTO on this machine; also measuring jit_compile=$OTHER"
fi

RESULTS="$OUT/results.txt" # lines: layers side key value
run_java() { # run_java N REP
  local log="$OUT/java-$1-$2.log"
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
  java $JAVA_OPTS -cp "$CP" dev.kerasj.bench.GraphBuildBenchmark --layers "$1" 2>&1 \
    | grep --line-buffered -v -e '^I0000' -e '^WARNING' >"$log"
  grep '=' "$log" | sed "s/^/$1 kerasj /; s/=/ /" >>"$RESULTS"
  echo "   kerasj  layers=$1 rep $2: $(grep -E '^(to_second_step_ms|peak_rss_mb)=' "$log" | tr '\n' ' ')"
}
run_keras() { # run_keras N REP JIT
  local log="$OUT/keras-$3-$1-$2.log"
  "$PYTHON" "$KERAS_SCRIPT" --layers "$1" --jit "$3" 2>&1 | grep --line-buffered -v -e '^I0000' -e '^WARNING' >"$log"
  grep '=' "$log" | sed "s/^/$1 keras_$3 /; s/=/ /" >>"$RESULTS"
  echo "   keras   layers=$1 rep $2 jit=$3: $(grep -E '^(to_second_step_ms|peak_rss_mb)=' "$log" | tr '\n' ' ')"
}

echo "== $REPS repetitions of: kerasj (java $JAVA_OPTS GraphBuildBenchmark) and Keras 3 (${KERAS_SIDES[*]:-skipped}) for layers $LAYERS"
for rep in $(seq 1 "$REPS"); do
  for n in $LAYERS; do
    run_java "$n" "$rep"
    for jit in "${KERAS_SIDES[@]}"; do
      run_keras "$n" "$rep" "$jit"
    done
  done
done
head -1 "$OUT/java-$(echo "$LAYERS" | awk '{print $1}')-1.log"
[[ $KERAS == 1 ]] && head -1 "$OUT/keras-auto-$(echo "$LAYERS" | awk '{print $1}')-1.log"

if [[ $PROFILE == 1 ]]; then
  for n in $LAYERS; do
    echo "== kerasj profile, layers=$n (one JVM with JFR; not in the medians)"
    # shellcheck disable=SC2086
    java $JAVA_OPTS -cp "$CP" dev.kerasj.bench.GraphBuildBenchmark --layers "$n" --profile 2>&1 \
      | grep -v -e '^I0000' -e '^WARNING' -e '=' | tee "$OUT/profile-$n.log"
  done
fi

echo
echo "== summary: medians of $REPS fresh processes per row; ms and MB ($(nproc) cpus; load = TF native library load"
echo "   in the JVM, import = import tensorflow + keras; setup+build = construct + compile (kerasj builds its graph"
echo "   there, Keras builds its layers); step1 = first train batch (Keras traces and compiles its train function there);"
echo "   total = setup+build + fit up to the end of step 2, load/import excluded)"
awk -v layers="$LAYERS" -v sides="kerasj ${KERAS_SIDES[*]/#/keras_}" -v auto="${AUTO:-}" '
{ v[$1 " " $2 " " $3] = v[$1 " " $2 " " $3] " " $4 }
function median(key,   s, n, a, i, j, t) {
  s = v[key]; n = split(s, a, " ")
  if (n == 0) return "nan"
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function label(side) {
  if (side == "kerasj") return "kerasj"
  sub(/^keras_/, "", side)
  return side == "auto" ? "Keras 3 (jit auto=" auto ")" : "Keras 3 (jit=" side ")"
}
BEGIN { nl = split(layers, L, " "); ns = split(sides, S, " ") }
END {
  printf "%-6s %-24s %7s %7s %12s %8s %7s %8s %9s %9s %10s\n", "layers", "side", "ops", "load", "setup+build", "step1",
    "step2", "total", "rss MB", "heap MB", "total/kj"
  for (i = 1; i <= nl; i++) {
    n = L[i]
    kt = median(n " kerasj to_second_step_ms")
    for (j = 1; j <= ns; j++) {
      s = S[j]; k = n " " s " "
      load = s == "kerasj" ? median(k "load_ms") : median(k "import_ms")
      build = median(k "construct_ms") + median(k "compile_ms")
      tot = median(k "to_second_step_ms")
      ops = s == "kerasj" ? median(k "ops_compile") : "-"
      heap = s == "kerasj" ? sprintf("%9.0f", median(k "peak_heap_mb")) : sprintf("%9s", "-")
      printf "%-6s %-24s %7s %7.0f %12.0f %8.0f %7.0f %8.0f %9.0f %s %9.2fx\n", n, label(s), ops, load, build,
        median(k "step1_ms"), median(k "step2_ms"), tot, median(k "peak_rss_mb"), heap, tot / kt
    }
  }
}' "$RESULTS"
