// STORE: flag changes, in one statement (kimap_store, migration 0006): under
// the mailbox row's lock, flags are changed (compared case-insensitively) and
// written back only on the messages where they change, under one new MODSEQ.
import type { Queryable } from '@kimap/common';
import { fromWriteFunction } from './errors.js';
import { cleanFlags } from './messages.js';
import { rangeArgs, type UidRange } from './sql.js';
import { recorded, type RecordedEvent } from './outbox.js';

export type StoreMode = 'replace' | 'add' | 'remove';

export interface StoredFlags {
  uid: number;
  modseq: number;
  flags: string[];
  /** Not changed because it was modified after UNCHANGEDSINCE. */
  modified: boolean;
}

export interface StoreResult {
  rows: StoredFlags[];
  /** The outbox event; undefined when no message changed. */
  event?: RecordedEvent;
}

export async function storeFlags(
  db: Queryable,
  accountId: number,
  mailboxId: number,
  ranges: UidRange[],
  mode: StoreMode,
  flags: string[],
  unchangedSince = 0,
): Promise<StoreResult> {
  let rows: Array<StoredFlags & { event_id: number | null }>;
  try {
    ({ rows } = await db.query<StoredFlags & { event_id: number | null }>(
      'SELECT uid, modseq, flags, modified, event_id FROM kimap_store($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [accountId, mailboxId, ...rangeArgs(ranges), mode, cleanFlags(flags), unchangedSince],
    ));
  } catch (err) {
    fromWriteFunction(err);
  }
  const eventId = rows[0]?.event_id;
  // The new MODSEQ is above every other one in the mailbox.
  const modseq = rows.reduce((m, r) => Math.max(m, r.modseq), 0);
  return {
    rows: rows.map((r) => ({ uid: r.uid, modseq: r.modseq, flags: r.flags, modified: r.modified })),
    ...(eventId ? { event: recorded(accountId, mailboxId, modseq, 'flags', eventId) } : {}),
  };
}
