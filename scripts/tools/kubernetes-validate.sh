#!/usr/bin/env bash
# kubernetes-validate (PyPI), pinned, which checks manifests against the Kubernetes
# schemas it bundles (offline); installed the first time into a virtual environment:
#
#   scripts/tools/kubernetes-validate.sh [arguments...]   run it (installing it first when missing)
#   scripts/tools/kubernetes-validate.sh --path           install when missing, print its path
#
# The venv is $KIMAP_TOOLS_DIR/kubernetes-validate-<version>/ (default: .cache/tools in
# the repository). Debian's python3 needs python3-venv for `python3 -m venv`; it is
# installed with apt-get when missing (as root). When it cannot be had, it says why on
# stderr and exits 1.
set -euo pipefail

KUBERNETES_VALIDATE_VERSION=1.37.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${KIMAP_TOOLS_DIR:-$root/.cache/tools}"
venv="$tools/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
bin="$venv/bin/kubernetes-validate"
log() { printf '[kubernetes-validate.sh] %s\n' "$*" >&2; }

make_venv() {
  python3 -m venv "$1" >/dev/null 2>&1 && [ -x "$1/bin/pip" ]
}

# (Called where `set -e` does not reach: every step checks its own failure.)
install_it() {
  if ! command -v python3 >/dev/null 2>&1; then
    log "ERROR: python3 is missing"
    return 1
  fi
  if ! mkdir -p "$tools" || ! exec 9>"$tools/.kubernetes-validate.lock"; then
    log "ERROR: cannot write to $tools"
    return 1
  fi
  flock 9 || return 1
  if [ -f "$venv/.complete" ]; then return 0; fi
  rm -rf "$venv"
  if ! make_venv "$venv"; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "python3 cannot make a venv: installing python3-venv"
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; } >&2 || true
    fi
    if ! make_venv "$venv"; then
      rm -rf "$venv"
      log "ERROR: python3 -m venv failed (Debian: apt-get install python3-venv)"
      return 1
    fi
  fi
  log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $venv"
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2; then
    rm -rf "$venv"
    log "ERROR: pip install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION failed (see above)"
    return 1
  fi
  touch "$venv/.complete" || return 1
}

if [ ! -f "$venv/.complete" ]; then
  install_it || exit 1
fi

if [ "${1:-}" = --path ]; then
  printf '%s\n' "$bin"
  exit 0
fi
exec "$bin" "$@"
