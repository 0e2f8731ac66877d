// Who a delivery's recipient is: an address → an account (its own address,
// an alias or the domain's catch-all, by resolveAddress of aliases.ts), and
// the folder a message for it goes to (user+detail@domain: the folder
// `detail` when the account has one, else INBOX). The only place delivery
// resolves addresses.
import type { Queryable } from '@kimap/common';
import { resolveAddress } from './aliases.js';
import { normalizeMailboxName } from './names.js';

export interface Recipient {
  /** The address as given, trimmed and without angle brackets. */
  address: string;
  accountId: number;
  tenantId: number;
  /** The account's own address (its user name). */
  username: string;
  /** Where a message for this address is stored. */
  mailbox: string;
  /** The quota that applies to the account now (its own limits, its tenant's default and total). */
  quota: RecipientQuota;
}

/** Usage and limits (null: none) of an account and, when the tenant has a total, of its tenant. */
export interface RecipientQuota {
  usedBytes: number;
  usedMessages: number;
  limitBytes: number | null;
  limitMessages: number | null;
  tenantUsedBytes: number;
  tenantUsedMessages: number;
  totalBytes: number | null;
  totalMessages: number | null;
}

/** An address as `local@domain` with both parts non-empty (angle brackets and spaces around it dropped), or undefined. */
export function recipientAddress(input: string): string | undefined {
  const address = input.trim().replace(/^<(.*)>$/, '$1');
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || /[\s<>\u0000-\u001f\u007f]/.test(address)) return undefined;
  return address;
}

/**
 * The quota of accounts, by account: the limits that apply (migration 0011's
 * kimap_quota_limit: the account's own, else its tenant's default) and the
 * tenant's total. A tenant's usage is kept only while it has a total.
 */
async function quotas(db: Queryable, accountIds: number[]): Promise<Map<number, RecipientQuota>> {
  const { rows } = await db.query<RecipientQuota & { accountId: number }>(
    `SELECT a.account_id AS "accountId", a.used_bytes AS "usedBytes", a.used_messages AS "usedMessages",
            kimap_quota_limit(a.quota_bytes, t.default_quota_bytes) AS "limitBytes",
            kimap_quota_limit(a.quota_messages, t.default_quota_messages) AS "limitMessages",
            t.used_bytes AS "tenantUsedBytes", t.used_messages AS "tenantUsedMessages",
            t.total_quota_bytes AS "totalBytes", t.total_quota_messages AS "totalMessages"
       FROM accounts a JOIN tenants t ON t.tenant_id = a.tenant_id
      WHERE a.account_id = ANY($1::bigint[])`,
    [accountIds],
  );
  return new Map(rows.map(({ accountId, ...q }) => [accountId, q]));
}

/**
 * The folders that details name, per account: an exact name wins over one
 * that differs in case only (MTAs may change the case of a local part).
 */
async function detailFolders(db: Queryable, wanted: Array<{ accountId: number; detail: string }>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (wanted.length === 0) return found;
  const { rows } = await db.query<{ accountId: number; detail: string; name: string }>(
    `SELECT x.account_id AS "accountId", x.detail, m.name
       FROM unnest($1::bigint[], $2::text[]) AS x(account_id, detail)
       JOIN mailboxes m ON m.account_id = x.account_id AND lower(m.name) = lower(x.detail)
      ORDER BY (m.name = x.detail) DESC, m.name`,
    [wanted.map((w) => w.accountId), wanted.map((w) => w.detail)],
  );
  for (const r of rows) {
    const key = `${r.accountId}\n${r.detail}`;
    if (!found.has(key)) found.set(key, r.name);
  }
  return found;
}

/**
 * Resolves recipient addresses: each to an account (resolveAddress: the
 * address as an account or alias, then without its +detail, then the
 * domain's catch-all), whose INBOX gets the message, or for a +detail the
 * account's folder of that name when it exists. Then one statement for the
 * accounts' quotas and one for the folders, whatever the number of addresses.
 * undefined: no such address (or not one at all).
 */
export async function resolveRecipients(db: Queryable, addresses: readonly string[]): Promise<Array<Recipient | undefined>> {
  const parsed = addresses.map(recipientAddress);
  const found = await Promise.all(parsed.map((a) => (a ? resolveAddress(db, a) : Promise.resolve(undefined))));
  const ids = [...new Set(found.flatMap((f) => (f ? [f.account.accountId] : [])))];
  if (ids.length === 0) return parsed.map(() => undefined);
  const quota = await quotas(db, ids);
  const matched = found.map((f, i) => {
    const q = f && quota.get(f.account.accountId);
    if (!f || !q) return undefined;
    return { address: parsed[i]!, f, q, detail: f.detail ? normalizeMailboxName(f.detail) : undefined };
  });
  const folders = await detailFolders(
    db,
    matched.flatMap((m) => (m?.detail && m.detail !== 'INBOX' ? [{ accountId: m.f.account.accountId, detail: m.detail }] : [])),
  );
  return matched.map((m) => {
    if (!m) return undefined;
    const { accountId, tenantId } = m.f.account;
    const mailbox = (m.detail && folders.get(`${accountId}\n${m.detail}`)) ?? 'INBOX';
    return {
      address: m.address,
      accountId,
      tenantId,
      username: m.f.username,
      mailbox,
      quota: m.q,
    };
  });
}

/**
 * Whether one more message of `size` bytes (0: not known yet, counted as 1)
 * would pass a limit of the recipient's account or its tenant's total now.
 * The same limits as kimap_quota_charge, which has the last word when the
 * message is stored.
 */
export function exceedsQuota(r: Recipient, size: number): boolean {
  const q = r.quota;
  const bytes = Math.max(size, 1);
  const over = (used: number, add: number, limit: number | null) => limit !== null && used + add > limit;
  return (
    over(q.usedBytes, bytes, q.limitBytes) ||
    over(q.usedMessages, 1, q.limitMessages) ||
    over(q.tenantUsedBytes, bytes, q.totalBytes) ||
    over(q.tenantUsedMessages, 1, q.totalMessages)
  );
}
