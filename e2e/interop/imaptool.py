#!/usr/bin/env python3
"""Server-side helper of the sync-tool interop tests, with Python's standard
imaplib over IMAPS (certificate not verified).

Reads a JSON list of operations from stdin and prints a JSON list of results:
  {"op": "state", "mailbox": M}
      -> [{"uid": n, "flags": [...], "messageId": "<..>", "size": n}, ...]
  {"op": "append", "mailbox": M, "file": path, "flags": [...], "date": iso8601?}
      -> {"appenduid": "uidvalidity uid" | null}
  {"op": "store", "mailbox": M, "messageIds": [...], "mode": "+FLAGS"|"-FLAGS"|"FLAGS", "flags": [...]}
      -> {"uids": [...]}
  {"op": "delete", "mailbox": M, "messageIds": [...]}  (\\Deleted, then EXPUNGE)
      -> {"uids": [...], "expunged": n}
  {"op": "bodies", "mailbox": M, "messageIds": [...]}
      -> {messageId: base64 of BODY.PEEK[]}
  {"op": "list"} -> [name, ...]

Messages are addressed by Message-ID (resolved with UID FETCH of the header;
no SEARCH needed). --debug 4 prints imaplib's protocol trace to stderr.
Exit code 1 with the error on stderr when an operation fails.
"""
import argparse
import base64
import datetime as dt
import imaplib
import json
import os
import ssl
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imaplib_e2e import parse_fetch, parse_list, q  # noqa: E402


class Failure(Exception):
    pass


def must(res, what):
    typ, dat = res
    if typ != "OK":
        raise Failure(f"{what}: {typ} {dat!r}")
    return dat


def state(m, mailbox):
    dat = must(m.select(q(mailbox), readonly=True), f"EXAMINE {mailbox}")
    exists = int(dat[0])
    if exists == 0:
        return []
    dat = must(m.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"), f"UID FETCH in {mailbox}")
    out = []
    for seq, r in sorted(parse_fetch(dat).items()):
        hdr = r.get("BODY[HEADER.FIELDS (MESSAGE-ID)]") or b""
        text = hdr.decode("latin-1").replace("\r\n ", " ").replace("\r\n\t", " ")
        mid = ""
        for line in text.split("\r\n"):
            if line.lower().startswith("message-id:"):
                mid = line.split(":", 1)[1].strip()
        if "UID" not in r:
            raise Failure(f"FETCH response without UID for seq {seq}: {r!r}")
        out.append({
            "seq": seq,
            "uid": int(r["UID"]),
            "flags": list(r.get("FLAGS") or []),
            "messageId": mid,
            "size": int(r.get("RFC822.SIZE", -1)),
        })
    if len(out) != exists:
        raise Failure(f"{mailbox}: EXISTS {exists} but UID FETCH 1:* answered for {len(out)} messages")
    return out


def message_id(raw):
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").replace("\r\n ", " ").replace("\r\n\t", " ")
    for line in head.split("\r\n"):
        if line.lower().startswith("message-id:"):
            return line.split(":", 1)[1].strip()
    return ""


def uids_of(m, mailbox, message_ids):
    by_mid = {}
    for r in state(m, mailbox):
        by_mid.setdefault(r["messageId"], []).append(r["uid"])
    uids = []
    for mid in message_ids:
        if mid not in by_mid:
            raise Failure(f"{mailbox}: no message with Message-ID {mid}")
        uids.extend(by_mid[mid])
    return sorted(uids)


def run(m, op):
    kind = op["op"]
    if kind == "state":
        return state(m, op["mailbox"])
    if kind == "list":
        return sorted(b[2] for b in parse_list(must(m.list('""', "*"), "LIST")))
    if kind == "append":
        with open(op["file"], "rb") as f:
            raw = f.read()
        flags = "(" + " ".join(op.get("flags", [])) + ")"
        date = None
        if op.get("date"):
            date = imaplib.Time2Internaldate(dt.datetime.fromisoformat(op["date"].replace("Z", "+00:00")))
        must(m.append(q(op["mailbox"]), flags, date, raw), f"APPEND to {op['mailbox']}")
        typ, dat = m.response("APPENDUID")
        v = dat[-1] if dat else None
        return {"appenduid": v.decode() if isinstance(v, bytes) else v}
    if kind == "bodies":
        uids = uids_of(m, op["mailbox"], op["messageIds"])
        out = {}
        if uids:
            dat = must(m.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])"), "UID FETCH BODY.PEEK[]")
            for r in parse_fetch(dat).values():
                body = r.get("BODY[]")
                if not isinstance(body, bytes):
                    raise Failure(f"UID {r.get('UID')}: BODY[] is {body!r}")
                mid = message_id(body)
                out[mid] = base64.b64encode(body).decode()
        return out
    if kind == "store":
        uids = uids_of(m, op["mailbox"], op["messageIds"])
        must(m.select(q(op["mailbox"])), f"SELECT {op['mailbox']}")
        if uids:
            must(m.uid("STORE", ",".join(map(str, uids)), op["mode"], "(" + " ".join(op["flags"]) + ")"), "UID STORE")
        return {"uids": uids}
    if kind == "delete":
        uids = uids_of(m, op["mailbox"], op["messageIds"])
        must(m.select(q(op["mailbox"])), f"SELECT {op['mailbox']}")
        if uids:
            must(m.uid("STORE", ",".join(map(str, uids)), "+FLAGS.SILENT", "(\\Deleted)"), "UID STORE +FLAGS.SILENT (\\Deleted)")
        dat = must(m.expunge(), "EXPUNGE")
        return {"uids": uids, "expunged": len([d for d in dat if d is not None])}
    raise Failure(f"unknown op {kind}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True, help="IMAPS port")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--debug", type=int, default=0)
    args = p.parse_args()
    imaplib.Debug = args.debug
    ops = json.load(sys.stdin)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    m = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=ctx, timeout=60)
    try:
        must(m.login(args.user, args.password), "LOGIN")
        results = []
        for op in ops:
            try:
                results.append(run(m, op))
            except (Failure, imaplib.IMAP4.error) as e:
                print(f"imaptool: {op.get('op')} failed: {e}", file=sys.stderr)
                sys.exit(1)
        json.dump(results, sys.stdout)
    finally:
        try:
            m.logout()
        except Exception:  # noqa: BLE001
            pass


if __name__ == "__main__":
    main()
