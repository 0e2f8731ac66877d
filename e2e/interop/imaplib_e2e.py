#!/usr/bin/env python3
"""End-to-end check of kimap with Python's standard imaplib (3.11), over
implicit TLS (IMAPS) and over STARTTLS.

Usage:
  imaplib_e2e.py --host H --imap-port P --imaps-port P --user U --password PW
                 [--mode imaps|starttls|both] [--debug N]

Every check prints "ok   ..." or "FAIL ..." (with what was expected and what
came back); the exit code is 1 when any check failed. --debug 4 makes imaplib
print the protocol exchange to stderr.

With --report jsonl every line on stdout is one JSON object instead:
  {"check": NAME, "ok": true|false, "detail": TEXT}   one per check
  {"note": TEXT}                                      what is worth knowing, not a failure
  {"info": TEXT}                                      the versions, the mode begun
so that a test runner can show each check as a test of its own.
"""
import argparse
import base64
import datetime as dt
import imaplib
import json
import re
import ssl
import sys
import time
import traceback

failures = []
notes = []
# "text" (ok/FAIL/note lines) or "jsonl" (one JSON object a line), set by --report.
report = "text"


def emit(record, text):
    print(json.dumps(record) if report == "jsonl" else text, flush=True)


def ok(name):
    emit({"check": name, "ok": True, "detail": ""}, f"ok   {name}")


def fail(name, detail=""):
    msg = f"{name}{': ' + detail if detail else ''}"
    failures.append(msg)
    emit({"check": name, "ok": False, "detail": detail}, f"FAIL {msg}")


def check(cond, name, detail=""):
    if cond:
        ok(name)
    else:
        fail(name, detail)
    return cond


def equal(actual, expected, name):
    return check(actual == expected, name, f"expected {expected!r}, got {actual!r}")


def note(msg):
    notes.append(msg)
    emit({"note": msg}, f"note {msg}")


def info(msg):
    emit({"info": msg}, msg)


# ---------------------------------------------------------------- parsing


class Reader:
    """Parses IMAP data as it is on the wire (atoms, strings, literals, lists)."""

    def __init__(self, data):
        self.b = data
        self.i = 0

    def eof(self):
        return self.i >= len(self.b)

    def peek(self):
        return self.b[self.i:self.i + 1]

    def skip_sp(self):
        while self.peek() == b" ":
            self.i += 1

    def crlf(self):
        if self.b[self.i:self.i + 2] == b"\r\n":
            self.i += 2

    def value(self):
        self.skip_sp()
        c = self.peek()
        if c == b"(":
            self.i += 1
            items = []
            while True:
                self.skip_sp()
                if self.peek() == b")":
                    self.i += 1
                    return items
                if self.eof():
                    raise ValueError("unterminated list")
                items.append(self.value())
        if c == b'"':
            self.i += 1
            out = bytearray()
            while True:
                ch = self.b[self.i:self.i + 1]
                if ch == b"":
                    raise ValueError("unterminated string")
                self.i += 1
                if ch == b"\\":
                    out += self.b[self.i:self.i + 1]
                    self.i += 1
                elif ch == b'"':
                    return bytes(out)
                else:
                    out += ch
        if c == b"{":
            end = self.b.index(b"}", self.i)
            n = int(self.b[self.i + 1:end].rstrip(b"+"))
            self.i = end + 1
            if self.b[self.i:self.i + 2] != b"\r\n":
                raise ValueError("literal without CRLF")
            self.i += 2
            v = self.b[self.i:self.i + n]
            self.i += n
            return v
        # atom, possibly with a [section] that holds spaces and parentheses
        start = self.i
        depth = 0
        while not self.eof():
            ch = self.peek()
            if ch == b"[":
                depth += 1
            elif ch == b"]":
                depth -= 1
            elif depth == 0 and ch in (b" ", b"(", b")", b"\r"):
                break
            self.i += 1
        atom = self.b[start:self.i]
        if atom.upper() == b"NIL":
            return None
        return atom.decode("latin-1")


def wire(data):
    """imaplib's FETCH data (bytes and (prefix, literal) tuples) back to wire form."""
    out = bytearray()
    for item in data:
        if item is None:
            continue
        if isinstance(item, tuple):
            out += item[0] + b"\r\n" + item[1]
        else:
            out += item + b"\r\n"
    return bytes(out)


def parse_fetch(data):
    """{seq: {ITEM: value}} from the data imaplib returns for FETCH/STORE/UID."""
    r = Reader(wire(data))
    result = {}
    while True:
        r.skip_sp()
        r.crlf()
        if r.eof():
            break
        seq = r.value()
        items = r.value()
        r.crlf()
        if not isinstance(items, list):
            raise ValueError(f"bad FETCH response near {seq!r}")
        d = result.setdefault(int(seq), {})
        for k in range(0, len(items) - 1, 2):
            name = items[k]
            d[name.upper() if isinstance(name, str) else name] = items[k + 1]
    return result


def parse_list(data):
    """[(flags, delimiter, name)] from LIST data."""
    out = []
    for line in data:
        if line is None:
            continue
        if isinstance(line, tuple):
            line = line[0] + b"\r\n" + line[1]
        r = Reader(line)
        flags = r.value()
        delim = r.value()
        name = r.value()
        if isinstance(delim, bytes):
            delim = delim.decode()
        if isinstance(name, bytes):
            name = name.decode()
        out.append(([f.lower() for f in flags], delim, name))
    return out


def parse_status(data):
    line = data[0]
    r = Reader(line if isinstance(line, bytes) else line[0])
    r.value()  # mailbox
    items = r.value()
    return {items[k].upper(): int(items[k + 1]) for k in range(0, len(items) - 1, 2)}


def q(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flagset(v):
    # \Recent belongs to the session that first selected the mailbox (IMAP4rev1), not to
    # the message: whether this session shows it depends on who came first.
    return {f.lower() for f in (v or [])} - {"\\recent"}


def internaldate(v):
    s = v.decode() if isinstance(v, bytes) else v
    return dt.datetime.strptime(s.strip(), "%d-%b-%Y %H:%M:%S %z")


def has_code(m, name):
    return name in m.untagged_responses


def code(m, name):
    """Last value of a response code (APPENDUID, COPYUID, ...) the server sent."""
    typ, dat = m.response(name)
    if not dat or dat[-1] is None:
        return None
    v = dat[-1]
    return v.decode() if isinstance(v, bytes) else v


# ---------------------------------------------------------------- messages


def build_messages(mode):
    tz2 = dt.timezone(dt.timedelta(hours=2))
    tzm5 = dt.timezone(dt.timedelta(hours=-5))
    att = bytes((i * 37 + 11) % 256 for i in range(60_000))
    b64 = base64.encodebytes(att).replace(b"\n", b"\r\n")
    big_body = b"".join(b"line %05d of a long message, padded to make it large enough.\r\n" % i for i in range(3000))
    msgs = [
        dict(
            raw=(f"From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: plain one ({mode})\r\n"
                 f"Message-ID: <py-1-{mode}@kimap.test>\r\nDate: Tue, 02 Jan 2024 03:04:05 +0000\r\n\r\n"
                 "Hello, plain ASCII.\r\n").encode(),
            flags=[], date=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
            subject=f"plain one ({mode})"),
        dict(
            raw=(f"From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.test>\r\nTo: bob@example.test\r\nSubject: utf8 two ({mode})\r\n"
                 f"Message-ID: <py-2-{mode}@kimap.test>\r\nMIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode()
            + "Grüße, ½ € — 8-bit body.\r\n".encode("utf-8"),
            flags=["\\Seen"], date=dt.datetime(2023, 6, 7, 8, 9, 10, tzinfo=tz2), subject=f"utf8 two ({mode})"),
        dict(
            raw=(f"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: attachment three ({mode})\r\n"
                 f"Message-ID: <py-3-{mode}@kimap.test>\r\nMIME-Version: 1.0\r\n"
                 'Content-Type: multipart/mixed; boundary="b-3"\r\n\r\n'
                 "--b-3\r\nContent-Type: text/plain\r\n\r\nSee attachment.\r\n"
                 "--b-3\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                 'Content-Disposition: attachment; filename="data.bin"\r\n\r\n').encode()
            + b64 + b"--b-3--\r\n",
            flags=["\\Flagged", "\\Seen"], date=dt.datetime(2022, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
            subject=f"attachment three ({mode})"),
        dict(
            raw=(f"From: alice@example.test\r\nSubject: draft four ({mode})\r\nMessage-ID: <py-4-{mode}@kimap.test>\r\n\r\n").encode()
            + big_body,
            flags=["\\Draft"], date=dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=tzm5), subject=f"draft four ({mode})"),
        dict(
            raw=(f"From: alice@example.test\r\nSubject: answered five ({mode})\r\nMessage-ID: <py-5-{mode}@kimap.test>\r\n\r\n"
                 "Short.\r\n").encode(),
            flags=["\\Answered"], date=dt.datetime(2020, 2, 29, 12, 0, 0, tzinfo=dt.timezone.utc),
            subject=f"answered five ({mode})"),
    ]
    return msgs


# ---------------------------------------------------------------- scenario


def connect(args, mode, ctx):
    if mode == "imaps":
        m = imaplib.IMAP4_SSL(args.host, args.imaps_port, ssl_context=ctx, timeout=30)
        caps = set(m.capabilities)
        check("IMAP4REV1" in caps, f"[{mode}] greeting/CAPABILITY has IMAP4rev1", repr(caps))
        check("STARTTLS" not in caps, f"[{mode}] no STARTTLS offered over TLS", repr(caps))
        check("LOGINDISABLED" not in caps, f"[{mode}] no LOGINDISABLED over TLS", repr(caps))
        check("AUTH=PLAIN" in caps, f"[{mode}] AUTH=PLAIN offered over TLS", repr(caps))
        return m
    m = imaplib.IMAP4(args.host, args.imap_port, timeout=30)
    caps = set(m.capabilities)
    check("STARTTLS" in caps, f"[{mode}] STARTTLS offered in plaintext", repr(caps))
    check("LOGINDISABLED" in caps, f"[{mode}] LOGINDISABLED in plaintext (ALLOW_PLAINTEXT_AUTH=false)", repr(caps))
    check("AUTH=PLAIN" not in caps, f"[{mode}] no AUTH=PLAIN before TLS", repr(caps))
    # LOGIN before TLS must be refused with NO (RFC 3501 6.2.3), and the session stays usable.
    try:
        typ, dat = m._simple_command("LOGIN", args.user, m._quote(args.password))
        equal(typ, "NO", f"[{mode}] LOGIN before STARTTLS is refused")
        if typ == "NO" and b"PRIVACYREQUIRED" not in (dat[-1] or b""):
            note(f"[{mode}] LOGIN refusal has no [PRIVACYREQUIRED] code: {dat[-1]!r}")
    except m.error as e:
        fail(f"[{mode}] LOGIN before STARTTLS is refused", f"expected a tagged NO, got {e}")
    typ, dat = m.starttls(ssl_context=ctx)
    equal(typ, "OK", f"[{mode}] STARTTLS")
    caps = set(m.capabilities)
    check("STARTTLS" not in caps, f"[{mode}] no STARTTLS after STARTTLS", repr(caps))
    check("LOGINDISABLED" not in caps, f"[{mode}] LOGINDISABLED gone after STARTTLS", repr(caps))
    check("AUTH=PLAIN" in caps, f"[{mode}] AUTH=PLAIN after STARTTLS", repr(caps))
    return m


def scenario(args, mode, ctx):
    m = connect(args, mode, ctx)
    if mode == "imaps":
        typ, dat = m.login(args.user, args.password)
        equal(typ, "OK", f"[{mode}] LOGIN")
    else:
        typ, dat = m.authenticate("PLAIN", lambda _: f"\0{args.user}\0{args.password}".encode())
        equal(typ, "OK", f"[{mode}] AUTHENTICATE PLAIN")

    typ, dat = m.capability()
    caps = set(dat[0].decode().upper().split())
    for c in ("IMAP4REV1", "UIDPLUS", "MOVE", "UNSELECT", "LITERAL+", "SPECIAL-USE"):
        check(c in caps, f"[{mode}] CAPABILITY after login has {c}", repr(sorted(caps)))
    check("LOGINDISABLED" not in caps and "STARTTLS" not in caps, f"[{mode}] no pre-auth capabilities after login", repr(sorted(caps)))

    typ, dat = m.noop()
    equal(typ, "OK", f"[{mode}] NOOP")

    # ---- LIST
    typ, dat = m.list()
    equal(typ, "OK", f"[{mode}] LIST")
    boxes = parse_list(dat)
    names = {b[2] for b in boxes}
    for n in ("INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive"):
        check(n in names, f"[{mode}] LIST shows {n}", repr(sorted(names)))
    delim = next((b[1] for b in boxes if b[2] == "INBOX"), "/") or "/"
    by_name = {b[2]: b[0] for b in boxes}
    check("\\drafts" in by_name.get("Drafts", []), f"[{mode}] Drafts has \\Drafts", repr(by_name.get("Drafts")))
    check("\\trash" in by_name.get("Trash", []), f"[{mode}] Trash has \\Trash", repr(by_name.get("Trash")))
    typ, dat = m.list('""', "INBOX")
    equal([b[2] for b in parse_list(dat)], ["INBOX"], f"[{mode}] LIST \"\" INBOX")

    base = f"Py-{mode}"
    main = base
    copies = f"{base}{delim}Copies"
    moved = f"{base}{delim}Moved Here"  # a name with a space, quoted
    utf7 = f"{base}{delim}Entw&APw-rfe"  # "Entwürfe" in modified UTF-7

    # ---- CREATE / RENAME / DELETE
    for name in (main, copies, moved, utf7):
        typ, dat = m.create(q(name))
        equal(typ, "OK", f"[{mode}] CREATE {name}")
    typ, dat = m.create(q(main))
    equal(typ, "NO", f"[{mode}] CREATE of an existing mailbox is refused")
    old, new = f"{base}-old", f"{base}-new"
    equal(m.create(q(old))[0], "OK", f"[{mode}] CREATE {old}")
    equal(m.create(q(f"{old}{delim}kid"))[0], "OK", f"[{mode}] CREATE {old}{delim}kid")
    equal(m.rename(q(old), q(new))[0], "OK", f"[{mode}] RENAME {old} {new}")
    typ, dat = m.list('""', f"{base}*")
    names = {b[2] for b in parse_list(dat)}
    for n in (main, copies, moved, utf7, new, f"{new}{delim}kid"):
        check(n in names, f"[{mode}] LIST after RENAME shows {n}", repr(sorted(names)))
    for n in (old, f"{old}{delim}kid"):
        check(n not in names, f"[{mode}] LIST after RENAME no longer shows {n}", repr(sorted(names)))
    equal(m.delete(q(f"{new}{delim}kid"))[0], "OK", f"[{mode}] DELETE {new}{delim}kid")
    equal(m.delete(q(new))[0], "OK", f"[{mode}] DELETE {new}")
    typ, dat = m.list('""', f"{base}-*")
    equal([b[2] for b in parse_list(dat)], [], f"[{mode}] LIST after DELETE")
    equal(m.delete(q(f"{base}-nonexistent"))[0], "NO", f"[{mode}] DELETE of a missing mailbox is refused")
    equal(m.select(q(f"{base}-nonexistent"))[0], "NO", f"[{mode}] SELECT of a missing mailbox is refused")

    # ---- RENAME INBOX (RFC 3501 6.3.5): its messages move to the new name, INBOX
    # stays (empty, UIDs not reused), and INBOX's children are not renamed.
    for i in range(2):
        equal(m.append("INBOX", None, None, f"Subject: inbox {i} ({mode})\r\n\r\nbody\r\n".encode())[0], "OK", f"[{mode}] APPEND #{i + 1} to INBOX")
    equal(m.create(f"INBOX{delim}{base}-kid")[0], "OK", f"[{mode}] CREATE INBOX{delim}{base}-kid")
    before_st = parse_status(m.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY)")[1])
    old_inbox = f"{base}-old-inbox"
    equal(m.rename("INBOX", q(old_inbox))[0], "OK", f"[{mode}] RENAME INBOX {old_inbox}")
    names = {b[2] for b in parse_list(m.list('""', "*")[1])}
    check("INBOX" in names and old_inbox in names and f"INBOX{delim}{base}-kid" in names,
          f"[{mode}] after RENAME INBOX: INBOX, its child and the new mailbox are listed", repr(sorted(names)))
    after_old = parse_status(m.status(q(old_inbox), "(MESSAGES)")[1])
    after_inbox = parse_status(m.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY)")[1])
    equal(after_old.get("MESSAGES"), before_st.get("MESSAGES"), f"[{mode}] RENAME INBOX moved its messages")
    equal(after_inbox.get("MESSAGES"), 0, f"[{mode}] INBOX is empty after RENAME INBOX")
    check(after_inbox.get("UIDVALIDITY") != before_st.get("UIDVALIDITY") or after_inbox.get("UIDNEXT", 0) >= before_st.get("UIDNEXT", 0),
          f"[{mode}] INBOX does not reuse UIDs after RENAME INBOX", f"before {before_st}, after {after_inbox}")
    equal(m.delete(q(old_inbox))[0], "OK", f"[{mode}] DELETE {old_inbox}")
    equal(m.delete(f"INBOX{delim}{base}-kid")[0], "OK", f"[{mode}] DELETE INBOX{delim}{base}-kid")
    equal(m.delete("INBOX")[0], "NO", f"[{mode}] DELETE INBOX is refused")

    # ---- APPEND
    msgs = build_messages(mode)
    uids = []
    for i, msg in enumerate(msgs, 1):
        flags = "(" + " ".join(msg["flags"]) + ")"
        typ, dat = m.append(q(main), flags, imaplib.Time2Internaldate(msg["date"]), msg["raw"])
        equal(typ, "OK", f"[{mode}] APPEND #{i} ({len(msg['raw'])} bytes, flags {flags})")
        au = code(m, "APPENDUID")
        if check(au is not None and len(au.split()) == 2, f"[{mode}] APPEND #{i} returns APPENDUID", repr(au)):
            uids.append(int(au.split()[1]))
    check(uids == sorted(uids) and len(set(uids)) == len(uids), f"[{mode}] APPENDUIDs ascend", repr(uids))

    # ---- STATUS before SELECT
    typ, dat = m.status(q(main), "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE)")
    equal(typ, "OK", f"[{mode}] STATUS")
    st = parse_status(dat)
    equal(st.get("MESSAGES"), 5, f"[{mode}] STATUS MESSAGES")
    equal(st.get("UNSEEN"), 3, f"[{mode}] STATUS UNSEEN")
    equal(st.get("SIZE"), sum(len(x["raw"]) for x in msgs), f"[{mode}] STATUS SIZE (RFC 8438)")
    if uids:
        check(st.get("UIDNEXT", 0) > max(uids), f"[{mode}] STATUS UIDNEXT > last APPENDUID", f"{st.get('UIDNEXT')} vs {max(uids)}")

    # ---- SELECT
    typ, dat = m.select(q(main))
    equal(typ, "OK", f"[{mode}] SELECT")
    equal(dat, [b"5"], f"[{mode}] SELECT EXISTS")
    uidvalidity = code(m, "UIDVALIDITY")
    equal(uidvalidity is not None and int(uidvalidity) == st.get("UIDVALIDITY"), True, f"[{mode}] SELECT UIDVALIDITY = STATUS UIDVALIDITY ({uidvalidity})")
    flags = code(m, "FLAGS")
    check(flags is not None and all(f in flags for f in ("\\Seen", "\\Flagged", "\\Deleted", "\\Answered", "\\Draft")),
          f"[{mode}] SELECT FLAGS", repr(flags))
    permanent = code(m, "PERMANENTFLAGS") or ""
    check("\\Seen" in permanent, f"[{mode}] SELECT PERMANENTFLAGS", repr(permanent))
    equal(has_code(m, "READ-WRITE"), True, f"[{mode}] SELECT is READ-WRITE")

    # ---- FETCH
    typ, dat = m.fetch("1:5", "(UID FLAGS RFC822.SIZE INTERNALDATE)")
    equal(typ, "OK", f"[{mode}] FETCH 1:5 (UID FLAGS RFC822.SIZE INTERNALDATE)")
    f = parse_fetch(dat)
    equal(sorted(f), [1, 2, 3, 4, 5], f"[{mode}] FETCH answers for every message")
    for i, msg in enumerate(msgs, 1):
        r = f.get(i, {})
        if uids:
            equal(int(r.get("UID", 0)), uids[i - 1], f"[{mode}] FETCH {i} UID")
        equal(flagset(r.get("FLAGS")), flagset(msg["flags"]), f"[{mode}] FETCH {i} FLAGS")
        equal(int(r.get("RFC822.SIZE", -1)), len(msg["raw"]), f"[{mode}] FETCH {i} RFC822.SIZE")
        try:
            got = internaldate(r.get("INTERNALDATE"))
            equal(got, msg["date"], f"[{mode}] FETCH {i} INTERNALDATE (same instant)")
            if got.utcoffset() != msg["date"].utcoffset():
                note(f"[{mode}] INTERNALDATE of #{i} comes back in zone {got.utcoffset()} (appended in {msg['date'].utcoffset()})")
        except Exception as e:  # noqa: BLE001
            fail(f"[{mode}] FETCH {i} INTERNALDATE (same instant)", f"unparsable: {r.get('INTERNALDATE')!r} ({e})")

    typ, dat = m.fetch("1:5", "(BODY.PEEK[])")
    f = parse_fetch(dat)
    for i, msg in enumerate(msgs, 1):
        body = f.get(i, {}).get("BODY[]")
        check(body == msg["raw"], f"[{mode}] FETCH {i} BODY.PEEK[] returns the exact bytes",
              f"{len(body) if isinstance(body, bytes) else body!r} bytes vs {len(msg['raw'])}")
    typ, dat = m.fetch("1", "(FLAGS)")
    equal(flagset(parse_fetch(dat).get(1, {}).get("FLAGS")), set(), f"[{mode}] BODY.PEEK[] did not set \\Seen")

    typ, dat = m.fetch("1:5", "(BODY[HEADER.FIELDS (SUBJECT)])")
    equal(typ, "OK", f"[{mode}] FETCH BODY[HEADER.FIELDS (SUBJECT)]")
    f = parse_fetch(dat)
    for i, msg in enumerate(msgs, 1):
        r = f.get(i, {})
        hdr = r.get("BODY[HEADER.FIELDS (SUBJECT)]")
        equal(hdr, f"Subject: {msg['subject']}\r\n\r\n".encode(), f"[{mode}] FETCH {i} BODY[HEADER.FIELDS (SUBJECT)]")
    typ, dat = m.fetch("1:5", "(FLAGS)")
    f = parse_fetch(dat)
    for i in range(1, 6):
        check("\\seen" in flagset(f.get(i, {}).get("FLAGS")), f"[{mode}] FETCH BODY[...] (not PEEK) set \\Seen on {i}", repr(f.get(i)))

    typ, dat = m.uid("FETCH", f"{uids[0]}:{uids[-1]}" if uids else "1:*", "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    equal(typ, "OK", f"[{mode}] UID FETCH ... BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]")
    f = parse_fetch(dat)
    got_ids = sorted((r.get("BODY[HEADER.FIELDS (MESSAGE-ID)]") or b"").strip().decode() for r in f.values())
    equal(got_ids, sorted(f"Message-ID: <py-{i}-{mode}@kimap.test>" for i in range(1, 6)), f"[{mode}] UID FETCH Message-IDs")

    typ, dat = m.fetch("3", "(BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER])")
    f = parse_fetch(dat).get(3, {})
    equal(f.get("BODY[1]"), b"See attachment.", f"[{mode}] FETCH 3 BODY.PEEK[1] (text part)")
    check(isinstance(f.get("BODY[2.MIME]"), bytes) and b"application/octet-stream" in f["BODY[2.MIME]"],
          f"[{mode}] FETCH 3 BODY.PEEK[2.MIME]", repr(f.get("BODY[2.MIME]")))
    hdr_end = msgs[2]["raw"].index(b"\r\n\r\n") + 4
    equal(f.get("BODY[HEADER]"), msgs[2]["raw"][:hdr_end], f"[{mode}] FETCH 3 BODY.PEEK[HEADER]")
    typ, dat = m.fetch("4", "(BODY.PEEK[]<100.50>)")
    f = parse_fetch(dat).get(4, {})
    equal(f.get("BODY[]<100>"), msgs[3]["raw"][100:150], f"[{mode}] FETCH 4 BODY.PEEK[]<100.50> (partial)")

    # ---- STORE
    typ, dat = m.store("1", "-FLAGS", "(\\Seen)")
    equal(typ, "OK", f"[{mode}] STORE 1 -FLAGS (\\Seen)")
    equal(flagset(parse_fetch(dat).get(1, {}).get("FLAGS")), set(), f"[{mode}] STORE -FLAGS answers with the new FLAGS")
    typ, dat = m.store("1:2", "+FLAGS", "(\\Flagged)")
    f = parse_fetch(dat)
    equal(flagset(f.get(1, {}).get("FLAGS")), {"\\flagged"}, f"[{mode}] STORE +FLAGS on 1")
    equal(flagset(f.get(2, {}).get("FLAGS")), {"\\flagged", "\\seen"}, f"[{mode}] STORE +FLAGS on 2")
    typ, dat = m.store("3", "+FLAGS.SILENT", "(\\Answered)")
    equal(typ, "OK", f"[{mode}] STORE +FLAGS.SILENT")
    check(3 not in parse_fetch(dat), f"[{mode}] STORE .SILENT sends no FETCH", repr(dat))
    if "\\*" in permanent:
        typ, dat = m.store("5", "+FLAGS", "($Forwarded Custom1)")
        equal(flagset(parse_fetch(dat).get(5, {}).get("FLAGS")), {"\\answered", "\\seen", "$forwarded", "custom1"},
              f"[{mode}] STORE +FLAGS with keywords")
    typ, dat = m.uid("STORE", str(uids[3]) if uids else "4", "FLAGS", "(\\Seen)")
    equal(typ, "OK", f"[{mode}] UID STORE FLAGS (replace)")
    r = parse_fetch(dat).get(4, {})
    equal(flagset(r.get("FLAGS")), {"\\seen"}, f"[{mode}] UID STORE FLAGS replaced the flags")
    if uids:
        equal(int(r.get("UID", 0)), uids[3], f"[{mode}] UID STORE answers with UID")
    typ, dat = m.fetch("1:5", "(FLAGS)")
    f = parse_fetch(dat)
    expected_flags = {
        1: {"\\flagged"},
        2: {"\\flagged", "\\seen"},
        3: {"\\flagged", "\\seen", "\\answered"},
        4: {"\\seen"},
        5: {"\\answered", "\\seen"} | ({"$forwarded", "custom1"} if "\\*" in permanent else set()),
    }
    for i in range(1, 6):
        equal(flagset(f.get(i, {}).get("FLAGS")), expected_flags[i], f"[{mode}] FLAGS of {i} after STORE")

    # ---- COPY
    typ, dat = m.copy("1", q(f"{base}-nonexistent"))
    equal(typ, "NO", f"[{mode}] COPY to a missing mailbox is refused")
    check(has_code(m, "TRYCREATE"), f"[{mode}] COPY to a missing mailbox says [TRYCREATE]", repr(dat))
    m.response("TRYCREATE")
    typ, dat = m.uid("MOVE", str(uids[0]) if uids else "1", q(f"{base}-nonexistent"))
    equal(typ, "NO", f"[{mode}] UID MOVE to a missing mailbox is refused")
    check(has_code(m, "TRYCREATE"), f"[{mode}] UID MOVE to a missing mailbox says [TRYCREATE]", repr(dat))
    m.response("TRYCREATE")
    typ, dat = m.copy("1:2", q(copies))
    equal(typ, "OK", f"[{mode}] COPY 1:2")
    cu = code(m, "COPYUID")
    check(cu is not None and len(cu.split()) == 3, f"[{mode}] COPY returns COPYUID", repr(cu))
    typ, dat = m.status(q(copies), "(MESSAGES)")
    equal(parse_status(dat).get("MESSAGES"), 2, f"[{mode}] STATUS of the COPY target")

    # ---- a second connection appends; NOOP on the first sees it
    m2 = connect_quiet(args, ctx)
    extra = b"Subject: from another session\r\nMessage-ID: <py-6-" + mode.encode() + b"@kimap.test>\r\n\r\nsix\r\n"
    equal(m2.append(q(main), None, None, extra)[0], "OK", f"[{mode}] APPEND from a second connection")
    seen = None
    for _ in range(150):  # up to 15 s: the change event travels through Kafka
        typ, dat = m.noop()
        ex = m.response("EXISTS")[1]
        if ex and ex[-1] is not None:
            seen = int(ex[-1])
            if seen == 6:
                break
        time.sleep(0.1)
    equal(seen, 6, f"[{mode}] NOOP reports EXISTS after the other connection's APPEND")

    # ---- UID MOVE
    move_uid = uids[1] if uids else 2
    typ, dat = m.uid("MOVE", str(move_uid), q(moved))
    equal(typ, "OK", f"[{mode}] UID MOVE {move_uid}")
    cu = code(m, "COPYUID")
    check(cu is not None and cu.split()[1] == str(move_uid), f"[{mode}] UID MOVE returns COPYUID for the moved UID", repr(cu))
    exp = m.response("EXPUNGE")[1]
    equal(exp, [b"2"], f"[{mode}] UID MOVE sends EXPUNGE for the moved message")
    typ, dat = m.status(q(moved), "(MESSAGES)")
    equal(parse_status(dat).get("MESSAGES"), 1, f"[{mode}] STATUS of the MOVE target")
    typ, dat = m.uid("FETCH", "1:*", "(UID)")
    got = sorted(int(r["UID"]) for r in parse_fetch(dat).values())
    check(move_uid not in got and len(got) == 5, f"[{mode}] the moved UID left the source", repr(got))

    # ---- also via _simple_command, as some clients do
    if len(uids) >= 3:
        typ, dat = m._simple_command("UID", "MOVE", str(uids[2]), q(moved))
        equal(typ, "OK", f"[{mode}] _simple_command('UID', 'MOVE', ...)")
        typ, dat = m.status(q(moved), "(MESSAGES)")
        equal(parse_status(dat).get("MESSAGES"), 2, f"[{mode}] STATUS of the MOVE target after the second move")
        equal(m.response("EXPUNGE")[1], [b"2"], f"[{mode}] second UID MOVE sends EXPUNGE 2")

    # ---- EXPUNGE
    typ, dat = m.store("1", "+FLAGS", "(\\Deleted)")
    equal(typ, "OK", f"[{mode}] STORE +FLAGS (\\Deleted)")
    typ, dat = m.expunge()
    equal(typ, "OK", f"[{mode}] EXPUNGE")
    equal(dat, [b"1"], f"[{mode}] EXPUNGE reports sequence number 1")
    typ, dat = m.status(q(main), "(MESSAGES UNSEEN)")
    equal(parse_status(dat), {"MESSAGES": 3, "UNSEEN": 1}, f"[{mode}] STATUS after MOVE and EXPUNGE")

    # ---- CLOSE expunges \Deleted messages silently
    equal(m.store("1", "+FLAGS.SILENT", "(\\Deleted)")[0], "OK", f"[{mode}] STORE 1 +FLAGS.SILENT (\\Deleted)")
    equal(m.close()[0], "OK", f"[{mode}] CLOSE")
    check("EXPUNGE" not in m.untagged_responses, f"[{mode}] CLOSE sends no EXPUNGE", repr(m.untagged_responses.get("EXPUNGE")))
    equal(parse_status(m.status(q(main), "(MESSAGES UNSEEN)")[1]), {"MESSAGES": 2, "UNSEEN": 1}, f"[{mode}] CLOSE expunged the \\Deleted message")

    # ---- EXAMINE: read-only, FETCH BODY[] does not set \Seen
    typ, dat = m.select(q(main), readonly=True)
    equal(typ, "OK", f"[{mode}] EXAMINE")
    equal(has_code(m, "READ-ONLY"), True, f"[{mode}] EXAMINE is READ-ONLY")
    typ, dat = m.fetch("2", "(BODY[TEXT])")
    equal(parse_fetch(dat).get(2, {}).get("BODY[TEXT]"), b"six\r\n", f"[{mode}] EXAMINE FETCH BODY[TEXT]")
    typ, dat = m.fetch("2", "(FLAGS)")
    equal(flagset(parse_fetch(dat).get(2, {}).get("FLAGS")), set(), f"[{mode}] EXAMINE FETCH BODY[] does not set \\Seen")
    try:
        typ, dat = m.store("1", "+FLAGS", "(\\Flagged)")
        equal(typ, "NO", f"[{mode}] STORE in EXAMINE is refused")
    except m.error as e:
        fail(f"[{mode}] STORE in EXAMINE is refused", f"expected NO, got {e}")
    equal(m.close()[0], "OK", f"[{mode}] CLOSE after EXAMINE")

    # ---- clean up: DELETE a non-empty mailbox and its children
    for name in (copies, moved, utf7, main):
        equal(m.delete(q(name))[0], "OK", f"[{mode}] DELETE {name}")
    typ, dat = m.list('""', f"{base}*")
    equal([b[2] for b in parse_list(dat)], [], f"[{mode}] nothing left after DELETE")

    typ, dat = m.logout()
    equal(typ, "BYE", f"[{mode}] LOGOUT")
    m2.logout()


def connect_quiet(args, ctx):
    m = imaplib.IMAP4_SSL(args.host, args.imaps_port, ssl_context=ctx, timeout=30)
    m.login(args.user, args.password)
    return m


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--imap-port", type=int, required=True)
    p.add_argument("--imaps-port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--mode", choices=["imaps", "starttls", "both"], default="both")
    p.add_argument("--debug", type=int, default=0)
    p.add_argument("--report", choices=["text", "jsonl"], default="text")
    args = p.parse_args()
    imaplib.Debug = args.debug
    global report
    report = args.report

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    info(f"python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}")
    modes = ["imaps", "starttls"] if args.mode == "both" else [args.mode]
    for mode in modes:
        info(f"==== {mode} ====")
        try:
            scenario(args, mode, ctx)
        except Exception as e:  # noqa: BLE001
            # The checks after the step that raised did not run.
            fail(f"[{mode}] the scenario runs to its end", f"aborted by {type(e).__name__}: {e}\n{traceback.format_exc()}")
        else:
            ok(f"[{mode}] the scenario runs to its end")
    info(f"==== {len(failures)} failure(s), {len(notes)} note(s) ====")
    if report == "text":
        for f in failures:
            print(f"  FAIL {f.splitlines()[0]}")
        for n in notes:
            print(f"  note {n}")
    sys.exit(1 if failures else 0)

if __name__ == "__main__":
    main()
