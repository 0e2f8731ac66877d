// Body sections cut from a stored message. The parts of a MIME tree come with
// the stored BODYSTRUCTURE; until then only top-level sections are served.
import type { Section } from '../protocol/index.js';

/** Byte length of the header block, including the blank line that ends it. */
export function headerLength(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  if (lf >= 0) return lf + 2;
  return raw.length;
}

/** Header fields with their continuation lines, as raw bytes per field. */
function headerFields(header: Buffer): Array<{ name: string; raw: Buffer }> {
  const out: Array<{ name: string; raw: Buffer }> = [];
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf('\n', start);
    end = end < 0 ? header.length : end + 1;
    const line = header.subarray(start, end);
    const isContinuation = line[0] === 0x20 || line[0] === 0x09;
    if (isContinuation && out.length) {
      const last = out[out.length - 1]!;
      last.raw = Buffer.concat([last.raw, line]);
    } else if (line.length > 2 || (line[0] !== 0x0d && line[0] !== 0x0a)) {
      const colon = line.indexOf(':');
      const name = (colon > 0 ? line.subarray(0, colon) : line).toString('latin1').trim().toLowerCase();
      out.push({ name, raw: Buffer.from(line) });
    }
    start = end;
  }
  return out;
}

export function headerSubset(header: Buffer, fields: readonly string[], not: boolean): Buffer {
  const wanted = new Set(fields.map((f) => f.toLowerCase()));
  const picked = headerFields(header).filter((f) => wanted.has(f.name) !== not);
  return Buffer.concat([...picked.map((f) => f.raw), Buffer.from('\r\n')]);
}

function isMultipart(header: Buffer): boolean {
  const ct = headerFields(header).find((f) => f.name === 'content-type');
  return ct !== undefined && /^content-type:\s*multipart\//i.test(ct.raw.toString('latin1'));
}

/** The bytes of a section, or null when the message has no such part. */
export function sectionBytes(raw: Buffer, section: Section): Buffer | null {
  const hlen = headerLength(raw);
  const header = raw.subarray(0, hlen);
  let part = section.part;
  let body = raw.subarray(hlen);
  if (part.length > 0) {
    // Part 1 of a message that is not multipart is its body (RFC 9051 6.4.5).
    if (part.length === 1 && part[0] === 1 && !isMultipart(header)) {
      part = [];
      if (section.text === undefined) return body;
      if (section.text === 'MIME') return headerSubset(header, ['content-type', 'content-transfer-encoding', 'content-disposition', 'content-id', 'content-description', 'content-language', 'content-location', 'content-md5'], false);
      return null;
    }
    return null;
  }
  switch (section.text) {
    case undefined:
      return raw;
    case 'HEADER':
      return header;
    case 'TEXT':
      return body;
    case 'HEADER.FIELDS':
      return headerSubset(header, section.fields ?? [], false);
    case 'HEADER.FIELDS.NOT':
      return headerSubset(header, section.fields ?? [], true);
    default:
      body = raw;
      return null;
  }
}

export function applyPartial(data: Buffer, partial?: { offset: number; length: number }): Buffer {
  if (!partial) return data;
  return data.subarray(Math.min(partial.offset, data.length), Math.min(partial.offset + partial.length, data.length));
}
