// Access control lists (RFC 4314, migration 0013): who may do what with a
// mailbox of another account of the same tenant. The mailbox service is the
// authority: every request that addresses another account's mailbox goes
// through mailboxAccess, which finds the owner only within the principal's
// tenant and answers the principal's rights there.
import { grpc, RpcError, type Queryable } from '@kimap/common';
import type { AclEntry__Output } from '@kimap/common/generated/mail/v1/AclEntry';
import type { MailboxInfo__Output } from '@kimap/common/generated/mail/v1/MailboxInfo';
import { normalizeUsername } from './accounts.js';
import { invalid, notFound } from './errors.js';
import { findMailbox } from './mailboxes.js';
import { normalizeMailboxName, parentNames } from './names.js';
import { recordChange } from './outbox.js';

/** Every right, in the order they are stored and answered. */
export const ACL_RIGHTS = 'lrswipkxtea';
/** Rights that reveal a mailbox exists (MYRIGHTS answers with any of them; RFC 4314 4). */
const REVEALING = /[lrikxa]/;
/** The identifier that names every account of the owner's tenant. */
export const ANYONE = 'anyone';

/** Letters of `rights` that are rights, once each, in ACL_RIGHTS order. */
export function canonicalRights(rights: string): string {
  let out = '';
  for (const r of ACL_RIGHTS) if (rights.includes(r)) out += r;
  return out;
}

/** What the principal may do with a mailbox it addressed. */
export interface MailboxAccess {
  /** The owner's account: where the mailbox's rows are. */
  ownerId: number;
  mailboxId: number;
  /** The principal's rights (every right on its own mailboxes). */
  rights: string;
  /** The mailbox is the principal's own. */
  own: boolean;
}

/** The answer for a mailbox the principal may not know of: the same as for one that does not exist. */
const unknownMailbox = (name: string) => notFound(`Mailbox does not exist: ${name}`);

/** A grantee's access as read from the database: the owner's account, the mailbox (null: none such), the grants' rights. */
export interface AccessRow {
  ownerId: number;
  mailboxId: number | null;
  rights: string | null;
}

/**
 * A query of the owner's account (owner_id) and the rights (rights) the
 * principal has on the mailbox whose id the expression `mailbox` gives:
 * every grant to it or to anyone, concatenated. No row when the owner is
 * not an account of the principal's tenant (or is the principal). `owner`
 * is the normalized user name.
 */
export function granteeAccessSql(principal: string, owner: string, mailbox: string): string {
  return `SELECT o.account_id AS owner_id,
            (SELECT string_agg(a.rights, '') FROM acl a
              WHERE a.account_id = o.account_id AND a.mailbox_id = ${mailbox}
                AND (a.grantee_id = p.account_id OR a.grantee_id IS NULL)) AS rights
       FROM accounts p
       JOIN accounts o ON o.tenant_id = p.tenant_id AND o.username = ${owner} AND o.account_id <> p.account_id
      WHERE p.account_id = ${principal}`;
}

/**
 * The rights of `principalId` on the mailbox `name` of the account `owner`
 * (an address), looked up only among the accounts of the principal's tenant.
 * A missing owner or mailbox, the principal itself as owner, and a mailbox
 * the principal has no revealing right on all answer NOT_FOUND alike.
 */
export async function mailboxAccess(db: Queryable, principalId: number, owner: string, name: string): Promise<MailboxAccess> {
  return accessOf(await accessRow(db, principalId, owner, 'b.name = $3', normalizeMailboxName(name)), name);
}

/** The access to a mailbox by name: the principal's own (owner '') or another account's. */
export async function accessByName(db: Queryable, principalId: number, owner: string, name: string): Promise<MailboxAccess> {
  if (!owner) {
    const mb = await findMailbox(db, principalId, name);
    return { ownerId: principalId, mailboxId: mb.mailboxId, rights: ACL_RIGHTS, own: true };
  }
  return mailboxAccess(db, principalId, owner, name);
}

/**
 * The rights of `principalId` on the nearest existing parent of `name` in
 * the account `owner` (CREATE below it, or RENAME under it, needs k there;
 * RFC 4314 4). Every failure is the same NOPERM: nothing is revealed.
 */
export async function parentAccess(db: Queryable, principalId: number, owner: string, name: string): Promise<MailboxAccess> {
  const parents = parentNames(normalizeMailboxName(name));
  const row = parents.length
    ? await accessRow(db, principalId, owner, 'b.name = ANY ($3::text[])', parents, 'ORDER BY length(b.name) DESC LIMIT 1')
    : undefined;
  const rights = canonicalRights(row?.rights ?? '');
  if (!row || row.mailboxId === null || !rights.includes('k')) {
    throw new RpcError(
      grpc.status.PERMISSION_DENIED,
      'Permission denied: creating a mailbox here needs the k right on its parent',
      'NOPERM',
    );
  }
  return { ownerId: row.ownerId, mailboxId: row.mailboxId, rights, own: false };
}

/** The same for a mailbox the session already selected, by its id. */
export async function mailboxAccessById(db: Queryable, principalId: number, owner: string, mailboxId: number): Promise<MailboxAccess> {
  return accessOf(await accessRow(db, principalId, owner, 'b.mailbox_id = $3', mailboxId), 'Mailbox no longer exists');
}

async function accessRow(
  db: Queryable,
  principalId: number,
  owner: string,
  mailboxCondition: string,
  key: unknown,
  order = '',
): Promise<AccessRow | undefined> {
  const { rows } = await db.query<AccessRow>(
    `SELECT o.account_id AS "ownerId", b.mailbox_id AS "mailboxId",
            (SELECT string_agg(a.rights, '') FROM acl a
              WHERE a.account_id = b.account_id AND a.mailbox_id = b.mailbox_id
                AND (a.grantee_id = p.account_id OR a.grantee_id IS NULL)) AS rights
       FROM accounts p
       JOIN accounts o ON o.tenant_id = p.tenant_id AND o.username = $2 AND o.account_id <> p.account_id
       LEFT JOIN mailboxes b ON b.account_id = o.account_id AND ${mailboxCondition}
      WHERE p.account_id = $1 ${order}`,
    [principalId, normalizeUsername(owner), key],
  );
  return rows[0];
}

/** The access a row gives; NONEXISTENT (`name` says what) when there is no such mailbox or no right reveals it. */
export function accessOf(row: AccessRow | undefined, name: string): MailboxAccess {
  const rights = canonicalRights(row?.rights ?? '');
  if (!row || row.mailboxId === null || !REVEALING.test(rights)) throw unknownMailbox(name);
  return { ownerId: row.ownerId, mailboxId: row.mailboxId, rights, own: false };
}

/**
 * Refuses what `access` does not allow: NOPERM, or NONEXISTENT when the
 * principal has no right that reveals the mailbox (RFC 4314 6).
 */
export function requireRight(access: MailboxAccess, right: string, what: string): void {
  if (access.rights.includes(right)) return;
  if (!REVEALING.test(access.rights)) throw notFound('Mailbox does not exist');
  throw new RpcError(grpc.status.PERMISSION_DENIED, `Permission denied: ${what} needs the ${right} right`, 'NOPERM');
}

/** The grants of a mailbox: the owner (every right) first, then accounts by address, then anyone. */
export async function aclEntries(db: Queryable, ownerId: number, mailboxId: number): Promise<AclEntry__Output[]> {
  const { rows } = await db.query<AclEntry__Output>(
    `SELECT o.username AS identifier, $3::text AS rights, 0 AS k, '' AS sort FROM accounts o WHERE o.account_id = $1
     UNION ALL
     SELECT coalesce(g.username, '${ANYONE}'), a.rights, CASE WHEN a.grantee_id IS NULL THEN 2 ELSE 1 END, coalesce(g.username, '')
       FROM acl a LEFT JOIN accounts g ON g.account_id = a.grantee_id
      WHERE a.account_id = $1 AND a.mailbox_id = $2
     ORDER BY k, sort`,
    [ownerId, mailboxId, ACL_RIGHTS],
  );
  return rows.map(({ identifier, rights }) => ({ identifier, rights }));
}

export type AclChange = 'replace' | 'add' | 'remove' | 'delete';

/**
 * Changes an identifier's rights on a mailbox (SETACL, DELETEACL), in the
 * caller's transaction, with an `acl` event so that the sessions that have
 * the mailbox selected check their rights again. Returns the rights after.
 */
export async function changeAcl(
  tx: Queryable,
  ownerId: number,
  mailboxId: number,
  identifier: string,
  change: AclChange,
  rights: string,
): Promise<string> {
  const { rows: owners } = await tx.query<{ tenantId: number; username: string }>(
    'SELECT tenant_id AS "tenantId", username FROM accounts WHERE account_id = $1',
    [ownerId],
  );
  const owner = owners[0];
  if (!owner) throw notFound('Mailbox no longer exists');
  let granteeId: number | null = null;
  if (identifier.toLowerCase() !== ANYONE) {
    const name = normalizeUsername(identifier);
    if (name === owner.username) throw invalid('The owner always has every right');
    const { rows } = await tx.query<{ accountId: number }>(
      'SELECT account_id AS "accountId" FROM accounts WHERE username = $1 AND tenant_id = $2',
      [name, owner.tenantId],
    );
    // Another tenant's account is as unknown here as one that does not exist.
    if (!rows[0]) throw invalid(`Unknown identifier: ${identifier.slice(0, 100)}`);
    granteeId = rows[0].accountId;
  }
  const { rows: current } = await tx.query<{ rights: string }>(
    'SELECT rights FROM acl WHERE account_id = $1 AND mailbox_id = $2 AND coalesce(grantee_id, 0) = coalesce($3::bigint, 0) FOR UPDATE',
    [ownerId, mailboxId, granteeId],
  );
  const before = current[0]?.rights ?? '';
  const after =
    change === 'delete'
      ? ''
      : change === 'replace'
        ? canonicalRights(rights)
        : change === 'add'
          ? canonicalRights(before + rights)
          : canonicalRights([...before].filter((r) => !rights.includes(r)).join(''));
  if (after === before) return after;
  if (after === '') {
    await tx.query('DELETE FROM acl WHERE account_id = $1 AND mailbox_id = $2 AND coalesce(grantee_id, 0) = coalesce($3::bigint, 0)', [
      ownerId,
      mailboxId,
      granteeId,
    ]);
  } else {
    await tx.query(
      `INSERT INTO acl (account_id, mailbox_id, tenant_id, grantee_id, rights) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id, mailbox_id, coalesce(grantee_id, 0)) DO UPDATE SET rights = excluded.rights`,
      [ownerId, mailboxId, owner.tenantId, granteeId, after],
    );
  }
  await recordChange(tx, { accountId: ownerId, mailboxId, modseq: 0, kind: 'acl' });
  return after;
}

/**
 * Other accounts' mailboxes shared with an account: those of its tenant on
 * which its own grant or the tenant's "anyone" grant gives the l right, by
 * owner and name, with its rights (MailboxInfo.owner and .rights).
 */
export async function sharedMailboxes(db: Queryable, principalId: number): Promise<MailboxInfo__Output[]> {
  const { rows } = await db.query<MailboxInfo__Output>(
    `SELECT b.mailbox_id AS "mailboxId", b.name, '' AS "specialUse", false AS subscribed, b.uidvalidity, false AS "hasChildren",
            o.username AS owner, string_agg(a.rights, '') AS rights
       FROM accounts p
       JOIN acl a ON a.tenant_id = p.tenant_id AND (a.grantee_id = p.account_id OR a.grantee_id IS NULL) AND a.account_id <> p.account_id
       JOIN mailboxes b ON b.account_id = a.account_id AND b.mailbox_id = a.mailbox_id
       JOIN accounts o ON o.account_id = a.account_id
      WHERE p.account_id = $1
      GROUP BY b.account_id, b.mailbox_id, b.name, b.uidvalidity, o.username
     HAVING strpos(string_agg(a.rights, ''), 'l') > 0
      ORDER BY o.username, b.name`,
    [principalId],
  );
  for (const m of rows) m.rights = canonicalRights(m.rights);
  return rows;
}
