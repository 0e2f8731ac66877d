// FETCH of metadata only (UID, FLAGS, MODSEQ, INTERNALDATE, RFC822.SIZE):
// the mailbox service sends such pages as columns (MessageColumns), and the
// lines are written from them straight into byte chunks — no object, no
// string per message. A `UID FETCH 1:* (FLAGS)` of 100,000 messages is
// 100,000 lines; built token by token it cost more in garbage collection
// than everything else together.
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import { flagListText, formatDateTime, type FetchItem } from '../protocol/index.js';

/** Output is handed on in chunks of about this many bytes. */
const CHUNK = 64 * 1024;

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const STAR = ascii('* ');
const FETCH_OPEN = ascii(' FETCH (');
const LINE_END = ascii(')\r\n');
const WORDS: Partial<Record<FetchItem['kind'], Buffer>> = {
  uid: ascii('UID '),
  flags: ascii('FLAGS '),
  modseq: ascii('MODSEQ ('),
  internaldate: ascii('INTERNALDATE "'),
  'rfc822.size': ascii('RFC822.SIZE '),
};

/** The items this writer can answer: all of them must be metadata. */
export function columnItems(items: readonly FetchItem[]): boolean {
  return items.every((i) => WORDS[i.kind] !== undefined);
}

export class InvalidStoredFlag extends Error {}

/** An 8-byte big-endian number of a column (UIDs, MODSEQs, sizes and dates all fit a double). */
function int64At(column: Buffer, i: number): number {
  const at = i * 8;
  if (column.length < at + 8) return 0;
  return column.readInt32BE(at) * 4294967296 + column.readUInt32BE(at + 4);
}

export class ColumnLineWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  /** `(\Seen \Flagged)` as bytes, per flag line seen. */
  private readonly flagBytes = new Map<string, Buffer>();
  private readonly kinds: Array<FetchItem['kind']>;
  private readonly hasDate: boolean;

  constructor(
    items: readonly FetchItem[],
    private readonly emit: (chunk: Buffer) => void,
  ) {
    this.kinds = items.map((i) => i.kind);
    this.hasDate = this.kinds.includes('internaldate');
  }

  /**
   * Writes the FETCH line of each message of the page that `seqOf` numbers
   * (0: not reported) and `wanted` accepts. Throws InvalidStoredFlag for a
   * stored flag that is not an atom (nothing of that line is written).
   */
  page(cols: MessageColumns__Output, seqOf: (uid: number) => number, wanted: (uid: number) => boolean): void {
    const flags = cols.flags;
    let lineStart = 0;
    for (let i = 0; i < cols.count; i++) {
      let lineEnd = flags.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = flags.length;
      const flagLine = flags.slice(lineStart, lineEnd);
      lineStart = lineEnd + 1;
      const uid = int64At(cols.uids, i);
      const seq = seqOf(uid);
      if (!seq || !wanted(uid)) continue;
      this.line(seq, uid, cols, i, flagLine);
    }
  }

  /** Hands on what is buffered. */
  flush(): void {
    if (this.pos === 0) return;
    this.emit(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
  }

  private line(seq: number, uid: number, cols: MessageColumns__Output, i: number, flagLine: string): void {
    const flagText = this.flagsOf(flagLine);
    const date = this.hasDate ? formatDateTime(new Date(int64At(cols.internalDatesMs, i))) : '';
    const kinds = this.kinds;
    // Numbers take at most 16 digits; the fixed words fit in 64.
    const room = 64 + kinds.length * 24 + flagText.length + date.length;
    if (this.pos + room > this.buf.length) {
      this.flush();
      if (room > this.buf.length) this.buf = Buffer.allocUnsafe(room);
    }
    this.put(STAR);
    this.digits(seq);
    this.put(FETCH_OPEN);
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k]!;
      if (k) this.buf[this.pos++] = 0x20;
      this.put(WORDS[kind]!);
      switch (kind) {
        case 'uid':
          this.digits(uid);
          break;
        case 'flags':
          this.put(flagText);
          break;
        case 'modseq':
          this.digits(int64At(cols.modseqs, i));
          this.buf[this.pos++] = 0x29; // )
          break;
        case 'internaldate':
          this.pos += this.buf.write(date, this.pos, 'latin1');
          this.buf[this.pos++] = 0x22; // "
          break;
        case 'rfc822.size':
          this.digits(int64At(cols.sizes, i));
          break;
        default:
          break;
      }
    }
    this.put(LINE_END);
  }

  private flagsOf(line: string): Buffer {
    let bytes = this.flagBytes.get(line);
    if (!bytes) {
      const text = flagListText(Object.freeze(line ? line.split(' ') : []));
      if (text === undefined) throw new InvalidStoredFlag('A stored flag is not an atom');
      bytes = ascii(text);
      this.flagBytes.set(line, bytes);
    }
    return bytes;
  }

  private put(src: Buffer): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let j = 0; j < src.length; j++) buf[pos++] = src[j]!;
    this.pos = pos;
  }

  /** A non-negative integer in decimal. */
  private digits(n: number): void {
    const buf = this.buf;
    if (n < 0x80000000) {
      // Small integer arithmetic for the usual case.
      let len = 1;
      for (let x = n; x >= 10; x = (x / 10) | 0) len++;
      let at = this.pos + len;
      this.pos = at;
      do {
        const q = (n / 10) | 0;
        buf[--at] = 0x30 + n - q * 10;
        n = q;
      } while (n > 0);
      return;
    }
    let len = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
    let at = this.pos + len;
    this.pos = at;
    do {
      const q = Math.floor(n / 10);
      buf[--at] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }
}
