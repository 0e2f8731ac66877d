// Tenants, accounts and aliases as administration changes them, and the
// resolution of recipient addresses, on a real PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvent, grpc, type RpcError } from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, authenticate, checkNewUser, getUser, listUsers, removeUser, setDisabled, setPassword } from '../src/store/accounts.js';
import { checkPassword, normalizeDomain, parseAddress } from '../src/store/addresses.js';
import { addAlias, listAliases, removeAlias, resolveAddress } from '../src/store/aliases.js';
import { removeMessages } from '../src/store/expunge.js';
import { findMailbox } from '../src/store/mailboxes.js';
import { appendMessage } from '../src/store/messages.js';
import { addTenant, getTenant, listTenants, removeTenant } from '../src/store/tenants.js';

/** Asserts that fn fails with an RpcError of this gRPC status whose message matches. */
async function refused(fn: () => Promise<unknown>, code: grpc.status, message: RegExp): Promise<void> {
  await assert.rejects(fn, (err: RpcError) => {
    assert.equal(err.code, code, `${grpc.status[err.code]}: ${err.message}`);
    assert.match(err.message, message);
    return true;
  });
}

const TABLES = ['tenants', 'accounts', 'mailboxes', 'messages', 'message_bodies', 'expunged', 'subscriptions', 'outbox', 'aliases'];

describe('administration store', () => {
  let tdb: TestDatabase;

  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  /** Rows per table that belong to these accounts (tenants: to these tenants). */
  async function rowsOf(accountIds: number[], tenantIds: number[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of TABLES) {
      const [column, ids] = t === 'tenants' ? ['tenant_id', tenantIds] : ['account_id', accountIds];
      const { rows } = await tdb.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${t} WHERE ${column} = ANY($1::bigint[])`, [ids]);
      out[t] = rows[0]!.n;
    }
    return out;
  }

  /** An account with messages in two mailboxes, one expunged (a tombstone), the same body twice. */
  async function populated(address: string): Promise<number> {
    const { accountId } = await addUser(tdb.db, address, 'a-password', { createTenant: true });
    const append = (mailbox: string, text: string) =>
      appendMessage(tdb.db, {
        accountId,
        mailbox,
        flags: [],
        internalDateMs: 0,
        message: Buffer.from(`Subject: ${text}\r\n\r\n${text}\r\n`),
      });
    await append('INBOX', 'one');
    await append('INBOX', 'two');
    await append('Archive', 'one');
    await append('Archive', 'three');
    const archive = await findMailbox(tdb.db, accountId, 'Archive');
    await removeMessages(tdb.db, accountId, archive.mailboxId, { deletedOnly: false, ranges: [{ first: 2, last: 2 }] });
    return accountId;
  }

  test('addresses and domains: lower case, xn-- form, malformed ones refused', () => {
    assert.equal(parseAddress(' Bob@Example.ORG ').address, 'bob@example.org');
    assert.equal(parseAddress('jurgen@Bücher.de').address, 'jurgen@xn--bcher-kva.de');
    assert.equal(normalizeDomain('Bücher.DE'), 'xn--bcher-kva.de');
    for (const bad of [
      'bob',
      'bob@',
      '@example.org',
      'a b@example.org',
      'a..b@example.org',
      'bob@exa_mple.org',
      'bob@1.2.3.4',
      'x@-a.org',
    ]) {
      assert.throws(
        () => parseAddress(bad),
        (e: RpcError) => e.code === grpc.status.INVALID_ARGUMENT && /Not a mail address/.test(e.message),
        bad,
      );
    }
    for (const bad of ['', 'exa mple.org', 'a..b', '-a.org', 'example.org.', 'a/b']) {
      assert.throws(() => normalizeDomain(bad), /Not a domain name/, bad);
    }
  });

  test('the password rule: required, 8 to 1024 characters, no line breaks', () => {
    assert.throws(() => checkPassword(''), /A password is required/);
    assert.throws(() => checkPassword('short'), /at least 8 characters/);
    assert.throws(() => checkPassword('x'.repeat(1025)), /at most 1024 characters/);
    assert.throws(() => checkPassword('long enough\nbut broken'), /line breaks/);
    checkPassword('12345678');
  });

  test('tenants: add, list in domain order with counts, duplicates and unknown ones refused', async () => {
    await addTenant(tdb.db, 'Zeta.test');
    await addTenant(tdb.db, 'alpha.test');
    await refused(() => addTenant(tdb.db, 'ZETA.test'), grpc.status.ALREADY_EXISTS, /Tenant zeta.test exists/);
    await refused(() => addTenant(tdb.db, 'not a domain'), grpc.status.INVALID_ARGUMENT, /Not a domain name/);
    await addUser(tdb.db, 'a@alpha.test', 'a-password');
    const listed = (await listTenants(tdb.db)).filter((t) => t.domain.endsWith('.test') && /^(alpha|zeta)/.test(t.domain));
    assert.deepEqual(
      listed.map(({ domain, accounts, aliases }) => ({ domain, accounts, aliases })),
      [
        { domain: 'alpha.test', accounts: 1, aliases: 0 },
        { domain: 'zeta.test', accounts: 0, aliases: 0 },
      ],
    );
    const paged = await listTenants(tdb.db, { after: 'alpha.test', limit: 1 });
    assert.equal(paged.length, 1);
    assert.ok(paged[0]!.domain > 'alpha.test');
    await refused(() => getTenant(tdb.db, 'nowhere.test'), grpc.status.NOT_FOUND, /Tenant nowhere.test does not exist/);
  });

  test('users: add checks the address, then the tenant, then duplicates; the quota must be bytes', async () => {
    await refused(() => addUser(tdb.db, 'bad address', 'a-password'), grpc.status.INVALID_ARGUMENT, /Not a mail address/);
    await refused(() => addUser(tdb.db, 'x@nowhere.test', 'a-password'), grpc.status.NOT_FOUND, /Tenant nowhere.test does not exist/);
    await refused(() => addUser(tdb.db, 'A@Alpha.test', 'a-password'), grpc.status.ALREADY_EXISTS, /User a@alpha.test exists/);
    await refused(() => checkNewUser(tdb.db, 'q@alpha.test', { quotaBytes: -1 }), grpc.status.INVALID_ARGUMENT, /Not a quota/);
    const acc = await addUser(tdb.db, 'Mixed.Case@alpha.test', 'a-password', { quotaBytes: 1000 });
    assert.equal(acc.username, 'mixed.case@alpha.test');
    const users = await listUsers(tdb.db, { domain: 'alpha.test' });
    assert.deepEqual(
      users.map((u) => [u.address, u.disabled, u.messages, u.usedBytes]),
      [
        ['a@alpha.test', false, 0, 0],
        ['mixed.case@alpha.test', false, 0, 0],
      ],
    );
    assert.deepEqual(
      (await listUsers(tdb.db, { domain: 'alpha.test' }, { after: 'a@alpha.test' })).map((u) => u.address),
      ['mixed.case@alpha.test'],
    );
    await refused(() => listUsers(tdb.db, { domain: 'nowhere.test' }), grpc.status.NOT_FOUND, /Tenant nowhere.test does not exist/);
  });

  test('passwd, disable and enable write an account event in their transaction; disable refuses the login', async () => {
    const { accountId } = await addUser(tdb.db, 'dis@alpha.test', 'first-password');
    const events = async () =>
      (
        await tdb.db.query<{ payload: unknown }>('SELECT payload FROM outbox WHERE account_id = $1 ORDER BY event_id', [accountId])
      ).rows.map((r) => decodeEvent(JSON.stringify(r.payload)));
    const account = { accountId, mailboxId: 0, modseq: 0, kind: 'account' };
    const pw = await setPassword(tdb.db, 'DIS@alpha.test', 'second-password');
    assert.equal(pw.event?.kind, 'account');
    assert.equal(await authenticate(tdb.db, 'dis@alpha.test', 'first-password'), undefined);
    assert.ok(await authenticate(tdb.db, 'dis@alpha.test', 'second-password'));
    assert.deepEqual(await events(), [account]);

    const off = await setDisabled(tdb.db, 'dis@alpha.test', true);
    assert.equal(off.changed, true);
    assert.equal((await getUser(tdb.db, 'dis@alpha.test')).disabled, true);
    assert.equal(await authenticate(tdb.db, 'dis@alpha.test', 'second-password'), undefined);
    const again = await setDisabled(tdb.db, 'dis@alpha.test', true);
    assert.deepEqual([again.changed, again.event], [false, undefined]);
    assert.deepEqual(await events(), [account, account]);
    await setDisabled(tdb.db, 'dis@alpha.test', false);
    assert.ok(await authenticate(tdb.db, 'dis@alpha.test', 'second-password'));
    assert.deepEqual(await events(), [account, account, account]);

    await refused(
      () => setPassword(tdb.db, 'ghost@alpha.test', 'a-password'),
      grpc.status.NOT_FOUND,
      /User ghost@alpha.test does not exist/,
    );
    await refused(() => setDisabled(tdb.db, 'ghost@alpha.test', true), grpc.status.NOT_FOUND, /does not exist/);
    await refused(() => setDisabled(tdb.db, 'ghost', true), grpc.status.INVALID_ARGUMENT, /Not a mail address/);
  });

  test('aliases: to an account of the same tenant only, never over an account or another alias', async () => {
    await addTenant(tdb.db, 'beta.test');
    await addUser(tdb.db, 'owner@beta.test', 'a-password');
    await addUser(tdb.db, 'other@alpha.test', 'a-password');
    const sales = await addAlias(tdb.db, 'Sales@Beta.test', 'OWNER@beta.test');
    assert.deepEqual([sales.address, sales.target], ['sales@beta.test', 'owner@beta.test']);
    await addAlias(tdb.db, '@beta.test', 'owner@beta.test');

    await refused(() => addAlias(tdb.db, 'sales', 'owner@beta.test'), grpc.status.INVALID_ARGUMENT, /Not an alias: "sales"/);
    await refused(() => addAlias(tdb.db, 'x@nowhere.test', 'owner@beta.test'), grpc.status.NOT_FOUND, /Tenant nowhere.test does not exist/);
    await refused(() => addAlias(tdb.db, 'sales@beta.test', 'owner@beta.test'), grpc.status.ALREADY_EXISTS, /Alias sales@beta.test exists/);
    await refused(() => addAlias(tdb.db, 'owner@beta.test', 'owner@beta.test'), grpc.status.ALREADY_EXISTS, /is an account/);
    await refused(() => addAlias(tdb.db, 'info@beta.test', 'nobody'), grpc.status.INVALID_ARGUMENT, /Not a mail address/);
    await refused(
      () => addAlias(tdb.db, 'info@beta.test', 'ghost@beta.test'),
      grpc.status.NOT_FOUND,
      /User ghost@beta.test does not exist/,
    );
    await refused(
      () => addAlias(tdb.db, 'info@beta.test', 'sales@beta.test'),
      grpc.status.INVALID_ARGUMENT,
      /an alias must name an account/,
    );
    await refused(() => addAlias(tdb.db, 'info@beta.test', 'other@alpha.test'), grpc.status.INVALID_ARGUMENT, /another tenant/);
    // The database refuses it too, whatever the code above does.
    const other = (await getUser(tdb.db, 'other@alpha.test')).accountId;
    const beta = (await getTenant(tdb.db, 'beta.test')).tenantId;
    await assert.rejects(
      tdb.db.query('INSERT INTO aliases (address, tenant_id, account_id) VALUES ($1, $2, $3)', ['x@beta.test', beta, other]),
      /foreign key/,
    );
    // An address that is an alias cannot become an account.
    await refused(
      () => addUser(tdb.db, 'sales@beta.test', 'a-password'),
      grpc.status.ALREADY_EXISTS,
      /sales@beta.test is an alias of owner@beta.test/,
    );

    assert.deepEqual(
      (await listAliases(tdb.db, { domain: 'beta.test' })).map((a) => [a.address, a.target]),
      [
        ['@beta.test', 'owner@beta.test'],
        ['sales@beta.test', 'owner@beta.test'],
      ],
    );
    assert.deepEqual(
      (await listAliases(tdb.db, { target: 'owner@beta.test' })).map((a) => a.address),
      ['@beta.test', 'sales@beta.test'],
    );
    await refused(() => listAliases(tdb.db, { target: 'ghost@beta.test' }), grpc.status.NOT_FOUND, /does not exist/);
    assert.equal((await getTenant(tdb.db, 'beta.test')).aliases, 2);
  });

  test('an address becoming an account and an alias at once: exactly one of them wins', async () => {
    await addTenant(tdb.db, 'race.test');
    await addUser(tdb.db, 'owner@race.test', 'a-password');
    for (let i = 0; i < 10; i++) {
      const results = await Promise.allSettled([
        addUser(tdb.db, `x${i}@race.test`, 'a-password'),
        addAlias(tdb.db, `x${i}@race.test`, 'owner@race.test'),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results));
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as RpcError).code, grpc.status.ALREADY_EXISTS);
    }
    const { rows } = await tdb.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM accounts a JOIN aliases l ON l.address = a.username WHERE a.username LIKE '%@race.test'",
    );
    assert.equal(rows[0]!.n, 0);
  });

  test('resolveAddress: account, then alias, then +detail, then the catch-all; case-insensitive', async () => {
    await addTenant(tdb.db, 'gamma.test');
    const bob = await addUser(tdb.db, 'bob@gamma.test', 'a-password');
    const team = await addUser(tdb.db, 'team@gamma.test', 'a-password');
    const plus = await addUser(tdb.db, 'bob+exact@gamma.test', 'a-password');
    await addAlias(tdb.db, 'help@gamma.test', 'team@gamma.test');
    const r = async (address: string) => {
      const x = await resolveAddress(tdb.db, address);
      return x && [x.username, x.via, x.detail];
    };
    assert.deepEqual(await r('Bob@GAMMA.test'), ['bob@gamma.test', 'account', '']);
    assert.deepEqual(await r('help@gamma.test'), ['team@gamma.test', 'alias', '']);
    assert.deepEqual(await r('bob+Lists@gamma.test'), ['bob@gamma.test', 'account', 'Lists']);
    assert.deepEqual(await r('HELP+urgent+now@gamma.test'), ['team@gamma.test', 'alias', 'urgent+now']);
    assert.deepEqual(await r('bob+exact@gamma.test'), ['bob+exact@gamma.test', 'account', ''], 'an account with + wins');
    assert.deepEqual(await r('bob+@gamma.test'), ['bob@gamma.test', 'account', '']);
    assert.equal(await r('nobody@gamma.test'), undefined, 'no catch-all yet');
    assert.equal(await r('not an address'), undefined);
    assert.equal(await r('bob@unknown.test'), undefined);
    await addAlias(tdb.db, '@Gamma.test', 'team@gamma.test');
    assert.deepEqual(await r('nobody@gamma.test'), ['team@gamma.test', 'catch-all', '']);
    assert.deepEqual(await r('nobody+x@gamma.test'), ['team@gamma.test', 'catch-all', '']);
    assert.deepEqual(await r('bob@gamma.test'), ['bob@gamma.test', 'account', ''], 'the catch-all takes only what nothing else takes');
    const full = await resolveAddress(tdb.db, 'bob@gamma.test');
    assert.deepEqual(full, {
      account: { accountId: bob.accountId, tenantId: bob.tenantId },
      username: 'bob@gamma.test',
      disabled: false,
      detail: '',
      via: 'account',
    });
    await setDisabled(tdb.db, 'team@gamma.test', true);
    assert.equal((await resolveAddress(tdb.db, 'help@gamma.test'))?.disabled, true, 'a disabled account still resolves');
    await removeAlias(tdb.db, '@gamma.test');
    assert.equal(await r('nobody@gamma.test'), undefined);
    await refused(() => removeAlias(tdb.db, '@gamma.test'), grpc.status.NOT_FOUND, /Alias @gamma.test does not exist/);
    assert.ok(team.accountId && plus.accountId);
  });

  test('user remove: refused with messages unless forced; then every row of the account is gone, one event left', async () => {
    const victim = await populated('victim@delta.test');
    const keeper = await populated('keeper@delta.test');
    await addAlias(tdb.db, 'v@delta.test', 'victim@delta.test');
    await addAlias(tdb.db, 'k@delta.test', 'keeper@delta.test');
    const tenant = (await getTenant(tdb.db, 'delta.test')).tenantId;
    const before = await rowsOf([victim], [tenant]);
    assert.deepEqual(before, {
      tenants: 1,
      accounts: 1,
      mailboxes: 6,
      messages: 3,
      message_bodies: 3,
      expunged: 1,
      subscriptions: 6,
      outbox: 5,
      aliases: 1,
    });
    const keeperBefore = await rowsOf([keeper], [tenant]);

    await refused(
      () => removeUser(tdb.db, 'victim@delta.test'),
      grpc.status.FAILED_PRECONDITION,
      /has 3 messages; removing it needs force/,
    );
    assert.deepEqual(await rowsOf([victim], [tenant]), before, 'nothing removed');
    await refused(() => removeUser(tdb.db, 'ghost@delta.test'), grpc.status.NOT_FOUND, /User ghost@delta.test does not exist/);

    const removal = await removeUser(tdb.db, 'Victim@delta.test', { force: true });
    const { events, ...counts } = removal;
    assert.deepEqual(counts, { accounts: 1, mailboxes: 6, messages: 3, bodies: 3, aliases: 1 });
    assert.deepEqual(
      events.map(({ eventId: _e, ...e }) => e),
      [{ accountId: victim, mailboxId: 0, modseq: 0, kind: 'account' }],
    );
    assert.deepEqual(await rowsOf([victim], [tenant]), {
      tenants: 1,
      accounts: 0,
      mailboxes: 0,
      messages: 0,
      message_bodies: 0,
      expunged: 0,
      subscriptions: 0,
      outbox: 1,
      aliases: 0,
    });
    assert.deepEqual(await rowsOf([keeper], [tenant]), keeperBefore, 'the other account is untouched');
    assert.equal(await resolveAddress(tdb.db, 'v@delta.test'), undefined);

    // Without messages no force is needed.
    await addUser(tdb.db, 'empty@delta.test', 'a-password');
    const empty = await removeUser(tdb.db, 'empty@delta.test');
    assert.equal(empty.accounts, 1);
  });

  test('tenant remove: refused with accounts unless forced; then the tenant and all its accounts are gone', async () => {
    const a = await populated('a@epsilon.test');
    const b = await populated('b@epsilon.test');
    await addAlias(tdb.db, '@epsilon.test', 'a@epsilon.test');
    const other = await populated('c@zeta2.test');
    const tenant = (await getTenant(tdb.db, 'epsilon.test')).tenantId;
    const otherTenant = (await getTenant(tdb.db, 'zeta2.test')).tenantId;
    const otherBefore = await rowsOf([other], [otherTenant]);

    await refused(
      () => removeTenant(tdb.db, 'epsilon.test'),
      grpc.status.FAILED_PRECONDITION,
      /Tenant epsilon.test has 2 accounts; removing it needs force/,
    );
    await refused(() => removeTenant(tdb.db, 'nowhere.test'), grpc.status.NOT_FOUND, /Tenant nowhere.test does not exist/);
    await refused(() => removeTenant(tdb.db, 'bad domain'), grpc.status.INVALID_ARGUMENT, /Not a domain name/);
    assert.equal((await rowsOf([a, b], [tenant])).messages, 6);

    const removal = await removeTenant(tdb.db, 'EPSILON.test', { force: true });
    assert.deepEqual(
      { ...removal, events: removal.events.map((e) => e.accountId) },
      { accounts: 2, mailboxes: 12, messages: 6, bodies: 6, aliases: 1, events: [a, b] },
    );
    assert.deepEqual(await rowsOf([a, b], [tenant]), {
      tenants: 0,
      accounts: 0,
      mailboxes: 0,
      messages: 0,
      message_bodies: 0,
      expunged: 0,
      subscriptions: 0,
      outbox: 2,
      aliases: 0,
    });
    assert.deepEqual(await rowsOf([other], [otherTenant]), otherBefore);

    // An empty tenant goes without force.
    await addTenant(tdb.db, 'empty.test');
    assert.equal((await removeTenant(tdb.db, 'empty.test')).accounts, 0);
    await refused(() => getTenant(tdb.db, 'empty.test'), grpc.status.NOT_FOUND, /does not exist/);
  });

  test('a removal and concurrent appends to the account: no deadlock, nothing left behind', async () => {
    const id = await populated('busy@eta.test');
    const appends = Array.from({ length: 20 }, (_, i) =>
      appendMessage(tdb.db, {
        accountId: id,
        mailbox: i % 2 ? 'INBOX' : 'Archive',
        flags: [],
        internalDateMs: 0,
        message: Buffer.from(`Subject: ${i}\r\n\r\n${i}\r\n`),
      }).then(
        () => 'stored',
        (err: RpcError) => (err.code === grpc.status.NOT_FOUND ? 'gone' : Promise.reject(err)),
      ),
    );
    const removal = removeUser(tdb.db, 'busy@eta.test', { force: true });
    const results = await Promise.all(appends);
    await removal;
    assert.equal(results.length, 20);
    const { tenants: _t, outbox: _o, ...left } = await rowsOf([id], []);
    assert.deepEqual(left, { accounts: 0, mailboxes: 0, messages: 0, message_bodies: 0, expunged: 0, subscriptions: 0, aliases: 0 });
  });
});
