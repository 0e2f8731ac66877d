// Subscriptions (RFC 9051 6.3.7): names a user follows, which may outlive their mailbox.
import type { Queryable } from '@kimap/common';
import { notFound } from './errors.js';
import { findMailbox } from './mailboxes.js';
import { normalizeMailboxName } from './names.js';
import { recordChange } from './outbox.js';

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
