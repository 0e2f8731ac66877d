// Removing accounts with everything they hold, inside the caller's
// transaction (user remove, tenant remove).
import type { Queryable } from '@kimap/common';
import type { RecordedEvent } from './outbox.js';

/** What a removal deleted, and the `account` events it wrote. */
export interface Removal {
  accounts: number;
  mailboxes: number;
  messages: number;
  bodies: number;
  aliases: number;
  events: RecordedEvent[];
}

/**
 * Locks the accounts for their removal, in the order the writes lock (mailbox
 * rows, then the account row), so that a concurrent APPEND or COPY waits for
 * the removal, or the removal for it, never both for each other. Returns the
 * ids still there and the messages they hold.
 */
export async function lockAccounts(tx: Queryable, accountIds: number[]): Promise<{ accountIds: number[]; messages: number }> {
  const { rows: boxes } = await tx.query<{ messages: number }>(
    'SELECT messages FROM mailboxes WHERE account_id = ANY($1::bigint[]) ORDER BY account_id, mailbox_id FOR UPDATE',
    [accountIds],
  );
  const { rows } = await tx.query<{ account_id: number }>(
    'SELECT account_id FROM accounts WHERE account_id = ANY($1::bigint[]) ORDER BY account_id FOR UPDATE',
    [accountIds],
  );
  return { accountIds: rows.map((r) => r.account_id), messages: boxes.reduce((n, b) => n + b.messages, 0) };
}

/**
 * Deletes the accounts (locked by lockAccounts) and all they hold: messages,
 * tombstones, mailboxes, bodies, subscriptions, outbox events and aliases;
 * then writes one `account` event per account, so that every edge can end
 * the sessions still open.
 */
export async function purgeAccounts(tx: Queryable, accountIds: number[]): Promise<Removal> {
  const ids = [accountIds];
  const deleted = async (sql: string) => (await tx.query(sql, ids)).rowCount;
  const messages = await deleted('DELETE FROM messages WHERE account_id = ANY($1::bigint[])');
  await deleted('DELETE FROM expunged WHERE account_id = ANY($1::bigint[])');
  const mailboxes = await deleted('DELETE FROM mailboxes WHERE account_id = ANY($1::bigint[])');
  const bodies = await deleted('DELETE FROM message_bodies WHERE account_id = ANY($1::bigint[])');
  await deleted('DELETE FROM subscriptions WHERE account_id = ANY($1::bigint[])');
  await deleted('DELETE FROM outbox WHERE account_id = ANY($1::bigint[])');
  const aliases = await deleted('DELETE FROM aliases WHERE account_id = ANY($1::bigint[])');
  const accounts = await deleted('DELETE FROM accounts WHERE account_id = ANY($1::bigint[])');
  const { rows } = await tx.query<{ account_id: number; event_id: number }>(
    "SELECT a AS account_id, kimap_record_change(a, 0, 0, 'account') AS event_id FROM unnest($1::bigint[]) AS a ORDER BY a",
    ids,
  );
  const events = rows.map((r): RecordedEvent => ({
    accountId: r.account_id,
    mailboxId: 0,
    modseq: 0,
    kind: 'account',
    eventId: r.event_id,
  }));
  return { accounts, mailboxes, messages, bodies, aliases, events };
}

/** "1 message", "3 messages", "2 mailboxes". */
export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : /(s|x)$/.test(noun) ? 'es' : 's'}`;
