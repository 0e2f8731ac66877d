// Messages of another account's mailbox, as a grantee reaches them (RFC 4314,
// migration 0013): its own \Seen (seen_by) over the mailbox's other flags,
// and only the flags its rights let it set.
import type { Queryable } from '@kimap/common';
import { fromWriteFunction, notFound } from './errors.js';
import { removeMessages } from './expunge.js';
import type { StoredFlags, StoreMode, StoreResult } from './flags.js';
import { cleanFlags } from './messages.js';
import { normalizeMailboxName } from './names.js';
import { recordChange, recorded } from './outbox.js';
import { chargeQuota } from './quota.js';
import { rangeArgs, readerFlags, readerSeen, uidRangeCondition, uidRuns, type UidRange } from './sql.js';

const SEEN = '\\Seen';
const DELETED = '\\Deleted';

/** Whether a right lets a grantee set `flag` on a message (RFC 4314 4: s \Seen, t \Deleted, w the rest). */
export function mayFlag(flag: string, rights: string): boolean {
  return rights.includes(flag === SEEN ? 's' : flag === DELETED ? 't' : 'w');
}

/** The flags of `flags` (cleaned) that `rights` let a grantee set. */
export function permittedFlags(flags: string[], rights: string): string[] {
  return cleanFlags(flags).filter((f) => mayFlag(f, rights));
}

/** STORE by a grantee: kimap_store_shared (migration 0013). */
export async function storeSharedFlags(
  db: Queryable,
  ownerId: number,
  mailboxId: number,
  readerId: number,
  rights: string,
  ranges: UidRange[],
  mode: StoreMode,
  flags: string[],
  unchangedSince = 0,
): Promise<StoreResult> {
  let rows: Array<StoredFlags & { event_id: number | null }>;
  try {
    ({ rows } = await db.query<StoredFlags & { event_id: number | null }>(
      'SELECT uid, modseq, flags, modified, event_id FROM kimap_store_shared($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      [ownerId, mailboxId, readerId, ...rangeArgs(ranges), mode, cleanFlags(flags), unchangedSince, rights],
    ));
  } catch (err) {
    fromWriteFunction(err);
  }
  const eventId = rows[0]?.event_id;
  const modseq = rows.reduce((m, r) => Math.max(m, r.modseq), 0);
  return {
    rows: rows.map((r) => ({ uid: r.uid, modseq: r.modseq, flags: r.flags, modified: r.modified })),
    ...(eventId ? { event: recorded(ownerId, mailboxId, modseq, 'flags', eventId) } : {}),
  };
}

/** Marks messages seen by a reader (after a grantee's APPEND or COPY with \Seen), in the caller's transaction. */
export async function markSeenBy(tx: Queryable, ownerId: number, mailboxId: number, readerId: number, uids: number[]): Promise<void> {
  if (uids.length === 0) return;
  await tx.query(
    `INSERT INTO seen_by (account_id, mailbox_id, reader_id, uid) SELECT $1, $2, $3, u FROM unnest($4::bigint[]) AS u ON CONFLICT DO NOTHING`,
    [ownerId, mailboxId, readerId, uids],
  );
}

/** The messages of a mailbox a reader has not seen (STATUS UNSEEN of a grantee). */
export async function unseenBy(db: Queryable, ownerId: number, mailboxId: number, readerId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages m WHERE m.account_id = $1 AND m.mailbox_id = $2 AND NOT ${readerSeen('$3')}`,
    [ownerId, mailboxId, readerId],
  );
  return rows[0]?.n ?? 0;
}

/** One side of a COPY or MOVE between mailboxes that are not all the principal's own. */
export interface CopySide {
  accountId: number;
  /** The principal owns it: flags as stored; otherwise its own \Seen and the mailbox's other flags. */
  own: boolean;
  /** The principal's rights there. */
  rights: string;
}

export interface SharedCopyResult {
  uidvalidity: number;
  sourceUids: number[];
  destinationUids: number[];
  destinationId: number;
}

/**
 * COPY and MOVE where a side is another account's mailbox (RFC 4314 4): the
 * copies carry the flags as the principal sees them, less those it may not
 * set in the destination (its \Seen there is its own when it is not the
 * owner); bodies are stored in the destination's account when it is another
 * one, whose quota pays for them. MOVE removes the originals in the same
 * transaction, and gives their bytes back when they leave the account.
 */
export async function copyShared(
  tx: Queryable,
  principalId: number,
  source: CopySide & { mailboxId: number },
  ranges: UidRange[],
  dest: CopySide & { name: string },
  move: boolean,
): Promise<SharedCopyResult> {
  const destName = normalizeMailboxName(dest.name);
  // Both rows locked in id order: two crossing MOVEs cannot deadlock.
  const { rows: boxes } = await tx.query<{ account_id: number; mailbox_id: number; name: string; uidvalidity: number; uidnext: number }>(
    `SELECT account_id, mailbox_id, name, uidvalidity, uidnext FROM mailboxes
      WHERE (account_id = $1 AND mailbox_id = $2) OR (account_id = $3 AND name = $4) ORDER BY mailbox_id FOR UPDATE`,
    [source.accountId, source.mailboxId, dest.accountId, destName],
  );
  const target = boxes.find((b) => b.account_id === dest.accountId && b.name === destName);
  if (!boxes.some((b) => b.account_id === source.accountId && b.mailbox_id === source.mailboxId))
    throw notFound('Mailbox no longer exists');
  if (!target) throw notFound(`Mailbox does not exist: ${dest.name}`, 'TRYCREATE');
  const cond = uidRangeCondition(ranges, 3, 'm.uid');
  const flagsSql = source.own ? 'm.flags' : readerFlags(`$${3 + cond.params.length}`);
  const { rows: src } = await tx.query<{ uid: number; size: number; body_hash: Buffer; flags: string[] }>(
    `SELECT m.uid, m.size, m.body_hash, ${flagsSql} AS flags FROM messages m
      WHERE m.account_id = $1 AND m.mailbox_id = $2 AND ${cond.sql} ORDER BY m.uid`,
    [source.accountId, source.mailboxId, ...cond.params, ...(source.own ? [] : [principalId])],
  );
  const none = { uidvalidity: target.uidvalidity, sourceUids: [], destinationUids: [], destinationId: target.mailbox_id };
  if (src.length === 0) return none;
  if (target.uidnext + src.length > 4294967296) throw notFound('The destination has run out of UIDs', 'LIMIT');
  const across = source.accountId !== dest.accountId;
  if (move && across) {
    // Both accounts' usage changes (charged here, given back by the removal below):
    // their rows locked in id order, so that two MOVEs in opposite directions cannot deadlock.
    await tx.query('SELECT count(*) FROM (SELECT 1 FROM accounts WHERE account_id IN ($1, $2) ORDER BY account_id FOR UPDATE) locked', [
      source.accountId,
      dest.accountId,
    ]);
  }
  if (!move || across) {
    await chargeQuota(
      tx,
      dest.accountId,
      src.reduce((n, r) => n + Number(r.size), 0),
      src.length,
    );
  }
  if (across) {
    await tx.query(
      `INSERT INTO message_bodies (account_id, body_hash, size, header_size, raw, envelope, body_structure, search_header, search_body)
       SELECT $1, b.body_hash, b.size, b.header_size, b.raw, b.envelope, b.body_structure, b.search_header, b.search_body
         FROM message_bodies b WHERE b.account_id = $2 AND b.body_hash = ANY ($3::bytea[])
       ON CONFLICT (account_id, body_hash) DO NOTHING`,
      [dest.accountId, source.accountId, src.map((r) => r.body_hash)],
    );
  }
  const alloc = await tx.query<{ first: number; modseq: number }>(
    `UPDATE mailboxes SET uidnext = uidnext + $3, highestmodseq = highestmodseq + 1
      WHERE account_id = $1 AND mailbox_id = $2 RETURNING uidnext - $3 AS first, highestmodseq AS modseq`,
    [dest.accountId, target.mailbox_id, src.length],
  );
  const { first, modseq } = alloc.rows[0]!;
  const sourceUids = src.map((r) => r.uid);
  const destinationUids = sourceUids.map((_, i) => first + i);
  // What each copy is stored with, and whether the principal has seen it (as a grantee there).
  const stored = src.map((r) => (dest.own ? r.flags : r.flags.filter((f) => f !== SEEN && mayFlag(f, dest.rights))));
  const seen = dest.own ? [] : destinationUids.filter((_, i) => src[i]!.flags.includes(SEEN) && dest.rights.includes('s'));
  await tx.query(
    `INSERT INTO messages (account_id, mailbox_id, uid, modseq, body_hash, size, internal_date, flags, search_fields)
     SELECT $3, $4, c.dest, $5, m.body_hash, m.size, m.internal_date, ARRAY(SELECT jsonb_array_elements_text(c.flags)), m.search_fields
       FROM unnest($6::bigint[], $7::bigint[], $8::jsonb[]) AS c(src, dest, flags)
       JOIN messages m ON m.account_id = $1 AND m.mailbox_id = $2 AND m.uid = c.src`,
    [
      source.accountId,
      source.mailboxId,
      dest.accountId,
      target.mailbox_id,
      modseq,
      sourceUids,
      destinationUids,
      stored.map((f) => JSON.stringify(f)),
    ],
  );
  await markSeenBy(tx, dest.accountId, target.mailbox_id, principalId, seen);
  await recordChange(tx, { accountId: dest.accountId, mailboxId: target.mailbox_id, modseq, kind: 'append' });
  if (move) {
    // Exactly the originals: an open range (1:*) of a MOVE into the source itself would take the copies too.
    await removeMessages(tx, source.accountId, source.mailboxId, { ranges: uidRuns(sourceUids), deletedOnly: false, keepQuota: !across });
  }
  return { uidvalidity: target.uidvalidity, sourceUids, destinationUids, destinationId: target.mailbox_id };
}
