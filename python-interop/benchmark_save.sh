#!/usr/bin/env bash
# Save/restore benchmark: a 25.2M-parameter Dense model with Adam state (~302 MB of variables) saved and restored by
# kerasj (TF checkpoint, SavedModel), by Python TensorFlow/Keras (tf.train.Checkpoint, tf.saved_model.save,
# model.export), against the floor of writing the same bytes with fsync; and the time fit's training thread waits per
# ModelCheckpoint save, synchronous against asyncSave(true). Prints one summary table (medians) at the end.
#
# Usage: python-interop/benchmark_save.sh [--reps N] [--no-export]
#   --reps N       repetitions per operation, interleaved (default 5); every figure is the median
#   --no-export    skip Python's model.export
# Environment:
#   JAVA_OPTS   JVM flags (default: -Xmx4g)
#   PYTHON      Python with keras + tensorflow (default: python-interop/.venv/bin/python, else /tmp/venvtest/bin/python)
#   BUILD_DIR   Maven build directory (default: target; passed as -Dkerasj.buildDirectory)
# Files are written under $BUILD_DIR/bench/ (the repository's disk unless BUILD_DIR says otherwise).
set -euo pipefail

cd "$(dirname "$0")/.."
REPS=5
PY_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) REPS="${2:?--reps needs a number}"; shift 2 ;;
    --no-export) PY_ARGS+=("$1"); shift ;;
    *) echo "Unknown argument '$1'. Expected: [--reps N] [--no-export]" >&2; exit 2 ;;
  esac
done
JAVA_OPTS="${JAVA_OPTS:--Xmx4g}"
BUILD_DIR="${BUILD_DIR:-target}"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x python-interop/.venv/bin/python ]]; then PYTHON=python-interop/.venv/bin/python; else PYTHON=/tmp/venvtest/bin/python; fi
fi
[[ -e "$PYTHON" ]] || { echo "Missing $PYTHON (see python-interop/setup_venv.sh, or set PYTHON)" >&2; exit 1; }
OUT="$BUILD_DIR/bench"
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
MVN=(mvn -q -B -Dstyle.color=never "-Dkerasj.buildDirectory=$BUILD_DIR")

echo "== building (mvn test-compile)"
"${MVN[@]}" test-compile >"$OUT/mvn-test-compile.log" 2>&1 || { cat "$OUT/mvn-test-compile.log" >&2; exit 1; }
"${MVN[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" \
  >"$OUT/mvn-classpath.log" 2>&1 || { cat "$OUT/mvn-classpath.log" >&2; exit 1; }
CP="$BUILD_DIR/classes:$BUILD_DIR/test-classes:$(cat "$OUT/classpath.txt")"

echo "== kerasj: java $JAVA_OPTS SaveBenchmark --reps $REPS"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
java $JAVA_OPTS -cp "$CP" dev.kerasj.bench.SaveBenchmark --reps "$REPS" --dir "$OUT/save" 2>&1 \
  | grep --line-buffered -v -e '^I0000' -e '^WARNING' | tee "$OUT/save-java.log"

echo "== Python: $PYTHON python-interop/bench_save.py --reps $REPS ${PY_ARGS[*]}"
"$PYTHON" python-interop/bench_save.py --reps "$REPS" --dir "$OUT/save-py" "${PY_ARGS[@]}" 2>&1 \
  | grep --line-buffered -v -e '^I0000' -e '^WARNING' | tee "$OUT/save-py.log"

value() { # value KEY FILE: the number after KEY= on FILE's last such line, or "nan"
  local v
  v=$(grep "^$1=" "$2" | tail -1 | cut -d= -f2)
  echo "${v:-nan}"
}
J="$OUT/save-java.log"
P="$OUT/save-py.log"
echo
echo "== summary (medians of $REPS repetitions, ms; $(value variable_mb "$J") MB of variables)"
awk -v floor="$(value floor_fsync_write_ms "$J")" \
  -v kw="$(value tfcheckpoint_write_ms "$J")" -v kr="$(value tfcheckpoint_restore_ms "$J")" \
  -v sw="$(value savedmodel_write_ms "$J")" -v sl="$(value savedmodel_load_ms "$J")" \
  -v pw="$(value py_checkpoint_write_ms "$P")" -v pwf="$(value py_checkpoint_write_fsync_ms "$P")" -v pr="$(value py_checkpoint_restore_ms "$P")" \
  -v ps="$(value py_saved_model_save_ms "$P")" -v pe="$(value py_model_export_ms "$P")" \
  -v ss="$(value fit_stall_sync_ms "$J")" -v sa="$(value fit_stall_async_ms "$J")" \
  -v sae="$(value fit_stall_async_train_end_ms "$J")" '
function row(name, v, py,   s) {
  s = sprintf("%-42s %9.0f  %6.2fx floor", name, v, v / floor)
  if (py != "" && py != "nan") s = s sprintf("  %6.2fx Python", v / py)
  print s
}
BEGIN {
  printf "%-42s %9s\n", "operation", "ms"
  printf "%-42s %9.0f\n", "floor: FileChannel write + force(true)", floor
  row("kerasj TfCheckpoint.write (fsynced)", kw, pw)
  row("  same, vs Python write + fsync", kw, pwf)
  row("kerasj TfCheckpoint.restore", kr, pr)
  row("kerasj SavedModelWriter.write (fsynced)", sw, ps)
  row("kerasj SavedModelLoader.load", sl, "")
  row("Python tf.train.Checkpoint.write (no fsync)", pw, "")
  row("Python Checkpoint.write + fsync", pwf, "")
  row("Python Checkpoint.restore", pr, "")
  row("Python tf.saved_model.save (no fsync)", ps, "")
  if (pe != "nan") row("Python model.export (no fsync)", pe, "")
  printf "%-42s %9.0f\n", "fit wait per save, sync ModelCheckpoint", ss
  printf "%-42s %9.0f  (%.0f%% of sync; train-end wait %.0f ms)\n", "fit wait per save, asyncSave(true)", sa, \
    100 * sa / ss, sae
  print "goal: TfCheckpoint.write within 1.5x of the floor"
}'
