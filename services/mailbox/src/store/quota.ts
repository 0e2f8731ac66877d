// Quota: limits in bytes and in messages for each account (its own, else its
// tenant's default) and for a tenant as a whole (a total), and the usage they
// are checked against. The counters are kept by kimap_quota_charge and
// kimap_quota_release (migration 0011), in the transaction of each change.
import type { Database, Queryable } from '@kimap/common';
import type { GetQuotaResponse__Output } from '@kimap/common/generated/mail/v1/GetQuotaResponse';
import type { QuotaUsage__Output } from '@kimap/common/generated/mail/v1/QuotaUsage';
import { fromWriteFunction, invalid, notFound } from './errors.js';
import { normalizeMailboxName } from './names.js';
import { normalizeDomain, parseAddress } from './addresses.js';

/**
 * Adds bytes and messages to an account's usage, inside the caller's
 * transaction: an OVERQUOTA RpcError when that would pass one of its limits
 * or its tenant's total (the transaction must then be rolled back). The
 * account row stays locked until the transaction ends, so concurrent writers
 * in any process are counted one after the other. APPEND and COPY call it;
 * so may a delivery that stores messages in a transaction of its own.
 */
export async function chargeQuota(tx: Queryable, accountId: number, bytes: number, messages: number): Promise<void> {
  try {
    await tx.query('SELECT kimap_quota_charge($1, $2, $3)', [accountId, bytes, messages]);
  } catch (err) {
    fromWriteFunction(err);
  }
}

/** Gives bytes and messages back (messages removed), inside the caller's transaction. */
export async function releaseQuota(tx: Queryable, accountId: number, bytes: number, messages: number): Promise<void> {
  await tx.query('SELECT kimap_quota_release($1, $2, $3)', [accountId, bytes, messages]);
}

interface QuotaRow {
  used_bytes: number;
  used_messages: number;
  limit_bytes: number | null;
  limit_messages: number | null;
  tenant_used_bytes: number;
  tenant_used_messages: number;
  total_bytes: number | null;
  total_messages: number | null;
  mailbox_exists: boolean;
}

const usage = (usedBytes: number, usedMessages: number, limitBytes: number | null, limitMessages: number | null): QuotaUsage__Output => ({
  usedBytes,
  usedMessages,
  ...(limitBytes !== null && { limitBytes }),
  ...(limitMessages !== null && { limitMessages }),
});

/**
 * What GetQuota answers: the account's usage and the limits that apply to it,
 * and its tenant's total when the tenant has one. With a mailbox name,
 * NOT_FOUND when the account has no such mailbox.
 */
export async function accountQuota(db: Queryable, accountId: number, mailbox = ''): Promise<GetQuotaResponse__Output> {
  const { rows } = await db.query<QuotaRow>(
    `SELECT a.used_bytes, a.used_messages,
            kimap_quota_limit(a.quota_bytes, t.default_quota_bytes) AS limit_bytes,
            kimap_quota_limit(a.quota_messages, t.default_quota_messages) AS limit_messages,
            t.used_bytes AS tenant_used_bytes, t.used_messages AS tenant_used_messages,
            t.total_quota_bytes AS total_bytes, t.total_quota_messages AS total_messages,
            $2 = '' OR EXISTS (SELECT 1 FROM mailboxes b WHERE b.account_id = a.account_id AND b.name = $2) AS mailbox_exists
       FROM accounts a JOIN tenants t ON t.tenant_id = a.tenant_id
      WHERE a.account_id = $1`,
    [accountId, mailbox && normalizeMailboxName(mailbox)],
  );
  const r = rows[0];
  if (!r) throw notFound('Account does not exist');
  if (!r.mailbox_exists) throw notFound(`Mailbox does not exist: ${mailbox}`);
  const tracked = r.total_bytes !== null || r.total_messages !== null;
  return {
    account: usage(r.used_bytes, r.used_messages, r.limit_bytes, r.limit_messages),
    tenant: tracked ? usage(r.tenant_used_bytes, r.tenant_used_messages, r.total_bytes, r.total_messages) : null,
  };
}

/**
 * A limit as an operator sets it: a number, `null` for none, or (for an
 * account) `'default'` to follow its tenant's default again; undefined
 * leaves it as it is.
 */
export type LimitSetting = number | null | 'default' | undefined;

function checkLimit(what: string, v: LimitSetting, allowDefault: boolean): void {
  if (v === undefined || v === null) return;
  if (v === 'default') {
    if (!allowDefault) throw invalid(`${what}: 'default' applies to an account, not to a domain`);
    return;
  }
  if (!Number.isSafeInteger(v) || v < 0) throw invalid(`${what} must be a whole number of at least 0`);
}

/** An account's own limit in the database: NULL follows the default, -1 is none. */
const accountColumn = (v: Exclude<LimitSetting, undefined>): number | null => (v === 'default' ? null : v === null ? -1 : v);

/** Sets an account's own limits (an override of its tenant's default). */
export async function setAccountQuota(
  db: Queryable,
  username: string,
  limits: { storage?: LimitSetting; messages?: LimitSetting },
): Promise<void> {
  const { address } = parseAddress(username);
  checkLimit('storage', limits.storage, true);
  checkLimit('messages', limits.messages, true);
  const r = await db.query(
    `UPDATE accounts SET quota_bytes = CASE WHEN $2 THEN $3::bigint ELSE quota_bytes END,
                         quota_messages = CASE WHEN $4 THEN $5::bigint ELSE quota_messages END
      WHERE username = $1`,
    [
      address,
      limits.storage !== undefined,
      limits.storage === undefined ? null : accountColumn(limits.storage),
      limits.messages !== undefined,
      limits.messages === undefined ? null : accountColumn(limits.messages),
    ],
  );
  if (r.rowCount === 0) throw notFound(`User ${address} does not exist`);
}

export interface TenantQuotaSettings {
  /** The default limits of each account. */
  storage?: number | null;
  messages?: number | null;
  /** The limits of all accounts together. */
  totalStorage?: number | null;
  totalMessages?: number | null;
}

/**
 * Sets a tenant's defaults and totals. Giving a tenant a total where it had
 * none counts its usage from its accounts, with every account row locked so
 * that no concurrent write is missed or counted twice (migration 0011).
 */
export async function setTenantQuota(db: Database, domain: string, s: TenantQuotaSettings): Promise<void> {
  const d = normalizeDomain(domain);
  checkLimit('storage', s.storage, false);
  checkLimit('messages', s.messages, false);
  checkLimit('total storage', s.totalStorage, false);
  checkLimit('total messages', s.totalMessages, false);
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: number; total_quota_bytes: number | null; total_quota_messages: number | null }>(
      'SELECT tenant_id, total_quota_bytes, total_quota_messages FROM tenants WHERE domain = $1 FOR UPDATE',
      [d],
    );
    const t = rows[0];
    if (!t) throw notFound(`Tenant ${d} does not exist`);
    const totalBytes = s.totalStorage === undefined ? t.total_quota_bytes : s.totalStorage;
    const totalMessages = s.totalMessages === undefined ? t.total_quota_messages : s.totalMessages;
    const wasTracked = t.total_quota_bytes !== null || t.total_quota_messages !== null;
    const recount = !wasTracked && (totalBytes !== null || totalMessages !== null);
    if (recount) {
      await tx.query('SELECT count(*) FROM (SELECT 1 FROM accounts WHERE tenant_id = $1 ORDER BY account_id FOR UPDATE) locked', [
        t.tenant_id,
      ]);
    }
    await tx.query(
      `UPDATE tenants SET
         default_quota_bytes = CASE WHEN $2 THEN $3::bigint ELSE default_quota_bytes END,
         default_quota_messages = CASE WHEN $4 THEN $5::bigint ELSE default_quota_messages END,
         total_quota_bytes = $6, total_quota_messages = $7,
         used_bytes = CASE WHEN $8 THEN (SELECT coalesce(sum(used_bytes), 0) FROM accounts WHERE tenant_id = $1) ELSE used_bytes END,
         used_messages = CASE WHEN $8 THEN (SELECT coalesce(sum(used_messages), 0) FROM accounts WHERE tenant_id = $1) ELSE used_messages END
       WHERE tenant_id = $1`,
      [
        t.tenant_id,
        s.storage !== undefined,
        s.storage ?? null,
        s.messages !== undefined,
        s.messages ?? null,
        totalBytes,
        totalMessages,
        recount,
      ],
    );
  });
}

/** A limit as it is and where it comes from. */
export interface LimitReport {
  limit: number | null;
  source: 'account' | 'default' | 'none';
}

export interface AccountQuotaReport {
  username: string;
  domain: string;
  usedBytes: number;
  usedMessages: number;
  storage: LimitReport;
  messages: LimitReport;
  /** The tenant's totals, when it has one. */
  tenant?: TenantTotals;
}

export interface TenantTotals {
  usedBytes: number;
  usedMessages: number;
  totalStorage: number | null;
  totalMessages: number | null;
}

export interface TenantQuotaReport extends TenantTotals {
  domain: string;
  accounts: number;
  defaultStorage: number | null;
  defaultMessages: number | null;
}

function limitReport(own: number | null, tenantDefault: number | null): LimitReport {
  if (own === null) return tenantDefault === null ? { limit: null, source: 'none' } : { limit: tenantDefault, source: 'default' };
  return own < 0 ? { limit: null, source: 'account' } : { limit: own, source: 'account' };
}

/** An account's limits and usage, for operators (imapctl quota show). */
export async function accountQuotaReport(db: Queryable, username: string): Promise<AccountQuotaReport> {
  const name = parseAddress(username).address;
  const { rows } = await db.query<{
    used_bytes: number;
    used_messages: number;
    quota_bytes: number | null;
    quota_messages: number | null;
    domain: string;
    default_quota_bytes: number | null;
    default_quota_messages: number | null;
    total_quota_bytes: number | null;
    total_quota_messages: number | null;
    tenant_used_bytes: number;
    tenant_used_messages: number;
  }>(
    `SELECT a.used_bytes, a.used_messages, a.quota_bytes, a.quota_messages, t.domain,
            t.default_quota_bytes, t.default_quota_messages, t.total_quota_bytes, t.total_quota_messages,
            t.used_bytes AS tenant_used_bytes, t.used_messages AS tenant_used_messages
       FROM accounts a JOIN tenants t ON t.tenant_id = a.tenant_id WHERE a.username = $1`,
    [name],
  );
  const r = rows[0];
  if (!r) throw notFound(`User ${name} does not exist`);
  const tracked = r.total_quota_bytes !== null || r.total_quota_messages !== null;
  return {
    username: name,
    domain: r.domain,
    usedBytes: r.used_bytes,
    usedMessages: r.used_messages,
    storage: limitReport(r.quota_bytes, r.default_quota_bytes),
    messages: limitReport(r.quota_messages, r.default_quota_messages),
    ...(tracked && {
      tenant: {
        usedBytes: r.tenant_used_bytes,
        usedMessages: r.tenant_used_messages,
        totalStorage: r.total_quota_bytes,
        totalMessages: r.total_quota_messages,
      },
    }),
  };
}

/**
 * A tenant's defaults, totals and usage, for operators. Without a total its
 * usage is not kept, so it is summed over its accounts here.
 */
export async function tenantQuotaReport(db: Queryable, domain: string): Promise<TenantQuotaReport> {
  const d = normalizeDomain(domain);
  const { rows } = await db.query<{
    default_quota_bytes: number | null;
    default_quota_messages: number | null;
    total_quota_bytes: number | null;
    total_quota_messages: number | null;
    used_bytes: number;
    used_messages: number;
    accounts: number;
    summed_bytes: number;
    summed_messages: number;
  }>(
    `SELECT t.default_quota_bytes, t.default_quota_messages, t.total_quota_bytes, t.total_quota_messages, t.used_bytes, t.used_messages,
            count(a.account_id)::bigint AS accounts,
            coalesce(sum(a.used_bytes), 0)::bigint AS summed_bytes, coalesce(sum(a.used_messages), 0)::bigint AS summed_messages
       FROM tenants t LEFT JOIN accounts a ON a.tenant_id = t.tenant_id
      WHERE t.domain = $1
      GROUP BY t.tenant_id`,
    [d],
  );
  const r = rows[0];
  if (!r) throw notFound(`Tenant ${d} does not exist`);
  const tracked = r.total_quota_bytes !== null || r.total_quota_messages !== null;
  return {
    domain: d,
    accounts: r.accounts,
    defaultStorage: r.default_quota_bytes,
    defaultMessages: r.default_quota_messages,
    totalStorage: r.total_quota_bytes,
    totalMessages: r.total_quota_messages,
    usedBytes: tracked ? r.used_bytes : r.summed_bytes,
    usedMessages: tracked ? r.used_messages : r.summed_messages,
  };
}
