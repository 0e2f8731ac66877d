# shellcheck shell=bash
# Shared helpers for scripts/services/*.sh. Sourced, never executed.
#
# Conventions of every service script:
#   - log lines go to stderr, prefixed with the service name;
#   - stdout carries only the final KEY=VALUE line (so callers can capture it);
#   - every wait is bounded.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Base directory for all local service state (data dirs, logs, pid files).
KIMAP_STATE_DIR="${KIMAP_STATE_DIR:-$REPO_ROOT/.cache/services}"

_svc_name="${SVC_NAME:-services}"

log() { printf '[%s] %s\n' "$_svc_name" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$_svc_name" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# now_ms: milliseconds since the epoch (GNU date).
now_ms() { date +%s%3N; }

# port_in_use PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1
}

# pick_port DEFAULT: DEFAULT when free, else the first free port above it (bounded scan).
pick_port() {
  local p="$1" i
  for ((i = 0; i < 200; i++)); do
    if ! port_in_use "$p"; then
      printf '%s\n' "$p"
      return 0
    fi
    p=$((p + 1))
  done
  return 1
}

# with_lock NAME: serialise concurrent start/stop calls for one service (bounded wait).
# The lock is fd 9: a daemon started while holding it must get `9>&-`, or it would keep
# the lock for its whole life.
with_lock() {
  mkdir -p "$KIMAP_STATE_DIR"
  exec 9>"$KIMAP_STATE_DIR/$1.lock"
  if ! flock -w 180 9; then
    die "timed out after 180s waiting for $KIMAP_STATE_DIR/$1.lock (another start/stop running?)"
  fi
}

# apt_install PKG...: non-interactive install of Debian packages (root only).
# Runs 'apt-get update' once per process; waits (bounded) for the dpkg lock so two
# service scripts installing at the same time don't fail on each other.
_apt_updated=0
apt_install() {
  is_root || die "need root to install Debian packages: $* (run: sudo apt-get install -y $*)"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
  local lock_opt=(-o DPkg::Lock::Timeout=300)
  if [ "$_apt_updated" -eq 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get "${lock_opt[@]}" update -q >&2 \
      || die "apt-get update failed"
    _apt_updated=1
  fi
  log "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get "${lock_opt[@]}" install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >&2 \
    || die "apt-get install $* failed"
}
