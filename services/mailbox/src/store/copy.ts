// COPY and MOVE: new rows in the destination pointing at the same bodies,
// new UIDs allocated in one update of the destination row. MOVE removes the
// originals in the same transaction, also when the destination is the source
// itself (the messages then come back under new UIDs, RFC 6851 3.3).
import type { Queryable } from '@kimap/common';
import { notFound } from './errors.js';
import { removeMessages } from './expunge.js';
import { normalizeMailboxName } from './names.js';
import { chargeQuota } from './quota.js';
import { uidRangeCondition, uidRuns, type UidRange } from './sql.js';
import { recordChange } from './outbox.js';

export interface CopyResult {
  uidvalidity: number;
  sourceUids: number[];
  destinationUids: number[];
  destinationId: number;
}

export async function copyMessages(
  tx: Queryable,
  accountId: number,
  sourceId: number,
  ranges: UidRange[],
  destination: string,
  move: boolean,
): Promise<CopyResult> {
  const destName = normalizeMailboxName(destination);
  // Lock both mailbox rows in id order: two crossing MOVEs cannot deadlock.
  const { rows: boxes } = await tx.query<{ mailbox_id: number; name: string; uidvalidity: number; uidnext: number }>(
    `SELECT mailbox_id, name, uidvalidity, uidnext FROM mailboxes
      WHERE account_id = $1 AND (mailbox_id = $2 OR name = $3) ORDER BY mailbox_id FOR UPDATE`,
    [accountId, sourceId, destName],
  );
  const dest = boxes.find((b) => b.name === destName);
  if (!boxes.some((b) => b.mailbox_id === sourceId)) throw notFound('Mailbox no longer exists');
  if (!dest) throw notFound(`Mailbox does not exist: ${destination}`, 'TRYCREATE');
  const cond = uidRangeCondition(ranges, 3);
  const { rows: src } = await tx.query<{ uid: number; size: number }>(
    `SELECT uid, size FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND ${cond.sql} ORDER BY uid`,
    [accountId, sourceId, ...cond.params],
  );
  if (src.length === 0) return { uidvalidity: dest.uidvalidity, sourceUids: [], destinationUids: [], destinationId: dest.mailbox_id };
  if (dest.uidnext + src.length > 4294967296) throw notFound('The destination has run out of UIDs', 'LIMIT');
  // A MOVE within the account adds nothing: the originals go.
  if (!move) {
    await chargeQuota(
      tx,
      accountId,
      src.reduce((n, r) => n + Number(r.size), 0),
      src.length,
    );
  }
  const alloc = await tx.query<{ first: number; modseq: number }>(
    `UPDATE mailboxes SET uidnext = uidnext + $3, highestmodseq = highestmodseq + 1
      WHERE account_id = $1 AND mailbox_id = $2 RETURNING uidnext - $3 AS first, highestmodseq AS modseq`,
    [accountId, dest.mailbox_id, src.length],
  );
  const { first, modseq } = alloc.rows[0]!;
  const sourceUids = src.map((r) => r.uid);
  const destinationUids = sourceUids.map((_, i) => first + i);
  await tx.query(
    `INSERT INTO messages (account_id, mailbox_id, uid, modseq, body_hash, size, internal_date, flags, search_fields)
     SELECT m.account_id, $3, c.dest, $4, m.body_hash, m.size, m.internal_date, m.flags, m.search_fields
       FROM unnest($5::bigint[], $6::bigint[]) AS c(src, dest)
       JOIN messages m ON m.account_id = $1 AND m.mailbox_id = $2 AND m.uid = c.src`,
    [accountId, sourceId, dest.mailbox_id, modseq, sourceUids, destinationUids],
  );
  await recordChange(tx, { accountId, mailboxId: dest.mailbox_id, modseq, kind: 'append' });
  if (move) {
    // Exactly the originals: an open range (1:*) of a MOVE into the source itself would take the copies too.
    await removeMessages(tx, accountId, sourceId, { ranges: uidRuns(sourceUids), deletedOnly: false, keepQuota: true });
  }
  return { uidvalidity: dest.uidvalidity, sourceUids, destinationUids, destinationId: dest.mailbox_id };
}
