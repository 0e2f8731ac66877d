#!/usr/bin/env bash
# A private Dovecot IMAP server: the reference implementation the e2e transcripts
# (e2e/transcripts/*.imap) are also run against. Never the system instance.
#
#   e2e/dovecot/dovecot.sh start     # idempotent; prints DOVECOT_PORT=..., DOVECOT_USERS=...
#                                    # and, with LMTP, LMTP_PORT=...
#   e2e/dovecot/dovecot.sh stop      # stops it; no-op when not running
#   e2e/dovecot/dovecot.sh port      # prints the port when running, else exit 1
#   e2e/dovecot/dovecot.sh lmtp-port # prints the LMTP port when running with LMTP, else exit 1
#   e2e/dovecot/dovecot.sh status
#   e2e/dovecot/dovecot.sh useradd USER PASSWORD [QUOTA_RULE]
#                                    # adds a user (with the default folders), with a quota
#                                    # rule such as '*:storage=2K:messages=3' (no limit without)
#
# Installs Debian's dovecot-imapd and dovecot-lmtpd when missing (root only; apt-get
# update once, waiting a bounded time for the dpkg lock another installer may hold).
# Then runs `dovecot -c <private config>` with base_dir, state_dir, log and mail under
# the state dir, listening on 127.0.0.1 only (plaintext IMAP, ssl = no, no imaps
# listener), with a passwd-file of {PLAIN} passwords per user. It also takes LMTP
# (RFC 2033) on a second 127.0.0.1 port and delivers to the users' INBOX; an unknown
# recipient is refused with 550. Not root and no dovecot-lmtpd: it runs without LMTP.
# IMAP sessions have the quota plugins (QUOTA, RFC 9208): the root "User quota",
# counted from the mail itself, with no limit unless the user was added with one.
# Mail (maildir) and users are reset on every start that actually starts the server, so
# each run begins empty; users may be added while it runs (useradd).
#
# Env: KIMAP_DOVECOT_DIR   state dir (default $KIMAP_STATE_DIR/dovecot when
#                          KIMAP_STATE_DIR is set, else <repo>/.cache/dovecot)
#      KIMAP_DOVECOT_PORT  port (default 24143; when unset and busy, the next free one)
#      KIMAP_DOVECOT_LMTP_PORT  LMTP port (default 24124; when unset and busy, the next
#                          free one); KIMAP_DOVECOT_LMTP=0 runs it without LMTP
#      KIMAP_DOVECOT_MAIL_USER  system user mail is accessed as when root (default nobody)
#      CI=true             a failure to install or start exits 1; otherwise it exits 3
#                          ("unavailable"), so callers may skip the reference server.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -n "${KIMAP_DOVECOT_DIR:-}" ]; then
  STATE="$KIMAP_DOVECOT_DIR"
elif [ -n "${KIMAP_STATE_DIR:-}" ]; then
  STATE="$KIMAP_STATE_DIR/dovecot"
else
  STATE="$REPO_ROOT/.cache/dovecot"
fi
DEFAULT_PORT=24143
DEFAULT_LMTP_PORT=24124
CONF="$STATE/dovecot.conf"
USERS="$STATE/users"
RUN="$STATE/run"
LOGFILE="$STATE/dovecot.log"
PORT_FILE="$STATE/port"
LMTP_PORT_FILE="$STATE/lmtp-port"
INSTANCE=kimap-dovecot

log() { printf '[dovecot] %s\n' "$*" >&2; }
is_ci() { [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }
# Unavailable: exit 3 (callers skip) unless under CI, where it is a failure.
unavailable() {
  printf '[dovecot] ERROR: %s\n' "$*" >&2
  if is_ci; then
    printf '[dovecot] CI=true: failing instead of skipping the reference server\n' >&2
    exit 1
  fi
  exit 3
}
die() { printf '[dovecot] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1; }

find_dovecot() {
  if command -v dovecot >/dev/null 2>&1; then command -v dovecot; return 0; fi
  [ -x /usr/sbin/dovecot ] && { echo /usr/sbin/dovecot; return 0; }
  return 1
}

# Both halves must be there: dovecot-core brings `dovecot`, dovecot-imapd the imap binary.
imap_installed() {
  find_dovecot >/dev/null && [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/imap-login ]
}
lmtp_installed() { [ -x /usr/lib/dovecot/lmtp ]; }
want_lmtp() { [ "${KIMAP_DOVECOT_LMTP:-1}" != 0 ]; }
# LMTP is served when it is wanted and dovecot-lmtpd is there.
with_lmtp() { want_lmtp && lmtp_installed; }
installed() { imap_installed && { ! want_lmtp || lmtp_installed; }; }

dpkg_busy() {
  command -v fuser >/dev/null 2>&1 || return 1
  fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1
}

ensure_installed() {
  installed && return 0
  local packages=(dovecot-imapd)
  want_lmtp && packages+=(dovecot-lmtpd)
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    if imap_installed; then
      log "dovecot-lmtpd is not installed (and cannot be here): running without LMTP"
      return 0
    fi
    is_root || unavailable "dovecot is not installed and we are not root (run: sudo apt-get install -y ${packages[*]})"
    unavailable "dovecot is not installed and there is no apt-get"
  fi
  local updated=0 attempt
  for attempt in 1 2 3 4 5 6; do
    # Another process may be installing it right now: wait (bounded) for dpkg to be free.
    local waited=0
    while dpkg_busy && [ "$waited" -lt 300 ]; do
      [ "$waited" -eq 0 ] && log "dpkg is busy (another installer?): waiting up to 300 s"
      sleep 2
      waited=$((waited + 2))
    done
    installed && return 0
    if [ "$updated" -eq 0 ]; then
      log "apt-get update"
      if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q >&2; then updated=1; fi
    fi
    log "apt-get install -y ${packages[*]} (attempt $attempt)"
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}" >&2; then
      installed && return 0
    fi
    installed && return 0
    sleep 5
  done
  unavailable "could not install ${packages[*]}"
}

master_pid() {
  local f="$RUN/master.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid must really be our dovecot (pid files outlive reboots of containers).
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$CONF" || return 1
  printf '%s\n' "$pid"
}

is_running() { master_pid >/dev/null; }

# The running instance serves LMTP exactly when it should (one started without
# dovecot-lmtpd, or by an earlier version of this script, has none).
lmtp_as_wanted() {
  if with_lmtp; then
    [ -f "$LMTP_PORT_FILE" ] && port_in_use "$(cat "$LMTP_PORT_FILE")"
  else
    [ ! -f "$LMTP_PORT_FILE" ]
  fi
}

# The running instance has the configuration this script writes now (one started by an
# earlier version of it lacks what was added since, e.g. the quota plugins).
config_current() {
  local lmtp_port=
  [ -f "$LMTP_PORT_FILE" ] && lmtp_port="$(cat "$LMTP_PORT_FILE")"
  write_config "$(cat "$PORT_FILE")" "$lmtp_port" "$CONF.current"
  cmp -s "$CONF" "$CONF.current"
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
  printf 'DOVECOT_PORT=%s\n' "$(cat "$PORT_FILE")"
  printf 'DOVECOT_USERS=%s\n' "$USERS"
  if [ -f "$LMTP_PORT_FILE" ]; then printf 'LMTP_PORT=%s\n' "$(cat "$LMTP_PORT_FILE")"; fi
}

# One passwd-file per user (users/<name>): Dovecot reads a file the first time it is
# named, so a user added while it runs can log in at once (a single passwd-file is
# re-read at most once a second).
add_user() {
  local user="$1" pass="$2" rule="${3:-}"
  case "$user$pass" in *:* | */* | *$'\n'*) die "user and password must not contain ':', '/' or newlines" ;; esac
  case "$rule" in *[!A-Za-z0-9*:=]*) die "a quota rule is made of letters, digits, '*', ':' and '='" ;; esac
  mkdir -p "$USERS"
  printf '%s:{PLAIN}%s::::::%s\n' "$user" "$pass" "${rule:+userdb_quota_rule=$rule}" >"$USERS/$user.tmp"
  chmod 644 "$USERS/$user.tmp"
  mv "$USERS/$user.tmp" "$USERS/$user"
  # The default folders exist on disk from the start, as in kimap: Dovecot creates
  # "auto" mailboxes lazily, and until then CREATE/RENAME to their names succeed.
  local maildir="$STATE/home/$user/Maildir" box
  for box in INBOX Drafts Sent Trash Junk Archive; do
    mkdir -p "$maildir/$box/cur" "$maildir/$box/new" "$maildir/$box/tmp"
  done
  printf '%s\n' INBOX Drafts Sent Trash Junk Archive >"$maildir/subscriptions"
  if is_root; then chown -R "${KIMAP_DOVECOT_MAIL_USER:-nobody}:" "$STATE/home/$user"; fi
}

# The users of the repository's tests, with the passwords the tests use.
seed_users() {
  rm -rf "$USERS"
  mkdir -p "$USERS"
  add_user alice@example.test alice-password
  add_user bob@example.test bob-password
  add_user ops@example.test ops-password
  add_user demo@example.com demo-password
}

write_config() {
  local port="$1" lmtp_port="$2" out="${3:-$CONF}" version mail_user mail_uid mail_gid userdb_args login_user internal_user
  version="$(dovecot --version | cut -d' ' -f1)"
  # disable_plaintext_auth was renamed auth_allow_cleartext in 2.4.
  local cleartext
  case "$version" in
    2.[0-3].* | 2.[0-3]) cleartext='disable_plaintext_auth = no' ;;
    *) cleartext='auth_allow_cleartext = yes' ;;
  esac
  case "$version" in
    2.[0-3].* | 2.[0-3]) ;;
    *) log "Dovecot $version: this configuration is written for 2.3 (Debian 12) and may need changes" ;;
  esac
  if is_root; then
    mail_user="${KIMAP_DOVECOT_MAIL_USER:-nobody}"
    mail_uid="$(id -u "$mail_user")" || die "no system user $mail_user"
    mail_gid="$(id -g "$mail_user")"
    userdb_args="uid=$mail_uid gid=$mail_gid home=$STATE/home/%u"
    login_user=dovenull
    internal_user=dovecot
  else
    # Rootless: every process runs as ourselves.
    mail_uid="$(id -u)"
    mail_gid="$(id -g)"
    userdb_args="uid=$mail_uid gid=$mail_gid home=$STATE/home/%u"
    login_user="$(id -un)"
    internal_user="$(id -un)"
  fi
  cat >"$out" <<EOF
# Written by e2e/dovecot/dovecot.sh on every start: a private reference server for
# the kimap transcript tests. Nothing here touches the system instance.
instance_name = $INSTANCE
base_dir = $RUN
state_dir = $STATE/lib
log_path = $LOGFILE
info_log_path = $LOGFILE
debug_log_path = $LOGFILE
protocols = imap${lmtp_port:+ lmtp}
listen = 127.0.0.1
ssl = no
$cleartext
auth_mechanisms = plain login
auth_cache_size = 0
# A wrong password is answered at once (the default waits 2 s).
auth_failure_delay = 0
default_login_user = $login_user
default_internal_user = $internal_user
first_valid_uid = $mail_uid
first_valid_gid = $mail_gid
login_greeting = Dovecot ready.
# The tests open many short connections quickly.
mail_max_userip_connections = 1000

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $USERS/%u
}
userdb {
  driver = static
  args = $userdb_args
}

# Maildir with the fs layout: "/" is both the IMAP hierarchy separator and the on-disk
# one, and a mailbox may hold messages and children at once (as in kimap).
mail_location = maildir:~/Maildir:LAYOUT=fs:INBOX=~/Maildir/INBOX

namespace inbox {
  inbox = yes
  separator = /
  prefix =
  # kimap creates these for every account and subscribes them (and INBOX).
  mailbox INBOX {
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

# No penalty that slows down logins after failed ones: the transcripts try wrong
# passwords on purpose, all from 127.0.0.1.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

# QUOTA for IMAP sessions only (LMTP deliveries are not limited): usage counted from
# the mail (message sizes with CRLF, as kimap counts them); a user's limit comes from
# its passwd-file entry (userdb_quota_rule), and there is none by default.
protocol imap {
  mail_plugins = \$mail_plugins quota imap_quota
}
plugin {
  quota = count:User quota
  quota_vsizes = yes
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
  if [ -n "$lmtp_port" ]; then
    cat >>"$out" <<EOF

# LMTP into the users' INBOX. The static userdb asks the passdb whether a recipient
# exists (no allow_all_users), so an unknown one is refused with 550.
lmtp_save_to_detail_mailbox = no
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
EOF
  fi
}

cmd_start() {
  ensure_installed
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  flock -w 120 9 || die "timed out waiting for $STATE/lock (another start/stop running?)"

  if is_running && [ -f "$PORT_FILE" ] && port_in_use "$(cat "$PORT_FILE")" && lmtp_as_wanted && config_current; then
    log "already running on 127.0.0.1:$(cat "$PORT_FILE") (state $STATE)"
    emit
    return 0
  fi
  # A half-dead instance (master alive, a port closed), or one with LMTP where it is
  # not wanted or the other way round: stop it first.
  if is_running; then cmd_stop_locked; fi

  local port
  if [ -n "${KIMAP_DOVECOT_PORT:-}" ]; then
    port="$KIMAP_DOVECOT_PORT"
    port_in_use "$port" && unavailable "KIMAP_DOVECOT_PORT=$port is already in use on 127.0.0.1"
  else
    port="$(pick_port "$DEFAULT_PORT")" || unavailable "no free port found from $DEFAULT_PORT"
    [ "$port" = "$DEFAULT_PORT" ] || log "port $DEFAULT_PORT busy, using $port"
  fi
  case "$port" in 143 | 993) die "refusing to listen on the system IMAP port $port" ;; esac
  local lmtp_port=
  if with_lmtp; then
    if [ -n "${KIMAP_DOVECOT_LMTP_PORT:-}" ]; then
      lmtp_port="$KIMAP_DOVECOT_LMTP_PORT"
      port_in_use "$lmtp_port" && unavailable "KIMAP_DOVECOT_LMTP_PORT=$lmtp_port is already in use on 127.0.0.1"
    else
      lmtp_port="$(pick_port "$DEFAULT_LMTP_PORT")" || unavailable "no free port found from $DEFAULT_LMTP_PORT"
      if [ "$lmtp_port" = "$port" ]; then
        lmtp_port="$(pick_port $((port + 1)))" || unavailable "no free LMTP port found"
      fi
    fi
    [ "$lmtp_port" != "$port" ] || die "the IMAP and LMTP ports must differ ($port)"
    case "$lmtp_port" in 24 | 25) die "refusing to listen on the system mail port $lmtp_port" ;; esac
  fi

  # Deterministic: no mail, no index, no state from an earlier run.
  rm -rf "${STATE:?}/home" "${STATE:?}/lib" "${RUN:?}"
  mkdir -p "$STATE/home" "$STATE/lib" "$RUN"
  if is_root; then
    chown "${KIMAP_DOVECOT_MAIL_USER:-nobody}:" "$STATE/home"
  fi
  seed_users
  : >"$LOGFILE"
  write_config "$port" "$lmtp_port"
  if ! dovecot -c "$CONF" -n >/dev/null 2>"$STATE/config-check.log"; then
    cat "$STATE/config-check.log" >&2
    unavailable "the generated configuration $CONF is rejected by dovecot"
  fi
  log "starting Dovecot $(dovecot --version) on 127.0.0.1:$port${lmtp_port:+ (LMTP 127.0.0.1:$lmtp_port)} (state $STATE, log $LOGFILE)"
  # 9>&-: the master must not inherit (and so hold forever) the lock fd.
  # The daemon must not keep the caller's pipes open (a test runner waits for them).
  if ! dovecot -c "$CONF" 9>&- </dev/null >>"$STATE/dovecot-start.log" 2>&1; then
    tail -n 30 "$LOGFILE" >&2 || true
    unavailable "dovecot failed to start (see $LOGFILE)"
  fi
  printf '%s\n' "$port" >"$PORT_FILE"
  rm -f "$LMTP_PORT_FILE"
  if [ -n "$lmtp_port" ]; then printf '%s\n' "$lmtp_port" >"$LMTP_PORT_FILE"; fi
  local i
  for ((i = 0; i < 150; i++)); do
    if port_in_use "$port" && { [ -z "$lmtp_port" ] || port_in_use "$lmtp_port"; }; then
      log "ready"
      emit
      return 0
    fi
    is_running || break
    sleep 0.1
  done
  tail -n 30 "$LOGFILE" >&2 || true
  unavailable "dovecot is not listening on 127.0.0.1:$port${lmtp_port:+ and $lmtp_port} after 15 s (see $LOGFILE)"
}

cmd_stop_locked() {
  local pid
  if ! pid="$(master_pid)"; then
    log "not running"
    rm -f "$PORT_FILE" "$LMTP_PORT_FILE"
    return 0
  fi
  log "stopping (pid $pid)"
  dovecot -c "$CONF" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PORT_FILE" "$LMTP_PORT_FILE"
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
    log "not running (start it with: $0 start)"
    exit 1
  fi
  cat "$PORT_FILE"
}

cmd_lmtp_port() {
  if ! is_running || [ ! -f "$LMTP_PORT_FILE" ]; then
    log "not running with LMTP (start it with: $0 start)"
    exit 1
  fi
  cat "$LMTP_PORT_FILE"
}

cmd_status() {
  if is_running; then
    local lmtp=
    [ -f "$LMTP_PORT_FILE" ] && lmtp=", LMTP on 127.0.0.1:$(cat "$LMTP_PORT_FILE")"
    log "running on 127.0.0.1:$(cat "$PORT_FILE" 2>/dev/null || echo '?')$lmtp (state $STATE)"
  else
    log "stopped"
    exit 3
  fi
}

cmd_useradd() {
  local user="${1:-}" pass="${2:-}" rule="${3:-}"
  if [ -z "$user" ] || [ -z "$pass" ]; then die "usage: $0 useradd USER PASSWORD [QUOTA_RULE]"; fi
  is_running || die "not running (start it with: $0 start)"
  add_user "$user" "$pass" "$rule"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  port) cmd_port ;;
  lmtp-port) cmd_lmtp_port ;;
  status) cmd_status ;;
  useradd) shift; cmd_useradd "$@" ;;
  *)
    echo "usage: $0 start|stop|port|lmtp-port|status|useradd USER PASSWORD [QUOTA_RULE]" >&2
    exit 2
    ;;
esac
