#!/usr/bin/env node
// IMAP client half of capture-dovecot.sh: APPENDs each fixture to a running
// Dovecot and records its FETCH answers in a JSON file the tests read.
//
//   node capture-dovecot.mjs --port 24143 --fixtures ./fixtures --out ./dovecot-expected.json
//
// Byte values are stored as a JSON string when they are valid UTF-8 without
// NUL, else as { "base64": "..." }. ENVELOPE / BODYSTRUCTURE / BODY are kept
// exactly as Dovecot sent them (literals inline as `{n}\r\n...`).
import { connect } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const port = Number(args.port ?? 24143);
const fixturesDir = args.fixtures;
const outFile = args.out;

// --- connection ---------------------------------------------------------------

class Imap {
  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    this.tagNo = 0;
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('error', (e) => {
      for (const w of this.waiters.splice(0)) w.reject(e);
    });
  }

  wake() {
    for (;;) {
      const w = this.waiters[0];
      if (!w) return;
      const r = takeResponse(this.buf);
      if (!r) return;
      this.buf = this.buf.subarray(r.length);
      w.onResponse(r.bytes);
    }
  }

  /** Reads responses until the tagged one; resolves with { untagged: Buffer[], tagged: string }. */
  run(command, literal) {
    const tag = `c${++this.tagNo}`;
    return new Promise((resolve, reject) => {
      const untagged = [];
      this.waiters.push({
        reject,
        onResponse: (bytes) => {
          const line = bytes.toString('latin1');
          if (line.startsWith(tag + ' ')) {
            this.waiters.shift();
            resolve({ untagged, tagged: line.slice(tag.length + 1).replace(/\r\n$/, '') });
          } else if (!line.startsWith('+')) {
            untagged.push(bytes);
          }
        },
      });
      if (literal) {
        this.socket.write(`${tag} ${command} {${literal.length}+}\r\n`);
        this.socket.write(literal);
        this.socket.write('\r\n');
      } else {
        this.socket.write(`${tag} ${command}\r\n`);
      }
      this.wake();
    });
  }

  greeting() {
    return new Promise((resolve, reject) => {
      this.waiters.push({
        reject,
        onResponse: (bytes) => {
          this.waiters.shift();
          resolve(bytes.toString('latin1'));
        },
      });
      this.wake();
    });
  }
}

/** One complete response line (with any literals) from the start of buf, or null. */
function takeResponse(buf) {
  let pos = 0;
  for (;;) {
    const lf = buf.indexOf(0x0a, pos);
    if (lf < 0) return null;
    const line = buf.subarray(pos, lf + 1).toString('latin1');
    const m = /~?\{(\d+)\}\r\n$/.exec(line);
    if (!m) return { bytes: buf.subarray(0, lf + 1), length: lf + 1 };
    const end = lf + 1 + Number(m[1]);
    if (buf.length < end) return null;
    pos = end;
  }
}

// --- response parsing ---------------------------------------------------------

function isAtomChar(c) {
  return c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x22 && c !== 0x7b;
}

/** Parses one value at pos: { v, end }. Lists: array; strings: Buffer; atoms: string; NIL: null. */
function parseValue(buf, pos) {
  const c = buf[pos];
  if (c === 0x28) {
    const items = [];
    pos++;
    while (buf[pos] !== 0x29) {
      if (buf[pos] === 0x20) {
        pos++;
        continue;
      }
      const r = parseValue(buf, pos);
      items.push(r.v);
      pos = r.end;
    }
    return { v: items, end: pos + 1 };
  }
  if (c === 0x22) {
    const out = [];
    pos++;
    while (buf[pos] !== 0x22) {
      if (buf[pos] === 0x5c) pos++;
      out.push(buf[pos]);
      pos++;
    }
    return { v: Buffer.from(out), end: pos + 1 };
  }
  if (c === 0x7b || (c === 0x7e && buf[pos + 1] === 0x7b)) {
    const close = buf.indexOf(0x7d, pos);
    const n = Number(buf.subarray(buf.indexOf(0x7b, pos) + 1, close).toString('latin1'));
    const start = close + 3;
    return { v: Buffer.from(buf.subarray(start, start + n)), end: start + n };
  }
  let end = pos;
  while (end < buf.length && isAtomChar(buf[end])) {
    if (buf[end] === 0x5b) {
      end = buf.indexOf(0x5d, end) + 1;
      continue;
    }
    end++;
  }
  const text = buf.subarray(pos, end).toString('latin1');
  return { v: text.toUpperCase() === 'NIL' ? null : text, end };
}

/** `* n FETCH (NAME value ...)` → Map NAME → { v, raw }. */
function parseFetch(bytes) {
  const open = bytes.indexOf(0x28);
  const items = new Map();
  let pos = open + 1;
  while (pos < bytes.length && bytes[pos] !== 0x29) {
    if (bytes[pos] === 0x20) {
      pos++;
      continue;
    }
    const name = parseValue(bytes, pos);
    pos = name.end + 1;
    const val = parseValue(bytes, pos);
    items.set(name.v.toUpperCase(), { v: val.v, raw: bytes.subarray(pos, val.end) });
    pos = val.end;
  }
  return items;
}

function enc(buf) {
  if (buf === null || buf === undefined) return null;
  const s = buf.toString('utf8');
  if (!s.includes('\0') && Buffer.from(s, 'utf8').equals(buf)) return s;
  return { base64: buf.toString('base64') };
}

// --- part enumeration from BODYSTRUCTURE ---------------------------------------

const str = (v) => (Buffer.isBuffer(v) ? v.toString('latin1') : typeof v === 'string' ? v : '');

/** Part paths in the order of the tree, with their kind. */
function partPaths(body, prefix, out) {
  if (Array.isArray(body[0])) {
    let i = 0;
    for (const child of body) {
      if (!Array.isArray(child)) break;
      i++;
      const path = [...prefix, i];
      out.push({ path, kind: kindOf(child) });
      descend(child, path, out);
    }
    return;
  }
  // A non-multipart body is part 1 of its message.
  const path = [...prefix, 1];
  out.push({ path, kind: kindOf(body) });
  descend(body, path, out);
}

function kindOf(body) {
  if (Array.isArray(body[0])) return 'multipart';
  if (str(body[0]).toLowerCase() === 'message' && str(body[1]).toLowerCase() === 'rfc822' && Array.isArray(body[8])) return 'message';
  return 'leaf';
}

function descend(body, path, out) {
  const kind = kindOf(body);
  if (kind === 'multipart') {
    let i = 0;
    for (const child of body) {
      if (!Array.isArray(child)) break;
      i++;
      out.push({ path: [...path, i], kind: kindOf(child) });
      descend(child, [...path, i], out);
    }
  } else if (kind === 'message') {
    const inner = body[8];
    if (Array.isArray(inner[0])) descend(inner, path, out);
    else partPaths(inner, path, out);
  }
}

// --- main ----------------------------------------------------------------------

const HEADER_FIELDS = 'HEADER.FIELDS (FROM SUBJECT CONTENT-TYPE)';
const HEADER_FIELDS_NOT = 'HEADER.FIELDS.NOT (FROM SUBJECT CONTENT-TYPE RECEIVED)';

async function main() {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const imap = new Imap(socket);
  await imap.greeting();
  const must = async (cmd, lit) => {
    const r = await imap.run(cmd, lit);
    if (!r.tagged.startsWith('OK')) throw new Error(`${cmd}: ${r.tagged}`);
    return r;
  };
  await must('LOGIN test pass');
  await must('SELECT INBOX');

  const result = {
    dovecot: execFileSync('dovecot', ['--version']).toString().trim(),
    fixtures: {},
  };
  const files = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  for (const file of files) {
    const raw = readFileSync(join(fixturesDir, file));
    const append = await must('APPEND INBOX', raw);
    const uid = /APPENDUID \d+ (\d+)/.exec(append.tagged)?.[1];
    if (!uid) throw new Error(`no APPENDUID for ${file}: ${append.tagged}`);

    const main = await must(`UID FETCH ${uid} (RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE)`);
    const items = parseFetch(main.untagged.find((u) => / FETCH /.test(u.toString('latin1'))));
    const entry = {
      rfc822Size: Number(items.get('RFC822.SIZE').v),
      envelope: enc(items.get('ENVELOPE').raw),
      body: enc(items.get('BODY').raw),
      bodystructure: enc(items.get('BODYSTRUCTURE').raw),
      sections: {},
      binary: {},
    };

    let parts = [];
    partPaths(items.get('BODYSTRUCTURE').v, [], parts);
    // Deeply nested fixtures: the outermost and innermost parts are enough (keeps the JSON small).
    if (parts.length > 40) parts = [...parts.slice(0, 2), ...parts.slice(-10)];
    const sections = ['HEADER', 'TEXT', HEADER_FIELDS, HEADER_FIELDS_NOT, '99'];
    const binaryParts = [''];
    for (const { path, kind } of parts) {
      const p = path.join('.');
      sections.push(p, `${p}.MIME`);
      if (kind === 'message') sections.push(`${p}.HEADER`, `${p}.TEXT`, `${p}.${HEADER_FIELDS}`);
      if (kind === 'multipart') sections.push(`${p}.99`);
      if (kind === 'leaf') sections.push(`${p}.1`);
      binaryParts.push(p);
    }
    for (const section of sections) {
      const r = await imap.run(`UID FETCH ${uid} (BODY.PEEK[${section}])`);
      if (!r.tagged.startsWith('OK')) {
        entry.sections[section] = { error: r.tagged };
        continue;
      }
      const fetch = r.untagged.find((u) => / FETCH /.test(u.toString('latin1')));
      const got = fetch ? [...parseFetch(fetch).entries()].find(([k]) => k.startsWith('BODY[')) : undefined;
      entry.sections[section] = got ? enc(got[1].v) : { error: 'missing' };
    }
    for (const p of binaryParts) {
      const r = await imap.run(`UID FETCH ${uid} (BINARY.PEEK[${p}] BINARY.SIZE[${p}])`);
      if (!r.tagged.startsWith('OK')) {
        entry.binary[p] = { error: r.tagged };
        continue;
      }
      const fetch = r.untagged.find((u) => / FETCH /.test(u.toString('latin1')));
      const its = fetch ? [...parseFetch(fetch).entries()] : [];
      const data = its.find(([k]) => k.startsWith('BINARY['));
      const size = its.find(([k]) => k.startsWith('BINARY.SIZE['));
      entry.binary[p] = { data: data ? enc(data[1].v) : null, size: size ? Number(size[1].v) : null };
    }
    result.fixtures[file] = entry;
    process.stderr.write(`${file}: ${parts.length} parts, ${sections.length} sections\n`);
  }
  await imap.run('LOGOUT');
  socket.end();
  writeFileSync(outFile, JSON.stringify(result, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
