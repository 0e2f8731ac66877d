# shellcheck shell=sh
# Provide PostgreSQL and Kafka to the test suite. SOURCE this file (POSIX sh: works from
# make's /bin/sh (dash) and from bash), on the same line as the test command:
#
#   . ./scripts/test-env.sh && npm test
#
# 1. DATABASE_URL and KAFKA_BROKERS both set      -> use them as they are.
# 2. else a Docker engine answers `docker info`   -> export KIMAP_USE_TESTCONTAINERS=1
#    (5s timeout)                                    and let the tests start containers.
# 3. else start local services (whichever of the two is not set):
#      scripts/services/postgres.sh start  -> export DATABASE_URL
#      scripts/services/kafka.sh start     -> export KAFKA_BROKERS
#    They keep running afterwards (a second start is instant);
#    scripts/services/stop-all.sh stops them.
#
# KIMAP_SERVICES=local skips the Docker probe (always step 3); =testcontainers forces 2.
# Under CI=true a failure to provide the services exits the calling shell with status 1
# (a hard failure, never a skip); elsewhere it returns 1 with the reason.
#
# No `set -euo pipefail` here on purpose: this file runs inside the caller's shell, whose
# options it must not change (and dash has no pipefail). The scripts it runs use it.

_kimap_te_log() { printf '[test-env] %s\n' "$*" >&2; }

_kimap_te_root() {
  if [ -n "${KIMAP_REPO_ROOT:-}" ]; then
    printf '%s\n' "$KIMAP_REPO_ROOT"
  elif [ -n "${BASH_SOURCE:-}" ]; then
    (cd "$(dirname "$BASH_SOURCE")/.." && pwd)
  elif [ -x ./scripts/services/postgres.sh ]; then
    pwd
  else
    git rev-parse --show-toplevel 2>/dev/null
  fi
}

_kimap_te_docker() {
  command -v docker >/dev/null 2>&1 || return 1
  timeout 5 docker info >/dev/null 2>&1
}

_kimap_te_main() {
  if [ -n "${DATABASE_URL:-}" ] && [ -n "${KAFKA_BROKERS:-}" ]; then
    _kimap_te_log "using DATABASE_URL and KAFKA_BROKERS from the environment"
    return 0
  fi

  _kimap_te_mode="${KIMAP_SERVICES:-auto}"
  case "$_kimap_te_mode" in
    auto | local | testcontainers) ;;
    *)
      _kimap_te_log "ERROR: KIMAP_SERVICES must be auto, local or testcontainers (got '$_kimap_te_mode')"
      return 1
      ;;
  esac

  if [ "$_kimap_te_mode" = testcontainers ] || { [ "$_kimap_te_mode" = auto ] && _kimap_te_docker; }; then
    KIMAP_USE_TESTCONTAINERS=1
    export KIMAP_USE_TESTCONTAINERS
    if [ "$_kimap_te_mode" = testcontainers ]; then
      _kimap_te_log "KIMAP_SERVICES=testcontainers: tests will start PostgreSQL/Kafka with testcontainers (KIMAP_USE_TESTCONTAINERS=1)"
    else
      _kimap_te_log "a Docker engine answers: tests will start PostgreSQL/Kafka with testcontainers (KIMAP_USE_TESTCONTAINERS=1)"
    fi
    return 0
  fi
  [ "$_kimap_te_mode" = local ] || _kimap_te_log "no Docker engine answered 'docker info' within 5s: starting local services"

  _kimap_te_dir="$(_kimap_te_root)"
  if [ -z "$_kimap_te_dir" ] || [ ! -x "$_kimap_te_dir/scripts/services/postgres.sh" ]; then
    _kimap_te_log "ERROR: cannot find the repository root (set KIMAP_REPO_ROOT, or source from the repo root)"
    return 1
  fi
  _kimap_te_out="$(mktemp -d "${TMPDIR:-/tmp}/kimap-test-env.XXXXXX")" || return 1

  # Start both at once: PostgreSQL in the background, Kafka in the foreground.
  _kimap_te_pg_pid=""
  if [ -z "${DATABASE_URL:-}" ]; then
    "$_kimap_te_dir/scripts/services/postgres.sh" start >"$_kimap_te_out/pg" &
    _kimap_te_pg_pid=$!
  fi
  _kimap_te_rc=0
  if [ -z "${KAFKA_BROKERS:-}" ]; then
    if "$_kimap_te_dir/scripts/services/kafka.sh" start >"$_kimap_te_out/kafka"; then
      KAFKA_BROKERS="$(sed -n 's/^KAFKA_BROKERS=//p' "$_kimap_te_out/kafka" | tail -n 1)"
    fi
    if [ -n "${KAFKA_BROKERS:-}" ]; then
      export KAFKA_BROKERS
    else
      _kimap_te_log "ERROR: could not start the local Kafka broker (see the [kafka] lines above; logs in ${KIMAP_STATE_DIR:-.cache/services}/kafka/logs)"
      _kimap_te_rc=1
    fi
  fi
  if [ -n "$_kimap_te_pg_pid" ]; then
    if wait "$_kimap_te_pg_pid"; then
      DATABASE_URL="$(sed -n 's/^DATABASE_URL=//p' "$_kimap_te_out/pg" | tail -n 1)"
    fi
    if [ -n "${DATABASE_URL:-}" ]; then
      export DATABASE_URL
    else
      _kimap_te_log "ERROR: could not start the local PostgreSQL (see the [postgres] lines above)"
      _kimap_te_rc=1
    fi
  fi
  rm -rf "$_kimap_te_out"
  [ "$_kimap_te_rc" -eq 0 ] || return 1
  _kimap_te_log "DATABASE_URL=$DATABASE_URL"
  _kimap_te_log "KAFKA_BROKERS=$KAFKA_BROKERS"
  return 0
}

if _kimap_te_main; then
  unset _kimap_te_mode _kimap_te_dir _kimap_te_out _kimap_te_pg_pid _kimap_te_rc
  unset -f _kimap_te_log _kimap_te_root _kimap_te_docker _kimap_te_main
  true
else
  unset _kimap_te_mode _kimap_te_dir _kimap_te_out _kimap_te_pg_pid _kimap_te_rc
  if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    _kimap_te_log "FATAL: CI=true and the test services (PostgreSQL, Kafka) could not be provided; failing the run instead of skipping tests"
    exit 1
  fi
  _kimap_te_log "test services unavailable: tests that need PostgreSQL/Kafka will fail"
  unset -f _kimap_te_log _kimap_te_root _kimap_te_docker _kimap_te_main
  return 1 2>/dev/null || false
fi
