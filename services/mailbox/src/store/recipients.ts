// Who a delivery's recipient is: an address → an account, and the folder a
// message for it goes to (user+detail@domain: the folder `detail` when the
// account has one, else INBOX). The only place delivery resolves addresses;
// `accountsByAddress` is where other kinds of address (aliases) come in.
import type { Queryable } from '@kimap/common';
import { normalizeMailboxName } from './names.js';

/** Separates an address's user from its detail: alice+lists@example.org. */
export const DETAIL_DELIMITER = '+';

export interface Recipient {
  /** The address as given, trimmed and without angle brackets. */
  address: string;
  accountId: number;
  tenantId: number;
  /** The account's own address (its user name). */
  username: string;
  /** Where a message for this address is stored. */
  mailbox: string;
  /** null: no limit. */
  quotaBytes: number | null;
  usedBytes: number;
}

interface AccountRow {
  accountId: number;
  tenantId: number;
  username: string;
  quotaBytes: number | null;
  usedBytes: number;
}

interface ParsedAddress {
  address: string;
  /** Lower case, as user names are stored. */
  lookup: string;
  /** The address without its detail, when it has one. */
  base?: string;
  detail?: string;
}

/** An address as `local@domain` with both parts non-empty, or undefined. */
export function parseRecipientAddress(input: string): ParsedAddress | undefined {
  const address = input.trim().replace(/^<(.*)>$/, '$1');
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || /[\s<>\u0000-\u001f\u007f]/.test(address)) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const lookup = `${local.toLowerCase()}@${domain}`;
  const cut = local.indexOf(DETAIL_DELIMITER);
  if (cut <= 0) return { address, lookup };
  return { address, lookup, base: `${local.slice(0, cut).toLowerCase()}@${domain}`, detail: local.slice(cut + 1) };
}

/** The accounts that addresses name (lower case), by address. */
async function accountsByAddress(db: Queryable, addresses: string[]): Promise<Map<string, AccountRow>> {
  const { rows } = await db.query<AccountRow & { address: string }>(
    `SELECT username AS address, account_id AS "accountId", tenant_id AS "tenantId", username,
            quota_bytes AS "quotaBytes", used_bytes AS "usedBytes"
       FROM accounts WHERE username = ANY($1::text[])`,
    [addresses],
  );
  return new Map(rows.map((r) => [r.address, r]));
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
 * Resolves recipient addresses in two statements whatever their number: an
 * address that is an account's goes to its INBOX; one whose user part has a
 * detail (alice+lists@) goes to that account's folder of that name when it
 * exists, else to its INBOX. undefined: no such address (or not one at all).
 */
export async function resolveRecipients(db: Queryable, addresses: readonly string[]): Promise<Array<Recipient | undefined>> {
  const parsed = addresses.map(parseRecipientAddress);
  const lookups = new Set<string>();
  for (const p of parsed) {
    if (!p) continue;
    lookups.add(p.lookup);
    if (p.base) lookups.add(p.base);
  }
  if (lookups.size === 0) return parsed.map(() => undefined);
  const accounts = await accountsByAddress(db, [...lookups]);
  const matched = parsed.map((p) => {
    if (!p) return undefined;
    const exact = accounts.get(p.lookup);
    if (exact) return { p, account: exact, detail: undefined };
    const base = p.base === undefined ? undefined : accounts.get(p.base);
    return base ? { p, account: base, detail: p.detail ? normalizeMailboxName(p.detail) : undefined } : undefined;
  });
  const folders = await detailFolders(
    db,
    matched.flatMap((m) => (m?.detail && m.detail !== 'INBOX' ? [{ accountId: m.account.accountId, detail: m.detail }] : [])),
  );
  return matched.map((m) => {
    if (!m) return undefined;
    const { username, accountId, tenantId, quotaBytes, usedBytes } = m.account;
    const mailbox = (m.detail && folders.get(`${accountId}\n${m.detail}`)) ?? 'INBOX';
    return { address: m.p.address, accountId, tenantId, username, mailbox, quotaBytes, usedBytes };
  });
}

/** Whether a message of `size` bytes (0: not known) would exceed the recipient's storage quota now. */
export function exceedsQuota(r: Recipient, size: number): boolean {
  return r.quotaBytes !== null && r.usedBytes + Math.max(size, 1) > r.quotaBytes;
}
