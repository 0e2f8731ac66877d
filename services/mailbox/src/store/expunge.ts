// EXPUNGE: removes \Deleted messages (optionally only within UID ranges) and
// remembers each UID with the MODSEQ of its removal, for QRESYNC. One
// statement (kimap_expunge, migration 0006).
import type { Queryable } from '@kimap/common';
import { fromWriteFunction } from './errors.js';
import { rangeArgs, type UidRange } from './sql.js';
import { recorded, type RecordedEvent } from './outbox.js';

export interface ExpungeResult {
  uids: number[];
  highestmodseq: number;
  /** The outbox event; undefined when nothing was removed. */
  event?: RecordedEvent;
}

const EVERYTHING: UidRange[] = [{ first: 1, last: 0 }];

/** Removes the given messages (all of them, \Deleted or not) under one new MODSEQ. */
export async function removeMessages(
  db: Queryable,
  accountId: number,
  mailboxId: number,
  where: { ranges?: UidRange[]; deletedOnly: boolean; keepQuota?: boolean },
): Promise<ExpungeResult> {
  let row: { uids: number[]; highestmodseq: number; event_id: number | null } | undefined;
  try {
    ({
      rows: [row],
    } = await db.query<NonNullable<typeof row>>('SELECT * FROM kimap_expunge($1, $2, $3, $4, $5, $6, $7, $8)', [
      accountId,
      mailboxId,
      ...rangeArgs(where.ranges?.length ? where.ranges : EVERYTHING),
      where.deletedOnly,
      where.keepQuota ?? false,
    ]));
  } catch (err) {
    fromWriteFunction(err);
  }
  const r = row!;
  const uids = r.uids.map(Number);
  const event = recorded(accountId, mailboxId, r.highestmodseq, 'expunge', r.event_id);
  return { uids, highestmodseq: r.highestmodseq, ...(event ? { event } : {}) };
}
