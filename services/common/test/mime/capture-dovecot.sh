#!/usr/bin/env bash
# Re-captures the Dovecot oracle for the MIME tests: every fixture in
# fixtures/*.eml is APPENDed to a throw-away Dovecot and FETCHed (ENVELOPE,
# BODYSTRUCTURE, BODY, sections, BINARY); the answers are written to
# dovecot-expected.json, which the tests read. The tests never need Dovecot.
#
# Run by hand, as root, on Debian (the reference was Dovecot 2.3.19.1 from
# Debian 12):
#   apt-get update && apt-get install -y dovecot-imapd
#   bash services/common/test/mime/capture-dovecot.sh
#
# Everything lives in a temporary directory: a private dovecot.conf, a
# passwd-file with one user, a maildir owned by `nobody` (Dovecot refuses to
# access mail as root), a log file. Dovecot listens on 127.0.0.1:$PORT only
# and is stopped at exit. PORT (default 24193) must be free.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${PORT:-24193}"
OUT="${OUT:-$HERE/dovecot-expected.json}"

command -v dovecot >/dev/null || { echo "dovecot not installed (apt-get install -y dovecot-imapd)" >&2; exit 1; }

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "127.0.0.1:$PORT is already in use; pick another with PORT=..." >&2
  exit 1
fi

WORK="$(mktemp -d /tmp/kimap-dovecot.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/run" "$WORK/state" "$WORK/mail"
chown nobody:nogroup "$WORK/mail"

# user "test", password "pass", mail as nobody (65534)
echo "test:{PLAIN}pass:65534:65534::$WORK/mail/test::" > "$WORK/passwd"

cat > "$WORK/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $WORK/run
state_dir = $WORK/state
log_path = $WORK/dovecot.log
info_log_path = $WORK/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:$WORK/mail/%u
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = $WORK/passwd
}
userdb {
  driver = passwd-file
  args = $WORK/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
EOF

dovecot -F -c "$WORK/dovecot.conf" &
DOVECOT_PID=$!
cleanup() {
  kill "$DOVECOT_PID" 2>/dev/null || true
  wait "$DOVECOT_PID" 2>/dev/null || true
  if [ -s "$WORK/dovecot.log" ] && grep -qiE 'error|panic|fatal' "$WORK/dovecot.log"; then
    echo "--- dovecot.log (errors) ---" >&2
    grep -iE 'error|panic|fatal' "$WORK/dovecot.log" >&2 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  kill -0 "$DOVECOT_PID" 2>/dev/null || { echo "dovecot did not start" >&2; exit 1; }
  sleep 0.1
done

node "$HERE/capture-dovecot.mjs" --port "$PORT" --fixtures "$HERE/fixtures" --out "$OUT"
echo "wrote $OUT ($(dovecot --version))"
