#!/usr/bin/env bash
# Create or refresh the project's virtual environment (.venv) with every package installed
# in editable mode. Downloads are cached by uv in ~/.cache/uv, so repeated runs are fast.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if ! "$python" -m uv --version >/dev/null 2>&1; then
  "$python" -m pip install --quiet --disable-pip-version-check "uv==0.13.*"
fi
[[ -x .venv/bin/python ]] || "$python" -m uv venv --quiet --python "$python" .venv
"$python" -m uv pip install --quiet --python .venv/bin/python \
  -e proto -e libs/platform \
  -e services/ingest -e services/crawler -e services/matcher -e services/cases -e services/notifier \
  -e apps/portal -e apps/embedded -r requirements-dev.txt
