// BODY[section] (RFC 9051 6.4.5): which bytes of the raw message a section
// means. Part numbers are resolved as Dovecot resolves them: inside a
// message/rfc822 part the numbers address the embedded message's parts; a
// non-multipart part is its own part 1.
import { CR, LF, toCrlf } from './bytes.js';
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
 */
export function headerFields(header: Buffer, names: readonly string[], not: boolean): Buffer {
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
export function sectionBytes(raw: Buffer, structure: MessageStructure, part: readonly number[], text?: SectionText, fields: readonly string[] = []): Buffer | null {
  const range = sectionRange(structure, part, text);
  if (!range) return null;
  const bytes = raw.subarray(range.start, range.end);
  if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') return headerFields(bytes, fields, text === 'HEADER.FIELDS.NOT');
  return structure.bareLf ? toCrlf(bytes) : bytes;
}
