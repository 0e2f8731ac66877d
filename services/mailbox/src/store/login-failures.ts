// Failed logins by address and by account (migration 0012), read with the
// account at each login and written after a failure or a success. A count
// stops counting `windowMs` after its last failure; an expired row is read as
// zero and starts again from one.
import type { Queryable } from '@kimap/common';

/** An account row as a login reads it, with the failures that decide its penalty. */
export interface LoginRecord {
  account?: { accountId: number; tenantId: number; username: string; passwordHash: string; disabled: boolean };
  /** Failures from this address, for any username. */
  addressFailures: number;
  /** Failures of this account, from every address. */
  accountFailures: number;
  /** Failures of this account from this address. */
  accountAddressFailures: number;
}

/**
 * The account of `username` and the live failure counts of `address` (null:
 * an address that is not throttled, whose counts are not read), in one statement.
 */
export async function readLogin(db: Queryable, username: string, address: string | null, windowMs: number): Promise<LoginRecord> {
  const { rows } = await db.query<{
    account_id: number | null;
    tenant_id: number;
    username: string;
    password_hash: string;
    disabled: boolean;
    address_failures: number;
    account_failures: number;
    account_address_failures: number;
  }>(
    `SELECT a.account_id, a.tenant_id, a.username, a.password_hash, a.disabled,
            coalesce(fa.failures, 0) AS address_failures,
            coalesce(fc.failures, 0) AS account_failures,
            coalesce(fx.failures, 0) AS account_address_failures
       FROM (SELECT now() - $3::bigint * interval '1 millisecond' AS since) w
       LEFT JOIN accounts a ON a.username = $1
       LEFT JOIN login_failures_by_address fa ON fa.address = $2 AND fa.last_failure > w.since
       LEFT JOIN login_failures_by_account fc ON $2::text IS NOT NULL AND fc.account_id = a.account_id AND fc.last_failure > w.since
       LEFT JOIN login_failures_by_account_address fx ON fx.account_id = a.account_id AND fx.address = $2 AND fx.last_failure > w.since`,
    [username, address, windowMs],
  );
  const r = rows[0]!;
  return {
    ...(r.account_id !== null && {
      account: {
        accountId: Number(r.account_id),
        tenantId: Number(r.tenant_id),
        username: r.username,
        passwordHash: r.password_hash,
        disabled: r.disabled,
      },
    }),
    addressFailures: Number(r.address_failures),
    accountFailures: Number(r.account_failures),
    accountAddressFailures: Number(r.account_address_failures),
  };
}

/** The counts after a failure was added. */
export interface FailureCounts {
  addressFailures: number;
  accountFailures: number;
  accountAddressFailures: number;
}

/** Adds a failure of `address` (and of the account, when the username names one). */
export async function recordLoginFailure(
  db: Queryable,
  address: string,
  accountId: number | undefined,
  windowMs: number,
): Promise<FailureCounts> {
  const { rows } = await db.query<{ by_address: number; by_account: number | null; by_account_address: number | null }>(
    `WITH w AS (SELECT now() - $3::bigint * interval '1 millisecond' AS since),
     by_address AS (
       INSERT INTO login_failures_by_address AS f (address, failures, last_failure) VALUES ($1, 1, now())
       ON CONFLICT (address) DO UPDATE
         SET failures = CASE WHEN f.last_failure > (SELECT since FROM w) THEN f.failures + 1 ELSE 1 END, last_failure = now()
       RETURNING failures),
     by_account AS (
       INSERT INTO login_failures_by_account AS f (account_id, failures, last_failure)
       SELECT $2::bigint, 1, now() WHERE $2::bigint IS NOT NULL
       ON CONFLICT (account_id) DO UPDATE
         SET failures = CASE WHEN f.last_failure > (SELECT since FROM w) THEN f.failures + 1 ELSE 1 END, last_failure = now()
       RETURNING failures),
     by_account_address AS (
       INSERT INTO login_failures_by_account_address AS f (account_id, address, failures, last_failure)
       SELECT $2::bigint, $1, 1, now() WHERE $2::bigint IS NOT NULL
       ON CONFLICT (account_id, address) DO UPDATE
         SET failures = CASE WHEN f.last_failure > (SELECT since FROM w) THEN f.failures + 1 ELSE 1 END, last_failure = now()
       RETURNING failures)
     SELECT (SELECT failures FROM by_address) AS by_address,
            (SELECT failures FROM by_account) AS by_account,
            (SELECT failures FROM by_account_address) AS by_account_address`,
    [address, accountId ?? null, windowMs],
  );
  const r = rows[0]!;
  return {
    addressFailures: Number(r.by_address),
    accountFailures: Number(r.by_account ?? 0),
    accountAddressFailures: Number(r.by_account_address ?? 0),
  };
}

/**
 * After a successful login: forgets the failures `address` made for this
 * account, and takes them off the address's and the account's totals.
 * Failures for other accounts (or unknown names) stay until they expire, so
 * that a success with one's own account does not let an address go on guessing others.
 */
export async function clearLoginFailures(db: Queryable, address: string, accountId: number, windowMs: number): Promise<void> {
  await db.query(
    `WITH mine AS (
       DELETE FROM login_failures_by_account_address WHERE account_id = $2 AND address = $1
       RETURNING CASE WHEN last_failure > now() - $3::bigint * interval '1 millisecond' THEN failures ELSE 0 END AS failures),
     by_address AS (
       UPDATE login_failures_by_address SET failures = greatest(failures - (SELECT failures FROM mine), 0)
        WHERE address = $1 AND EXISTS (SELECT 1 FROM mine))
     UPDATE login_failures_by_account SET failures = greatest(failures - (SELECT failures FROM mine), 0)
      WHERE account_id = $2 AND EXISTS (SELECT 1 FROM mine)`,
    [address, accountId, windowMs],
  );
}

/** Deletes failure rows that stopped counting. Returns how many. */
export async function purgeLoginFailures(db: Queryable, windowMs: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH w AS (SELECT now() - $1::bigint * interval '1 millisecond' AS since),
     a AS (DELETE FROM login_failures_by_address WHERE last_failure <= (SELECT since FROM w) RETURNING 1),
     b AS (DELETE FROM login_failures_by_account WHERE last_failure <= (SELECT since FROM w) RETURNING 1),
     c AS (DELETE FROM login_failures_by_account_address WHERE last_failure <= (SELECT since FROM w) RETURNING 1)
     SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c) AS n`,
    [windowMs],
  );
  return Number(rows[0]!.n);
}
