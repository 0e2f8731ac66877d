#!/usr/bin/env bash
# Proves Dovecot's LMTP (e2e/dovecot/dovecot.sh) takes mail for its users - the
# reference a kimap LMTP benchmark compares with - directly and behind the private
# Postfix (postfix.sh): LMTP with Python's smtplib (250 for a known user, 550 for an
# unknown one, one reply per recipient after DATA), the message then read over IMAP
# from the user's INBOX; then SMTP -> Postfix -> Dovecot LMTP -> IMAP.
# Uses its own state dirs and stops what it started. Exits non-zero on any failure.
#
#   e2e/postfix/dovecot-lmtp-smoke.sh
#
# Env: KIMAP_POSTFIX_SMOKE_DIR  state dir (default <repo>/.cache/postfix-smoke)
#      CI=true                  a Dovecot or Postfix that cannot be installed or started
#                               fails (exit 1); otherwise the test exits 3 (skipped).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${KIMAP_POSTFIX_SMOKE_DIR:-$REPO_ROOT/.cache/postfix-smoke}"
DOVECOT="$REPO_ROOT/e2e/dovecot/dovecot.sh"
export KIMAP_DOVECOT_DIR="$STATE/dovecot"
export KIMAP_POSTFIX_DIR="$STATE/postfix-dovecot"
export KIMAP_POSTFIX_DOMAINS="example.test"
unset KIMAP_DOVECOT_PORT KIMAP_DOVECOT_LMTP_PORT KIMAP_DOVECOT_LMTP KIMAP_POSTFIX_PORT KIMAP_POSTFIX_MAIN_CF

log() { printf '[dovecot-lmtp-smoke] %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
T0="$(now_ms)"

command -v python3 >/dev/null 2>&1 || { log "ERROR: python3 is needed"; exit 1; }

cleanup() {
  local rc=$?
  "$HERE/postfix.sh" stop >/dev/null 2>&1 || true
  "$DOVECOT" stop >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT

# A start that actually starts it: fresh users and empty mailboxes.
"$DOVECOT" stop >/dev/null 2>&1 || true
set +e
OUT="$("$DOVECOT" start)"
rc=$?
set -e
[ "$rc" -eq 0 ] || { log "dovecot.sh start exited with $rc"; exit "$rc"; }
IMAP_PORT="$(printf '%s\n' "$OUT" | sed -n 's/^DOVECOT_PORT=//p')"
LMTP_PORT="$(printf '%s\n' "$OUT" | sed -n 's/^LMTP_PORT=//p')"
[ -n "$LMTP_PORT" ] || { log "ERROR: dovecot.sh printed no LMTP_PORT (is dovecot-lmtpd installed?)"; exit 1; }
log "Dovecot IMAP 127.0.0.1:$IMAP_PORT, LMTP 127.0.0.1:$LMTP_PORT, started in $(($(now_ms) - T0)) ms"
"$DOVECOT" useradd carol@example.test carol-password

T_START="$(now_ms)"
set +e
OUT="$("$HERE/postfix.sh" start "127.0.0.1:$LMTP_PORT")"
rc=$?
set -e
[ "$rc" -eq 0 ] || { log "postfix.sh start exited with $rc"; exit "$rc"; }
SMTP_PORT="$(printf '%s\n' "$OUT" | sed -n 's/^SMTP_PORT=//p')"
log "Postfix 127.0.0.1:$SMTP_PORT -> Dovecot LMTP, started in $(($(now_ms) - T_START)) ms"

set +e
python3 - "$IMAP_PORT" "$LMTP_PORT" "$SMTP_PORT" <<'EOF'
import imaplib, re, smtplib, sys, time, uuid
from email import policy
from email.message import EmailMessage

imap_port, lmtp_port, smtp_port = (int(a) for a in sys.argv[1:4])

def fail(msg):
    print("[dovecot-lmtp-smoke] FAIL: " + msg, file=sys.stderr)
    sys.exit(1)

def message(to, subject):
    m = EmailMessage()
    m["From"] = "sender@example.net"
    m["To"] = ", ".join(to)
    m["Subject"] = subject
    m["Message-ID"] = "<%s@smoke.kimap.test>" % uuid.uuid4()
    m.set_content("Hello over LMTP.\r\n.leading dot\r\n")
    return m

def inbox_has(user, password, message_id, timeout=10.0):
    """Polls the user's INBOX over IMAP until the message is there."""
    end = time.monotonic() + timeout
    while True:
        im = imaplib.IMAP4("127.0.0.1", imap_port)
        try:
            im.login(user, password)
            im.select("INBOX", readonly=True)
            typ, data = im.search(None, "HEADER", "Message-ID", message_id)
            if typ == "OK" and data[0].split():
                typ, body = im.fetch(data[0].split()[0], "(BODY.PEEK[])")
                return body[0][1]
        finally:
            im.logout()
        if time.monotonic() > end:
            fail("%s is not in %s's INBOX after %.0f s" % (message_id, user, timeout))
        time.sleep(0.05)

# 1. LMTP straight to Dovecot: RCPT answers, then one reply per accepted recipient.
m = message(["alice@example.test", "carol@example.test"], "direct LMTP")
t = time.monotonic()
with smtplib.LMTP("127.0.0.1", lmtp_port, timeout=10) as lmtp:
    code, _ = lmtp.ehlo("smoke.kimap.test")  # LMTP.ehlo sends LHLO
    if code != 250:
        fail("LHLO answered %d" % code)
    lmtp.mail("sender@example.net")
    answers = {r: lmtp.rcpt(r) for r in ["alice@example.test", "nobody@example.test", "carol@example.test"]}
    if answers["alice@example.test"][0] != 250 or answers["carol@example.test"][0] != 250:
        fail("a known user was refused: %r" % answers)
    if answers["nobody@example.test"][0] != 550:
        fail("the unknown user was answered %r, not 550" % (answers["nobody@example.test"],))
    # smtplib's data() reads one reply only; LMTP sends one per accepted recipient.
    lmtp.putcmd("data")
    code, _ = lmtp.getreply()
    if code != 354:
        fail("DATA answered %d" % code)
    data = re.sub(rb"(?m)^\.", b"..", m.as_bytes(policy=policy.SMTP))
    lmtp.send(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
    replies = [lmtp.getreply() for _ in range(2)]
    if [c for c, _ in replies] != [250, 250]:
        fail("replies after DATA: %r" % replies)
ms = (time.monotonic() - t) * 1000
print("LMTP: 250 alice, 550 %s, 250 carol; after DATA %s (%.0f ms)" % (
    answers["nobody@example.test"][1].decode(), ", ".join("%d" % c for c, _ in replies), ms))
for user in ["alice", "carol"]:
    body = inbox_has(user + "@example.test", user + "-password", m["Message-ID"])
    if b"\n.leading dot" not in body:
        fail("the dot-stuffed line came back wrong: %r" % body)
print("IMAP: the message is in alice's and carol's INBOX")

# 2. SMTP -> Postfix -> Dovecot LMTP -> IMAP.
m = message(["bob@example.test"], "through Postfix")
t = time.monotonic()
with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as s:
    refused = s.send_message(m, from_addr="sender@example.net", to_addrs=["bob@example.test"])
if refused:
    fail("refused: %r" % refused)
body = inbox_has("bob@example.test", "bob-password", m["Message-ID"])
ms = (time.monotonic() - t) * 1000
if b"by postfix.kimap.test (Postfix)" not in body:
    fail("no Received header by Postfix: %r" % body[:1000])
print("SMTP -> Postfix -> Dovecot LMTP -> IMAP: in bob's INBOX %.0f ms after SMTP DATA" % ms)
EOF
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  tail -n 20 "$KIMAP_DOVECOT_DIR/dovecot.log" "$KIMAP_POSTFIX_DIR/postfix.log" >&2 || true
  exit "$rc"
fi
log "OK ($(($(now_ms) - T0)) ms in all)"
