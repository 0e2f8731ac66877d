// IMAP string quoting for ENVELOPE / BODYSTRUCTURE, matching Dovecot's
// choices between "quoted" and {literal}. A tiny local copy of the idea in
// imap-edge's encoder: services/common must not depend on the edge.
//
// Output strings are meant to be written as UTF-8 (the edge's Sink
// contract), so literal lengths count UTF-8 bytes.

export interface QuoteOptions {
  /** UTF8=ACCEPT is on: 8-bit text may be sent as a quoted string. */
  utf8?: boolean;
}

/** Dovecot switches to a literal after this many characters needing a backslash. */
const MAX_ESCAPES = 4;

function literal(s: string): string {
  return `{${Buffer.byteLength(s, 'utf8')}}\r\n${s}`;
}

/** NIL, "quoted" (with \\ and \" escaped) or a literal when there is CR/LF, 8-bit or too much escaping. */
export function nstring(s: string | null, opts: QuoteOptions = {}): string {
  if (s === null) return 'NIL';
  let escapes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) {
      if (escapes++ >= MAX_ESCAPES) return literal(s);
    } else if (c === 0x0d || c === 0x0a || c === 0) {
      return literal(s);
    } else if (c >= 0x80 && !opts.utf8) {
      return literal(s);
    }
  }
  return `"${s.replace(/[\\"]/g, (ch) => '\\' + ch)}"`;
}

/** Like nstring, but CR and LF are removed first (a space is put in where a line break joined two words). */
export function nstringNoLf(s: string | null, opts: QuoteOptions = {}): string {
  if (s === null || !/[\r\n]/.test(s)) return nstring(s, opts);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\r' && c !== '\n') {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next !== undefined && next !== ' ' && next !== '\t' && next !== '\r' && next !== '\n') out += ' ';
  }
  return nstring(out, opts);
}

/**
 * Text for humans (ENVELOPE subject and address names): runs of whitespace,
 * TABs and line breaks become one space, leading and trailing whitespace
 * go. Dovecot sends anything it changed, or that has quotes, backslashes or
 * 8-bit, as a literal; plain text stays a quoted string.
 */
export function humanString(s: string, opts: QuoteOptions = {}): string {
  let modify = false;
  let lastWs = true;
  let onlyWs = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0x09 || c === 0x20) {
      if (c !== 0x20 || lastWs) modify = true;
      lastWs = true;
      continue;
    }
    if (c === 0x22 || c === 0x5c || c === 0 || (c >= 0x80 && !opts.utf8)) modify = true;
    lastWs = false;
    onlyWs = false;
  }
  if (lastWs && s.length > 0 && !onlyWs) modify = true;
  if (!modify) return `"${s}"`;
  const clean = s
    .replace(/\0/g, '\ufffd')
    .replace(/[\r\n\t ]+/g, ' ')
    .replace(/^ | $/g, '');
  return clean === '' ? '""' : literal(clean);
}
