// Tenants: the mail domains the cluster serves. An account's address and an
// alias's address belong to their tenant's domain.
import type { Database, Queryable } from '@kimap/common';
import { normalizeDomain } from './addresses.js';
import { alreadyExists, failedPrecondition, notFound } from './errors.js';
import { lockAccounts, plural, purgeAccounts, type Removal } from './removal.js';

export interface TenantInfo {
  tenantId: number;
  domain: string;
  accounts: number;
  aliases: number;
}

/** A page of a listing: at most `limit` rows after `after` (a key of the previous page's last row). */
export interface Page {
  after?: string;
  limit?: number;
}

export const DEFAULT_PAGE = 1000;
export const MAX_PAGE = 10_000;

export const pageLimit = (page: Page): number => Math.min(Math.max(page.limit || DEFAULT_PAGE, 1), MAX_PAGE);

export async function addTenant(db: Queryable, domain: string): Promise<number> {
  const d = normalizeDomain(domain);
  const { rows } = await db.query<{ tenant_id: number }>(
    'INSERT INTO tenants (domain) VALUES ($1) ON CONFLICT (domain) DO NOTHING RETURNING tenant_id',
    [d],
  );
  if (!rows[0]) throw alreadyExists(`Tenant ${d} exists`);
  return rows[0].tenant_id;
}

export async function findTenant(db: Queryable, domain: string): Promise<number | undefined> {
  const { rows } = await db.query<{ tenant_id: number }>('SELECT tenant_id FROM tenants WHERE domain = $1', [domain.trim().toLowerCase()]);
  return rows[0]?.tenant_id;
}

/**
 * The tenant of a domain, locked until the end of the transaction: additions
 * of addresses to one tenant (accounts, aliases) run one after the other, so
 * that an address cannot become an account and an alias at once.
 */
export async function lockTenant(tx: Queryable, domain: string): Promise<number> {
  const { rows } = await tx.query<{ tenant_id: number }>('SELECT tenant_id FROM tenants WHERE domain = $1 FOR UPDATE', [domain]);
  if (!rows[0]) throw notFound(`Tenant ${domain} does not exist`);
  return rows[0].tenant_id;
}

const TENANT_COLUMNS = `t.tenant_id AS "tenantId", t.domain,
  (SELECT count(*) FROM accounts a WHERE a.tenant_id = t.tenant_id) AS accounts,
  (SELECT count(*) FROM aliases l WHERE l.tenant_id = t.tenant_id) AS aliases`;

export async function getTenant(db: Queryable, domain: string): Promise<TenantInfo> {
  const d = normalizeDomain(domain);
  const { rows } = await db.query<TenantInfo>(`SELECT ${TENANT_COLUMNS} FROM tenants t WHERE t.domain = $1`, [d]);
  if (!rows[0]) throw notFound(`Tenant ${d} does not exist`);
  return rows[0];
}

/** Tenants in domain order. */
export async function listTenants(db: Queryable, page: Page = {}): Promise<TenantInfo[]> {
  const { rows } = await db.query<TenantInfo>(`SELECT ${TENANT_COLUMNS} FROM tenants t WHERE t.domain > $1 ORDER BY t.domain LIMIT $2`, [
    page.after ?? '',
    pageLimit(page),
  ]);
  return rows;
}

/**
 * Removes a tenant. With accounts it is refused unless `force`, which removes
 * them too with all they hold (see purgeAccounts), in one transaction.
 */
export async function removeTenant(db: Database, domain: string, opts: { force?: boolean } = {}): Promise<Removal> {
  const d = normalizeDomain(domain);
  return db.transaction(async (tx) => {
    const tenantId = await lockTenant(tx, d);
    const { rows } = await tx.query<{ account_id: number }>('SELECT account_id FROM accounts WHERE tenant_id = $1 ORDER BY account_id', [
      tenantId,
    ]);
    if (rows.length > 0 && !opts.force) {
      throw failedPrecondition(`Tenant ${d} has ${plural(rows.length, 'account')}; removing it needs force`);
    }
    const locked = await lockAccounts(
      tx,
      rows.map((r) => r.account_id),
    );
    const removal = await purgeAccounts(tx, locked.accountIds);
    await tx.query('DELETE FROM aliases WHERE tenant_id = $1', [tenantId]);
    await tx.query('DELETE FROM tenants WHERE tenant_id = $1', [tenantId]);
    return removal;
  });
}
