/**
 * IMAP sequence sets (RFC 9051 `sequence-set`, RFC 5182 `$`).
 *
 * A set is kept as the client wrote it — ranges may use `*`, be reversed
 * (`5:2` means 2:5) or overlap — because `*` only gets a value once the
 * handler knows the mailbox size. `resolve(max)` turns it into sorted,
 * merged, concrete ranges.
 */

import { MAX_UID } from '@kimap/common';
import { ParseError } from './errors.js';

/** A range endpoint: a positive number or `*` (largest number in use). */
export type SeqBound = number | '*';

export interface SeqRange {
  readonly start: SeqBound;
  readonly end: SeqBound;
}

/** Concrete inclusive range [first, last] with first <= last. */
export type ResolvedRange = readonly [first: number, last: number];

const MAX_NZ = MAX_UID;

export class SequenceSet {
  /**
   * @param ranges   the ranges as written
   * @param searchResult true if the set contains `$` (SEARCHRES): the caller
   *                     must substitute the saved search result
   */
  constructor(
    readonly ranges: readonly SeqRange[],
    readonly searchResult = false,
  ) {}

  /** Parse `1,3:5,7:*` / `$`. Throws ParseError. */
  static parse(s: string): SequenceSet {
    if (s.length === 0) throw new ParseError('Empty sequence set');
    const ranges: SeqRange[] = [];
    let searchResult = false;
    for (const item of s.split(',')) {
      if (item === '$') {
        searchResult = true;
        continue;
      }
      const colon = item.indexOf(':');
      if (colon < 0) {
        const n = parseBound(item);
        ranges.push({ start: n, end: n });
      } else {
        ranges.push({ start: parseBound(item.slice(0, colon)), end: parseBound(item.slice(colon + 1)) });
      }
    }
    return new SequenceSet(ranges, searchResult);
  }

  /** Compact, sorted set from concrete numbers (duplicates allowed). */
  static fromNumbers(numbers: Iterable<number>): SequenceSet {
    const sorted = [...numbers].sort((a, b) => a - b);
    return new SequenceSet(mergeSorted(sorted.map((n) => [n, n] as const)).map(([start, end]) => ({ start, end })));
  }

  /** Set from concrete ranges (merged). */
  static fromRanges(ranges: Iterable<ResolvedRange>): SequenceSet {
    const sorted = [...ranges].map(([a, b]) => (a <= b ? ([a, b] as const) : ([b, a] as const))).sort((x, y) => x[0] - y[0]);
    return new SequenceSet(mergeSorted(sorted).map(([start, end]) => ({ start, end })));
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0 && !this.searchResult;
  }

  /** True if `*` appears anywhere. */
  get hasStar(): boolean {
    return this.ranges.some((r) => r.start === '*' || r.end === '*');
  }

  /** Largest explicit number (ignoring `*`), 0 if none. For "message sequence number too large" checks. */
  get maxExplicit(): number {
    let m = 0;
    for (const r of this.ranges) {
      if (r.start !== '*' && r.start > m) m = r.start;
      if (r.end !== '*' && r.end > m) m = r.end;
    }
    return m;
  }

  /** The set as written (items in order), e.g. `1:3,5,7:*`. Single-number ranges print as one number. */
  format(): string {
    const items = this.ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}:${r.end}`));
    if (this.searchResult) items.push('$');
    return items.join(',');
  }

  toString(): string {
    return this.format();
  }

  /**
   * Concrete sorted, merged ranges within 1..max; `*` means `max`.
   * Numbers above `max` are clipped (UID semantics: `100:*` with max 50 is 50:100 -> [50,50]).
   * `$` is ignored: substitute it first with `withSearchResult`.
   */
  resolve(max: number): ResolvedRange[] {
    if (max <= 0) return [];
    const out: [number, number][] = [];
    for (const r of this.ranges) {
      let a = r.start === '*' ? max : r.start;
      let b = r.end === '*' ? max : r.end;
      if (a > b) [a, b] = [b, a];
      if (a > max) continue;
      out.push([a, Math.min(b, max)]);
    }
    out.sort((x, y) => x[0] - y[0]);
    return mergeSorted(out);
  }

  /** Membership with `*` = max. */
  contains(n: number, max: number): boolean {
    for (const r of this.ranges) {
      let a = r.start === '*' ? max : r.start;
      let b = r.end === '*' ? max : r.end;
      if (a > b) [a, b] = [b, a];
      if (n >= a && n <= b) return true;
    }
    return false;
  }

  /** Ascending unique numbers within 1..max. */
  *values(max: number): Generator<number, void, undefined> {
    for (const [a, b] of this.resolve(max)) for (let n = a; n <= b; n++) yield n;
  }

  /** How many numbers `values(max)` yields. */
  count(max: number): number {
    let c = 0;
    for (const [a, b] of this.resolve(max)) c += b - a + 1;
    return c;
  }

  /** Replace `$` by the saved search result (RFC 5182). */
  withSearchResult(saved: SequenceSet): SequenceSet {
    if (!this.searchResult) return this;
    return new SequenceSet([...this.ranges, ...saved.ranges], false);
  }
}

function parseBound(s: string): SeqBound {
  if (s === '*') return '*';
  if (!/^[1-9][0-9]{0,9}$/.test(s)) throw new ParseError(`Invalid sequence set item "${s.slice(0, 20)}"`);
  const n = Number(s);
  if (n > MAX_NZ) throw new ParseError('Sequence number out of range');
  return n;
}

/** Merge overlapping/adjacent ranges of a list sorted by start. */
function mergeSorted(sorted: readonly ResolvedRange[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) {
      if (b > last[1]) last[1] = b;
    } else {
      out.push([a, b]);
    }
  }
  return out;
}

/**
 * Compact uid-set for COPYUID/APPENDUID (RFC 4315). Order is preserved —
 * the source and destination sets of COPYUID correspond element by element —
 * so only ascending consecutive runs are collapsed: [1,2,3,7,5,6] -> `1:3,7,5:6`.
 */
export function formatUidSet(uids: Iterable<number>): string {
  const items: string[] = [];
  let start = -1;
  let prev = -1;
  const flush = (): void => {
    if (start >= 0) items.push(start === prev ? String(start) : `${start}:${prev}`);
  };
  for (const uid of uids) {
    if (start >= 0 && uid === prev + 1) {
      prev = uid;
      continue;
    }
    flush();
    start = prev = uid;
  }
  flush();
  return items.join(',');
}
