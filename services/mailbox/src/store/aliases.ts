// Aliases (migration 0010): further addresses of an account of the same
// tenant, and '@domain', the tenant's catch-all; and the resolution of a
// recipient address to its account, which delivery uses.
import type { Database, Queryable } from '@kimap/common';
import type { AccountRef__Output } from '@kimap/common/generated/mail/v1/AccountRef';
import { addressParts, normalizeDomain, parseAddress, parseAliasAddress } from './addresses.js';
import { alreadyExists, invalid, notFound } from './errors.js';
import { findTenant, lockTenant, pageLimit, type Page } from './tenants.js';

export interface AliasInfo {
  /** user@domain, or @domain for the catch-all. */
  address: string;
  /** The account's address. */
  target: string;
  accountId: number;
  tenantId: number;
}

const ALIAS_COLUMNS = `l.address, a.username AS target, l.account_id AS "accountId", l.tenant_id AS "tenantId"`;

/**
 * Adds an alias of an account. Checked in the order of the arguments: the
 * alias (its form, its tenant, that it is no account or alias yet), then the
 * target (its form, an account, of the alias's tenant).
 */
export async function addAlias(db: Database, alias: string, target: string): Promise<AliasInfo> {
  const a = parseAliasAddress(alias);
  return db.transaction(async (tx) => {
    const tenantId = await lockTenant(tx, a.domain);
    const { rows: taken } = await tx.query<{ kind: string; target: string }>(
      `SELECT 'account' AS kind, username AS target FROM accounts WHERE username = $1
       UNION ALL
       SELECT 'alias', a.username FROM aliases l JOIN accounts a ON a.account_id = l.account_id WHERE l.address = $1`,
      [a.address],
    );
    if (taken[0]?.kind === 'account') throw alreadyExists(`${a.address} is an account; an alias cannot have its address`);
    if (taken[0]) throw alreadyExists(`Alias ${a.address} exists (for ${taken[0].target})`);
    const t = parseAddress(target);
    const { rows: accounts } = await tx.query<{ account_id: number; tenant_id: number }>(
      'SELECT account_id, tenant_id FROM accounts WHERE username = $1',
      [t.address],
    );
    const account = accounts[0];
    if (!account) {
      const { rows: viaAlias } = await tx.query('SELECT 1 FROM aliases WHERE address = $1', [t.address]);
      if (viaAlias.length) throw invalid(`${t.address} is an alias; an alias must name an account`);
      throw notFound(`User ${t.address} does not exist`);
    }
    if (account.tenant_id !== tenantId) throw invalid(`${t.address} belongs to another tenant than ${a.domain}`);
    await tx.query('INSERT INTO aliases (address, tenant_id, account_id) VALUES ($1, $2, $3)', [a.address, tenantId, account.account_id]);
    return { address: a.address, target: t.address, accountId: account.account_id, tenantId };
  });
}

export async function removeAlias(db: Queryable, alias: string): Promise<AliasInfo> {
  const a = parseAliasAddress(alias);
  const { rows } = await db.query<AliasInfo>(
    `WITH l AS (DELETE FROM aliases WHERE address = $1 RETURNING *)
     SELECT ${ALIAS_COLUMNS} FROM l JOIN accounts a ON a.account_id = l.account_id`,
    [a.address],
  );
  if (!rows[0]) throw notFound(`Alias ${a.address} does not exist`);
  return rows[0];
}

/** Aliases in address order: all, those of a tenant (domain), or those of an account (target). */
export async function listAliases(db: Queryable, filter: { domain?: string; target?: string } = {}, page: Page = {}): Promise<AliasInfo[]> {
  let tenantId: number | null = null;
  let accountId: number | null = null;
  if (filter.domain) {
    const d = normalizeDomain(filter.domain);
    tenantId = (await findTenant(db, d)) ?? null;
    if (tenantId === null) throw notFound(`Tenant ${d} does not exist`);
  }
  if (filter.target) {
    const t = parseAddress(filter.target);
    const { rows } = await db.query<{ account_id: number }>('SELECT account_id FROM accounts WHERE username = $1', [t.address]);
    accountId = rows[0]?.account_id ?? null;
    if (accountId === null) throw notFound(`User ${t.address} does not exist`);
  }
  const { rows } = await db.query<AliasInfo>(
    `SELECT ${ALIAS_COLUMNS} FROM aliases l JOIN accounts a ON a.account_id = l.account_id
      WHERE ($1::bigint IS NULL OR l.tenant_id = $1) AND ($2::bigint IS NULL OR l.account_id = $2) AND l.address > $3
      ORDER BY l.address LIMIT $4`,
    [tenantId, accountId, page.after ?? '', pageLimit(page)],
  );
  return rows;
}

/** The account a recipient address reaches. */
export interface ResolvedAddress {
  account: AccountRef__Output;
  /** The account's own address. */
  username: string;
  /** Disabled accounts resolve too: what to answer is the caller's choice. */
  disabled: boolean;
  /**
   * The part after the first '+' of the local part, as it was given, when the
   * address matched only without it (user+detail@domain as user@domain); ''
   * otherwise.
   */
  detail: string;
  /** What matched: the account's address, an alias, or the domain's catch-all. */
  via: 'account' | 'alias' | 'catch-all';
}

/**
 * Resolves a recipient to its account, case-insensitively: the address as an
 * account, then as an alias; then, for user+detail@domain, user@domain as an
 * account, then as an alias; then the domain's catch-all. One statement.
 * Undefined for an address that reaches no account (or is no address).
 */
export async function resolveAddress(db: Queryable, address: string): Promise<ResolvedAddress | undefined> {
  const parts = addressParts(address);
  if (!parts) return undefined;
  const candidates = [parts.address];
  const plus = parts.local.indexOf('+');
  if (plus > 0) candidates.push(`${parts.local.slice(0, plus)}@${parts.domain}`);
  candidates.push(`@${parts.domain}`);
  // Account matches rank 2n, alias matches 2n+1, for the n-th candidate.
  const { rows } = await db.query<{ rank: number; account_id: number; tenant_id: number; username: string; disabled: boolean }>(
    `SELECT r.rank, a.account_id, a.tenant_id, a.username, a.disabled FROM (
       SELECT c.n * 2 AS rank, a.account_id FROM unnest($1::text[]) WITH ORDINALITY AS c(address, n)
         JOIN accounts a ON a.username = c.address
       UNION ALL
       SELECT c.n * 2 + 1, l.account_id FROM unnest($1::text[]) WITH ORDINALITY AS c(address, n)
         JOIN aliases l ON l.address = c.address
     ) r JOIN accounts a ON a.account_id = r.account_id
     ORDER BY r.rank LIMIT 1`,
    [candidates],
  );
  const row = rows[0];
  if (!row) return undefined;
  const matched = candidates[Math.floor(row.rank / 2) - 1]!;
  const given = address.trim();
  const givenLocal = given.slice(0, given.lastIndexOf('@'));
  return {
    account: { accountId: row.account_id, tenantId: row.tenant_id },
    username: row.username,
    disabled: row.disabled,
    detail: plus > 0 && matched !== parts.address && !matched.startsWith('@') ? givenLocal.slice(givenLocal.indexOf('+') + 1) : '',
    via: matched.startsWith('@') ? 'catch-all' : row.rank % 2 === 0 ? 'account' : 'alias',
  };
}
