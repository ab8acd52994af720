#!/usr/bin/env bash
# Install (cached) and start Kafka, PostgreSQL and MinIO in parallel, then
# print the endpoints. Safe to re-run: running services are left alone.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t0=$(now_ms)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Each service: install then start, output prefixed by the script itself.
pids=()
for svc in kafka postgres minio; do
  ( set +e; "$INFRA/$svc.sh" install && "$INFRA/$svc.sh" start; echo $? >"$work/$svc.rc" ) &
  pids+=($!)
done
wait "${pids[@]}" || true

failed=()
for svc in kafka postgres minio; do
  [[ "$(cat "$work/$svc.rc" 2>/dev/null || echo 1)" == 0 ]] || failed+=("$svc")
done
if ((${#failed[@]})); then
  echo "up: FAILED: ${failed[*]} (logs in $STATE/<name>/log; run infra/down.sh to clean up)" >&2
  exit 1
fi

echo "up: all services ready in $(( ($(now_ms) - t0) / 1000 ))s"
echo "  kafka     127.0.0.1:${PIXHOUND_KAFKA_PORT:-19092}"
echo "  postgres  127.0.0.1:${PIXHOUND_PG_PORT:-15432}  (pixhound/pixhound)"
echo "  s3/minio  http://127.0.0.1:${PIXHOUND_S3_PORT:-19000}  console http://127.0.0.1:${PIXHOUND_S3_CONSOLE_PORT:-19001}  (pixhound/pixhound-secret)"
echo "  eval \"\$(infra/env.sh)\""
