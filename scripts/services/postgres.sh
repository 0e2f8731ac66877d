#!/usr/bin/env bash
# A private PostgreSQL cluster for tests and dev (not the system one).
#
#   scripts/services/postgres.sh start   # idempotent; prints DATABASE_URL=... on stdout
#   scripts/services/postgres.sh stop    # clean (fast) shutdown; no-op when not running
#   scripts/services/postgres.sh url     # prints DATABASE_URL=... when running, else exit 1
#   scripts/services/postgres.sh status
#
# Installs Debian's `postgresql` package when no /usr/lib/postgresql/*/bin/initdb exists
# (root only). The cluster lives in $KIMAP_STATE_DIR/pg (default .cache/services/pg),
# runs as the `postgres` user when invoked as root, listens on 127.0.0.1 only (no unix
# socket), trusts local TCP connections, and trades durability for speed (fsync=off).
#
# Env: KIMAP_STATE_DIR, KIMAP_PG_PORT (default 54329; when unset and busy, the next free
#      port is used), KIMAP_PG_DB (default kimap_test), KIMAP_PG_BIN (bin dir override).
# Writes $KIMAP_STATE_DIR/pg.env with the DATABASE_URL line.
set -euo pipefail

SVC_NAME=postgres
# shellcheck source=scripts/services/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_DEFAULT_PORT=54329
PG_DB="${KIMAP_PG_DB:-kimap_test}"
PG_USER=postgres
PG_PASSWORD=postgres
ENV_FILE="$KIMAP_STATE_DIR/pg.env"

# ---------------------------------------------------------------- binaries

find_pg_bin() {
  if [ -n "${KIMAP_PG_BIN:-}" ]; then
    [ -x "$KIMAP_PG_BIN/initdb" ] || die "KIMAP_PG_BIN=$KIMAP_PG_BIN has no initdb"
    printf '%s\n' "$KIMAP_PG_BIN"
    return 0
  fi
  # Newest Debian versioned bin dir (deliberately not /usr/local/bin/pg_ctl & co).
  local d
  d="$(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '\*' | sort -V | tail -n 1 || true)"
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/psql" ]; then
    printf '%s\n' "$d"
  fi
}

ensure_pg_installed() {
  PG_BIN="$(find_pg_bin)"
  if [ -z "$PG_BIN" ]; then
    log "no /usr/lib/postgresql/*/bin/initdb found: installing Debian's postgresql package"
    apt_install postgresql
    PG_BIN="$(find_pg_bin)"
    [ -n "$PG_BIN" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
  fi
  if is_root && ! id -u postgres >/dev/null 2>&1; then
    die "running as root but there is no 'postgres' user to run the server as"
  fi
}

# Run a command as the cluster owner: `postgres` when we are root (initdb/postgres
# refuse to run as root), else ourselves.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# ---------------------------------------------------------------- layout

# The cluster's base dir. As root it must be reachable by the postgres user; if the
# state dir is not (e.g. a repo under /root), fall back to a per-repo dir in /var/tmp.
resolve_pg_base() {
  PG_BASE="$KIMAP_STATE_DIR/pg"
  if is_root; then
    mkdir -p "$PG_BASE"
    chown postgres:postgres "$PG_BASE"
    chmod 700 "$PG_BASE"
    if ! (cd / && runuser -u postgres -- test -w "$PG_BASE" -a -x "$PG_BASE"); then
      local sum
      sum="$(printf '%s' "$KIMAP_STATE_DIR" | cksum | cut -d' ' -f1)"
      PG_BASE="/var/tmp/kimap-pg-$sum"
      log "postgres user cannot reach $KIMAP_STATE_DIR/pg; using $PG_BASE instead"
      mkdir -p "$PG_BASE"
      chown postgres:postgres "$PG_BASE"
      chmod 700 "$PG_BASE"
    fi
  else
    mkdir -p "$PG_BASE"
    chmod 700 "$PG_BASE"
  fi
  PG_DATA="$PG_BASE/data"
  PG_LOG="$PG_BASE/postgres.log"
}

is_running() {
  [ -f "$PG_DATA/PG_VERSION" ] || return 1
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# Port of the running postmaster (4th line of postmaster.pid).
running_port() { sed -n 4p "$PG_DATA/postmaster.pid"; }

db_url() { printf 'postgres://%s:%s@127.0.0.1:%s/%s' "$PG_USER" "$PG_PASSWORD" "$1" "$PG_DB"; }

emit_url() {
  local line
  line="DATABASE_URL=$(db_url "$1")"
  printf '%s\n' "$line" >"$ENV_FILE"
  printf '%s\n' "$line"
}

psql_q() {
  local port="$1" db="$2"
  shift 2
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$PG_USER" -d "$db" "$@"
}

# ---------------------------------------------------------------- init / config

init_cluster() {
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    local have want
    have="$(cat "$PG_DATA/PG_VERSION")"
    want="$("$PG_BIN/pg_ctl" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')"
    if [ "$have" = "$want" ]; then
      return 0
    fi
    log "data dir is PostgreSQL $have but binaries are $want: re-initialising (test data only)"
    rm -rf "$PG_DATA"
  elif [ -e "$PG_DATA" ]; then
    log "removing incomplete data dir $PG_DATA"
    rm -rf "$PG_DATA"
  fi
  log "initdb $PG_DATA ($PG_BIN)"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" -A trust -E UTF8 --locale=C \
    --no-sync --no-instructions >"$PG_BASE/initdb.log" 2>&1; then
    cat "$PG_BASE/initdb.log" >&2
    die "initdb failed"
  fi
  # TCP on 127.0.0.1 only, trust auth (password in the URL is accepted and ignored).
  as_pg sh -c "cat >'$PG_DATA/pg_hba.conf'" <<'EOF'
# kimap private test cluster: loopback TCP only, trust.
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
EOF
  as_pg sh -c "printf '\n%s\n' \"include_if_exists = 'kimap.conf'\" >>'$PG_DATA/postgresql.conf'"
}

write_config() {
  local port="$1"
  as_pg sh -c "cat >'$PG_DATA/kimap.conf'" <<EOF
# Written by scripts/services/postgres.sh on every start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 200
# Test speed over durability: this cluster holds throwaway data.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

# ---------------------------------------------------------------- commands

cmd_start() {
  ensure_pg_installed
  with_lock pg
  resolve_pg_base

  if is_running; then
    local port
    port="$(running_port)"
    log "already running on 127.0.0.1:$port (data $PG_DATA)"
    emit_url "$port"
    return 0
  fi

  local port
  if [ -n "${KIMAP_PG_PORT:-}" ]; then
    port="$KIMAP_PG_PORT"
    port_in_use "$port" && die "KIMAP_PG_PORT=$port is already in use on 127.0.0.1"
  else
    port="$(pick_port "$PG_DEFAULT_PORT")" || die "no free port found from $PG_DEFAULT_PORT"
    [ "$port" = "$PG_DEFAULT_PORT" ] || log "port $PG_DEFAULT_PORT busy, using $port"
  fi

  local t0
  t0="$(now_ms)"
  init_cluster
  write_config "$port"
  log "starting on 127.0.0.1:$port (log $PG_LOG)"
  # 9>&-: the postmaster must not inherit (and so hold forever) the lock fd.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 9>&-; then
    tail -n 30 "$PG_LOG" >&2 || true
    die "pg_ctl start failed (see $PG_LOG)"
  fi

  # Superuser password (for clients that insist on one) and the test database.
  psql_q "$port" postgres -c "ALTER ROLE $PG_USER PASSWORD '$PG_PASSWORD'" >/dev/null \
    || die "cannot connect to 127.0.0.1:$port"
  if [ "$(psql_q "$port" postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]; then
    log "creating database $PG_DB"
    psql_q "$port" postgres -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
  fi
  log "ready in $(($(now_ms) - t0)) ms"
  emit_url "$port"
}

cmd_stop() {
  PG_BIN="$(find_pg_bin)"
  if [ -z "$PG_BIN" ]; then
    log "PostgreSQL is not installed; nothing to stop"
    return 0
  fi
  with_lock pg
  resolve_pg_base
  if ! is_running; then
    log "not running"
    rm -f "$ENV_FILE"
    return 0
  fi
  log "stopping (data $PG_DATA)"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null; then
    log "fast shutdown did not finish in 60s; trying immediate"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null \
      || die "could not stop the cluster in $PG_DATA"
  fi
  rm -f "$ENV_FILE"
  log "stopped"
}

cmd_url() {
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || die "PostgreSQL is not installed"
  resolve_pg_base
  is_running || die "not running (start it with: $0 start)"
  emit_url "$(running_port)"
}

cmd_status() {
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || { log "not installed"; exit 3; }
  resolve_pg_base
  if is_running; then
    log "running on 127.0.0.1:$(running_port) (data $PG_DATA)"
  else
    log "stopped"
    exit 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|url|status" >&2
    exit 2
    ;;
esac
