#!/usr/bin/env bash
# Print export lines for the local endpoints:  eval "$(infra/env.sh)"
set -euo pipefail
kafka_port="${PIXHOUND_KAFKA_PORT:-19092}"
pg_port="${PIXHOUND_PG_PORT:-15432}"
s3_port="${PIXHOUND_S3_PORT:-19000}"
cat <<EOS
export PIXHOUND_KAFKA_BOOTSTRAP=127.0.0.1:$kafka_port
export PIXHOUND_PG_DSN_BASE=postgresql+asyncpg://pixhound:pixhound@127.0.0.1:$pg_port
export PIXHOUND_S3_ENDPOINT=127.0.0.1:$s3_port
export PIXHOUND_S3_ACCESS_KEY=pixhound
export PIXHOUND_S3_SECRET_KEY=pixhound-secret
EOS
