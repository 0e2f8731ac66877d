/**
 * Append-only byte buffer with doubling growth up to a hard cap.
 *
 * Used by the receiver instead of collecting socket-chunk slices: a client
 * dribbling one byte per packet would otherwise create one Buffer object per
 * byte, and kept slices would pin whole socket chunks. Growth is by
 * doubling, so memory stays within 2x of what was actually received — a
 * client announcing a 64 MiB literal and then sending 10 bytes costs ~nothing.
 */
const EMPTY = Buffer.alloc(0);

export class GrowBuffer {
  private buf: Buffer;
  private len = 0;

  constructor(
    /** Largest size this buffer may ever need (the caller enforces it). */
    private readonly cap: number,
    private readonly initial = 256,
  ) {
    this.buf = EMPTY; // allocated on first append
  }

  get length(): number {
    return this.len;
  }

  append(src: Buffer): void {
    const need = this.len + src.length;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.min(this.cap, Math.max(need, this.buf.length * 2, this.initial)));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    src.copy(this.buf, this.len);
    this.len = need;
  }

  /** First `n` bytes (a view; valid until the next append/take). */
  peek(n: number): Buffer {
    return this.buf.subarray(0, Math.min(n, this.len));
  }

  /** Last `n` bytes (a view; valid until the next append/take). */
  peekLast(n: number): Buffer {
    return this.buf.subarray(Math.max(0, this.len - n), this.len);
  }

  /** The contents as an exact-size Buffer owned by the caller; the buffer is emptied. */
  take(): Buffer {
    if (this.len === this.buf.length) {
      // Exactly full (always the case for a completed literal): hand over without copying.
      const out = this.buf;
      this.buf = EMPTY;
      this.len = 0;
      return out;
    }
    // Its own memory, not a slice of the shared pool: a command kept for long
    // (IDLE) must not pin a pool slab.
    const out = Buffer.allocUnsafeSlow(this.len);
    this.buf.copy(out, 0, 0, this.len);
    this.clear();
    return out;
  }

  /**
   * Empty it and let go of its memory: an idle connection holds no buffer (a
   * small one would pin a shared allocation pool slab, a large one itself).
   */
  clear(): void {
    this.buf = EMPTY;
    this.len = 0;
  }
}
