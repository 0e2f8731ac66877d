#!/usr/bin/env bash
# The helm that checks charts/kimap, pinned, built from the Go module proxy the first
# time it is needed (pure Go: no download of a prebuilt binary):
#
#   scripts/tools/helm.sh [helm arguments...]   run it (installing it first when missing)
#   scripts/tools/helm.sh --path                install when missing, print its path
#
# It takes `helm` from PATH when that is the pinned version; else it builds
# `go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION` into
# $KIMAP_TOOLS_DIR/helm-<version>/ (default: .cache/tools in the repository), or into
# /usr/local/bin with KIMAP_TOOLS_DIR=/usr/local/bin.
# The first build takes a few minutes on two cores; later runs find it at once.
# When it cannot be had, it says why on stderr and exits 1 (under CI=true the callers
# fail the run; elsewhere they may skip the chart checks, saying so).
set -euo pipefail

HELM_VERSION=v4.3.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${KIMAP_TOOLS_DIR:-$root/.cache/tools}"
log() { printf '[helm.sh] %s\n' "$*" >&2; }

version_of() { "$1" version --template '{{.Version}}' 2>/dev/null || true; }

find_helm() {
  local candidate
  for candidate in "$tools/helm-$HELM_VERSION/helm" "$tools/helm" "$(command -v helm 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && [ "$(version_of "$candidate")" = "$HELM_VERSION" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    printf '%s\n' /usr/local/go/bin/go
  else
    return 1
  fi
}

# (Called where `set -e` does not reach: every step checks its own failure.)
install_helm() {
  local go dest tmp
  if ! go="$(find_go)"; then
    log "ERROR: helm $HELM_VERSION is missing and there is no Go toolchain to build it (go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION)"
    return 1
  fi
  if [ "$tools" = /usr/local/bin ]; then dest=/usr/local/bin; else dest="$tools/helm-$HELM_VERSION"; fi
  if ! mkdir -p "$dest" || ! exec 9>"$dest/.install.lock"; then
    log "ERROR: cannot write to $dest"
    return 1
  fi
  # One build at a time; a second caller waits, then finds the first one's helm.
  flock 9 || return 1
  if find_helm >/dev/null; then return 0; fi
  tmp="$(mktemp -d "$dest/.build.XXXXXX")" || return 1
  log "building helm $HELM_VERSION with $("$go" version | cut -d' ' -f3) (go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION; a few minutes the first time)"
  # helm reports its version from -ldflags; go install alone would leave it unset.
  if ! GOBIN="$tmp" "$go" install \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2; then
    rm -rf "$tmp"
    log "ERROR: go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION failed (see above)"
    return 1
  fi
  if ! mv -f "$tmp/helm" "$dest/helm"; then
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$tmp"
  log "helm $HELM_VERSION installed in $dest"
}

if ! helm="$(find_helm)"; then
  install_helm || exit 1
  if ! helm="$(find_helm)"; then
    log "ERROR: the helm just built does not report version $HELM_VERSION"
    exit 1
  fi
fi

if [ "${1:-}" = --path ]; then
  printf '%s\n' "$helm"
  exit 0
fi
exec "$helm" "$@"
