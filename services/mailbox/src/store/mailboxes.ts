import type { Queryable } from '@kimap/common';
import type { MailboxInfo__Output } from '@kimap/common/generated/mail/v1/MailboxInfo';
import type { MailboxStatus__Output } from '@kimap/common/generated/mail/v1/MailboxStatus';
import type { UidRuns__Output } from '@kimap/common/generated/mail/v1/UidRuns';
import { insertMailbox } from './accounts.js';
import { notFound } from './errors.js';
import { parentNames, validateMailboxName, normalizeMailboxName, DELIMITER } from './names.js';

/** A mailbox row, for the store's own use (the service answers with MailboxInfo and MailboxStatus). */
export interface MailboxRow {
  mailboxId: number;
  name: string;
  specialUse: string | null;
  subscribed: boolean;
  uidvalidity: number;
  uidnext: number;
  highestmodseq: number;
  expungedFloorModseq: number;
}

const MAILBOX_COLUMNS = `mailbox_id AS "mailboxId", name, special_use AS "specialUse", uidvalidity, uidnext, highestmodseq,
  expunged_floor_modseq AS "expungedFloorModseq",
  EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = mailboxes.account_id AND s.name = mailboxes.name) AS subscribed`;

/** What LIST shows of a mailbox (MailboxInfo): `specialUse` '' for none. */
const INFO_COLUMNS = `mailbox_id AS "mailboxId", name, coalesce(special_use, '') AS "specialUse", uidvalidity,
  EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = mailboxes.account_id AND s.name = mailboxes.name) AS subscribed`;

/** Every mailbox of the account, by name. */
export async function listMailboxes(db: Queryable, accountId: number): Promise<MailboxInfo__Output[]> {
  const { rows } = await db.query<MailboxInfo__Output>(`SELECT ${INFO_COLUMNS}, false AS "hasChildren" FROM mailboxes WHERE account_id = $1 ORDER BY name`, [accountId]);
  for (const m of rows) m.hasChildren = hasChildren(rows, m.name);
  return rows;
}

export async function findMailbox(db: Queryable, accountId: number, name: string, lock = false): Promise<MailboxRow> {
  const { rows } = await db.query<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2${lock ? ' FOR UPDATE' : ''}`,
    [accountId, normalizeMailboxName(name)],
  );
  if (!rows[0]) throw notFound(`Mailbox does not exist: ${name}`);
  return rows[0];
}

/**
 * Creates a mailbox and any missing parents (RFC 9051 6.3.4). Returns the new
 * mailbox; ALREADY_EXISTS when the name itself is taken. `specialUse` null or
 * '': none.
 */
export async function createMailbox(tx: Queryable, accountId: number, rawName: string, specialUse: string | null): Promise<MailboxInfo__Output> {
  const name = validateMailboxName(rawName);
  for (const parent of parentNames(name)) {
    await tx.query(
      `WITH id AS (SELECT nextval('mailbox_id_seq') AS v)
       INSERT INTO mailboxes (account_id, mailbox_id, name, uidvalidity)
       SELECT $1, v, $2, (v % 4294967295) + 1 FROM id ON CONFLICT (account_id, name) DO NOTHING`,
      [accountId, parent],
    );
  }
  const { mailboxId } = await insertMailbox(tx, accountId, name, specialUse || null);
  const { rows } = await tx.query<MailboxInfo__Output>(`SELECT ${INFO_COLUMNS}, false AS "hasChildren" FROM mailboxes WHERE account_id = $1 AND mailbox_id = $2`, [
    accountId,
    mailboxId,
  ]);
  return rows[0]!;
}

/** A mailbox with its counts (kept in its row by triggers, migration 0005), as MailboxStatus. */
const STATUS_COLUMNS = `mailbox_id AS "mailboxId", name, uidvalidity, uidnext, highestmodseq, messages, unseen, deleted, total_size AS size, keywords,
  coalesce(special_use, '') AS "specialUse", expunged_floor_modseq AS "expungedFloorModseq"`;

export async function mailboxStatus(db: Queryable, accountId: number, name: string): Promise<MailboxStatus__Output> {
  const { rows } = await db.query<MailboxStatus__Output>(`SELECT ${STATUS_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2`, [
    accountId,
    normalizeMailboxName(name),
  ]);
  const r = rows[0];
  if (!r) throw notFound(`Mailbox does not exist: ${name}`);
  return r;
}

/** A mailbox's status and the UIDs of its messages as runs of consecutive UIDs: what SELECT answers. */
export interface SelectedMailbox {
  status: MailboxStatus__Output;
  runs: UidRuns__Output;
}

/**
 * SELECT in one statement (one snapshot: the counts and the UIDs describe the
 * same moment). Each UID is compared with its neighbours in UID order; only the
 * ends of runs leave the database, so a mailbox whose UIDs are consecutive
 * costs two numbers however large it is.
 */
export async function selectMailbox(db: Queryable, accountId: number, name: string): Promise<SelectedMailbox> {
  const { rows } = await db.query<MailboxStatus__Output & { first: number[] | null; last: number[] | null }>(
    `SELECT ${STATUS_COLUMNS}, r.first, r.last
       FROM mailboxes
       CROSS JOIN LATERAL (
         SELECT array_agg(s.uid ORDER BY s.uid) FILTER (WHERE s.prev IS DISTINCT FROM s.uid - 1) AS first,
                array_agg(s.uid ORDER BY s.uid) FILTER (WHERE s.next IS DISTINCT FROM s.uid + 1) AS last
           FROM (SELECT m.uid, lag(m.uid) OVER w AS prev, lead(m.uid) OVER w AS next
                   FROM messages m
                  WHERE m.account_id = mailboxes.account_id AND m.mailbox_id = mailboxes.mailbox_id
                 WINDOW w AS (ORDER BY m.uid)) s) r
      WHERE mailboxes.account_id = $1 AND mailboxes.name = $2`,
    [accountId, normalizeMailboxName(name)],
  );
  const r = rows[0];
  if (!r) throw notFound(`Mailbox does not exist: ${name}`);
  const { first, last, ...status } = r;
  return { status, runs: { first: (first ?? []).map(Number), last: (last ?? []).map(Number) } };
}

export function hasChildren(all: ReadonlyArray<{ name: string }>, name: string): boolean {
  const prefix = name + DELIMITER;
  return all.some((m) => m.name.startsWith(prefix));
}
