#!/usr/bin/env bash
# Make sure Debian's Chromium and the fonts its pages render text with are installed: the
# portal's browser tests (apps/portal/tests) drive /usr/bin/chromium through Playwright, and
# the project never lets Playwright download a browser of its own. scripts/test.sh calls this
# before pytest, so `make test` and `.ci/run` work on a fresh Debian machine.
#
# Already installed: returns at once (no apt-get at all). Otherwise installs the packages as
# root, refreshing the package lists only when apt has no candidate for them or the install
# fails on stale lists. Fails loudly when it cannot install (not root, no package).
set -euo pipefail

CHROMIUM="${PIXHOUND_CHROMIUM:-/usr/bin/chromium}"
PACKAGES=(chromium fonts-dejavu-core fonts-liberation)

log() { printf '[chromium] %s\n' "$*"; }
die() { printf '[chromium] ERROR: %s\n' "$*" >&2; exit 1; }

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || missing+=("$pkg")
done
if [[ -x "$CHROMIUM" && ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ ${#missing[@]} -eq 0 ]]; then
  die "the chromium package is installed but $CHROMIUM is missing; set PIXHOUND_CHROMIUM to its path"
fi

[[ "$(id -u)" == 0 ]] || die "${missing[*]} not installed and this is not root: run 'sudo $0' once"
command -v apt-get >/dev/null 2>&1 || die "${missing[*]} not installed and apt-get is missing (Debian expected)"

apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }
has_candidates() {
  local pkg
  for pkg in "$@"; do
    apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]' || return 1
  done
}
install_missing() { apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }

started=$(date +%s)
if ! has_candidates "${missing[@]}"; then
  log "apt-get update"
  apt_get update -qq || die "apt-get update failed"
  has_candidates "${missing[@]}" || die "apt has no package for: ${missing[*]} (is Debian's main archive configured?)"
  log "apt-get install ${missing[*]}"
  install_missing || die "apt-get install ${missing[*]} failed"
else
  log "apt-get install ${missing[*]}"
  if ! install_missing; then
    log "install failed (package lists out of date?): apt-get update, then again"
    apt_get update -qq || die "apt-get update failed"
    install_missing || die "apt-get install ${missing[*]} failed"
  fi
fi

[[ -x "$CHROMIUM" ]] || die "installed ${missing[*]}, yet $CHROMIUM is missing"
version="$("$CHROMIUM" --version 2>/dev/null)" || die "$CHROMIUM does not run"
log "$version ready ($(( $(date +%s) - started ))s)"
