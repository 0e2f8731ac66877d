// Tenants (mail domains) and accounts. Usernames are full addresses in lower
// case; the domain part names the tenant.
import argon2 from 'argon2';
import { createHmac, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '@kimap/common';
import type { AccountRef__Output } from '@kimap/common/generated/mail/v1/AccountRef';
import { alreadyExists, invalid, notFound } from './errors.js';

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

function domainOf(username: string): string {
  const at = username.lastIndexOf('@');
  if (at <= 0 || at === username.length - 1) throw invalid('Username must be a full address (user@domain)');
  return username.slice(at + 1);
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

export async function authenticate(db: Queryable, username: string, password: string): Promise<Login | undefined> {
  const name = normalizeUsername(username);
  const { rows } = await db.query<{ account_id: number; tenant_id: number; username: string; password_hash: string; disabled: boolean }>(
    'SELECT account_id, tenant_id, username, password_hash, disabled FROM accounts WHERE username = $1',
    [name],
  );
  const row = rows[0];
  if (!row) {
    dummyHash ??= hashPassword('not-a-password');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return undefined;
  }
  const ok = await verifyPassword(row.username, row.password_hash, password);
  if (!ok || row.disabled) return undefined;
  return { account: { accountId: row.account_id, tenantId: row.tenant_id }, username: row.username };
}

export async function addTenant(db: Queryable, domain: string): Promise<number> {
  const d = domain.trim().toLowerCase();
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(d)) throw invalid(`Not a domain name: ${domain}`);
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

export interface AddUserOptions {
  /** Create the tenant of the address's domain when it does not exist yet. */
  createTenant?: boolean;
  quotaBytes?: number | null;
}

/** Creates an account with its default mailboxes, in one transaction. */
export async function addUser(db: Database, username: string, password: string, opts: AddUserOptions = {}): Promise<Account> {
  const name = normalizeUsername(username);
  const domain = domainOf(name);
  const hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    let tenantId = await findTenant(tx, domain);
    if (tenantId === undefined) {
      if (!opts.createTenant) throw notFound(`Tenant ${domain} does not exist`);
      tenantId = await addTenant(tx, domain);
    }
    const { rows } = await tx.query<{ account_id: number }>(
      `INSERT INTO accounts (tenant_id, username, password_hash, quota_bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING RETURNING account_id`,
      [tenantId, name, hash, opts.quotaBytes ?? null],
    );
    const accountId = rows[0]?.account_id;
    if (accountId === undefined) throw alreadyExists(`User ${name} exists`);
    for (const [mailbox, specialUse] of DEFAULT_MAILBOXES) {
      await insertMailbox(tx, accountId, mailbox, specialUse);
      await tx.query('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2)', [accountId, mailbox]);
    }
    return { accountId, tenantId, username: name };
  });
}

export async function setPassword(db: Queryable, username: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  const r = await db.query('UPDATE accounts SET password_hash = $2 WHERE username = $1', [normalizeUsername(username), hash]);
  if (r.rowCount === 0) throw notFound(`User ${normalizeUsername(username)} does not exist`);
}

export async function userExists(db: Queryable, username: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM accounts WHERE username = $1', [normalizeUsername(username)]);
  return rows.length > 0;
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
