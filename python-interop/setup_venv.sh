#!/usr/bin/env bash
# Creates (or refreshes) python-interop/.venv with the exact pins of requirements.txt.
#
# Idempotent: a stamp file inside the venv holds the sha256 of requirements.txt; when it matches, nothing is
# installed. When it differs (pins changed) the venv is rebuilt from scratch so no stale package survives.
# Prints the venv's python path as the last line, so callers can do: PY="$(python-interop/setup_venv.sh | tail -1)".
#
# Environment: PYTHON selects the interpreter used to create the venv (default python3; Python 3.11 expected).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi

# On machines with the local package mirror, point pip only at it so pip never waits on an unreachable PyPI.
pip_index=()
if [[ -d /opt/pypi/simple ]]; then
  pip_index=(--index-url file:///opt/pypi/simple)
  if [[ -d /opt/pypi-more/simple ]]; then
    pip_index+=(--extra-index-url file:///opt/pypi-more/simple)
  fi
fi

rm -rf "$venv"
"$python" -m venv "$venv"
# The extra mirror holds only a few projects; pip warns once for every project it lacks there. Drop that noise,
# keep everything else (on stderr, so stdout stays just the python path); pipefail keeps pip's exit status.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pip_index[@]}" -r "$requirements" 2>&1 \
  | { grep -v "is ignored: it is neither a file nor a directory" || true; } >&2
# Written last: an interrupted install leaves no stamp, so the next run starts over.
echo "$want" > "$stamp"
echo "$venv/bin/python"
