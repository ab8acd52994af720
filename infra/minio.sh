#!/usr/bin/env bash
# S3-compatible object store (MinIO, built from its Go module) for local dev/CI.
#   infra/minio.sh install|start|stop|restart|status
# The binary is built once per version into $CACHE/bin/minio; Go's module and
# build caches live in $CACHE/go so a version bump rebuilds incrementally.
# Env: PIXHOUND_MINIO_VERSION, PIXHOUND_S3_PORT (19000), PIXHOUND_S3_CONSOLE_PORT
#      (19001), PIXHOUND_MINIO_START_TIMEOUT (60 s),
#      PIXHOUND_MINIO_PRUNE_GO=1 (drop $CACHE/go, ~2 GB, after a successful build).
set -euo pipefail
SERVICE=minio
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MINIO_MODULE=github.com/minio/minio
MINIO_VERSION="${PIXHOUND_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
HOST=127.0.0.1
PORT="${PIXHOUND_S3_PORT:-19000}"
CONSOLE_PORT="${PIXHOUND_S3_CONSOLE_PORT:-19001}"
ACCESS_KEY=pixhound
SECRET_KEY=pixhound-secret
START_TIMEOUT="${PIXHOUND_MINIO_START_TIMEOUT:-60}"

BIN_DIR="$CACHE/bin"
BIN="$BIN_DIR/minio"
STAMP="$BIN_DIR/.minio.version"
DIR="$STATE/minio"
DATA="$DIR/data"
LOG="$DIR/log"
PIDFILE="$DIR/pid"

do_install() {
  if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$MINIO_VERSION" ]]; then
    log "minio $MINIO_VERSION cached in $BIN"
    return 0
  fi
  need_cmd go golang-go
  local t0
  t0=$(now_ms)
  log "building $MINIO_MODULE@$MINIO_VERSION (first time: a few minutes)"
  mkdir -p "$BIN_DIR" "$CACHE/go"
  rm -f "$STAMP"
  if ! GOBIN="$BIN_DIR" GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" \
      GOFLAGS="-mod=mod -modcacherw" CGO_ENABLED=0 \
      go install "$MINIO_MODULE@$MINIO_VERSION" >"$CACHE/go/minio-build.log" 2>&1; then
    tail_log "$CACHE/go/minio-build.log"
    die "go install $MINIO_MODULE@$MINIO_VERSION failed"
  fi
  echo "$MINIO_VERSION" >"$STAMP"
  if [[ "${PIXHOUND_MINIO_PRUNE_GO:-0}" == 1 ]]; then
    rm -rf "$CACHE/go"
  fi
  log "minio built in $(( ($(now_ms) - t0) / 1000 ))s"
}

ready() {
  [[ "$(http_status "$HOST" "$PORT" /minio/health/ready)" == 200 ]]
}

do_start() {
  if pidfile_alive "$PIDFILE" "$BIN"; then
    wait_until "$START_TIMEOUT" "$(cat "$PIDFILE")" ready || { tail_log "$LOG"; die "minio running but not ready"; }
    log "already running (pid $(cat "$PIDFILE")) on $HOST:$PORT"
    return 0
  fi
  [[ -x "$BIN" && -f "$STAMP" ]] || do_install
  if port_open "$HOST" "$PORT" || port_open "$HOST" "$CONSOLE_PORT"; then
    die "port $PORT or $CONSOLE_PORT already in use by another process"
  fi
  local t0 pid
  t0=$(now_ms)
  mkdir -p "$DATA"
  [[ -f "$LOG" ]] && mv -f "$LOG" "$LOG.prev"
  MINIO_ROOT_USER="$ACCESS_KEY" MINIO_ROOT_PASSWORD="$SECRET_KEY" \
  MINIO_UPDATE=off MINIO_CI_CD=on MINIO_BROWSER=on \
    daemonize "$PIDFILE" "$LOG" "$BIN" server --quiet --anonymous \
      --address "$HOST:$PORT" --console-address "$HOST:$CONSOLE_PORT" "$DATA"
  pid="$(cat "$PIDFILE")"
  if ! wait_until "$START_TIMEOUT" "$pid" ready; then
    tail_log "$LOG"
    do_stop >/dev/null 2>&1 || true
    die "minio did not become ready"
  fi
  log "ready on $HOST:$PORT, console $HOST:$CONSOLE_PORT (pid $pid, $(( $(now_ms) - t0 ))ms)"
}

do_stop() {
  stop_pidfile "$PIDFILE" minio 30
}

do_status() {
  if pidfile_alive "$PIDFILE" "$BIN"; then
    if ready; then
      log "running (pid $(cat "$PIDFILE")), ready on $HOST:$PORT"
    else
      log "running (pid $(cat "$PIDFILE")), not ready"
    fi
    return 0
  fi
  log "stopped"
  return 3
}

main "$@"
