// Maildirs for the sync-tool interop tests: a deterministic corpus of messages
// (varied sizes, some with attachments, some 8-bit), written as a Maildir,
// read back (flags from the info suffix, Message-IDs from the headers), and
// changed the way a mail reader would (new file, renamed info suffix, unlink).
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** IMAP system flags the tools map to Maildir info letters (RFC-less, but universal). */
export const MAILDIR_FLAGS: Record<string, string> = { D: '\\Draft', F: '\\Flagged', R: '\\Answered', S: '\\Seen' };
const IMAP_TO_LETTER = Object.fromEntries(Object.entries(MAILDIR_FLAGS).map(([k, v]) => [v.toLowerCase(), k]));

/** Compared flags: the four both sides know, lower-cased IMAP names, sorted. */
export function imapFlagsKey(flags: Iterable<string>): string {
  return [...flags]
    .map((f) => f.toLowerCase())
    .filter((f) => f in IMAP_TO_LETTER)
    .sort()
    .join(' ');
}

export function lettersToImap(letters: string): string[] {
  return [...letters].filter((c) => c in MAILDIR_FLAGS).map((c) => MAILDIR_FLAGS[c]!);
}

export function imapToLetters(flags: Iterable<string>): string {
  return [...new Set([...flags].map((f) => IMAP_TO_LETTER[f.toLowerCase()]).filter((c): c is string => !!c))].sort().join('');
}

/** mulberry32: a small deterministic PRNG, so every run builds the same corpus. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'kimap imap mailbox cluster edge postgres kafka message folder flag seen flagged answered draft sync ' +
  'maildir offline client server protocol literal fetch store copy move expunge status select append ' +
  'quarterly report meeting agenda notes please review attached document thanks regards tomorrow'
).split(' ');

export interface GeneratedMessage {
  messageId: string;
  raw: Buffer;
  /** Maildir info letters (subset of DFRS), sorted. */
  letters: string;
  date: Date;
}

/** One message; n selects size, structure and flags deterministically. */
export function makeMessage(tag: string, n: number, opts: { letters?: string; subject?: string } = {}): GeneratedMessage {
  const rnd = prng(n * 7919 + tag.length * 104729 + [...tag].reduce((a, c) => a * 31 + c.charCodeAt(0), 7));
  const messageId = `<interop-${tag}-${n}@kimap.test>`;
  const date = new Date(Date.UTC(2023, 0, 1) + n * 3_600_000 + Math.floor(rnd() * 3_000_000));
  const words = (count: number) => Array.from({ length: count }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
  const lines = (bytes: number) => {
    const out: string[] = [];
    let size = 0;
    while (size < bytes) {
      const l = words(6 + Math.floor(rnd() * 8));
      out.push(l);
      size += l.length + 2;
    }
    return out.join('\r\n') + '\r\n';
  };
  // Sizes: mostly small, some medium, every 50th large.
  const bodySize =
    n % 50 === 0
      ? 150_000 + Math.floor(rnd() * 100_000)
      : n % 9 === 0
        ? 10_000 + Math.floor(rnd() * 30_000)
        : 200 + Math.floor(rnd() * 3_000);
  const subject = opts.subject ?? `Interop ${tag} #${n}: ${words(3)}`;
  const head =
    `From: Sender ${n % 13} <sender${n % 13}@example.test>\r\n` +
    `To: Interop <interop@example.test>\r\n` +
    `Subject: ${subject}\r\n` +
    `Date: ${date.toUTCString().replace('GMT', '+0000')}\r\n` +
    `Message-ID: ${messageId}\r\n` +
    `MIME-Version: 1.0\r\n`;
  let raw: string | Buffer;
  if (n % 7 === 0) {
    // multipart/mixed with a binary attachment, base64 in 76-column lines
    const att = Buffer.alloc(2_000 + Math.floor(rnd() * 30_000));
    for (let i = 0; i < att.length; i++) att[i] = Math.floor(rnd() * 256);
    const b64 = att.toString('base64').replace(/.{1,76}/g, '$&\r\n');
    const boundary = `=_kimap_${tag}_${n}`;
    raw =
      head +
      `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
      `This is a multi-part message in MIME format.\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${lines(bodySize)}` +
      `--${boundary}\r\nContent-Type: application/octet-stream; name="blob-${n}.bin"\r\n` +
      `Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="blob-${n}.bin"\r\n\r\n${b64}` +
      `--${boundary}--\r\n`;
  } else if (n % 5 === 0) {
    raw = Buffer.concat([
      Buffer.from(head + 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      Buffer.from(`Grüße aus dem Maildir, Nachricht ${n} — ½ €.\r\n` + lines(bodySize), 'utf8'),
    ]);
  } else {
    raw = head + 'Content-Type: text/plain; charset=us-ascii\r\n\r\n' + lines(bodySize);
  }
  let letters = opts.letters;
  if (letters === undefined) {
    letters = '';
    if (n % 3 !== 0) letters += 'S';
    if (n % 10 === 0) letters += 'F';
    if (n % 17 === 0) letters += 'R';
    if (n % 97 === 0) letters += 'D';
    letters = [...letters].sort().join('');
  }
  return { messageId, raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw), letters, date };
}

export function ensureMaildir(dir: string): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
}

let fileCounter = 0;

/**
 * Writes a message into a Maildir. Unseen messages without flags go to new/
 * (no info suffix), as a delivery agent leaves them; the others to cur/.
 */
export function deliver(dir: string, msg: GeneratedMessage, opts: { forceCur?: boolean } = {}): string {
  ensureMaildir(dir);
  fileCounter++;
  const base = `${Math.floor(msg.date.getTime() / 1000)}.M${fileCounter}P${process.pid}.kimap-interop`;
  const inNew = msg.letters === '' && !opts.forceCur;
  const name = inNew ? base : `${base}:2,${msg.letters}`;
  const path = join(dir, inNew ? 'new' : 'cur', name);
  writeFileSync(join(dir, 'tmp', base), msg.raw);
  renameSync(join(dir, 'tmp', base), path);
  utimesSync(path, msg.date, msg.date);
  return path;
}

export interface MaildirEntry {
  path: string;
  sub: 'cur' | 'new';
  /** Info letters (only DFRST kept), sorted. */
  letters: string;
  messageId: string;
}

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

export function messageIdOf(head: string): string {
  const end = head.search(/\r?\n\r?\n/);
  const header = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(\S+)/im.exec(header);
  return m ? m[1]! : '';
}

/** The messages of a Maildir folder (cur/ and new/). */
export function readMaildir(dir: string): MaildirEntry[] {
  const out: MaildirEntry[] = [];
  for (const sub of ['cur', 'new'] as const) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue;
      const i = name.lastIndexOf(':2,');
      const letters =
        i >= 0
          ? [...name.slice(i + 3)]
              .filter((c) => 'DFRST'.includes(c))
              .sort()
              .join('')
          : '';
      const path = join(d, name);
      out.push({ path, sub, letters, messageId: messageIdOf(readHead(path)) });
    }
  }
  return out;
}

/** Changes a message's flags the way a mail reader does: rename into cur/ with a new info suffix. */
export function setLetters(entry: MaildirEntry, letters: string): string {
  const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  const i = name.lastIndexOf(':2,');
  const base = i >= 0 ? name.slice(0, i) : name;
  const dir = entry.path.slice(0, entry.path.lastIndexOf('/'));
  const root = dir.slice(0, dir.lastIndexOf('/'));
  const target = join(root, 'cur', `${base}:2,${[...letters].sort().join('')}`);
  renameSync(entry.path, target);
  return target;
}

export function removeMessage(entry: MaildirEntry): void {
  unlinkSync(entry.path);
}
