#!/usr/bin/env bash
# Start, stop or check the five Pixhound services as separate processes on the local
# Kafka, PostgreSQL and S3 (infra/up.sh), the photographers' portal in front of them, plus
# a real SMTP server on loopback that keeps every email in a Maildir (.local/mail). Ports:
# portal 8000, ingest 8001, crawler 8002, matcher 8003, cases 8004, notifier 8005, SMTP 1025.
# The local crawler may reach 127.0.0.0/8 so the demo website on loopback can be crawled;
# production never allows it. The portal owns no database, bus or object store: it calls
# the services' APIs, and the notifier's email links point at it.
set -euo pipefail
SERVICE=services
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
eval "$("$INFRA/env.sh")"

RUN="$STATE/services"
PY="$ROOT/.venv/bin/python"
declare -A PORTS=([portal]=8000 [ingest]=8001 [crawler]=8002 [matcher]=8003 [cases]=8004 [notifier]=8005)
SERVICES=(ingest crawler matcher cases notifier)
ORDER=("${SERVICES[@]}" portal)
PORTAL_URL="http://127.0.0.1:${PORTS[portal]}"
SMTP_PORT="${PIXHOUND_SMTP_PORT:-1025}"

common_env() {
  export PIXHOUND_ENVIRONMENT=dev PIXHOUND_BUS=kafka PIXHOUND_OBJECT_STORE=s3 PIXHOUND_S3_BUCKET=pixhound \
    PIXHOUND_DATA_DIR="$RUN/data" PIXHOUND_LOG_JSON=true
}

start_one() {
  local name="$1" port="${PORTS[$1]}"
  local pidfile="$RUN/$name.pid" logfile="$RUN/$name.log"
  if pidfile_alive "$pidfile" "pixhound_$name"; then log "$name already running"; return; fi
  (
    common_env
    export PIXHOUND_DATABASE_URL="$PIXHOUND_PG_DSN_BASE/pixhound_$name"
    if [[ "$name" == crawler ]]; then export PIXHOUND_ALLOWED_NETWORKS=127.0.0.0/8; fi
    if [[ "$name" == notifier ]]; then
      export PIXHOUND_MAIL_TRANSPORT=smtp PIXHOUND_SMTP_HOST=127.0.0.1 PIXHOUND_SMTP_PORT="$SMTP_PORT" \
        PIXHOUND_PORTAL_URL="$PORTAL_URL"
    fi
    daemonize "$pidfile" "$logfile" "$PY" -m "pixhound_$name" serve --migrate --host 127.0.0.1 --port "$port"
  )
}

# The portal: only the services' URLs (it has no database, bus or object store to migrate).
start_portal() {
  local pidfile="$RUN/portal.pid" logfile="$RUN/portal.log"
  if pidfile_alive "$pidfile" pixhound_portal; then log "portal already running"; return; fi
  (
    export PIXHOUND_ENVIRONMENT=dev PIXHOUND_LOG_JSON=true \
      PIXHOUND_INGEST_URL="http://127.0.0.1:${PORTS[ingest]}" \
      PIXHOUND_CRAWLER_URL="http://127.0.0.1:${PORTS[crawler]}" \
      PIXHOUND_CASES_URL="http://127.0.0.1:${PORTS[cases]}" \
      PIXHOUND_NOTIFIER_URL="http://127.0.0.1:${PORTS[notifier]}"
    daemonize "$pidfile" "$logfile" "$PY" -m pixhound_portal serve --host 127.0.0.1 --port "${PORTS[portal]}"
  )
}

start_mail() {
  local pidfile="$RUN/smtp.pid"
  if pidfile_alive "$pidfile" aiosmtpd; then return; fi
  mkdir -p "$STATE/mail/tmp" "$STATE/mail/new" "$STATE/mail/cur"
  daemonize "$pidfile" "$RUN/smtp.log" "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$STATE/mail"
  wait_for_port 127.0.0.1 "$SMTP_PORT" 30
}

ready() { [[ "$(http_status 127.0.0.1 "$1" /readyz)" == 200 ]]; }

do_start() {
  mkdir -p "$RUN"
  start_mail
  for name in "${SERVICES[@]}"; do start_one "$name"; done
  start_portal
  for name in "${ORDER[@]}"; do
    if ! wait_until 90 "$(head -n1 "$RUN/$name.pid")" ready "${PORTS[$name]}"; then
      tail_log "$RUN/$name.log"; die "$name did not become ready"
    fi
    if [[ "$name" == portal ]]; then
      log "portal ready on $PORTAL_URL/"
    else
      log "$name ready on http://127.0.0.1:${PORTS[$name]}/docs"
    fi
  done
  log "mail server on 127.0.0.1:$SMTP_PORT, messages in $STATE/mail"
}

do_stop() {
  # the portal first: it is what photographers talk to
  for name in portal "${SERVICES[@]}"; do stop_pidfile "$RUN/$name.pid" "$name" 20; done
  stop_pidfile "$RUN/smtp.pid" smtp 10
}

do_status() {
  local code=0
  for name in "${ORDER[@]}"; do
    if pidfile_alive "$RUN/$name.pid" "pixhound_$name"; then log "$name running"; else log "$name stopped"; code=3; fi
  done
  return $code
}

do_install() { :; }

main "$@"
