// Accounts: logins, and their administration. Usernames are full addresses in
// lower case; the domain part names the tenant (store/tenants.ts).
import argon2 from 'argon2';
import { createHmac, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '@kimap/common';
import type { AccountRef__Output } from '@kimap/common/generated/mail/v1/AccountRef';
import { normalizeDomain, parseAddress, type ParsedAddress } from './addresses.js';
import { alreadyExists, failedPrecondition, invalid, notFound } from './errors.js';
import type { RecordedEvent } from './outbox.js';
import { lockAccounts, plural, purgeAccounts, type Removal } from './removal.js';
import { findTenant, lockTenant, pageLimit, type Page } from './tenants.js';

export interface Account {
  accountId: number;
  tenantId: number;
  username: string;
}

/** A verified login, as AuthenticateResponse carries it. */
export interface Login {
  account: AccountRef__Output;
  username: string;
}

/** The folders every new account gets, with their RFC 6154 attributes. */
export const DEFAULT_MAILBOXES: ReadonlyArray<[string, string | null]> = [
  ['INBOX', null],
  ['Drafts', '\\Drafts'],
  ['Sent', '\\Sent'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

// A fixed hash to verify against for unknown users, so that a missing account
// costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;

/**
 * Successful verifications, remembered for a while so that clients which log
 * in again and again (mobile clients, sync tools) do not pay argon2 each time.
 * Keyed by an HMAC (with a per-process random key) of the user, the password
 * and the stored hash: a password change makes the old entry unreachable, and
 * no password is ever held in the clear.
 */
const VERIFIED_TTL_MS = Number(process.env.AUTH_CACHE_TTL_MS ?? 300_000);
const VERIFIED_MAX = 100_000;
const verifiedKey = randomBytes(32);
const verified = new Map<string, number>();
/** Verifications running now: a burst of logins with the same credentials hashes once. */
const verifying = new Map<string, Promise<boolean>>();

function verificationKey(username: string, password: string, hash: string): string {
  return createHmac('sha256', verifiedKey).update(username).update('\0').update(password).update('\0').update(hash).digest('base64');
}

async function verifyPassword(username: string, hash: string, password: string): Promise<boolean> {
  const key = verificationKey(username, password, hash);
  const until = verified.get(key);
  if (until !== undefined && until > Date.now()) return true;
  let running = verifying.get(key);
  if (!running) {
    running = argon2.verify(hash, password).catch(() => false);
    verifying.set(key, running);
    void running.finally(() => verifying.delete(key));
  }
  const ok = await running;
  if (ok && VERIFIED_TTL_MS > 0) {
    verified.delete(key);
    verified.set(key, Date.now() + VERIFIED_TTL_MS);
    // Oldest first: Map iteration follows insertion order.
    while (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  }
  return ok;
}

/** What a password check found: `ok`, or why it failed. */
export type CredentialCheck = 'ok' | 'unknown_user' | 'password' | 'disabled';

/**
 * Checks a password against an account row as read (undefined: no such
 * user). Every failure costs an argon2 verification, so that the time taken
 * tells nothing of whether the user exists; a disabled account is told apart
 * only after its password matched.
 */
export async function checkCredentials(
  row: { username: string; passwordHash: string; disabled: boolean } | undefined,
  password: string,
): Promise<CredentialCheck> {
  if (!row) {
    dummyHash ??= hashPassword('not-a-password');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return 'unknown_user';
  }
  if (!(await verifyPassword(row.username, row.passwordHash, password))) return 'password';
  return row.disabled ? 'disabled' : 'ok';
}

/** Checks a login without throttling (imapctl, tests); the service's Authenticate goes through LoginThrottle. */
export async function authenticate(db: Queryable, username: string, password: string): Promise<Login | undefined> {
  const name = normalizeUsername(username);
  const { rows } = await db.query<{ account_id: number; tenant_id: number; username: string; password_hash: string; disabled: boolean }>(
    'SELECT account_id, tenant_id, username, password_hash, disabled FROM accounts WHERE username = $1',
    [name],
  );
  const row = rows[0];
  const check = await checkCredentials(
    row && { username: row.username, passwordHash: row.password_hash, disabled: row.disabled },
    password,
  );
  if (check !== 'ok' || !row) return undefined;
  return { account: { accountId: row.account_id, tenantId: row.tenant_id }, username: row.username };
}

/** Whether an account may be used: it exists and is not disabled. */
export async function accountActive(db: Queryable, accountId: number): Promise<boolean> {
  const { rows } = await db.query<{ disabled: boolean }>('SELECT disabled FROM accounts WHERE account_id = $1', [accountId]);
  return rows[0] !== undefined && !rows[0].disabled;
}

export interface AddUserOptions {
  /** Create the tenant of the address's domain when it does not exist yet. */
  createTenant?: boolean;
  quotaBytes?: number | null;
}

/**
 * Checks, in this order, that an address can become a new account: its form,
 * its tenant (unless it is to be created), and that it is neither an account
 * nor an alias yet. addUser checks again in its transaction; this lets a
 * caller report these before it asks for (or checks) the password.
 */
export async function checkNewUser(db: Queryable, username: string, opts: AddUserOptions = {}): Promise<ParsedAddress> {
  const parsed = parseAddress(username);
  checkQuota(opts.quotaBytes);
  if (!opts.createTenant && (await findTenant(db, parsed.domain)) === undefined) throw notFound(`Tenant ${parsed.domain} does not exist`);
  await checkAddressFree(db, parsed.address);
  return parsed;
}

function checkQuota(quotaBytes: number | null | undefined): void {
  if (quotaBytes != null && !(Number.isSafeInteger(quotaBytes) && quotaBytes >= 0)) {
    throw invalid(`Not a quota: ${quotaBytes} (expected a whole number of bytes, 0 or more)`);
  }
}

/** Refuses an address that is an account or an alias already. */
async function checkAddressFree(db: Queryable, address: string): Promise<void> {
  const { rows } = await db.query<{ kind: string; target: string | null }>(
    `SELECT 'account' AS kind, NULL AS target FROM accounts WHERE username = $1
     UNION ALL
     SELECT 'alias', a.username FROM aliases l JOIN accounts a ON a.account_id = l.account_id WHERE l.address = $1`,
    [address],
  );
  const row = rows[0];
  if (row?.kind === 'account') throw alreadyExists(`User ${address} exists`);
  if (row) throw alreadyExists(`${address} is an alias of ${row.target}`);
}

/** Creates an account with its default mailboxes, in one transaction. */
export async function addUser(db: Database, username: string, password: string, opts: AddUserOptions = {}): Promise<Account> {
  const { address, domain } = await checkNewUser(db, username, opts);
  const hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    if (opts.createTenant) await tx.query('INSERT INTO tenants (domain) VALUES ($1) ON CONFLICT (domain) DO NOTHING', [domain]);
    const tenantId = await lockTenant(tx, domain);
    await checkAddressFree(tx, address);
    const { rows } = await tx.query<{ account_id: number }>(
      `INSERT INTO accounts (tenant_id, username, password_hash, quota_bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING RETURNING account_id`,
      [tenantId, address, hash, opts.quotaBytes ?? null],
    );
    const accountId = rows[0]?.account_id;
    if (accountId === undefined) throw alreadyExists(`User ${address} exists`);
    for (const [mailbox, specialUse] of DEFAULT_MAILBOXES) {
      await insertMailbox(tx, accountId, mailbox, specialUse);
      await tx.query('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2)', [accountId, mailbox]);
    }
    return { accountId, tenantId, username: address };
  });
}

export async function userExists(db: Queryable, username: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM accounts WHERE username = $1', [normalizeUsername(username)]);
  return rows.length > 0;
}

/** An account as administration lists it. */
export interface UserInfo {
  accountId: number;
  tenantId: number;
  address: string;
  disabled: boolean;
  /** Messages in all its mailboxes. */
  messages: number;
  usedBytes: number;
}

const USER_COLUMNS = `a.account_id AS "accountId", a.tenant_id AS "tenantId", a.username AS address, a.disabled,
  a.used_bytes AS "usedBytes",
  (SELECT coalesce(sum(m.messages), 0)::bigint FROM mailboxes m WHERE m.account_id = a.account_id) AS messages`;

export async function getUser(db: Queryable, username: string): Promise<UserInfo> {
  const { address } = parseAddress(username);
  const { rows } = await db.query<UserInfo>(`SELECT ${USER_COLUMNS} FROM accounts a WHERE a.username = $1`, [address]);
  if (!rows[0]) throw notFound(`User ${address} does not exist`);
  return rows[0];
}

/** Accounts in address order: all of them, or those of one tenant. */
export async function listUsers(db: Queryable, filter: { domain?: string } = {}, page: Page = {}): Promise<UserInfo[]> {
  let tenantId: number | null = null;
  if (filter.domain) {
    const d = normalizeDomain(filter.domain);
    tenantId = (await findTenant(db, d)) ?? null;
    if (tenantId === null) throw notFound(`Tenant ${d} does not exist`);
  }
  const { rows } = await db.query<UserInfo>(
    `SELECT ${USER_COLUMNS} FROM accounts a
      WHERE ($1::bigint IS NULL OR a.tenant_id = $1) AND a.username > $2 ORDER BY a.username LIMIT $3`,
    [tenantId, page.after ?? '', pageLimit(page)],
  );
  return rows;
}

/** A change of an account's state, with the `account` event it wrote (none when nothing changed). */
export interface AccountChange {
  accountId: number;
  address: string;
  changed: boolean;
  event?: RecordedEvent;
}

async function recordAccountEvent(tx: Queryable, accountId: number): Promise<RecordedEvent> {
  const { rows } = await tx.query<{ event_id: number }>("SELECT kimap_record_change($1, 0, 0, 'account') AS event_id", [accountId]);
  return { accountId, mailboxId: 0, modseq: 0, kind: 'account', eventId: rows[0]!.event_id };
}

/** Sets an account's password (the caller checks it against the rules, see checkPassword). */
export async function setPassword(db: Database, username: string, password: string): Promise<AccountChange> {
  const { address } = parseAddress(username);
  if (!(await userExists(db, address))) throw notFound(`User ${address} does not exist`);
  const hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ account_id: number }>(
      'UPDATE accounts SET password_hash = $2 WHERE username = $1 RETURNING account_id',
      [address, hash],
    );
    if (!rows[0]) throw notFound(`User ${address} does not exist`);
    return { accountId: rows[0].account_id, address, changed: true, event: await recordAccountEvent(tx, rows[0].account_id) };
  });
}

/** Disables or enables an account: a disabled account cannot log in. Changing nothing is no error. */
export async function setDisabled(db: Database, username: string, disabled: boolean): Promise<AccountChange> {
  const { address } = parseAddress(username);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ account_id: number; disabled: boolean }>(
      'SELECT account_id, disabled FROM accounts WHERE username = $1 FOR UPDATE',
      [address],
    );
    const row = rows[0];
    if (!row) throw notFound(`User ${address} does not exist`);
    if (row.disabled === disabled) return { accountId: row.account_id, address, changed: false };
    await tx.query('UPDATE accounts SET disabled = $2 WHERE account_id = $1', [row.account_id, disabled]);
    return { accountId: row.account_id, address, changed: true, event: await recordAccountEvent(tx, row.account_id) };
  });
}

/** setDisabled for an account known by its id (as the edge's sessions know it). */
export async function setAccountDisabled(db: Database, accountId: number, disabled: boolean): Promise<AccountChange> {
  const { rows } = await db.query<{ username: string }>('SELECT username FROM accounts WHERE account_id = $1', [accountId]);
  if (!rows[0]) throw notFound(`Account ${accountId} does not exist`);
  return setDisabled(db, rows[0].username, disabled);
}

/**
 * Removes an account with everything it holds (see purgeAccounts), in one
 * transaction. An account with messages is removed only with `force`.
 */
export async function removeUser(db: Database, username: string, opts: { force?: boolean } = {}): Promise<Removal> {
  const { address } = parseAddress(username);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ account_id: number }>('SELECT account_id FROM accounts WHERE username = $1', [address]);
    const locked = rows[0] ? await lockAccounts(tx, [rows[0].account_id]) : undefined;
    if (!locked?.accountIds.length) throw notFound(`User ${address} does not exist`);
    if (locked.messages > 0 && !opts.force) {
      throw failedPrecondition(`User ${address} has ${plural(locked.messages, 'message')}; removing it needs force`);
    }
    return purgeAccounts(tx, locked.accountIds);
  });
}

/**
 * Inserts a mailbox row. UIDVALIDITY derives from the globally unique mailbox
 * id, so a mailbox deleted and created again under the same name never reuses it.
 */
export async function insertMailbox(
  tx: Queryable,
  accountId: number,
  name: string,
  specialUse: string | null,
): Promise<{ mailboxId: number; uidvalidity: number }> {
  const { rows } = await tx.query<{ mailbox_id: number; uidvalidity: number }>(
    `WITH id AS (SELECT nextval('mailbox_id_seq') AS v)
     INSERT INTO mailboxes (account_id, mailbox_id, name, special_use, uidvalidity)
     SELECT $1, v, $2, $3, (v % 4294967295) + 1 FROM id
     ON CONFLICT (account_id, name) DO NOTHING
     RETURNING mailbox_id, uidvalidity`,
    [accountId, name, specialUse],
  );
  if (!rows[0]) throw alreadyExists(`Mailbox ${name} exists`);
  return { mailboxId: rows[0].mailbox_id, uidvalidity: rows[0].uidvalidity };
}
