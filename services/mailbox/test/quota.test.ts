// Quota on a real PostgreSQL: limits in bytes and in messages, the tenant's
// default and total, what gives usage back, and concurrent writers through
// two mailbox service instances that never pass a limit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, createMailboxClient, InProcessBus, openDatabase, type Database, type MailboxServiceClient } from '@kimap/common';
import { createTestDatabase, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '../src/store/accounts.js';
import { copyMessages } from '../src/store/copy.js';
import { removeMessages } from '../src/store/expunge.js';
import { storeFlags } from '../src/store/flags.js';
import { createMailbox, deleteMailbox, findMailbox, mailboxStatus } from '../src/store/mailboxes.js';
import { appendMessage, appendMessages } from '../src/store/messages.js';
import { copyShared } from '../src/store/shared.js';
import { accountQuota, accountQuotaReport, chargeQuota, setAccountQuota, setTenantQuota, tenantQuotaReport } from '../src/store/quota.js';
import { startMailboxService, type RunningMailboxService } from '../src/server.js';

const ALL = [{ first: 1, last: 0 }];
const log = createLogger('test', 'silent');

/** A message of exactly `size` bytes (CRLF line ends, as stored). */
function message(size: number, subject = 'quota'): Buffer {
  const head = `Subject: ${subject}\r\n\r\n`;
  assert.ok(size >= head.length + 2);
  return Buffer.from(head + 'x'.repeat(size - head.length - 2) + '\r\n');
}

function call<Res>(client: MailboxServiceClient, method: string, req: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (r: unknown, cb: (e: Error | null, v: Res) => void) => void>)[method]!.call(client, req, (e, v) =>
      e ? reject(e) : resolve(v),
    );
  });
}

describe('quota', () => {
  let tdb: TestDatabase;
  let db: Database;

  before(async () => {
    tdb = await createTestDatabase();
    db = tdb.db;
  });
  after(() => tdb.drop());

  /** A new account in a new tenant of its own (or in `domain`). */
  async function account(
    domain = `${uniqueName('q')}.test`,
  ): Promise<{ accountId: number; tenantId: number; user: string; domain: string }> {
    const user = `${uniqueName('u')}@${domain}`;
    const acc = await addUser(db, user, 'password-1', { createTenant: true });
    return { accountId: acc.accountId, tenantId: acc.tenantId, user, domain };
  }
  const append = (accountId: number, size: number, mailbox = 'INBOX', flags: string[] = []) =>
    db.transaction((tx) => appendMessage(tx, { accountId, mailbox, flags, internalDateMs: 0, message: message(size) }));
  const usage = async (accountId: number) =>
    (
      await db.query<{ used_bytes: number; used_messages: number; stored: number; bytes: number }>(
        `SELECT used_bytes, used_messages,
                (SELECT count(*) FROM messages m WHERE m.account_id = a.account_id)::bigint AS stored,
                (SELECT coalesce(sum(size), 0) FROM messages m WHERE m.account_id = a.account_id)::bigint AS bytes
           FROM accounts a WHERE account_id = $1`,
        [accountId],
      )
    ).rows[0]!;
  const tenantUsage = async (tenantId: number) =>
    (
      await db.query<{ used_bytes: number; used_messages: number }>('SELECT used_bytes, used_messages FROM tenants WHERE tenant_id = $1', [
        tenantId,
      ])
    ).rows[0]!;

  test('the migration counts existing usage and takes a tenant row to carry defaults and totals', async () => {
    const cols = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_name IN ('accounts', 'tenants') AND column_name LIKE '%quota%' OR column_name LIKE 'used_%' ORDER BY 1, 2`,
    );
    const names = cols.rows.map((r) => `${r.table_name}.${r.column_name}`);
    for (const c of [
      'accounts.quota_bytes',
      'accounts.quota_messages',
      'accounts.used_messages',
      'tenants.default_quota_bytes',
      'tenants.default_quota_messages',
      'tenants.total_quota_bytes',
      'tenants.total_quota_messages',
      'tenants.used_bytes',
    ]) {
      assert.ok(names.includes(c), c);
    }
  });

  test('APPEND beyond the storage limit is refused with OVERQUOTA and stores nothing', async () => {
    const a = await account();
    await setAccountQuota(db, a.user, { storage: 1000 });
    await append(a.accountId, 600);
    await assert.rejects(append(a.accountId, 401), (err: Error & { imapCode?: string }) => {
      assert.equal(err.imapCode, 'OVERQUOTA');
      assert.match(err.message, /Quota exceeded/);
      return true;
    });
    await append(a.accountId, 400);
    assert.deepEqual(await usage(a.accountId), { used_bytes: 1000, used_messages: 2, stored: 2, bytes: 1000 });
    await assert.rejects(append(a.accountId, 30), /Quota exceeded/);
  });

  test('APPEND beyond the message limit is refused, whatever the bytes', async () => {
    const a = await account();
    await setAccountQuota(db, a.user, { messages: 2 });
    await append(a.accountId, 100);
    await append(a.accountId, 100, 'Archive');
    await assert.rejects(append(a.accountId, 100), /too many messages/);
    assert.deepEqual(await usage(a.accountId), { used_bytes: 200, used_messages: 2, stored: 2, bytes: 200 });
  });

  test('MULTIAPPEND beyond a limit stores none of its messages', async () => {
    const a = await account();
    await setAccountQuota(db, a.user, { messages: 3, storage: 10_000 });
    await append(a.accountId, 100);
    const items = [1, 2, 3].map((i) => ({ flags: [], internalDateMs: 0, message: message(100, `m${i}`) }));
    await assert.rejects(
      db.transaction((tx) => appendMessages(tx, a.accountId, 'INBOX', items)),
      /Quota exceeded/,
    );
    const before = await mailboxStatus(db, a.accountId, 'INBOX');
    assert.equal(before.messages, 1);
    assert.equal(before.uidnext, 2, 'no UIDs were used up');
    assert.deepEqual(await usage(a.accountId), { used_bytes: 100, used_messages: 1, stored: 1, bytes: 100 });
    await db.transaction((tx) => appendMessages(tx, a.accountId, 'INBOX', items.slice(0, 2)));
    assert.deepEqual(await usage(a.accountId), { used_bytes: 300, used_messages: 3, stored: 3, bytes: 300 });
    // Bytes too: 9,700 left, two messages of 5,000 do not fit together.
    await setAccountQuota(db, a.user, { messages: null });
    const big = [1, 2].map((i) => ({ flags: [], internalDateMs: 0, message: message(5000, `b${i}`) }));
    await assert.rejects(
      db.transaction((tx) => appendMessages(tx, a.accountId, 'INBOX', big)),
      /mailbox is full/,
    );
    assert.equal((await usage(a.accountId)).stored, 3);
  });

  test("the tenant's default applies to accounts without their own limit; an account's own limit wins, -1 is none", async () => {
    const a = await account();
    const b = await account(a.domain);
    await setTenantQuota(db, a.domain, { storage: 500, messages: 10 });
    await setAccountQuota(db, b.user, { storage: 2000 });
    await append(a.accountId, 400);
    await assert.rejects(append(a.accountId, 200), /Quota exceeded/);
    await append(b.accountId, 1500);
    assert.deepEqual((await accountQuota(db, a.accountId)).account, {
      usedBytes: 400,
      usedMessages: 1,
      limitBytes: 500,
      limitMessages: 10,
    });
    assert.deepEqual((await accountQuota(db, b.accountId)).account, {
      usedBytes: 1500,
      usedMessages: 1,
      limitBytes: 2000,
      limitMessages: 10,
    });
    // No limit for a, whatever the default; then back to the default.
    await setAccountQuota(db, a.user, { storage: null });
    await append(a.accountId, 1000);
    assert.deepEqual((await accountQuota(db, a.accountId)).account, { usedBytes: 1400, usedMessages: 2, limitMessages: 10 });
    assert.deepEqual((await accountQuotaReport(db, a.user)).storage, { limit: null, source: 'account' });
    await setAccountQuota(db, a.user, { storage: 'default' });
    assert.deepEqual((await accountQuotaReport(db, a.user)).storage, { limit: 500, source: 'default' });
    await assert.rejects(append(a.accountId, 100), /Quota exceeded/);
    // The default cleared: no limit at all.
    await setTenantQuota(db, a.domain, { storage: null, messages: null });
    await append(a.accountId, 100);
    assert.deepEqual((await accountQuota(db, a.accountId)).account, { usedBytes: 1500, usedMessages: 3 });
    assert.equal((await accountQuota(db, a.accountId)).tenant, null, 'no total, no tenant root');
  });

  test('bad limits are refused before anything is written; unknown users and tenants are NOT_FOUND', async () => {
    const a = await account();
    await assert.rejects(setAccountQuota(db, a.user, { storage: -1 }), /at least 0/);
    await assert.rejects(setAccountQuota(db, a.user, { messages: 1.5 }), /whole number/);
    await assert.rejects(setTenantQuota(db, a.domain, { totalStorage: -5 }), /at least 0/);
    await assert.rejects(setTenantQuota(db, a.domain, { storage: 'default' as never }), /applies to an account/);
    await assert.rejects(setAccountQuota(db, 'nobody@nowhere.test', { storage: 1 }), /does not exist/);
    await assert.rejects(setTenantQuota(db, 'nowhere.test', { storage: 1 }), /does not exist/);
    await assert.rejects(accountQuotaReport(db, 'nobody@nowhere.test'), /does not exist/);
    await assert.rejects(tenantQuotaReport(db, 'nowhere.test'), /does not exist/);
    assert.deepEqual((await accountQuotaReport(db, a.user)).storage, { limit: null, source: 'none' });
  });

  test('COPY beyond a limit is refused and copies nothing; MOVE within the account counts nothing twice', async () => {
    const a = await account();
    await setAccountQuota(db, a.user, { storage: 1000, messages: 4 });
    await append(a.accountId, 300);
    await append(a.accountId, 300);
    await append(a.accountId, 300);
    const inbox = await findMailbox(db, a.accountId, 'INBOX');
    // 900 bytes used: a copy of 300 would make 1,200.
    await assert.rejects(
      db.transaction((tx) => copyMessages(tx, a.accountId, inbox.mailboxId, [{ first: 1, last: 1 }], 'Archive', false)),
      (err: Error & { imapCode?: string }) => err.imapCode === 'OVERQUOTA',
    );
    assert.equal((await mailboxStatus(db, a.accountId, 'Archive')).messages, 0);
    // At the limit, MOVE still works and leaves the usage as it was.
    const moved = await db.transaction((tx) => copyMessages(tx, a.accountId, inbox.mailboxId, ALL, 'Archive', true));
    assert.deepEqual(moved.destinationUids, [1, 2, 3]);
    assert.deepEqual(await usage(a.accountId), { used_bytes: 900, used_messages: 3, stored: 3, bytes: 900 });
    // By messages: 100 more bytes fit, a fifth message does not.
    await setAccountQuota(db, a.user, { storage: null });
    const archive = await findMailbox(db, a.accountId, 'Archive');
    await db.transaction((tx) => copyMessages(tx, a.accountId, archive.mailboxId, [{ first: 1, last: 1 }], 'INBOX', false));
    await assert.rejects(
      db.transaction((tx) => copyMessages(tx, a.accountId, archive.mailboxId, [{ first: 2, last: 2 }], 'INBOX', false)),
      /too many messages/,
    );
    assert.deepEqual(await usage(a.accountId), { used_bytes: 1200, used_messages: 4, stored: 4, bytes: 1200 });
  });

  test('EXPUNGE and DELETE of a mailbox give bytes and messages back', async () => {
    const a = await account();
    await setAccountQuota(db, a.user, { storage: 1000, messages: 3 });
    await db.transaction((tx) => createMailbox(tx, a.accountId, 'Old', null));
    await append(a.accountId, 300, 'Old');
    await append(a.accountId, 300, 'INBOX', ['\\Deleted']);
    await append(a.accountId, 300, 'INBOX');
    await assert.rejects(append(a.accountId, 100), /Quota exceeded/);
    const inbox = await findMailbox(db, a.accountId, 'INBOX');
    const gone = await removeMessages(db, a.accountId, inbox.mailboxId, { deletedOnly: true });
    assert.deepEqual(gone.uids, [1]);
    assert.deepEqual(await usage(a.accountId), { used_bytes: 600, used_messages: 2, stored: 2, bytes: 600 });
    await db.transaction((tx) => deleteMailbox(tx, a.accountId, 'Old'));
    assert.deepEqual(await usage(a.accountId), { used_bytes: 300, used_messages: 1, stored: 1, bytes: 300 });
    await append(a.accountId, 300);
    await append(a.accountId, 300);
    assert.deepEqual(await usage(a.accountId), { used_bytes: 900, used_messages: 3, stored: 3, bytes: 900 });
  });

  test('STATUS DELETED-STORAGE: the size of the \\Deleted messages, summed only when asked', async () => {
    const a = await account();
    await append(a.accountId, 100);
    await append(a.accountId, 250);
    await append(a.accountId, 400);
    assert.equal((await mailboxStatus(db, a.accountId, 'INBOX', { deletedSize: true })).deletedSize, 0);
    const inbox = await findMailbox(db, a.accountId, 'INBOX');
    await storeFlags(db, a.accountId, inbox.mailboxId, [{ first: 2, last: 3 }], 'add', ['\\Deleted']);
    const st = await mailboxStatus(db, a.accountId, 'INBOX', { deletedSize: true });
    assert.equal(st.deleted, 2);
    assert.equal(st.deletedSize, 650);
    assert.equal((await mailboxStatus(db, a.accountId, 'INBOX')).deletedSize, undefined);
  });

  test("a tenant's total holds across its accounts; it is counted when set and given back on removal", async () => {
    const a = await account();
    const b = await account(a.domain);
    const c = await account(a.domain);
    await append(a.accountId, 1000);
    await append(b.accountId, 500);
    // Not kept without a total.
    assert.deepEqual(await tenantUsage(a.tenantId), { used_bytes: 0, used_messages: 0 });
    assert.equal((await tenantQuotaReport(db, a.domain)).usedBytes, 1500, 'summed over the accounts when not kept');
    await setTenantQuota(db, a.domain, { totalStorage: 2000 });
    assert.deepEqual(await tenantUsage(a.tenantId), { used_bytes: 1500, used_messages: 2 });
    await append(c.accountId, 400);
    await assert.rejects(append(b.accountId, 101), (err: Error & { imapCode?: string }) => {
      assert.equal(err.imapCode, 'OVERQUOTA');
      assert.match(err.message, /domain is full/);
      return true;
    });
    await append(b.accountId, 100);
    assert.deepEqual(await tenantUsage(a.tenantId), { used_bytes: 2000, used_messages: 4 });
    assert.deepEqual((await accountQuota(db, b.accountId)).tenant, { usedBytes: 2000, usedMessages: 4, limitBytes: 2000 });
    // A limit in messages as well; the byte total kept.
    await setTenantQuota(db, a.domain, { totalMessages: 4, totalStorage: 10_000 });
    await assert.rejects(append(a.accountId, 30), /domain is full/);
    // EXPUNGE gives back to the tenant too.
    const inbox = await findMailbox(db, c.accountId, 'INBOX');
    await removeMessages(db, c.accountId, inbox.mailboxId, { deletedOnly: false });
    assert.deepEqual(await tenantUsage(a.tenantId), { used_bytes: 1600, used_messages: 3 });
    await append(a.accountId, 30);
    // An account removed takes its usage with it.
    await db.query('DELETE FROM accounts WHERE account_id = $1', [c.accountId]);
    await db.query('DELETE FROM accounts WHERE account_id = $1', [a.accountId]);
    assert.deepEqual(await tenantUsage(a.tenantId), { used_bytes: 600, used_messages: 2 });
    // Cleared, the counters are no longer kept; set again, they are counted afresh.
    await setTenantQuota(db, a.domain, { totalMessages: null, totalStorage: null });
    await append(b.accountId, 100);
    assert.deepEqual(await tenantUsage(a.tenantId), { used_bytes: 600, used_messages: 2 }, 'not kept');
    await setTenantQuota(db, a.domain, { totalMessages: 100 });
    assert.deepEqual(await tenantUsage(a.tenantId), { used_bytes: 700, used_messages: 3 });
    const report = await tenantQuotaReport(db, a.domain);
    assert.deepEqual(report, {
      domain: a.domain,
      accounts: 1,
      defaultStorage: null,
      defaultMessages: null,
      totalStorage: null,
      totalMessages: 100,
      usedBytes: 700,
      usedMessages: 3,
    });
  });

  test('MOVEs between two accounts in both directions at once: the owner of each copy pays, no deadlock', async () => {
    const a = await account();
    const b = await account(a.domain);
    for (const acc of [a, b]) {
      await db.transaction((tx) => createMailbox(tx, acc.accountId, 'Out', null));
      for (let i = 0; i < 12; i++) await append(acc.accountId, 100 + i, 'Out');
    }
    const out = async (acc: { accountId: number }) => (await findMailbox(db, acc.accountId, 'Out')).mailboxId;
    const [aOut, bOut] = [await out(a), await out(b)];
    // The principal owns the source; the destination is the other account's INBOX, shared with every right.
    const move = (from: typeof a, fromBox: number, to: typeof a, uid: number) =>
      db.transaction((tx) =>
        copyShared(
          tx,
          from.accountId,
          { accountId: from.accountId, mailboxId: fromBox, own: true, rights: 'lrswipkxtea' },
          [{ first: uid, last: uid }],
          { accountId: to.accountId, own: false, rights: 'lrswipkxtea', name: 'INBOX' },
          true,
        ),
      );
    for (let uid = 1; uid <= 12; uid++) await Promise.all([move(a, aOut, b, uid), move(b, bOut, a, uid)]);
    for (const acc of [a, b]) {
      const u = await usage(acc.accountId);
      assert.equal(u.used_messages, 12);
      assert.equal(u.used_messages, u.stored);
      assert.equal(u.used_bytes, u.bytes);
    }
  });

  test('a charge inside a transaction of its own (as a delivery would) is undone with it', async () => {
    const a = await account();
    await setAccountQuota(db, a.user, { messages: 1 });
    await assert.rejects(
      db.transaction(async (tx) => {
        await chargeQuota(tx, a.accountId, 100, 1);
        throw new Error('delivery failed later');
      }),
      /delivery failed later/,
    );
    assert.equal((await usage(a.accountId)).used_messages, 0);
    await db.transaction((tx) => chargeQuota(tx, a.accountId, 100, 1));
    await assert.rejects(
      db.transaction((tx) => chargeQuota(tx, a.accountId, 100, 1)),
      (err: Error & { imapCode?: string }) => err.imapCode === 'OVERQUOTA',
    );
  });
});

describe('quota under concurrent writers through two mailbox service instances', () => {
  let tdb: TestDatabase;
  let secondDb: Database;
  let services: RunningMailboxService[] = [];
  let clients: MailboxServiceClient[] = [];
  const bus = new InProcessBus();

  before(async () => {
    tdb = await createTestDatabase();
    // Two instances with their own connection pools, as two pods would be.
    secondDb = await openDatabase(tdb.url, { max: 20 });
    services = [
      await startMailboxService({ db: tdb.db, publisher: bus, address: '127.0.0.1:0', log }),
      await startMailboxService({ db: secondDb, publisher: bus, address: '127.0.0.1:0', log }),
    ];
    clients = services.map((s) => createMailboxClient(`127.0.0.1:${s.port}`));
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const s of services) await s.stop();
    await secondDb.close();
    await bus.close();
    await tdb.drop();
  });

  /** Sends `n` one-message APPENDs at once, alternating between the instances; returns how many were stored. */
  async function appendAtOnce(accounts: Array<{ accountId: number; tenantId: number }>, n: number, size: number): Promise<number> {
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        call(clients[i % 2]!, 'Append', {
          account: accounts[i % accounts.length],
          mailbox: i % 3 === 0 ? 'Archive' : 'INBOX',
          items: [{ flags: [], internalDateMs: 0, message: message(size, `c${i}`) }],
        }),
      ),
    );
    for (const r of results) {
      if (r.status === 'rejected') assert.match(String(r.reason), /RESOURCE_EXHAUSTED|Quota exceeded/);
    }
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  const stored = async (where: string, id: number) =>
    (
      await tdb.db.query<{ n: number; bytes: number }>(
        `SELECT count(*)::bigint AS n, coalesce(sum(size), 0)::bigint AS bytes FROM messages WHERE ${where}`,
        [id],
      )
    ).rows[0]!;

  test('60 APPENDs at once against a limit of 25 messages store exactly 25', async () => {
    const acc = await addUser(tdb.db, 'race1@example.test', 'password-1', { createTenant: true });
    await setAccountQuota(tdb.db, 'race1@example.test', { messages: 25 });
    const ok = await appendAtOnce([acc], 60, 200);
    assert.equal(ok, 25);
    assert.deepEqual(await stored('account_id = $1', acc.accountId), { n: 25, bytes: 25 * 200 });
    const q = await accountQuota(tdb.db, acc.accountId);
    assert.deepEqual(q.account, { usedBytes: 5000, usedMessages: 25, limitMessages: 25 });
  });

  test('60 APPENDs at once against a limit of 10,000 bytes store exactly 10,000 bytes', async () => {
    const acc = await addUser(tdb.db, 'race2@example.test', 'password-1', { createTenant: true });
    await setAccountQuota(tdb.db, 'race2@example.test', { storage: 10_000 });
    const ok = await appendAtOnce([acc], 60, 400);
    assert.equal(ok, 25);
    assert.deepEqual(await stored('account_id = $1', acc.accountId), { n: 25, bytes: 10_000 });
  });

  test("three accounts of one tenant appending at once never pass the tenant's total", async () => {
    const accs = [];
    for (const u of ['t1', 't2', 't3']) accs.push(await addUser(tdb.db, `${u}@race.test`, 'password-1', { createTenant: true }));
    await setTenantQuota(tdb.db, 'race.test', { totalMessages: 40, totalStorage: 1_000_000 });
    const ok = await appendAtOnce(accs, 90, 300);
    assert.equal(ok, 40);
    assert.deepEqual(await stored('account_id IN (SELECT account_id FROM accounts WHERE tenant_id = $1)', accs[0]!.tenantId), {
      n: 40,
      bytes: 12_000,
    });
    assert.deepEqual((await tenantQuotaReport(tdb.db, 'race.test')).usedMessages, 40);
  });

  test('a total set while APPENDs run counts every message exactly once', async () => {
    const accs = [];
    for (const u of ['s1', 's2']) accs.push(await addUser(tdb.db, `${u}@setwhile.test`, 'password-1', { createTenant: true }));
    const running = appendAtOnce(accs, 80, 100);
    await new Promise((r) => setTimeout(r, 20));
    await setTenantQuota(tdb.db, 'setwhile.test', { totalStorage: 1_000_000 });
    assert.equal(await running, 80);
    const kept = await tdb.db.query<{ used_bytes: number; used_messages: number }>(
      'SELECT used_bytes, used_messages FROM tenants WHERE domain = $1',
      ['setwhile.test'],
    );
    assert.deepEqual(kept.rows[0], { used_bytes: 8000, used_messages: 80 });
  });
});
