// Subscriptions (RFC 9051 6.3.7): names a user follows, which may outlive their mailbox.
import { sharedMailboxName, type Queryable } from '@kimap/common';
import type { MailboxInfo__Output } from '@kimap/common/generated/mail/v1/MailboxInfo';
import { normalizeUsername } from './accounts.js';
import { mailboxAccess, requireRight } from './acl.js';
import { notFound } from './errors.js';
import { findMailbox } from './mailboxes.js';
import { normalizeMailboxName } from './names.js';
import { recordChange } from './outbox.js';

/**
 * Subscribes the account to one of its mailboxes, or (with `owner`) to
 * another account's mailbox it has the l right on; that subscription is kept
 * under the name the account knows the mailbox by (sharedMailboxName).
 * Subscribing needs an existing mailbox; unsubscribing works for any name.
 */
export async function setSubscribed(tx: Queryable, accountId: number, rawName: string, subscribed: boolean, owner = ''): Promise<void> {
  const name = normalizeMailboxName(rawName);
  const key = owner ? sharedMailboxName(normalizeUsername(owner), name) : name;
  if (subscribed) {
    if (owner) requireRight(await mailboxAccess(tx, accountId, owner, name), 'l', 'subscribing');
    else await findMailbox(tx, accountId, name);
    await tx.query('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, key]);
  } else {
    const r = await tx.query('DELETE FROM subscriptions WHERE account_id = $1 AND name = $2', [accountId, key]);
    if (r.rowCount === 0) throw notFound(`Not subscribed to ${owner ? key : name}`);
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

/**
 * Marks the shared mailboxes the account subscribed to, and takes their
 * names out of the orphans (names with no mailbox of the account's own).
 * What is left are subscriptions to nothing the account can see now.
 */
export function withSharedSubscriptions(
  shared: MailboxInfo__Output[],
  orphans: string[],
): { shared: MailboxInfo__Output[]; orphanSubscriptions: string[] } {
  const subscribed = new Set(orphans);
  const visible = new Set<string>();
  for (const m of shared) {
    const name = sharedMailboxName(m.owner, m.name);
    visible.add(name);
    m.subscribed = subscribed.has(name);
  }
  return { shared, orphanSubscriptions: orphans.filter((n) => !visible.has(n)) };
}
