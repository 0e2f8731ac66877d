// Header fields of one header block, as byte ranges into the raw message.
import { CR, HT, LF, SP, headerString } from './bytes.js';

export interface HeaderField {
  /** Field name with whitespace before the colon removed; the whole line when it has no colon. */
  name: string;
  /** Byte range of the whole field: first line through the line break of its last continuation line. */
  start: number;
  end: number;
  /**
   * Byte range of the value: after the colon and the whitespace that
   * follows it, through the end of the last continuation line (folding line
   * breaks included, final line break excluded). -1 when there is no colon.
   */
  valueStart: number;
  valueEnd: number;
}

export function fieldValue(raw: Buffer, f: HeaderField): string | null {
  return f.valueStart < 0 ? null : headerString(raw, f.valueStart, f.valueEnd);
}

/** One physical line at `pos`: content end (before CR LF) and the start of the next line. */
export function lineAt(raw: Buffer, pos: number, limit = raw.length): { contentEnd: number; next: number } {
  let lf = raw.indexOf(LF, pos);
  if (lf < 0 || lf >= limit) return { contentEnd: limit, next: limit };
  const next = lf + 1;
  if (lf > pos && raw[lf - 1] === CR) lf--;
  return { contentEnd: lf, next };
}

/** True if the line at pos is empty (the blank line that ends a header). */
export function isBlankLine(raw: Buffer, pos: number, limit = raw.length): boolean {
  if (pos >= limit) return false;
  if (raw[pos] === LF) return true;
  return raw[pos] === CR && pos + 1 < limit && raw[pos + 1] === LF;
}

/** Builds header fields line by line (the message parser checks each line for boundaries first). */
export class HeaderFields {
  readonly fields: HeaderField[] = [];

  constructor(private readonly raw: Buffer) {}

  /** Adds the physical line [pos, next) whose content ends at contentEnd. */
  addLine(pos: number, contentEnd: number, next: number): void {
    const raw = this.raw;
    const last = this.fields[this.fields.length - 1];
    if (last && (raw[pos] === SP || raw[pos] === HT)) {
      last.end = next;
      if (last.valueStart >= 0) last.valueEnd = contentEnd;
      return;
    }
    let colon = -1;
    for (let i = pos; i < contentEnd; i++) {
      if (raw[i] === 0x3a) {
        colon = i;
        break;
      }
    }
    if (colon < 0) {
      this.fields.push({ name: raw.toString('latin1', pos, contentEnd), start: pos, end: next, valueStart: -1, valueEnd: -1 });
      return;
    }
    let nameEnd = colon;
    while (nameEnd > pos && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HT)) nameEnd--;
    // Skip the whitespace after the colon; a value that is only whitespace loses one character.
    let v = colon + 1;
    while (v < contentEnd && (raw[v] === SP || raw[v] === HT)) v++;
    if (v === contentEnd && contentEnd > colon + 1) v = colon + 2;
    this.fields.push({ name: raw.toString('latin1', pos, nameEnd), start: pos, end: next, valueStart: v, valueEnd: contentEnd });
  }
}

/** Fields of the header block at [start, end) (a whole header, e.g. a part's MIME header). */
export function parseHeaderBlock(raw: Buffer, start = 0, end = raw.length): HeaderField[] {
  const h = new HeaderFields(raw);
  let pos = start;
  while (pos < end) {
    if (isBlankLine(raw, pos, end)) break;
    const { contentEnd, next } = lineAt(raw, pos, end);
    h.addLine(pos, contentEnd, next);
    pos = next;
  }
  return h.fields;
}
