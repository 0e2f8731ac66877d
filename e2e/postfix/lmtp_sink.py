#!/usr/bin/env python3
"""A tiny LMTP server (RFC 2033) that stores what it is given: a test fixture that
stands in for a real mail store behind e2e/postfix/postfix.sh.

    python3 e2e/postfix/lmtp_sink.py --dir DIR [--host 127.0.0.1] [--port 0]
                                     [--known alice@example.org ...]

Prints LMTP_PORT=<port> on stdout once it listens (port 0 picks a free one). Every
delivered message is written to DIR/msg-NNNNNN.eml exactly as received (dot-unstuffed,
CRLF line ends) and then one JSON line is appended to DIR/deliveries.jsonl:
{"file": "msg-000001.eml", "from": "...", "recipients": ["..."], "size": N}.
After DATA it answers 250 once per accepted recipient, as LMTP requires. With --known,
a RCPT TO for any other address is refused with 550 5.1.1.
"""

import argparse
import json
import os
import socketserver
import sys
import threading

MAX_LINE = 8192


class Store:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()
        self.count = 0
        os.makedirs(directory, exist_ok=True)

    def save(self, sender, recipients, data):
        with self.lock:
            self.count += 1
            name = "msg-%06d.eml" % self.count
            tmp = os.path.join(self.directory, name + ".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.directory, name))
            entry = {"file": name, "from": sender, "recipients": recipients, "size": len(data)}
            with open(os.path.join(self.directory, "deliveries.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")


def address(arg, keyword):
    """The address in 'FROM:<a@b> SIZE=1' / 'TO:<a@b>', or None when malformed."""
    if not arg.upper().startswith(keyword + ":"):
        return None
    rest = arg[len(keyword) + 1 :].strip()
    if not rest.startswith("<") or ">" not in rest:
        return None
    return rest[1 : rest.index(">")]


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode("utf-8") + b"\r\n")

    def handle(self):
        server = self.server
        self.reply("220 lmtp-sink LMTP ready")
        sender = None
        recipients = []
        while True:
            raw = self.rfile.readline(MAX_LINE)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "LHLO":
                self.wfile.write(
                    b"250-lmtp-sink\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
                    b"250-8BITMIME\r\n250 SMTPUTF8\r\n"
                )
            elif verb == "MAIL":
                addr = address(arg, "FROM")
                if addr is None:
                    self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
                else:
                    sender, recipients = addr, []
                    self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                addr = address(arg, "TO")
                if sender is None:
                    self.reply("503 5.5.1 MAIL first")
                elif addr is None:
                    self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
                elif server.known is not None and addr.lower() not in server.known:
                    self.reply("550 5.1.1 <%s> User unknown" % addr)
                else:
                    recipients.append(addr)
                    self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                if not recipients:
                    self.reply("503 5.5.1 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self.read_data()
                if data is None:
                    return
                server.store.save(sender, recipients, data)
                for rcpt in recipients:
                    self.reply("250 2.0.0 <%s> delivered" % rcpt)
                sender, recipients = None, []
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 2.0.0 OK")
            elif verb == "NOOP":
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("500 5.5.2 Unknown command")

    def read_data(self):
        lines = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return None
            if raw in (b".\r\n", b".\n"):
                return b"".join(lines)
            if raw.startswith(b"."):
                raw = raw[1:]
            if not raw.endswith(b"\r\n"):
                raw = raw.rstrip(b"\n") + b"\r\n"
            lines.append(raw)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="folder for the delivered messages")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--known", nargs="*", help="the only recipients accepted (default: any)")
    args = parser.parse_args()
    server = Server((args.host, args.port), Session)
    server.store = Store(args.dir)
    server.known = None if args.known is None else {a.lower() for a in args.known}
    print("LMTP_PORT=%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
