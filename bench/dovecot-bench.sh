#!/usr/bin/env bash
# A private Dovecot for bench/imap-vs-dovecot.ts: the same private, loopback-only
# setup as e2e/dovecot/dovecot.sh (plaintext IMAP, ssl = no, passwd-file with {PLAIN}
# passwords, maildir), with the changes a benchmark needs and nothing else:
#
#   - one passwd-file ($STATE/passwd) with every bench user, written by the caller
#     before `start` (lines `user:{PLAIN}password::::::`); their maildirs are created here;
#   - `service imap { process_limit }` raised so that 10,000 sessions fit. Dovecot keeps
#     its default of one `imap` process per session (client_limit = 1); imap-login keeps
#     its default high-security mode (service_count = 1: one login process per connection);
#   - the client_limit of the services every imap process talks to (anvil, auth, stats,
#     imap-login's master connection) raised to match, as `dovecot -n` demands;
#   - mail_max_userip_connections raised (the bench opens up to 10,000 sessions for 100
#     users from 127.0.0.x);
#   - mail_fsync = never: the kimap side runs on the repository's local PostgreSQL, which
#     is started with fsync = off and synchronous_commit = off; neither side syncs.
#
#   - with BENCH_DOVECOT_LMTP_PORT, LMTP on that loopback port too (bench/lmtp-vs-dovecot.ts),
#     delivering into the users' INBOX (dovecot-lmtpd).
#   - with BENCH_DOVECOT_SHARED=1, the acl plugin (vfile, RFC 4314 SETACL) and a shared
#     namespace `shared/<owner>/` whose readers keep their own \Seen (INDEXPVT), as kimap's
#     "Other Users/<owner>/" (scenario (g) of bench/imap-vs-dovecot.ts). Off otherwise: the
#     plugin costs every command a little.
#
#   bench/dovecot-bench.sh start   # env BENCH_DOVECOT_DIR, BENCH_DOVECOT_PORT[, BENCH_DOVECOT_LMTP_PORT]; prints DOVECOT_MASTER_PID=
#   bench/dovecot-bench.sh stop    # env BENCH_DOVECOT_DIR
#
# Installs Debian's dovecot-imapd (and dovecot-lmtpd for LMTP) when missing (root only), as
# e2e/dovecot/dovecot.sh does.
set -euo pipefail

STATE="${BENCH_DOVECOT_DIR:?BENCH_DOVECOT_DIR is required}"
CONF="$STATE/dovecot.conf"
RUN="$STATE/run"
LOGFILE="$STATE/dovecot.log"
INSTANCE=kimap-bench-dovecot
PROCESS_LIMIT="${BENCH_DOVECOT_PROCESS_LIMIT:-12000}"
CLIENT_LIMIT=$((PROCESS_LIMIT + 1000))

log() { printf '[dovecot-bench] %s\n' "$*" >&2; }
die() { printf '[dovecot-bench] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1; }

ensure_installed() {
  local packages=(dovecot-imapd)
  [ -n "${BENCH_DOVECOT_LMTP_PORT:-}" ] && packages+=(dovecot-lmtpd)
  if command -v dovecot >/dev/null 2>&1 && [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/imap-login ] &&
    { [ -z "${BENCH_DOVECOT_LMTP_PORT:-}" ] || [ -x /usr/lib/dovecot/lmtp ]; }; then return 0; fi
  is_root || die "dovecot is not installed and we are not root (run: sudo apt-get install -y ${packages[*]})"
  log "installing ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}" >&2
}

master_pid() {
  local f="$RUN/master.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$CONF" || return 1
  printf '%s\n' "$pid"
}

write_config() {
  local port="$1" mail_user mail_uid mail_gid login_user internal_user
  if is_root; then
    mail_user="${BENCH_DOVECOT_MAIL_USER:-nobody}"
    mail_uid="$(id -u "$mail_user")"
    mail_gid="$(id -g "$mail_user")"
    login_user=dovenull
    internal_user=dovecot
  else
    mail_uid="$(id -u)"
    mail_gid="$(id -g)"
    login_user="$(id -un)"
    internal_user="$(id -un)"
  fi
  cat >"$CONF" <<EOF
# Written by bench/dovecot-bench.sh: the reference server of bench/imap-vs-dovecot.ts.
instance_name = $INSTANCE
base_dir = $RUN
state_dir = $STATE/lib
log_path = $LOGFILE
info_log_path = $LOGFILE
debug_log_path = $LOGFILE
protocols = imap${BENCH_DOVECOT_LMTP_PORT:+ lmtp}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $login_user
default_internal_user = $internal_user
first_valid_uid = $mail_uid
first_valid_gid = $mail_gid
login_greeting = Dovecot ready.
mail_max_userip_connections = 100000
mail_fsync = never
default_client_limit = $CLIENT_LIMIT

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $STATE/passwd
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$STATE/home/%u
}

mail_location = maildir:~/Maildir:LAYOUT=fs:INBOX=~/Maildir/INBOX

namespace inbox {
  inbox = yes
  separator = /
  prefix =
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

# The bench logs in thousands of times from 127.0.0.x: no auth penalty.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

# Default: one imap process per session (client_limit = 1); only the number of them is raised.
service imap {
  process_limit = $PROCESS_LIMIT
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
  if [ "${BENCH_DOVECOT_SHARED:-}" = 1 ]; then
    cat >>"$CONF" <<EOF

# Shared mailboxes (RFC 4314): owners grant rights with SETACL; a reader's \Seen is its own.
mail_plugins = \$mail_plugins acl
protocol imap {
  mail_plugins = \$mail_plugins imap_acl
}
plugin {
  acl = vfile
  acl_shared_dict = file:$STATE/lib/shared-mailboxes.db
}
namespace shared {
  type = shared
  separator = /
  prefix = shared/%%u/
  location = maildir:%%h/Maildir:LAYOUT=fs:INBOX=%%h/Maildir/INBOX:INDEXPVT=~/Maildir/shared/%%u
  subscriptions = no
  list = children
}
EOF
  fi
  if [ -n "${BENCH_DOVECOT_LMTP_PORT:-}" ]; then
    cat >>"$CONF" <<EOF

# LMTP into the users' INBOX (the static userdb asks the passdb whether a recipient exists).
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $BENCH_DOVECOT_LMTP_PORT
  }
}
EOF
  fi
}

cmd_start() {
  ensure_installed
  local port="${BENCH_DOVECOT_PORT:?BENCH_DOVECOT_PORT is required}"
  case "$port" in 143 | 993) die "refusing the system IMAP port $port" ;; esac
  [ -f "$STATE/passwd" ] || die "$STATE/passwd is missing (the caller writes it)"
  if master_pid >/dev/null; then cmd_stop; fi
  port_in_use "$port" && die "port $port is in use"
  if [ -n "${BENCH_DOVECOT_LMTP_PORT:-}" ]; then
    port_in_use "$BENCH_DOVECOT_LMTP_PORT" && die "port $BENCH_DOVECOT_LMTP_PORT is in use"
  fi
  rm -rf "${STATE:?}/home" "${STATE:?}/lib" "${RUN:?}"
  mkdir -p "$STATE/home" "$STATE/lib" "$RUN"
  chmod 755 "$STATE" "$STATE/home"
  chmod 644 "$STATE/passwd"
  # The default folders exist on disk from the start, as in kimap.
  local user box
  while IFS=: read -r user _; do
    [ -n "$user" ] || continue
    for box in INBOX Drafts Sent Trash Junk Archive; do
      mkdir -p "$STATE/home/$user/Maildir/$box/cur" "$STATE/home/$user/Maildir/$box/new" "$STATE/home/$user/Maildir/$box/tmp"
    done
    printf '%s\n' INBOX Drafts Sent Trash Junk Archive >"$STATE/home/$user/Maildir/subscriptions"
  done <"$STATE/passwd"
  if is_root; then chown -R "${BENCH_DOVECOT_MAIL_USER:-nobody}:" "$STATE/home"; fi
  : >"$LOGFILE"
  write_config "$port"
  if ! dovecot -c "$CONF" -n >/dev/null 2>"$STATE/config-check.log"; then
    cat "$STATE/config-check.log" >&2
    die "the generated configuration $CONF is rejected by dovecot"
  fi
  if [ -s "$STATE/config-check.log" ]; then cat "$STATE/config-check.log" >&2; fi
  log "starting Dovecot $(dovecot --version) on 127.0.0.1:$port (state $STATE, ulimit -n $(ulimit -n))"
  # No inherited stdio: the daemon must not hold the caller's pipes open.
  dovecot -c "$CONF" </dev/null >>"$STATE/master.out" 2>&1
  local i
  for ((i = 0; i < 150; i++)); do
    if port_in_use "$port" && { [ -z "${BENCH_DOVECOT_LMTP_PORT:-}" ] || port_in_use "$BENCH_DOVECOT_LMTP_PORT"; }; then
      printf 'DOVECOT_MASTER_PID=%s\n' "$(master_pid)"
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$LOGFILE" >&2 || true
  die "dovecot is not listening on 127.0.0.1:$port after 15 s"
}

cmd_stop() {
  local pid i
  pid="$(master_pid)" || { log "not running"; return 0; }
  dovecot -c "$CONF" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "stopped"; return 0; }
    sleep 0.1
  done
  log "still running after 30 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *)
    echo "usage: BENCH_DOVECOT_DIR=... [BENCH_DOVECOT_PORT=...] $0 start|stop" >&2
    exit 2
    ;;
esac
