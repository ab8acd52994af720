#!/usr/bin/env bash
# Stop Kafka, PostgreSQL and MinIO. Succeeds when they are not running.
set -uo pipefail
INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rc=0
pids=()
for svc in kafka postgres minio; do
  "$INFRA/$svc.sh" stop &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
exit "$rc"
