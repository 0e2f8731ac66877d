// The UIDs of a selected mailbox, in ascending order, kept as runs of
// consecutive UIDs. A mailbox's UIDs are mostly consecutive (new mail gets the
// next UID; only expunges punch holes), so a session holding a
// 100,000-message mailbox usually keeps a handful of numbers instead of an
// array of 100,000. Sequence number n is the n-th UID.

export class UidList {
  /** [first, last] of each run, ascending, disjoint and not adjacent. */
  private runs: number[] = [];
  /** How many UIDs the runs before run i hold (one entry per run). */
  private before: number[] = [];
  private count = 0;

  /** `uids` ascending. */
  constructor(uids: Iterable<number> = []) {
    for (const u of uids) this.push(u);
  }

  /** From runs first[i]..last[i], ascending and disjoint. */
  static fromRuns(first: readonly number[], last: readonly number[]): UidList {
    const list = new UidList();
    for (let i = 0; i < first.length; i++) {
      const f = first[i]!;
      const l = last[i]!;
      // Adjacent runs (never sent, but harmless) are merged.
      if (list.runs.length && list.max === f - 1) {
        list.runs[list.runs.length - 1] = l;
        list.count += l - f + 1;
      } else list.addRun(f, l);
    }
    return list;
  }

  get length(): number {
    return this.count;
  }

  get max(): number {
    return this.runs.length ? this.runs[this.runs.length - 1]! : 0;
  }

  /** Appends a UID above every one held. */
  push(uid: number): void {
    const last = this.runs.length - 1;
    if (last > 0 && this.runs[last] === uid - 1) this.runs[last] = uid;
    else {
      this.before.push(this.count);
      this.runs.push(uid, uid);
    }
    this.count++;
  }

  /** The run holding sequence number seq (1-based, within 1..length). */
  private runOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.before.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.before[mid]! < seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The UID of sequence number seq, or undefined. */
  at(seq: number): number | undefined {
    if (!(seq >= 1 && seq <= this.count)) return undefined;
    const i = this.runOfSeq(seq);
    return this.runs[2 * i]! + (seq - 1 - this.before[i]!);
  }

  /** The sequence number of a UID, or 0 when absent. */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.before.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (uid < this.runs[2 * mid]!) hi = mid - 1;
      else if (uid > this.runs[2 * mid + 1]!) lo = mid + 1;
      else return this.before[mid]! + (uid - this.runs[2 * mid]!) + 1;
    }
    return 0;
  }

  /** UIDs of sequence numbers lo..hi (both within 1..length). */
  slice(lo: number, hi: number): number[] {
    const out: number[] = [];
    if (hi < lo) return out;
    let i = this.runOfSeq(lo);
    let uid = this.at(lo)!;
    for (let seq = lo; seq <= hi; seq++) {
      out.push(uid);
      if (uid < this.runs[2 * i + 1]!) uid++;
      else if (++i < this.before.length) uid = this.runs[2 * i]!;
    }
    return out;
  }

  /** UIDs held within [lo, hi]. */
  inRange(lo: number, hi: number): number[] {
    const out: number[] = [];
    // The first run that ends at lo or later.
    let a = 0;
    let b = this.runs.length >>> 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.runs[2 * mid + 1]! < lo) a = mid + 1;
      else b = mid;
    }
    for (let i = 2 * a; i < this.runs.length; i += 2) {
      const first = Math.max(lo, this.runs[i]!);
      const last = Math.min(hi, this.runs[i + 1]!);
      for (let u = first; u <= last; u++) out.push(u);
      if (this.runs[i + 1]! >= hi) break;
    }
    return out;
  }

  /** How many UIDs held are at most `uid`. */
  rank(uid: number): number {
    // The last run that starts at `uid` or lower.
    let a = 0;
    let b = (this.runs.length >>> 1) - 1;
    let found = -1;
    while (a <= b) {
      const mid = (a + b) >>> 1;
      if (this.runs[2 * mid]! <= uid) {
        found = mid;
        a = mid + 1;
      } else b = mid - 1;
    }
    if (found < 0) return 0;
    return this.before[found]! + Math.min(uid, this.runs[2 * found + 1]!) - this.runs[2 * found]! + 1;
  }

  /**
   * Removes the UIDs of `gone` that are held; returns them with their
   * sequence numbers before the removal, highest first.
   */
  remove(gone: Iterable<number>): Array<{ seq: number; uid: number }> {
    const removed: Array<{ seq: number; uid: number }> = [];
    for (const uid of new Set(gone)) {
      const seq = this.seqOf(uid);
      if (seq) removed.push({ seq, uid });
    }
    if (removed.length === 0) return removed;
    removed.sort((a, b) => b.seq - a.seq);
    // Rebuild the runs without them: walk both in ascending order.
    const drop = removed.map((r) => r.uid).reverse();
    const runs = this.runs;
    this.runs = [];
    this.before = [];
    this.count = 0;
    let d = 0;
    for (let i = 0; i < runs.length; i += 2) {
      let from = runs[i]!;
      const to = runs[i + 1]!;
      while (d < drop.length && drop[d]! <= to) {
        if (drop[d]! > from) this.addRun(from, drop[d]! - 1);
        from = drop[d]! + 1;
        d++;
      }
      if (from <= to) this.addRun(from, to);
    }
    return removed;
  }

  private addRun(first: number, last: number): void {
    this.before.push(this.count);
    this.runs.push(first, last);
    this.count += last - first + 1;
  }
}
