import type { Queryable } from '@kimap/common';
import { insertMailbox } from './accounts.js';
import { notFound } from './errors.js';
import { parentNames, validateMailboxName, normalizeMailboxName, DELIMITER } from './names.js';

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

export interface MailboxStatusRow extends MailboxRow {
  messages: number;
  unseen: number;
  deleted: number;
  size: number;
  keywords: string[];
}

const MAILBOX_COLUMNS = `mailbox_id, name, special_use, uidvalidity, uidnext, highestmodseq, expunged_floor_modseq,
  EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = mailboxes.account_id AND s.name = mailboxes.name) AS subscribed`;

interface RawMailbox {
  mailbox_id: number;
  name: string;
  special_use: string | null;
  subscribed: boolean;
  uidvalidity: number;
  uidnext: number;
  highestmodseq: number;
  expunged_floor_modseq: number;
}

function toRow(r: RawMailbox): MailboxRow {
  return {
    mailboxId: r.mailbox_id,
    name: r.name,
    specialUse: r.special_use,
    subscribed: r.subscribed,
    uidvalidity: r.uidvalidity,
    uidnext: r.uidnext,
    highestmodseq: r.highestmodseq,
    expungedFloorModseq: r.expunged_floor_modseq,
  };
}

export async function listMailboxes(db: Queryable, accountId: number): Promise<MailboxRow[]> {
  const { rows } = await db.query<RawMailbox>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 ORDER BY name`, [accountId]);
  return rows.map(toRow);
}

export async function findMailbox(db: Queryable, accountId: number, name: string, lock = false): Promise<MailboxRow> {
  const { rows } = await db.query<RawMailbox>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2${lock ? ' FOR UPDATE' : ''}`,
    [accountId, normalizeMailboxName(name)],
  );
  if (!rows[0]) throw notFound(`Mailbox does not exist: ${name}`);
  return toRow(rows[0]);
}

/**
 * Creates a mailbox and any missing parents (RFC 9051 6.3.4). Returns the new
 * mailbox; ALREADY_EXISTS when the name itself is taken.
 */
export async function createMailbox(tx: Queryable, accountId: number, rawName: string, specialUse: string | null): Promise<MailboxRow> {
  const name = validateMailboxName(rawName);
  for (const parent of parentNames(name)) {
    await tx.query(
      `WITH id AS (SELECT nextval('mailbox_id_seq') AS v)
       INSERT INTO mailboxes (account_id, mailbox_id, name, uidvalidity)
       SELECT $1, v, $2, (v % 4294967295) + 1 FROM id ON CONFLICT (account_id, name) DO NOTHING`,
      [accountId, parent],
    );
  }
  await insertMailbox(tx, accountId, name, specialUse);
  return findMailbox(tx, accountId, name);
}

/** A mailbox with its counts, kept in its row by triggers (migration 0005). */
const STATUS_COLUMNS = `${MAILBOX_COLUMNS}, messages, unseen, deleted, total_size, keywords`;

type RawStatus = RawMailbox & { messages: number; unseen: number; deleted: number; total_size: number; keywords: string[] };

function toStatusRow(r: RawStatus): MailboxStatusRow {
  return { ...toRow(r), messages: r.messages, unseen: r.unseen, deleted: r.deleted, size: r.total_size, keywords: r.keywords };
}

export async function mailboxStatus(db: Queryable, accountId: number, name: string): Promise<MailboxStatusRow> {
  const { rows } = await db.query<RawStatus>(`SELECT ${STATUS_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2`, [
    accountId,
    normalizeMailboxName(name),
  ]);
  const r = rows[0];
  if (!r) throw notFound(`Mailbox does not exist: ${name}`);
  return toStatusRow(r);
}

/** A mailbox's status and the UIDs of its messages as runs of consecutive UIDs. */
export interface SelectedRows {
  status: MailboxStatusRow;
  firsts: number[];
  lasts: number[];
}

/**
 * SELECT in one statement (one snapshot: the counts and the UIDs describe the
 * same moment). Each UID is compared with its neighbours in UID order; only the
 * ends of runs leave the database, so a mailbox whose UIDs are consecutive
 * costs two numbers however large it is.
 */
export async function selectMailbox(db: Queryable, accountId: number, name: string): Promise<SelectedRows> {
  const { rows } = await db.query<RawStatus & { firsts: number[] | null; lasts: number[] | null }>(
    `SELECT ${STATUS_COLUMNS}, r.firsts, r.lasts
       FROM mailboxes
       CROSS JOIN LATERAL (
         SELECT array_agg(s.uid ORDER BY s.uid) FILTER (WHERE s.prev IS DISTINCT FROM s.uid - 1) AS firsts,
                array_agg(s.uid ORDER BY s.uid) FILTER (WHERE s.next IS DISTINCT FROM s.uid + 1) AS lasts
           FROM (SELECT m.uid, lag(m.uid) OVER w AS prev, lead(m.uid) OVER w AS next
                   FROM messages m
                  WHERE m.account_id = mailboxes.account_id AND m.mailbox_id = mailboxes.mailbox_id
                 WINDOW w AS (ORDER BY m.uid)) s) r
      WHERE mailboxes.account_id = $1 AND mailboxes.name = $2`,
    [accountId, normalizeMailboxName(name)],
  );
  const r = rows[0];
  if (!r) throw notFound(`Mailbox does not exist: ${name}`);
  return {
    status: toStatusRow(r),
    firsts: (r.firsts ?? []).map(Number),
    lasts: (r.lasts ?? []).map(Number),
  };
}

export function hasChildren(all: MailboxRow[], name: string): boolean {
  const prefix = name + DELIMITER;
  return all.some((m) => m.name.startsWith(prefix));
}
