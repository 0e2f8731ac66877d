// SQL fragments and the types they take, shared by the store's modules: UID
// ranges as conditions and write-function arguments, the lateral join to a
// message's body, and the case folding that stored search text and search
// strings agree on. Nothing here imports another store module.
import { MAX_UID } from '@kimap/common';

export interface UidRange {
  first: number;
  /** 0: up to the highest UID. */
  last: number;
}

/** Each range as [lowest, highest] UID (an open end, 0, is the highest UID there can be). */
export function uidSpans(ranges: UidRange[]): Array<[number, number]> {
  return ranges.map((r) => (r.last === 0 ? [r.first, MAX_UID] : [Math.min(r.first, r.last), Math.max(r.first, r.last)]));
}

export { uidRuns } from '@kimap/common';

/** The first four parameters of the write functions that take UID ranges: overall bounds, then the ranges when there are several. */
export function rangeArgs(ranges: UidRange[]): [number, number, number[] | null, number[] | null] {
  const spans = uidSpans(ranges);
  const lows = spans.map(([lo]) => lo);
  const highs = spans.map(([, hi]) => hi);
  return [Math.min(...lows), Math.max(...highs), ranges.length > 1 ? lows : null, ranges.length > 1 ? highs : null];
}

/**
 * SQL condition and parameters selecting UIDs in ranges; params start at
 * $index. The overall bounds come first so that the planner can walk the
 * primary key's range instead of the whole mailbox.
 */
export function uidRangeCondition(ranges: UidRange[], index: number, column = 'uid'): { sql: string; params: unknown[] } {
  const [lo, hi, lows, highs] = rangeArgs(ranges);
  if (!lows) return { sql: `${column} BETWEEN $${index} AND $${index + 1}`, params: [lo, hi] };
  return {
    sql: `${column} BETWEEN $${index} AND $${index + 1}
          AND EXISTS (SELECT 1 FROM unnest($${index + 2}::bigint[], $${index + 3}::bigint[]) AS r(lo, hi) WHERE ${column} BETWEEN r.lo AND r.hi)`,
    params: [lo, hi, lows, highs],
  };
}

/**
 * Each message's body, looked up by its primary key (the OFFSET 0 keeps the
 * planner from turning it into a join of its own choosing: with statistics
 * taken before an account's big import it would scan all of the account's
 * bodies for every message).
 */
export const BODIES_JOIN =
  'CROSS JOIN LATERAL (SELECT * FROM message_bodies b0 WHERE b0.account_id = m.account_id AND b0.body_hash = m.body_hash OFFSET 0) b';

/**
 * Case folding for search, done in code so that it does not depend on the
 * database's locale: the stored search text (APPEND) and the search strings
 * (SEARCH) are folded the same way.
 */
export function foldCase(s: string): string {
  return s.toLowerCase();
}

/**
 * The flags of `messages m` as a reader other than the owner sees them
 * (migration 0013): the message's flags without the owner's \Seen, and
 * \Seen when the reader's own seen_by row is there. `reader` is the
 * reader's account as a bind parameter ($n).
 */
export function readerFlags(reader: string, alias = 'm'): string {
  return `(array_remove(${alias}.flags, '\\Seen') || CASE WHEN ${readerSeen(reader, alias)} THEN ARRAY['\\Seen'] ELSE '{}'::text[] END)`;
}

/** Whether the reader has seen the message `alias` (its own \Seen on another account's mailbox). */
export function readerSeen(reader: string, alias = 'm'): string {
  return `EXISTS (SELECT 1 FROM seen_by s WHERE s.account_id = ${alias}.account_id AND s.mailbox_id = ${alias}.mailbox_id AND s.reader_id = ${reader} AND s.uid = ${alias}.uid)`;
}

/**
 * The recent claim of a read-write IMAP4rev1 SELECT (migration 0014), as a
 * column: {first, next} or NULL. `claim` is the parameter that says whether to
 * claim at all; the function runs only when the row read shows unclaimed UIDs,
 * so a SELECT of a mailbox with nothing new writes nothing.
 */
export const claimColumn = (claim: string, row: string) =>
  `CASE WHEN ${claim}::boolean AND ${row}.first_recent_uid < ${row}.uidnext
        THEN kimap_claim_recent(${row}.account_id, ${row}.mailbox_id) END AS claimed`;

/** The UIDs a claim took, as MailboxStatus carries them (0, 0: none). */
export function claimedRange(claimed: Array<number | string> | null | undefined): { claimedFirst: number; claimedLast: number } {
  if (!claimed) return { claimedFirst: 0, claimedLast: 0 };
  return { claimedFirst: Number(claimed[0]), claimedLast: Number(claimed[1]) - 1 };
}
