// Byte-level helpers shared by the MIME modules.

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HT = 0x09;
const DASH = 0x2d;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Header bytes as a string: UTF-8 when valid, else Latin-1 (one char per byte). NUL becomes U+FFFD. */
export function headerString(buf: Buffer, start = 0, end = buf.length): string {
  const slice = buf.subarray(start, end);
  let ascii = true;
  for (let i = 0; i < slice.length; i++) {
    if (slice[i]! >= 0x80 || slice[i] === 0) {
      ascii = false;
      break;
    }
  }
  if (ascii) return slice.toString('latin1');
  let s: string;
  try {
    s = strictUtf8.decode(slice);
  } catch {
    s = slice.toString('latin1');
  }
  return s.includes('\0') ? s.replace(/\0/g, '\ufffd') : s;
}

/** True if the buffer holds a LF not preceded by CR. */
export function hasBareLf(buf: Buffer): boolean {
  let i = buf.indexOf(LF);
  while (i >= 0) {
    if (i === 0 || buf[i - 1] !== CR) return true;
    i = buf.indexOf(LF, i + 1);
  }
  return false;
}

/** Bare LFs become CRLF (what an IMAP server must send). Returns the input when there are none. */
export function toCrlf(buf: Buffer): Buffer {
  let i = buf.indexOf(LF);
  let bare = 0;
  while (i >= 0) {
    if (i === 0 || buf[i - 1] !== CR) bare++;
    i = buf.indexOf(LF, i + 1);
  }
  if (bare === 0) return buf;
  const out = Buffer.allocUnsafe(buf.length + bare);
  let o = 0;
  let from = 0;
  i = buf.indexOf(LF);
  while (i >= 0) {
    if (i === 0 || buf[i - 1] !== CR) {
      o += buf.copy(out, o, from, i);
      out[o++] = CR;
      from = i;
    }
    i = buf.indexOf(LF, i + 1);
  }
  o += buf.copy(out, o, from);
  return out;
}

/**
 * Positions of every LF in a buffer, and of the bare ones, so that line
 * counts and CRLF-counted sizes of any byte range cost two binary searches.
 */
export class LineIndex {
  private readonly lfs: Uint32Array;
  private readonly bare: Uint32Array;

  constructor(buf: Buffer) {
    let lfs: Uint32Array = new Uint32Array(1024);
    let bare: Uint32Array = new Uint32Array(64);
    let nl = 0;
    let nb = 0;
    let i = buf.indexOf(LF);
    while (i >= 0) {
      if (nl === lfs.length) lfs = grow(lfs);
      lfs[nl++] = i;
      if (i === 0 || buf[i - 1] !== CR) {
        if (nb === bare.length) bare = grow(bare);
        bare[nb++] = i;
      }
      i = buf.indexOf(LF, i + 1);
    }
    this.lfs = lfs.subarray(0, nl);
    this.bare = bare.subarray(0, nb);
  }

  get hasBareLf(): boolean {
    return this.bare.length > 0;
  }

  /** LFs in [start, end). */
  lines(start: number, end: number): number {
    return lowerBound(this.lfs, end) - lowerBound(this.lfs, start);
  }

  /** Size of [start, end) with every bare LF counted as CRLF. */
  virtualSize(start: number, end: number): number {
    return end - start + lowerBound(this.bare, end) - lowerBound(this.bare, start);
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** First index whose value is >= x. */
function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True if buf[at..] starts with "--". */
export function startsWithDashes(buf: Buffer, at: number): boolean {
  return at + 1 < buf.length && buf[at] === DASH && buf[at + 1] === DASH;
}
