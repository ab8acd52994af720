# shellcheck shell=bash
# shellcheck disable=SC2034,SC2016  # vars used by the sourcing scripts; single-quoted bash -c bodies
# Shared helpers for the infra/*.sh scripts. Source it; do not execute it.
#
#   ROOT   repo root (the directory above infra/)
#   STATE  ${PIXHOUND_STATE:-$ROOT/.local}: data, logs, pid files (git-ignored)
#   CACHE  ${PIXHOUND_CACHE:-$HOME/.cache/pixhound}: downloads and builds,
#          outside the repo so it survives fresh clones (CI cache this dir)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
STATE="${PIXHOUND_STATE:-$ROOT/.local}"
CACHE="${PIXHOUND_CACHE:-${HOME:-/root}/.cache/pixhound}"

mkdir -p "$STATE" "$CACHE"
# Keep the state dir out of git even without a root .gitignore entry.
[[ -f "$STATE/.gitignore" ]] || printf '*\n' >"$STATE/.gitignore"

log() { printf '[%s] %s\n' "${SERVICE:-infra}" "$*"; }
die() { printf '[%s] ERROR: %s\n' "${SERVICE:-infra}" "$*" >&2; exit 1; }

# now_ms: wall clock in milliseconds (for timings).
now_ms() { date +%s%3N; }

# port_open HOST PORT: true if a TCP connect succeeds.
port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# pid_alive PID: true if the process exists and is not a zombie.
pid_alive() {
  local pid="$1" st
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  st="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$st" != "Z" ]]
}

# pidfile_alive PIDFILE [PATTERN]: true if the pid in PIDFILE runs and (when
# given) its command line contains PATTERN (guards against pid reuse).
pidfile_alive() {
  local pidfile="$1" pattern="${2:-}" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(head -n1 "$pidfile")"
  pid_alive "$pid" || return 1
  [[ -z "$pattern" ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# wait_for_port HOST PORT TIMEOUT_S [PID]: wait until HOST:PORT accepts TCP
# connections. Fails after TIMEOUT_S, or at once if PID (optional) dies.
wait_for_port() {
  local host="$1" port="$2" timeout="$3" pid="${4:-}"
  local deadline=$((SECONDS + timeout))
  until port_open "$host" "$port"; do
    if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
      log "process $pid exited while waiting for $host:$port"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for $host:$port"
      return 1
    fi
    sleep 0.2
  done
}

# wait_until TIMEOUT_S PID CMD...: poll CMD until it succeeds; fail on timeout
# or (if PID is non-empty) when PID dies.
wait_until() {
  local timeout="$1" pid="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
      log "process $pid exited while waiting for: $*"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for: $*"
      return 1
    fi
    sleep 0.2
  done
}

# http_status HOST PORT PATH: print the HTTP status code of a GET (no curl needed).
http_status() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n" "$3" "$1" "$2" >&3
    IFS=" " read -r _ code _ <&3 && printf "%s\n" "$code"
  ' _ "$1" "$2" "$3" 2>/dev/null
}

# daemonize PIDFILE LOGFILE CMD...: start CMD detached (own session, stdin from
# /dev/null, stdout+stderr appended to LOGFILE) and record its pid.
daemonize() {
  local pidfile="$1" logfile="$2"; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  # A background child of a non-interactive shell is not a process-group
  # leader, so setsid execs in place and $! is the daemon's own pid.
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
}

# stop_pidfile PIDFILE NAME [TIMEOUT_S] [SIGNAL]: send SIGNAL (default TERM) to
# the pid on the first line of PIDFILE, wait up to TIMEOUT_S (default 30), then SIGKILL. Succeeds
# if nothing is running. Removes PIDFILE.
stop_pidfile() {
  local pidfile="$1" name="$2" timeout="${3:-30}" sig="${4:-TERM}" pid deadline
  if [[ ! -s "$pidfile" ]]; then
    log "$name not running"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(head -n1 "$pidfile")"
  if ! pid_alive "$pid"; then
    log "$name not running (stale pid file)"
    rm -f "$pidfile"
    return 0
  fi
  kill -"$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if pid_alive "$pid"; then
    log "$name (pid $pid) did not stop within ${timeout}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    # whole session too, in case it left children behind
    kill -KILL -- "-$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  fi
  rm -f "$pidfile"
  log "$name stopped"
}

# apt_install PKG...: install Debian packages (root only; apt-get update once per run).
apt_install() {
  [[ "$(id -u)" == 0 ]] || die "need root to apt-get install $*"
  if [[ -z "${_PIXHOUND_APT_UPDATED:-}" ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq
    _PIXHOUND_APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null
}

# need_cmd CMD DEBIAN_PKG: make sure CMD exists, installing DEBIAN_PKG if not.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  apt_install "$2"
  command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}

# tail_log LOGFILE: show the end of a log after a failure.
tail_log() {
  [[ -f "$1" ]] || return 0
  printf -- '----- last lines of %s -----\n' "$1" >&2
  tail -n 40 "$1" >&2 || true
}

# usage_cmds: common dispatch. Each service script defines do_install,
# do_start, do_stop, do_status and then calls: main "$@"
main() {
  local cmd="${1:-}"
  case "$cmd" in
    install) do_install ;;
    start) do_start ;;
    stop) do_stop ;;
    restart) do_stop; do_start ;;
    status) do_status ;;
    *) echo "usage: $0 install|start|stop|restart|status" >&2; exit 2 ;;
  esac
}
