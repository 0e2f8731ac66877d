// BODY[section] (RFC 9051 6.4.5): which bytes of the raw message a section
// means. Part numbers are resolved as Dovecot resolves them: inside a
// message/rfc822 part the numbers address the embedded message's parts; a
// non-multipart part is its own part 1.
import { CR, HT, LF, SP, toCrlf } from './bytes.js';
import { parseHeaderBlock } from './header.js';
import type { MessageStructure, MimePart } from './types.js';

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface ByteRange {
  start: number;
  end: number;
}

/** The part a part number path names, or null. An empty path is the whole message. */
export function findPart(structure: MessageStructure, path: readonly number[]): MimePart | null {
  let part: MimePart | null = structure.root;
  for (let i = 0; i < path.length && part; i++) {
    const num = path[i]!;
    const more = i + 1 < path.length;
    if (part.kind === 'multipart') {
      part = part.children?.[num - 1] ?? null;
    } else if (num !== 1 || (more && part.kind !== 'message')) {
      // not multipart: only 1, and only a message/rfc822 part has parts below
      part = null;
    }
    if (part && part.kind === 'message' && more) part = part.children?.[0] ?? null;
  }
  return part;
}

/**
 * Byte range of a section, or null when the message has no such part (or
 * HEADER/TEXT is asked of a part that is not message/rfc822). For
 * HEADER.FIELDS[.NOT] the range is the whole header; filter it with
 * headerFields(). Ranges are into the raw message: see toCrlf().
 */
export function sectionRange(structure: MessageStructure, part: readonly number[], text?: SectionText): ByteRange | null {
  if (part.length === 0) {
    const root = structure.root;
    switch (text) {
      case undefined:
        return { start: 0, end: structure.rawSize };
      case 'MIME':
        return null;
      case 'TEXT':
        return { start: root.headerEnd, end: root.bodyEnd };
      default:
        return { start: root.headerStart, end: root.headerEnd };
    }
  }
  const found = findPart(structure, part);
  if (!found) return null;
  switch (text) {
    case undefined:
      return { start: found.headerEnd, end: found.bodyEnd };
    case 'MIME':
      // For a message/rfc822 part this is its MIME header, not the embedded one (as Dovecot).
      return { start: found.headerStart, end: found.headerEnd };
    default: {
      if (found.kind !== 'message') return null;
      const inner = found.children?.[0];
      if (!inner) return null;
      return text === 'TEXT' ? { start: inner.headerEnd, end: inner.bodyEnd } : { start: inner.headerStart, end: inner.headerEnd };
    }
  }
}

/**
 * The fields of a header block named (or, with `not`, not named) in
 * `names`, case-insensitively, each with its continuation lines, followed
 * by the blank line. Line breaks come out as CRLF. (For a header that has
 * no blank line Dovecot sometimes omits it, and the last line break; we
 * always end as RFC 9051 describes.)
 *
 * The usual case — a stored header (CRLF line breaks) and field names in
 * ASCII — is one pass over the bytes and one copy: a message-list FETCH asks
 * this of every message it lists.
 */
export function headerFields(header: Buffer, names: readonly string[], not: boolean): Buffer {
  const wanted = asciiNames(names);
  if (!wanted) return headerFieldsGeneral(header, names, not);
  // Field ranges [start, end) to copy, as pairs.
  const ranges: number[] = [];
  let size = 2;
  const end = header.length;
  let fieldStart = -1;
  let fieldEnd = -1;
  let keep = false;
  let pos = 0;
  while (pos < end) {
    const c = header[pos]!;
    if (c === LF || (c === CR && pos + 1 < end && header[pos + 1] === LF)) break;
    // A byte loop: cheaper than indexOf for lines this short.
    let lf = pos;
    while (lf < end && header[lf] !== LF) lf++;
    // A bare LF inside the fields: the general path makes the line breaks CRLF.
    if (lf < end && header[lf - 1] !== CR) return headerFieldsGeneral(header, names, not);
    const next = lf < end ? lf + 1 : end;
    if (fieldStart >= 0 && (c === SP || c === HT)) {
      fieldEnd = next;
    } else {
      if (keep) ranges.push(fieldStart, fieldEnd);
      fieldStart = pos;
      fieldEnd = next;
      keep = nameIn(header, pos, lf < end ? lf - 1 : end, wanted) !== not;
    }
    pos = next;
  }
  if (keep) ranges.push(fieldStart, fieldEnd);
  for (let i = 0; i < ranges.length; i += 2) size += ranges[i + 1]! - ranges[i]! + (endsWithCrlf(header, ranges[i + 1]!) ? 0 : 2);
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    o += header.copy(out, o, ranges[i], ranges[i + 1]);
    if (!endsWithCrlf(header, ranges[i + 1]!)) o = out.writeUInt16BE(0x0d0a, o);
  }
  out.writeUInt16BE(0x0d0a, o);
  return out;
}

function endsWithCrlf(buf: Buffer, end: number): boolean {
  return end >= 2 && buf[end - 1] === LF && buf[end - 2] === CR;
}

/** The names lower-cased as bytes, when all are ASCII (a FETCH asks with the same array for every message). */
const asciiNameCache = new WeakMap<readonly string[], Buffer[] | null>();
function asciiNames(names: readonly string[]): Buffer[] | null {
  let bufs = asciiNameCache.get(names);
  if (bufs === undefined) {
    bufs = names.every((n) => /^[\x00-\x7f]*$/.test(n)) ? names.map((n) => Buffer.from(n.toLowerCase(), 'latin1')) : null;
    asciiNameCache.set(names, bufs);
  }
  return bufs;
}

/**
 * Whether the field whose first line is [pos, contentEnd) has one of the
 * names: the bytes before the colon without the blanks before it, or the
 * whole line when it has no colon, compared case-insensitively.
 */
function nameIn(buf: Buffer, pos: number, contentEnd: number, wanted: Buffer[]): boolean {
  let nameEnd = contentEnd;
  for (let i = pos; i < contentEnd; i++) {
    if (buf[i] === 0x3a) {
      nameEnd = i;
      while (nameEnd > pos && (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === HT)) nameEnd--;
      break;
    }
  }
  const len = nameEnd - pos;
  outer: for (const w of wanted) {
    if (w.length !== len) continue;
    for (let i = 0; i < len; i++) {
      let b = buf[pos + i]!;
      if (b >= 0x41 && b <= 0x5a) b += 0x20;
      if (b !== w[i]) continue outer;
    }
    return true;
  }
  return false;
}

/** headerFields() for any header and any names: field by field, line breaks made CRLF. */
export function headerFieldsGeneral(header: Buffer, names: readonly string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const chunks: Buffer[] = [];
  for (const f of parseHeaderBlock(header)) {
    if (wanted.has(f.name.toLowerCase()) === not) continue;
    let line = toCrlf(header.subarray(f.start, f.end));
    const n = line.length;
    if (n === 0 || line[n - 1] !== LF || (n > 1 && line[n - 2] !== CR)) {
      // The last field of a header without a blank line may lack its line break.
      line = Buffer.concat([line, Buffer.from('\r\n')]);
    }
    chunks.push(line);
  }
  chunks.push(Buffer.from('\r\n'));
  return Buffer.concat(chunks);
}

/**
 * The bytes a client gets for BODY[section] (before any <partial>), CRLF
 * line breaks guaranteed. Null when the part does not exist; Dovecot sends
 * an empty string then.
 */
export function sectionBytes(
  raw: Buffer,
  structure: MessageStructure,
  part: readonly number[],
  text?: SectionText,
  fields: readonly string[] = [],
): Buffer | null {
  const range = sectionRange(structure, part, text);
  if (!range) return null;
  const bytes = raw.subarray(range.start, range.end);
  if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') return headerFields(bytes, fields, text === 'HEADER.FIELDS.NOT');
  return structure.bareLf ? toCrlf(bytes) : bytes;
}
