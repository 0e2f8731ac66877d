#!/usr/bin/env bash
# Proves the chain SMTP -> private Postfix -> LMTP works: starts the LMTP stand-in
# (lmtp_sink.py) and a private Postfix (postfix.sh, own state dir) delivering to it,
# sends messages over SMTP with Python's smtplib, and checks what the sink received.
# Exits non-zero on any failure; stops what it started.
#
#   e2e/postfix/smoke.sh
#
# Env: KIMAP_POSTFIX_SMOKE_DIR  state dir (default <repo>/.cache/postfix-smoke)
#      CI=true                  a Postfix that cannot be installed or started fails
#                               (exit 1); otherwise the smoke test exits 3 (skipped).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${KIMAP_POSTFIX_SMOKE_DIR:-$REPO_ROOT/.cache/postfix-smoke}"
export KIMAP_POSTFIX_DIR="$STATE/postfix"
export KIMAP_POSTFIX_DOMAINS="example.org example.com"
unset KIMAP_POSTFIX_PORT KIMAP_POSTFIX_MAIN_CF
SINK_DIR="$STATE/sink"

log() { printf '[postfix-smoke] %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
T0="$(now_ms)"
elapsed() { printf '%d ms' $(($(now_ms) - T0)); }

command -v python3 >/dev/null 2>&1 || { log "ERROR: python3 is needed"; exit 1; }

SINK_PID=
cleanup() {
  local rc=$?
  "$HERE/postfix.sh" stop >/dev/null 2>&1 || true
  if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; fi
  exit "$rc"
}
trap cleanup EXIT

mkdir -p "$STATE"
# Removed here, not just truncated by the redirection below: that happens in the
# background child, maybe after the first look at it.
rm -rf "${SINK_DIR:?}" "${SINK_DIR:?}2" "$STATE/sink.out" "$STATE/sink.err"
python3 "$HERE/lmtp_sink.py" --dir "$SINK_DIR" >"$STATE/sink.out" 2>"$STATE/sink.err" &
SINK_PID=$!
LMTP_PORT=
for _ in $(seq 1 100); do
  LMTP_PORT="$(sed -n 's/^LMTP_PORT=//p' "$STATE/sink.out")"
  [ -n "$LMTP_PORT" ] && break
  kill -0 "$SINK_PID" 2>/dev/null || { cat "$STATE/sink.err" >&2; log "ERROR: the LMTP sink died"; exit 1; }
  sleep 0.05
done
[ -n "$LMTP_PORT" ] || { log "ERROR: the LMTP sink did not start"; exit 1; }
log "LMTP sink on 127.0.0.1:$LMTP_PORT ($(elapsed))"

T_START="$(now_ms)"
set +e
OUT="$("$HERE/postfix.sh" start "127.0.0.1:$LMTP_PORT")"
rc=$?
set -e
[ "$rc" -eq 0 ] || { log "postfix.sh start exited with $rc"; exit "$rc"; }
SMTP_PORT="$(printf '%s\n' "$OUT" | sed -n 's/^SMTP_PORT=//p')"
POSTFIX_LOG="$(printf '%s\n' "$OUT" | sed -n 's/^POSTFIX_LOG=//p')"
log "Postfix on 127.0.0.1:$SMTP_PORT, started in $(($(now_ms) - T_START)) ms ($(elapsed))"

set +e
python3 - "$SMTP_PORT" "$SINK_DIR" "$HERE" <<'EOF'
import json, os, smtplib, subprocess, sys, time, uuid
from email.message import EmailMessage
from email.parser import BytesParser
from email import policy

smtp_port, sink, here = int(sys.argv[1]), sys.argv[2], sys.argv[3]
index = os.path.join(sink, "deliveries.jsonl")

def fail(msg):
    print("[postfix-smoke] FAIL: " + msg, file=sys.stderr)
    sys.exit(1)

def deliveries():
    try:
        with open(index, encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []

def wait_for(message_id, timeout=15.0):
    """The sink's entry and parsed message for message_id, polling the index."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for d in deliveries():
            with open(os.path.join(sink, d["file"]), "rb") as f:
                msg = BytesParser(policy=policy.default).parse(f)
            if msg["Message-ID"] == message_id:
                return d, msg
        time.sleep(0.02)
    fail("%s did not reach the LMTP sink within %.0f s" % (message_id, timeout))

def send(to, subject, sender="sender@example.net", body="Hello over LMTP.\r\n.leading dot\r\n"):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = ", ".join(to)
    m["Subject"] = subject
    m["Message-ID"] = "<%s@smoke.kimap.test>" % uuid.uuid4()
    m.set_content(body)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as s:
        refused = s.send_message(m, from_addr=sender, to_addrs=to)
    if refused:
        fail("recipients refused: %r" % refused)
    return m["Message-ID"]

# 1. One recipient: delivered over LMTP with Postfix's Received header.
t = time.monotonic()
mid = send(["alice@example.org"], "smoke 1")
d, msg = wait_for(mid)
ms = (time.monotonic() - t) * 1000
if d["recipients"] != ["alice@example.org"]:
    fail("recipients %r" % d["recipients"])
if d["from"] != "sender@example.net":
    fail("envelope sender %r" % d["from"])
received = msg.get_all("Received") or []
if not any("by postfix.kimap.test" in r and "ESMTP" in r for r in received):
    fail("no Received header by Postfix: %r" % received)
if ".leading dot" not in msg.get_content():
    fail("dot-stuffed line lost: %r" % msg.get_content())
print("delivered %s to alice@example.org in %.0f ms (SMTP accept -> LMTP sink)" % (mid, ms))
print("Received: %s" % " ".join(str(received[0]).split()))

# 2. Two recipients in two domains, one message: one LMTP transaction, both recipients.
t = time.monotonic()
mid = send(["alice@example.org", "bob@example.com"], "smoke 2")
d, msg = wait_for(mid)
ms = (time.monotonic() - t) * 1000
if sorted(d["recipients"]) != ["alice@example.org", "bob@example.com"]:
    # Postfix groups recipients per next hop; both domains share lmtp:inet:host:port.
    fail("recipients %r" % d["recipients"])
print("delivered %s to %s in one LMTP transaction in %.0f ms" % (mid, " and ".join(d["recipients"]), ms))

# 3. Any other domain is refused at RCPT: nothing is relayed.
with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as s:
    s.ehlo("smoke.kimap.test")
    s.mail("sender@example.net")
    code, text = s.rcpt("someone@elsewhere.invalid")
if code != 554:
    fail("relay to elsewhere.invalid answered %d %r, not 554" % (code, text))
print("relay to elsewhere.invalid refused: %d %s" % (code, text.decode()))

if len(deliveries()) != 2:
    fail("the sink holds %d deliveries, not 2" % len(deliveries()))

# 4. `postfix.sh start` with another LMTP target while running: mail goes there from
#    then on. That sink knows only two users: a 550 from it becomes a bounce, which
#    Postfix delivers (from <>) to the sender, itself in a test domain.
sink2 = sink + "2"
proc = subprocess.Popen(
    [sys.executable, os.path.join(here, "lmtp_sink.py"), "--dir", sink2,
     "--known", "alice@example.org", "sender@example.com"],
    stdout=subprocess.PIPE, text=True)
try:
    port2 = int(proc.stdout.readline().strip().split("=")[1])
    t = time.monotonic()
    r = subprocess.run([os.path.join(here, "postfix.sh"), "start", "127.0.0.1:%d" % port2],
                       capture_output=True, text=True)
    if r.returncode != 0 or "SMTP_PORT=%d" % smtp_port not in r.stdout:
        fail("retarget: postfix.sh start exited %d: %s" % (r.returncode, r.stderr))
    print("retargeted to lmtp:inet:127.0.0.1:%d in %.0f ms" % (port2, (time.monotonic() - t) * 1000))
    index = os.path.join(sink2, "deliveries.jsonl")
    sink = sink2
    t = time.monotonic()
    mid = send(["alice@example.org", "carol@example.org"], "smoke 3", sender="sender@example.com")
    d, msg = wait_for(mid)
    if d["recipients"] != ["alice@example.org"]:
        fail("recipients at the second sink %r" % d["recipients"])
    end = time.monotonic() + 15
    bounce = None
    while bounce is None and time.monotonic() < end:
        bounce = next((x for x in deliveries() if x["from"] == ""), None)
        time.sleep(0.02)
    if bounce is None:
        fail("no bounce for carol@example.org reached the sender")
    if bounce["recipients"] != ["sender@example.com"]:
        fail("bounce recipients %r" % bounce["recipients"])
    with open(os.path.join(sink2, bounce["file"]), "rb") as f:
        text = f.read().decode("utf-8", "replace")
    if "carol@example.org" not in text or "550 5.1.1" not in text:
        fail("the bounce does not name carol@example.org and the 550: %s" % text[:2000])
    print("alice@example.org delivered, carol@example.org refused (550) and bounced to "
          "sender@example.com in %.0f ms" % ((time.monotonic() - t) * 1000))
finally:
    proc.terminate()
    proc.wait()
EOF
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  log "Postfix log ($POSTFIX_LOG):"
  tail -n 40 "$POSTFIX_LOG" >&2 || true
  exit "$rc"
fi
grep -E 'status=sent' "$POSTFIX_LOG" | sed 's/^/[postfix-smoke] log: /' >&2 || true
log "OK ($(elapsed) in all)"
