#!/usr/bin/env bash
# A private Postfix that takes mail over SMTP on a loopback port and hands every
# message for the test domains to an LMTP server (kimap's LMTP listener, or a
# stand-in) - the way a real deployment delivers to kimap. Never the system instance.
#
#   e2e/postfix/postfix.sh install                        # apt-get install postfix if missing
#   e2e/postfix/postfix.sh start HOST:PORT [SMTP_PORT]    # idempotent; prints SMTP_PORT=..., POSTFIX_DIR=..., POSTFIX_LOG=...
#   e2e/postfix/postfix.sh stop                           # no-op when not running
#   e2e/postfix/postfix.sh port                           # prints the SMTP port when running, else exit 1
#   e2e/postfix/postfix.sh status
#
# Installs Debian's postfix when it is missing (root only), with debconf's "No
# configuration": no /etc/postfix/main.cf is written, so the package starts nothing and
# the system's mail setup stays as it was. Then runs `postfix -c <state>/etc start`
# with its own config_directory, queue_directory and data_directory under the state
# dir, one smtpd listening on 127.0.0.1:SMTP_PORT, no local delivery, no DNS, mail
# for the test domains handed to lmtp:inet:HOST:PORT and mail for any other domain
# refused (nothing ever leaves the machine). The queue is emptied on every start that
# actually starts the server; a start while it runs with another LMTP target (or other
# KIMAP_POSTFIX_* settings) restarts it on the same SMTP port. Postfix needs root: the master runs as root and its
# daemons as the `postfix` user.
#
# Env: KIMAP_POSTFIX_DIR      state dir (default $KIMAP_STATE_DIR/postfix when
#                             KIMAP_STATE_DIR is set, else <repo>/.cache/postfix)
#      KIMAP_POSTFIX_PORT     SMTP port when none is given (default 24025; when unset
#                             and busy, the next free one)
#      KIMAP_POSTFIX_DOMAINS  the domains delivered over LMTP, space-separated
#                             (default "example.org example.com example.test")
#      KIMAP_POSTFIX_MAIN_CF  main.cf settings ("name = value", one a line) over the ones
#                             here, e.g. lmtp_destination_concurrency_limit = 50
#      CI=true                a failure to install or start exits 1; otherwise it exits 3
#                             ("unavailable"), so callers may skip.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -n "${KIMAP_POSTFIX_DIR:-}" ]; then
  STATE="$KIMAP_POSTFIX_DIR"
elif [ -n "${KIMAP_STATE_DIR:-}" ]; then
  STATE="$KIMAP_STATE_DIR/postfix"
else
  STATE="$REPO_ROOT/.cache/postfix"
fi
DEFAULT_PORT=24025
CONF_DIR="$STATE/etc"
QUEUE_DIR="$STATE/queue"
DATA_DIR="$STATE/data"
LOGFILE="$STATE/postfix.log"
PORT_FILE="$STATE/port"
LMTP_FILE="$STATE/lmtp"
DOMAINS="${KIMAP_POSTFIX_DOMAINS:-example.org example.com example.test}"
DAEMON_DIR=/usr/lib/postfix/sbin
INSTALL_LOCK="${TMPDIR:-/tmp}/kimap-postfix-install.lock"
LOCK_WAIT_SECONDS=300

log() { printf '[postfix] %s\n' "$*" >&2; }
is_ci() { [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }
# Unavailable: exit 3 (callers skip) unless under CI, where it is a failure.
unavailable() {
  printf '[postfix] ERROR: %s\n' "$*" >&2
  if is_ci; then
    printf '[postfix] CI=true: failing instead of skipping\n' >&2
    exit 1
  fi
  exit 3
}
die() { printf '[postfix] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1; }

# Both the command and the daemons (master, smtpd, lmtp, ...) must be there.
installed() {
  [ -x /usr/sbin/postfix ] && [ -x /usr/sbin/postconf ] && [ -x "$DAEMON_DIR/master" ] &&
    [ -x "$DAEMON_DIR/smtpd" ] && [ -x "$DAEMON_DIR/lmtp" ] && [ -x "$DAEMON_DIR/postlogd" ]
}

# True while another process holds one of apt's/dpkg's locks. apt takes them with
# fcntl(F_SETLK), which flock(1) does not see: probe with fcntl itself (python3),
# else ask fuser.
apt_locked() {
  local f
  for f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
    [ -e "$f" ] || continue
    if command -v python3 >/dev/null 2>&1; then
      python3 -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    sys.exit(1)
' "$f" 2>/dev/null || return 0
    elif command -v fuser >/dev/null 2>&1; then
      fuser "$f" >/dev/null 2>&1 && return 0
    fi
  done
  return 1
}

wait_for_apt() {
  local waited=0
  while apt_locked; do
    [ "$waited" -ge "$LOCK_WAIT_SECONDS" ] && { log "an apt/dpkg lock is still held after ${LOCK_WAIT_SECONDS} s"; return 1; }
    [ $((waited % 15)) -eq 0 ] && log "waiting for another apt/dpkg process to release its lock (${waited} s)"
    sleep 1
    waited=$((waited + 1))
  done
}

# apt-get, retried when it lost a lock race (a lock taken between probe and apt-get).
apt_get() {
  local attempt out rc
  for attempt in 1 2 3 4 5; do
    wait_for_apt || return 1
    set +e
    out="$(DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT_SECONDS" "$@" 2>&1)"
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
  log "apt-get $1 kept losing the lock"
  return 1
}

cmd_install() {
  installed && return 0
  is_root || unavailable "postfix is not installed and we are not root (run as root: $0 install)"
  command -v apt-get >/dev/null 2>&1 || unavailable "postfix is not installed and there is no apt-get"
  # Two installs at once (two test runs) take turns; the second finds it installed.
  exec 8>"$INSTALL_LOCK"
  flock -w "$LOCK_WAIT_SECONDS" 8 || unavailable "timed out waiting for $INSTALL_LOCK"
  if installed; then exec 8>&-; return 0; fi
  # "No configuration": the package writes no main.cf, so its init script and
  # postinst start nothing and the system keeps whatever mail setup it had.
  printf '%s\n' \
    'postfix postfix/main_mailer_type select No configuration' \
    'postfix postfix/mailname string localhost' |
    debconf-set-selections || unavailable "debconf-set-selections failed"
  log "apt-get update"
  apt_get update -qq || log "apt-get update failed; trying the install with the lists there are"
  log "apt-get install -y postfix"
  apt_get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postfix ||
    unavailable "could not install postfix"
  exec 8>&-
  installed || unavailable "postfix is still missing after the install"
  log "installed postfix $(postconf -d -h mail_version)"
}

master_pid() {
  local pid
  pid="$(tr -d ' ' 2>/dev/null <"$QUEUE_DIR/pid/master.pid" || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = master ] || return 1
  printf '%s\n' "$pid"
}

# `master -t` tests the master's lock in our data_directory (exit 0: not locked, so
# not running; it also fails on a broken configuration, hence the pid check): true
# only for a master started with this config_directory. Quieter than `postfix
# status`, which logs every call.
is_running() {
  [ -f "$CONF_DIR/main.cf" ] && master_pid >/dev/null || return 1
  ! MAIL_CONFIG="$CONF_DIR" "$DAEMON_DIR/master" -t >/dev/null 2>&1
}

pick_port() {
  local p="$1" i
  for ((i = 0; i < 200; i++)); do
    if ! port_in_use "$p"; then printf '%s\n' "$p"; return 0; fi
    p=$((p + 1))
  done
  return 1
}

emit() {
  printf 'SMTP_PORT=%s\n' "$(cat "$PORT_FILE")"
  printf 'POSTFIX_DIR=%s\n' "$STATE"
  printf 'POSTFIX_LOG=%s\n' "$LOGFILE"
}

# Writes main.cf and master.cf into $3 (default the config_directory).
write_config() {
  local port="$1" lmtp="$2" dir="${3:-$CONF_DIR}"
  mkdir -p "$dir"
  cat >"$dir/main.cf" <<EOF
# Written by e2e/postfix/postfix.sh on every start: a private Postfix that delivers
# the test domains to an LMTP server. Nothing here touches the system instance.
compatibility_level = 3.6
config_directory = $CONF_DIR
queue_directory = $QUEUE_DIR
data_directory = $DATA_DIR
daemon_directory = $DAEMON_DIR
mail_owner = postfix
setgid_group = postdrop
syslog_name = kimap-postfix
# Postfix >= 3.4 logs through postlogd (master.cf "postlog") to a file: no syslog.
maillog_file = $LOGFILE
maillog_file_prefixes = $STATE
# Not the system instance's: no alternate instances, no shared files to check.
multi_instance_enable = no
myhostname = postfix.kimap.test
mydomain = kimap.test
myorigin = \$myhostname
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# No local delivery, no aliases.
mydestination =
local_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
readme_directory = no
# The test domains go to the LMTP server. Every recipient is taken: the LMTP server
# says which exist (a 5xx from it becomes a bounce).
virtual_mailbox_domains = $DOMAINS
virtual_transport = lmtp:inet:$lmtp
# Nothing leaves the machine: no relay host; a bounce to another domain fails at once.
relayhost =
relay_domains =
default_transport = error:only the test domains are delivered here
relay_transport = error:only the test domains are delivered here
# Mail for any other domain is refused at RCPT (554 Relay access denied), from anyone.
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
# No DNS: host names through the system resolver (/etc/hosts), LMTP target is an address.
disable_dns_lookups = yes
smtp_host_lookup = native
lmtp_host_lookup = native
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
# Short retries so a test sees a deferred message retried within seconds.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
maximal_queue_lifetime = 10m
bounce_queue_lifetime = 10m
delay_warning_time = 0
lmtp_connect_timeout = 5s
# Tests and benchmarks connect fast and often.
in_flow_delay = 0
smtpd_client_connection_rate_limit = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
# Not an open network service: plaintext only.
smtpd_tls_security_level = none
smtp_tls_security_level = none
lmtp_tls_security_level = none
EOF
  # Set in place (a second definition further down would draw a warning).
  local line
  while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    postconf -c "$dir" -e "$line" || die "KIMAP_POSTFIX_MAIN_CF: postconf -e '$line' failed"
  done <<<"${KIMAP_POSTFIX_MAIN_CF:-}"
  # Only what this instance uses; no chroot (it would need copies of /etc files in
  # the queue directory), no pickup (mail comes only over SMTP).
  cat >"$dir/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$port inet n  -       n       -       -       smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# Postfix does not trust a configuration file changed within the last second or two
# (it may be half written) and sleeps until it is older, in every program that reads
# it: about 2 s for a start right after writing it. Ours is written whole.
backdate_config() {
  touch -d "@$(($(date +%s) - 10))" "$CONF_DIR/main.cf" "$CONF_DIR/master.cf"
}

valid_target() {
  case "$1" in
    *:*) ;;
    *) return 1 ;;
  esac
  local port="${1##*:}"
  [[ "$port" =~ ^[0-9]+$ ]] && [ -n "${1%:*}" ]
}

cmd_start() {
  local lmtp="${1:-}" want_port="${2:-${KIMAP_POSTFIX_PORT:-}}"
  valid_target "$lmtp" || die "usage: $0 start LMTP_HOST:PORT [SMTP_PORT]"
  case "$lmtp" in *[[:space:]]*) die "bad LMTP target: $lmtp" ;; esac
  cmd_install
  is_root || unavailable "a private Postfix needs root (its master runs as root, its daemons as postfix)"
  id postfix >/dev/null 2>&1 || unavailable "no system user postfix (is the package installed?)"
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  flock -w 120 9 || die "timed out waiting for $STATE/lock (another start/stop running?)"

  if is_running && [ -f "$PORT_FILE" ] && port_in_use "$(cat "$PORT_FILE")" &&
    { [ -z "$want_port" ] || [ "$want_port" = "$(cat "$PORT_FILE")" ]; }; then
    want_port="$(cat "$PORT_FILE")"
    rm -rf "${STATE:?}/etc.next"
    write_config "$want_port" "$lmtp" "$STATE/etc.next"
    if cmp -s "$STATE/etc.next/main.cf" "$CONF_DIR/main.cf" && cmp -s "$STATE/etc.next/master.cf" "$CONF_DIR/master.cf"; then
      rm -rf "${STATE:?}/etc.next"
      log "already running on 127.0.0.1:$want_port (state $STATE)"
      emit
      return 0
    fi
    rm -rf "${STATE:?}/etc.next"
    # Another LMTP target (or other settings): a restart on the same SMTP port, under
    # a second. A `postfix reload` returns before every daemon has let go of the old
    # settings, so the next message could still be handled by them.
    log "restarting with the new settings (lmtp:inet:$lmtp)"
  fi
  # New settings, another SMTP port, or a half-dead instance (master alive, port closed).
  if is_running; then cmd_stop_locked; fi

  local port
  if [ -n "$want_port" ]; then
    [[ "$want_port" =~ ^[0-9]+$ ]] || die "bad SMTP port: $want_port"
    port="$want_port"
    port_in_use "$port" && unavailable "SMTP port $port is already in use on 127.0.0.1"
  else
    port="$(pick_port "$DEFAULT_PORT")" || unavailable "no free port found from $DEFAULT_PORT"
    [ "$port" = "$DEFAULT_PORT" ] || log "port $DEFAULT_PORT busy, using $port"
  fi
  case "$port" in 25 | 465 | 587) die "refusing to listen on the system SMTP port $port" ;; esac

  # Deterministic: no queued mail, no state from an earlier run.
  rm -rf "${CONF_DIR:?}" "${QUEUE_DIR:?}" "${DATA_DIR:?}"
  # Postfix checks ownership: config and queue directory root's and not writable by
  # others, the data directory the mail owner's. The queue's subdirectories (incoming,
  # active, maildrop, ...) are made by `postfix start` (post-install create-missing).
  mkdir -p "$CONF_DIR" "$QUEUE_DIR" "$DATA_DIR"
  chmod 755 "$STATE" "$CONF_DIR" "$QUEUE_DIR"
  chown root:root "$CONF_DIR" "$QUEUE_DIR"
  chown postfix:postfix "$DATA_DIR"
  chmod 700 "$DATA_DIR"
  : >"$LOGFILE"
  : >"$STATE/postfix-start.log"
  write_config "$port" "$lmtp"
  backdate_config
  printf '%s\n' "$lmtp" >"$LMTP_FILE"
  if ! postconf -c "$CONF_DIR" -n >/dev/null 2>"$STATE/config-check.log" || [ -s "$STATE/config-check.log" ]; then
    cat "$STATE/config-check.log" >&2
    unavailable "the generated configuration $CONF_DIR/main.cf is rejected by postconf"
  fi
  log "starting Postfix $(postconf -d -h mail_version) on 127.0.0.1:$port -> lmtp:inet:$lmtp (state $STATE, log $LOGFILE)"
  # 9>&-: the master must not inherit (and so hold forever) the lock fd.
  # The daemon must not keep the caller's pipes open (a test runner waits for them).
  if ! postfix -c "$CONF_DIR" start 9>&- </dev/null >>"$STATE/postfix-start.log" 2>&1; then
    tail -n 30 "$STATE/postfix-start.log" "$LOGFILE" >&2 || true
    unavailable "postfix failed to start (see $LOGFILE)"
  fi
  printf '%s\n' "$port" >"$PORT_FILE"
  local i
  for ((i = 0; i < 150; i++)); do
    if port_in_use "$port"; then
      log "ready"
      emit
      return 0
    fi
    is_running || break
    sleep 0.1
  done
  tail -n 30 "$LOGFILE" >&2 || true
  unavailable "postfix is not listening on 127.0.0.1:$port after 15 s (see $LOGFILE)"
}

cmd_stop_locked() {
  if ! is_running; then
    log "not running"
    rm -f "$PORT_FILE"
    return 0
  fi
  local pid
  pid="$(master_pid || true)"
  log "stopping${pid:+ (pid $pid)}"
  # `postfix stop` polls once a second; SIGTERM to the master and our own wait is
  # quicker and ends the same way (the master stops its children first).
  # Waits on the master's lock, not on its pid: a dead master may stay a zombie for a
  # while where the process that inherits orphans is slow to reap them.
  if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
    local i
    for ((i = 0; i < 100; i++)); do
      is_running || break
      sleep 0.05
    done
    if is_running; then
      log "still running after 5 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    postfix -c "$CONF_DIR" stop >/dev/null 2>&1 || true
  fi
  rm -f "$PORT_FILE"
  log "stopped"
}

cmd_stop() {
  [ -d "$STATE" ] || { log "not running"; return 0; }
  exec 9>"$STATE/lock"
  flock -w 120 9 || die "timed out waiting for $STATE/lock"
  cmd_stop_locked
}

cmd_port() {
  if ! is_running || [ ! -f "$PORT_FILE" ]; then
    log "not running (start it with: $0 start LMTP_HOST:PORT)"
    exit 1
  fi
  cat "$PORT_FILE"
}

cmd_status() {
  if is_running; then
    log "running on 127.0.0.1:$(cat "$PORT_FILE" 2>/dev/null || echo '?') -> lmtp:inet:$(cat "$LMTP_FILE" 2>/dev/null || echo '?') (state $STATE)"
  else
    log "stopped"
    exit 3
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  port) cmd_port ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 install|start LMTP_HOST:PORT [SMTP_PORT]|stop|port|status" >&2
    exit 2
    ;;
esac
