#!/usr/bin/env bash
# Builds the kustomize CLI from its Go module into a local cache and prints
# the path of the binary. Idempotent: a binary of the pinned version that is
# already in the cache is reused.
#
#   deploy/tools/kustomize.sh            -> prints e.g. ~/.cache/pixhound/bin/kustomize
#   "$(deploy/tools/kustomize.sh)" build deploy/k8s/overlays/dev
#
# Needs: go >= 1.26.0 (kustomize/v5 v5.8.2 pairs with sigs.k8s.io/kustomize/api
# v0.21.2, whose go.mod says go 1.26.0; v5.8.3 / api v0.21.3 need go 1.27).
# Override the version with KUSTOMIZE_VERSION, the cache with PIXHOUND_CACHE.
set -euo pipefail

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"
CACHE="${PIXHOUND_CACHE:-$HOME/.cache/pixhound}"
BIN_DIR="$CACHE/bin"
BIN="$BIN_DIR/kustomize"
STAMP="$BIN_DIR/.kustomize-version"

if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$KUSTOMIZE_VERSION" ]]; then
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "kustomize.sh: 'go' not found on PATH; it is needed to build kustomize $KUSTOMIZE_VERSION" >&2
  exit 1
fi

mkdir -p "$BIN_DIR"
echo "kustomize.sh: building sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION into $BIN_DIR" >&2
# Build outside any module so the repo's own go.mod/go.work (if any) do not interfere;
# GOTOOLCHAIN=local: never try to download a newer Go toolchain.
(
  cd "$BIN_DIR"
  GOBIN="$BIN_DIR" GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" \
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
)
if [[ ! -x "$BIN" ]]; then
  echo "kustomize.sh: go install finished but $BIN is missing" >&2
  exit 1
fi
echo "$KUSTOMIZE_VERSION" >"$STAMP"
echo "$BIN"
