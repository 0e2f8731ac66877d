// EXPUNGE: removes \Deleted messages (optionally only within UID ranges) and
// remembers each UID with the MODSEQ of its removal, for QRESYNC.
import type { Queryable } from '@kimap/common';
import { releaseQuota } from './bodies.js';
import { notFound } from './errors.js';
import { uidRangeCondition, type UidRange } from './messages.js';
import { recordChange } from './outbox.js';

export interface ExpungeResult {
  uids: number[];
  highestmodseq: number;
}

/** Removes the given messages (all of them, \Deleted or not) under one new MODSEQ. */
export async function removeMessages(tx: Queryable, accountId: number, mailboxId: number, where: { ranges?: UidRange[]; deletedOnly: boolean; keepQuota?: boolean }): Promise<ExpungeResult> {
  const mb = await tx.query<{ highestmodseq: number }>(
    'SELECT highestmodseq FROM mailboxes WHERE account_id = $1 AND mailbox_id = $2 FOR UPDATE',
    [accountId, mailboxId],
  );
  if (!mb.rows[0]) throw notFound('Mailbox no longer exists');
  const modseq = mb.rows[0].highestmodseq + 1;
  const conditions = ['account_id = $1', 'mailbox_id = $2'];
  const params: unknown[] = [accountId, mailboxId];
  if (where.deletedOnly) conditions.push("'\\Deleted' = ANY (flags)");
  if (where.ranges) {
    const cond = uidRangeCondition(where.ranges, 3);
    conditions.push(cond.sql);
    params.push(...cond.params);
  }
  const { rows } = await tx.query<{ uid: number; size: number }>(
    `DELETE FROM messages WHERE ${conditions.join(' AND ')} RETURNING uid, size`,
    params,
  );
  if (rows.length === 0) return { uids: [], highestmodseq: mb.rows[0].highestmodseq };
  const uids = rows.map((r) => r.uid).sort((a, b) => a - b);
  await tx.query(
    `INSERT INTO expunged (account_id, mailbox_id, uid, modseq) SELECT $1, $2, u, $3 FROM unnest($4::bigint[]) AS u
     ON CONFLICT (account_id, mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq`,
    [accountId, mailboxId, modseq, uids],
  );
  await tx.query('UPDATE mailboxes SET highestmodseq = $3 WHERE account_id = $1 AND mailbox_id = $2', [accountId, mailboxId, modseq]);
  // A MOVE keeps the bytes in the account.
  if (!where.keepQuota) await releaseQuota(tx, accountId, rows);
  await recordChange(tx, { accountId, mailboxId, modseq, kind: 'expunge' });
  return { uids, highestmodseq: modseq };
}
