import { grpc, RpcError, type Queryable } from '@kimap/common';
import type { MailboxInfo__Output } from '@kimap/common/generated/mail/v1/MailboxInfo';
import type { MailboxStatus__Output } from '@kimap/common/generated/mail/v1/MailboxStatus';
import type { UidRuns__Output } from '@kimap/common/generated/mail/v1/UidRuns';
import { insertMailbox } from './accounts.js';
import { alreadyExists, invalid, notFound } from './errors.js';
import { parentNames, validateMailboxName, normalizeMailboxName, DELIMITER } from './names.js';
import { recordChange } from './outbox.js';
import { claimColumn, claimedRange, readerSeen } from './sql.js';

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
  const { rows } = await db.query<MailboxInfo__Output>(
    `SELECT ${INFO_COLUMNS}, false AS "hasChildren" FROM mailboxes WHERE account_id = $1 ORDER BY name`,
    [accountId],
  );
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
export async function createMailbox(
  tx: Queryable,
  accountId: number,
  rawName: string,
  specialUse: string | null,
): Promise<MailboxInfo__Output> {
  const name = validateMailboxName(rawName);
  const parents = parentNames(name);
  // A new mailbox inherits the ACL of its nearest existing parent (RFC 4314 4).
  const ancestor = parents.length
    ? (
        await tx.query<{ mailboxId: number }>(
          `SELECT mailbox_id AS "mailboxId" FROM mailboxes WHERE account_id = $1 AND name = ANY ($2::text[]) ORDER BY length(name) DESC LIMIT 1`,
          [accountId, parents],
        )
      ).rows[0]
    : undefined;
  const created: number[] = [];
  for (const parent of parents) {
    const { rows } = await tx.query<{ mailboxId: number }>(
      `WITH id AS (SELECT nextval('mailbox_id_seq') AS v)
       INSERT INTO mailboxes (account_id, mailbox_id, name, uidvalidity)
       SELECT $1, v, $2, (v % 4294967295) + 1 FROM id ON CONFLICT (account_id, name) DO NOTHING RETURNING mailbox_id AS "mailboxId"`,
      [accountId, parent],
    );
    if (rows[0]) created.push(rows[0].mailboxId);
  }
  const { mailboxId } = await insertMailbox(tx, accountId, name, specialUse || null);
  created.push(mailboxId);
  if (ancestor) {
    await tx.query(
      `INSERT INTO acl (account_id, mailbox_id, tenant_id, grantee_id, rights)
       SELECT a.account_id, c.id, a.tenant_id, a.grantee_id, a.rights FROM acl a, unnest($3::bigint[]) AS c(id)
        WHERE a.account_id = $1 AND a.mailbox_id = $2`,
      [accountId, ancestor.mailboxId, created],
    );
  }
  const { rows } = await tx.query<MailboxInfo__Output>(
    `SELECT ${INFO_COLUMNS}, false AS "hasChildren" FROM mailboxes WHERE account_id = $1 AND mailbox_id = $2`,
    [accountId, mailboxId],
  );
  return rows[0]!;
}

/** A mailbox with its counts (kept in its row by triggers, migration 0005), as MailboxStatus. */
const STATUS_COLUMNS = `mailbox_id AS "mailboxId", name, uidvalidity, uidnext, highestmodseq, messages, unseen, deleted, total_size AS size, keywords,
  coalesce(special_use, '') AS "specialUse", expunged_floor_modseq AS "expungedFloorModseq", first_recent_uid AS "firstRecentUid"`;

/**
 * The messages no session has claimed as recent (STATUS RECENT): a walk of the
 * primary key from the first unclaimed UID, only when there is one.
 */
const RECENT_COUNT = `CASE WHEN first_recent_uid >= uidnext THEN 0 ELSE (
    SELECT count(*) FROM messages m
     WHERE m.account_id = mailboxes.account_id AND m.mailbox_id = mailboxes.mailbox_id AND m.uid >= mailboxes.first_recent_uid) END AS recent`;

/**
 * The size of the \Deleted messages (STATUS DELETED-STORAGE, RFC 9208): no
 * counter keeps it, so it is summed when asked for, over the messages of the
 * mailbox, and only when the mailbox has \Deleted messages at all.
 */
const DELETED_SIZE = `CASE WHEN deleted = 0 THEN 0 ELSE (
    SELECT coalesce(sum(m.size), 0) FROM messages m
     WHERE m.account_id = mailboxes.account_id AND m.mailbox_id = mailboxes.mailbox_id AND '\\Deleted' = ANY (m.flags)) END AS "deletedSize"`;

/**
 * The lowest UID without \Seen (the UNSEEN response code of an IMAP4rev1
 * SELECT), 0 when there is none. The owner's: a walk of the index of unseen
 * messages (migration 0015), only when the row counts unseen messages at all.
 * A grantee's (`reader`, the parameter with its account): its own \Seen, the
 * messages in UID order up to the first it has not seen.
 */
function firstUnseenColumn(reader?: string): string {
  const box = 'm.account_id = mailboxes.account_id AND m.mailbox_id = mailboxes.mailbox_id';
  if (reader) {
    return `coalesce((SELECT m.uid FROM messages m WHERE ${box} AND NOT ${readerSeen(`${reader}::bigint`)}
                       ORDER BY m.uid LIMIT 1), 0) AS "firstUnseenUid"`;
  }
  return `CASE WHEN mailboxes.unseen = 0 THEN 0 ELSE coalesce((
    SELECT m.uid FROM messages m WHERE ${box} AND NOT ('\\Seen' = ANY (m.flags))
     ORDER BY m.uid LIMIT 1), 0) END AS "firstUnseenUid"`;
}

export async function mailboxStatus(
  db: Queryable,
  accountId: number,
  name: string,
  opts: { deletedSize?: boolean; recent?: boolean; claimRecent?: boolean; firstUnseen?: { reader?: number } } = {},
): Promise<MailboxStatus__Output> {
  const reader = opts.firstUnseen?.reader;
  const extra = [
    ...(opts.deletedSize ? [DELETED_SIZE] : []),
    ...(opts.recent ? [RECENT_COUNT] : []),
    ...(opts.claimRecent ? [claimColumn('true', 'mailboxes')] : []),
    ...(opts.firstUnseen ? [firstUnseenColumn(reader === undefined ? undefined : '$3')] : []),
  ];
  const { rows } = await db.query<MailboxStatus__Output & { claimed?: number[] | null }>(
    `SELECT ${[STATUS_COLUMNS, ...extra].join(', ')} FROM mailboxes WHERE account_id = $1 AND name = $2`,
    [accountId, normalizeMailboxName(name), ...(reader === undefined ? [] : [reader])],
  );
  const r = rows[0];
  if (!r) throw notFound(`Mailbox does not exist: ${name}`);
  if (!opts.claimRecent) return r;
  const { claimed, ...status } = r;
  return { ...status, ...claimedRange(claimed) };
}

/** The status of every mailbox of an account, in one statement (LIST-STATUS). */
export async function allMailboxStatuses(
  db: Queryable,
  accountId: number,
  opts: { deletedSize?: boolean; recent?: boolean } = {},
): Promise<MailboxStatus__Output[]> {
  const extra = [...(opts.deletedSize ? [DELETED_SIZE] : []), ...(opts.recent ? [RECENT_COUNT] : [])];
  const { rows } = await db.query<MailboxStatus__Output>(
    `SELECT ${[STATUS_COLUMNS, ...extra].join(', ')} FROM mailboxes WHERE account_id = $1 ORDER BY name`,
    [accountId],
  );
  return rows;
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
export async function selectMailbox(
  db: Queryable,
  accountId: number,
  name: string,
  claimRecent = false,
  firstUnseen?: { reader?: number },
): Promise<SelectedMailbox> {
  const reader = firstUnseen?.reader;
  const unseenColumn = firstUnseen ? `${firstUnseenColumn(reader === undefined ? undefined : '$4')}, ` : '';
  const { rows } = await db.query<MailboxStatus__Output & { first: number[] | null; last: number[] | null; claimed: number[] | null }>(
    `SELECT ${STATUS_COLUMNS}, ${claimColumn('$3', 'mailboxes')}, ${unseenColumn}r.first, r.last
       FROM mailboxes
       CROSS JOIN LATERAL (
         SELECT array_agg(s.uid ORDER BY s.uid) FILTER (WHERE s.prev IS DISTINCT FROM s.uid - 1) AS first,
                array_agg(s.uid ORDER BY s.uid) FILTER (WHERE s.next IS DISTINCT FROM s.uid + 1) AS last
           FROM (SELECT m.uid, lag(m.uid) OVER w AS prev, lead(m.uid) OVER w AS next
                   FROM messages m
                  WHERE m.account_id = mailboxes.account_id AND m.mailbox_id = mailboxes.mailbox_id
                 WINDOW w AS (ORDER BY m.uid)) s) r
      WHERE mailboxes.account_id = $1 AND mailboxes.name = $2`,
    [accountId, normalizeMailboxName(name), claimRecent, ...(reader === undefined ? [] : [reader])],
  );
  const r = rows[0];
  if (!r) throw notFound(`Mailbox does not exist: ${name}`);
  const { first, last, claimed, ...status } = r;
  return { status: { ...status, ...claimedRange(claimed) }, runs: { first: (first ?? []).map(Number), last: (last ?? []).map(Number) } };
}

export function hasChildren(all: ReadonlyArray<{ name: string }>, name: string): boolean {
  const prefix = name + DELIMITER;
  return all.some((m) => m.name.startsWith(prefix));
}

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
  // Its messages' bytes and count go back to the quota in the same statement.
  await tx.query(
    `WITH gone AS (DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2 RETURNING size)
     SELECT kimap_quota_release($1, coalesce(sum(size), 0)::bigint, count(*)) FROM gone`,
    [accountId, mb.mailboxId],
  );
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
