// DELETE, RENAME and subscriptions.
import { grpc, RpcError, type Queryable } from '@kimap/common';
import { invalid, notFound, alreadyExists } from './errors.js';
import { findMailbox, listMailboxes } from './mailboxes.js';
import { DELIMITER, normalizeMailboxName, parentNames, validateMailboxName } from './names.js';
import { recordChange } from './outbox.js';
import { releaseQuota } from './bodies.js';
import { insertMailbox } from './accounts.js';

/**
 * Deletes a mailbox and its messages. A mailbox with children is refused:
 * this store has no \Noselect placeholders to leave behind, and deleting the
 * children along with it would surprise the user.
 */
export async function deleteMailbox(tx: Queryable, accountId: number, rawName: string): Promise<number> {
  const name = normalizeMailboxName(rawName);
  if (name === 'INBOX') throw invalid('INBOX cannot be deleted');
  const mb = await findMailbox(tx, accountId, name, true);
  const all = await listMailboxes(tx, accountId);
  if (all.some((m) => m.name.startsWith(name + DELIMITER))) {
    throw new RpcError(grpc.status.FAILED_PRECONDITION, 'Mailbox has children, delete them first', 'HASCHILDREN');
  }
  const { rows } = await tx.query<{ size: number }>(
    'DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2 RETURNING size',
    [accountId, mb.mailboxId],
  );
  await releaseQuota(tx, accountId, rows);
  await tx.query('DELETE FROM mailboxes WHERE account_id = $1 AND mailbox_id = $2', [accountId, mb.mailboxId]);
  await recordChange(tx, { accountId, mailboxId: mb.mailboxId, modseq: 0, kind: 'mailbox' });
  return mb.mailboxId;
}

/**
 * Renames a mailbox and every mailbox below it. Renaming INBOX moves its
 * messages into a new mailbox of that name and leaves INBOX empty; INBOX's
 * children stay where they are (RFC 9051 6.3.6).
 */
export async function renameMailbox(tx: Queryable, accountId: number, fromRaw: string, toRaw: string): Promise<void> {
  const from = normalizeMailboxName(fromRaw);
  const to = validateMailboxName(toRaw);
  const source = await findMailbox(tx, accountId, from, true);
  if (to === from) throw alreadyExists(`Mailbox ${to} exists`);
  if (to === 'INBOX' || to.startsWith(from + DELIMITER)) throw invalid('Cannot rename a mailbox into itself or to INBOX');
  const all = await listMailboxes(tx, accountId);
  if (all.some((m) => m.name === to)) throw alreadyExists(`Mailbox ${to} exists`);
  for (const parent of parentNames(to)) {
    if (all.some((m) => m.name === parent) || parent === from) continue;
    await insertMailbox(tx, accountId, parent, null);
  }
  if (from === 'INBOX') {
    const target = await insertMailbox(tx, accountId, to, null);
    await moveAllMessages(tx, accountId, source.mailboxId, target.mailboxId);
  } else {
    // Children first in one statement: prefix replacement keeps the hierarchy.
    await tx.query(
      `UPDATE mailboxes SET name = $3 || substr(name, length($2) + 1)
        WHERE account_id = $1 AND (name = $2 OR left(name, length($2) + 1) = $2 || '/')`,
      [accountId, from, to],
    );
  }
  await recordChange(tx, { accountId, mailboxId: source.mailboxId, modseq: 0, kind: 'mailbox' });
}

/** Moves every message of one mailbox into another (RENAME INBOX): new UIDs there, tombstones here. */
async function moveAllMessages(tx: Queryable, accountId: number, fromId: number, toId: number): Promise<void> {
  const { rows } = await tx.query<{ n: number; modseq: number }>(
    `UPDATE mailboxes SET highestmodseq = highestmodseq + 1 WHERE account_id = $1 AND mailbox_id = $2 RETURNING highestmodseq AS modseq,
       (SELECT count(*) FROM messages WHERE account_id = $1 AND mailbox_id = $2)::bigint AS n`,
    [accountId, fromId],
  );
  const { n, modseq } = rows[0]!;
  if (n === 0) return;
  const target = await tx.query<{ first: number; modseq: number }>(
    `UPDATE mailboxes SET uidnext = uidnext + $3, highestmodseq = highestmodseq + 1
      WHERE account_id = $1 AND mailbox_id = $2 RETURNING uidnext - $3 AS first, highestmodseq AS modseq`,
    [accountId, toId, n],
  );
  const { first, modseq: toModseq } = target.rows[0]!;
  await tx.query(
    `INSERT INTO messages (account_id, mailbox_id, uid, modseq, body_hash, size, internal_date, flags, search_fields)
     SELECT account_id, $3, $4 + row_number() OVER (ORDER BY uid) - 1, $5, body_hash, size, internal_date, flags, search_fields
       FROM messages WHERE account_id = $1 AND mailbox_id = $2`,
    [accountId, fromId, toId, first, toModseq],
  );
  await tx.query(
    `WITH gone AS (DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2 RETURNING uid)
     INSERT INTO expunged (account_id, mailbox_id, uid, modseq) SELECT $1, $2, uid, $3 FROM gone
     ON CONFLICT (account_id, mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq`,
    [accountId, fromId, modseq],
  );
  await recordChange(tx, { accountId, mailboxId: fromId, modseq, kind: 'expunge' });
  await recordChange(tx, { accountId, mailboxId: toId, modseq: toModseq, kind: 'append' });
}

export async function setSubscribed(tx: Queryable, accountId: number, rawName: string, subscribed: boolean): Promise<void> {
  const name = normalizeMailboxName(rawName);
  if (subscribed) {
    // Subscribing needs an existing mailbox; unsubscribing works for any name.
    await findMailbox(tx, accountId, name);
    await tx.query('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, name]);
  } else {
    const r = await tx.query('DELETE FROM subscriptions WHERE account_id = $1 AND name = $2', [accountId, name]);
    if (r.rowCount === 0) throw notFound(`Not subscribed to ${name}`);
  }
  await recordChange(tx, { accountId, mailboxId: 0, modseq: 0, kind: 'mailbox' });
}

/** Subscribed names that no longer have a mailbox (LIST shows them as \NonExistent). */
export async function orphanSubscriptions(db: Queryable, accountId: number): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT s.name FROM subscriptions s WHERE s.account_id = $1
       AND NOT EXISTS (SELECT 1 FROM mailboxes m WHERE m.account_id = s.account_id AND m.name = s.name) ORDER BY s.name`,
    [accountId],
  );
  return rows.map((r) => r.name);
}
