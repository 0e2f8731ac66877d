#!/usr/bin/env bash
# Installs the IMAP sync tools the interop tests drive (Debian packages):
#   isync        -> mbsync
#   offlineimap3 -> offlineimap
# Idempotent: exits at once when both binaries are there. Runs `apt-get update`
# at most once per invocation. Another apt/dpkg may be running at the same time:
# it waits (bounded, INTEROP_LOCK_WAIT_SECONDS, default 300) for the locks, and
# retries an apt-get that still lost the race.
set -euo pipefail

log() { printf '[interop-install] %s\n' "$*" >&2; }

have_all() { command -v mbsync >/dev/null 2>&1 && command -v offlineimap >/dev/null 2>&1; }

if have_all; then
  log "mbsync and offlineimap are installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "ERROR: no apt-get here: install isync and offlineimap3 (or mbsync and offlineimap) by hand"
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    log "ERROR: not root and no sudo: cannot apt-get install isync offlineimap3"
    exit 1
  fi
fi

LOCK_WAIT_SECONDS="${INTEROP_LOCK_WAIT_SECONDS:-300}"
LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)

# True while another process holds one of apt's/dpkg's locks. apt takes them
# with fcntl(F_SETLK), which flock(1) does not see: probe with fcntl itself
# (python3), else ask fuser/lslocks.
locked() {
  local f
  for f in "${LOCKS[@]}"; do
    [ -e "$f" ] || continue
    if command -v python3 >/dev/null 2>&1; then
      if ! "${SUDO[@]}" python3 -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    sys.exit(1)
' "$f" 2>/dev/null; then
        return 0
      fi
    elif command -v fuser >/dev/null 2>&1; then
      if "${SUDO[@]}" fuser "$f" >/dev/null 2>&1; then return 0; fi
    elif command -v lslocks >/dev/null 2>&1; then
      if lslocks -n -o PATH 2>/dev/null | grep -qx "$f"; then return 0; fi
    fi
  done
  return 1
}

wait_for_locks() {
  local waited=0
  while locked; do
    if [ "$waited" -ge "$LOCK_WAIT_SECONDS" ]; then
      log "ERROR: an apt/dpkg lock is still held after ${LOCK_WAIT_SECONDS}s"
      return 1
    fi
    if [ $((waited % 15)) -eq 0 ]; then log "waiting for another apt/dpkg process to release its lock (${waited}s)"; fi
    sleep 1
    waited=$((waited + 1))
  done
}

# apt-get waits for the dpkg frontend lock by itself with DPkg::Lock::Timeout
# (apt >= 1.9.11); the probe above covers the lists lock of `apt-get update`
# and older apt. A lock taken between probe and apt-get makes apt-get fail
# with "Could not get lock": then wait and try again, a bounded number of times.
apt_get() {
  local attempt out rc
  for attempt in 1 2 3 4 5; do
    wait_for_locks
    set +e
    out="$("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=${LOCK_WAIT_SECONDS}" "$@" 2>&1)"
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
      printf '%s\n' "$out" | tail -n 3 >&2
      return 0
    fi
    if printf '%s' "$out" | grep -qiE 'could not get lock|unable to acquire|another process|is locked'; then
      log "apt-get $1: lock held by another process (attempt $attempt), waiting"
      sleep 3
      continue
    fi
    printf '%s\n' "$out" | tail -n 30 >&2
    return "$rc"
  done
  log "ERROR: apt-get $1 kept losing the lock"
  return 1
}

log "apt-get update"
apt_get update -qq
log "apt-get install -y isync offlineimap3"
apt_get install -y -qq --no-install-recommends isync offlineimap3

if have_all; then
  log "installed: $(mbsync --version 2>&1 | head -n 1), offlineimap $(offlineimap --version 2>&1 | head -n 1)"
  exit 0
fi
log "ERROR: mbsync or offlineimap still missing after the install"
exit 1
