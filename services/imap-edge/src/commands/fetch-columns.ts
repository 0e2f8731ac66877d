// FETCH of metadata only (UID, FLAGS, MODSEQ, INTERNALDATE, RFC822.SIZE):
// the mailbox service sends such pages as columns (MessageColumns), and the
// lines are written from them straight into byte chunks — no object, no
// string per message. A `UID FETCH 1:* (FLAGS)` of 100,000 messages is
// 100,000 lines; built token by token it cost more in garbage collection
// than everything else together.
import { flagsOfLine, int64At } from '@kimap/common/columns';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import { flagListText, formatDateTime } from '../protocol/index.js';
import type { FetchItem } from './fetch-items.js';

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

const UID = 0;
const FLAGS = 1;
const MODSEQ = 2;
const DATE = 3;
const SIZE = 4;
const CODES: Partial<Record<FetchItem['kind'], number>> = {
  uid: UID,
  flags: FLAGS,
  modseq: MODSEQ,
  internaldate: DATE,
  'rfc822.size': SIZE,
};

function copy(buf: Buffer, pos: number, src: Buffer): number {
  for (let j = 0; j < src.length; j++) buf[pos++] = src[j]!;
  return pos;
}

/** A non-negative integer in decimal at `pos`; returns the position after it. */
function digits(buf: Buffer, pos: number, n: number): number {
  let len = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
  let at = pos + len;
  do {
    const q = Math.floor(n / 10);
    buf[--at] = 0x30 + (n - q * 10);
    n = q;
  } while (n > 0);
  return pos + len;
}

/** The items this writer can answer: all of them must be metadata. */
export function columnItems(items: readonly FetchItem[]): boolean {
  return items.every((i) => WORDS[i.kind] !== undefined);
}

export class InvalidStoredFlag extends Error {}

export class ColumnLineWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  /** `(\Seen \Flagged)` as bytes, per flag line seen. */
  private readonly flagBytes = new Map<string, Buffer>();
  /** Per item: what to write (UID, FLAGS...) and the words before it. */
  private readonly codes: number[];
  private readonly words: Buffer[];
  private readonly hasDate: boolean;

  constructor(
    items: readonly FetchItem[],
    private readonly emit: (chunk: Buffer) => void,
    /**
     * Called with each set of flags before the first line that shows it,
     * and a function that hands on what is buffered (for what it writes to
     * go out in order).
     */
    private readonly beforeFlags?: (flags: string[], flushLines: () => void) => void,
  ) {
    this.codes = items.map((i) => CODES[i.kind] ?? SIZE);
    this.words = items.map((i) => WORDS[i.kind] ?? Buffer.alloc(0));
    this.hasDate = this.codes.includes(DATE);
  }

  /**
   * Writes the FETCH line of each message of the page that `seqOf` numbers
   * (0: not reported) and `wanted` accepts, with \Recent in the FLAGS of the
   * ones `recent` names. Throws InvalidStoredFlag for a stored flag that is
   * not an atom (nothing of that line is written).
   */
  page(
    cols: MessageColumns__Output,
    seqOf: (uid: number) => number,
    wanted: (uid: number) => boolean,
    recent?: (uid: number) => boolean,
  ): void {
    const flags = cols.flags;
    let lineStart = 0;
    // Neighbours mostly have the same flags: the previous line is tried before the map.
    let prevText = '\0';
    let prevBytes: Buffer | undefined;
    for (let i = 0; i < cols.count; i++) {
      let lineEnd = flags.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = flags.length;
      let flagBytes: Buffer;
      if (prevBytes && lineEnd - lineStart === prevText.length && flags.startsWith(prevText, lineStart)) flagBytes = prevBytes;
      else {
        prevText = flags.slice(lineStart, lineEnd);
        flagBytes = prevBytes = this.flagsOf(prevText);
      }
      lineStart = lineEnd + 1;
      const uid = int64At(cols.uids, i);
      const seq = seqOf(uid);
      if (!seq || !wanted(uid)) continue;
      // prevText is this line's flags, whichever way they were found.
      if (recent?.(uid)) flagBytes = this.flagsOf(prevText ? `${prevText} \\Recent` : '\\Recent');
      this.line(seq, uid, cols, i, flagBytes);
    }
  }

  /** Hands on what is buffered. */
  flush(): void {
    if (this.pos === 0) return;
    this.emit(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
  }

  private line(seq: number, uid: number, cols: MessageColumns__Output, i: number, flagText: Buffer): void {
    const date = this.hasDate ? formatDateTime(new Date(int64At(cols.internalDatesMs, i))) : '';
    const codes = this.codes;
    // Numbers take at most 16 digits; the fixed words fit in 64.
    const room = 64 + codes.length * 24 + flagText.length + date.length;
    if (this.pos + room > this.buf.length) {
      this.flush();
      if (room > this.buf.length) this.buf = Buffer.allocUnsafe(room);
    }
    const buf = this.buf;
    let pos = copy(buf, this.pos, STAR);
    pos = digits(buf, pos, seq);
    pos = copy(buf, pos, FETCH_OPEN);
    for (let k = 0; k < codes.length; k++) {
      const code = codes[k]!;
      if (k) buf[pos++] = 0x20;
      pos = copy(buf, pos, this.words[k]!);
      if (code === UID) pos = digits(buf, pos, uid);
      else if (code === FLAGS) pos = copy(buf, pos, flagText);
      else if (code === MODSEQ) {
        pos = digits(buf, pos, int64At(cols.modseqs, i));
        buf[pos++] = 0x29; // )
      } else if (code === DATE) {
        pos += buf.write(date, pos, 'latin1');
        buf[pos++] = 0x22; // "
      } else pos = digits(buf, pos, int64At(cols.sizes, i));
    }
    this.pos = copy(buf, pos, LINE_END);
  }

  private flagsOf(line: string): Buffer {
    let bytes = this.flagBytes.get(line);
    if (!bytes) {
      const flags = flagsOfLine(line);
      const text = flagListText(flags);
      if (text === undefined) throw new InvalidStoredFlag('A stored flag is not an atom');
      bytes = ascii(text);
      this.flagBytes.set(line, bytes);
      this.beforeFlags?.(flags, () => this.flush());
    }
    return bytes;
  }
}
