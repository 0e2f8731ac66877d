// Message bodies are shared by every message row that holds the same bytes.
// Removing a row only gives its bytes back to the quota (store/quota.ts); bodies no row uses
// any more are swept later by the janitor, so that no delete ever races an
// APPEND of the same bytes (the foreign key settles any overlap).
import type { Queryable } from '@kimap/common';

/** Deletes up to `limit` bodies that no message has used for `graceMs`. Returns how many. */
export async function sweepOrphanBodies(db: Queryable, graceMs: number, limit = 1000): Promise<number> {
  const r = await db.query(
    `DELETE FROM message_bodies b
      WHERE (b.account_id, b.body_hash) IN (
        SELECT o.account_id, o.body_hash FROM message_bodies o
         WHERE o.created_at < now() - $1::bigint * interval '1 millisecond'
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = o.account_id AND m.body_hash = o.body_hash)
         LIMIT $2)`,
    [graceMs, limit],
  );
  return r.rowCount;
}

/**
 * Forgets expunge tombstones older than the retention period, raising each
 * mailbox's floor to the highest MODSEQ forgotten. Returns how many.
 */
export async function purgeTombstones(db: Queryable, retentionMs: number, limit = 10000): Promise<number> {
  const r = await db.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM expunged e WHERE (e.account_id, e.mailbox_id, e.uid) IN (
         SELECT account_id, mailbox_id, uid FROM expunged
          WHERE expunged_at < now() - $1::bigint * interval '1 millisecond' LIMIT $2)
       RETURNING account_id, mailbox_id, uid, modseq),
     -- The readers' seen_by rows of those messages (migration 0013) go with them.
     unseen AS (
       DELETE FROM seen_by s USING gone g WHERE s.account_id = g.account_id AND s.mailbox_id = g.mailbox_id AND s.uid = g.uid),
     floors AS (SELECT account_id, mailbox_id, max(modseq) AS floor FROM gone GROUP BY account_id, mailbox_id),
     raised AS (
       UPDATE mailboxes m SET expunged_floor_modseq = greatest(m.expunged_floor_modseq, f.floor)
         FROM floors f WHERE m.account_id = f.account_id AND m.mailbox_id = f.mailbox_id RETURNING 1)
     SELECT count(*)::bigint AS n FROM gone`,
    [retentionMs, limit],
  );
  return r.rows[0]?.n ?? 0;
}
