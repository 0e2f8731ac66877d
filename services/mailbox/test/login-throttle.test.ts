// The login throttle's rules (penalty, address keys, exempt networks) and its
// state in PostgreSQL: failure counts and the session registry, under
// concurrent writers through two connection pools.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, openDatabase, type Database } from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, setAccountDisabled, accountActive } from '../src/store/accounts.js';
import { addressKey, DEFAULT_LOGIN_THROTTLE, exemptList, LoginThrottle, penaltyFor } from '../src/login-throttle.js';
import { clearLoginFailures, purgeLoginFailures, readLogin, recordLoginFailure } from '../src/store/login-failures.js';
import { closeSessions, countSessions, edgeHeartbeat, openSession, purgeExpiredEdges } from '../src/store/sessions.js';

const log = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('login throttle: rules', () => {
  const s = { freeFailures: 2, baseDelayMs: 2000, maxDelayMs: 15_000, lockFailures: 10 };
  const counts = (addressFailures: number, accountFailures = 0, accountAddressFailures = 0) => ({
    addressFailures,
    accountFailures,
    accountAddressFailures,
  });

  test('delays: none for the first two failures, then 2, 4, 8, 15 s (the cap), and a lock from the tenth', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 9].map((n) => penaltyFor(s, counts(n)).delayMs);
    assert.deepEqual(delays, [0, 0, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    assert.equal(penaltyFor(s, counts(9)).locked, false);
    assert.deepEqual(penaltyFor(s, counts(10)), { failures: 10, scope: 'address', delayMs: 0, locked: true });
    assert.equal(penaltyFor({ ...s, lockFailures: 0 }, counts(1000)).locked, false, 'lockFailures 0: never locked');
    assert.equal(penaltyFor({ ...s, lockFailures: 0 }, counts(1000)).delayMs, 15_000);
  });

  test("the account's count holds only against an address that has failed for the account", () => {
    assert.deepEqual(penaltyFor(s, counts(0, 50, 0)), { failures: 0, scope: 'address', delayMs: 0, locked: false });
    assert.deepEqual(penaltyFor(s, counts(1, 50, 1)), { failures: 50, scope: 'account', delayMs: 0, locked: true });
    assert.deepEqual(penaltyFor(s, counts(1, 3, 1)), { failures: 3, scope: 'account', delayMs: 4000, locked: false });
    assert.deepEqual(penaltyFor(s, counts(4, 3, 1)), { failures: 4, scope: 'address', delayMs: 8000, locked: false });
  });

  test('address keys: IPv4 as is (also IPv4-mapped), IPv6 by /64, anything else shared as unknown', () => {
    assert.equal(addressKey('203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('::FFFF:127.0.0.1'), '127.0.0.1');
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0DB8:0001:0002:abcd::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8::/64');
    assert.equal(addressKey('::1'), '::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80::/64');
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6', 48), '2001:db8:1::/48');
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6', 56), '2001:db8:1::/56');
    assert.equal(addressKey('2001:db8:1:2ff:3:4:5:6', 56), '2001:db8:1:200::/56');
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6', 128), '2001:db8:1:2:3:4:5:6');
    assert.equal(addressKey('::ffff:1.2.3.4:5'), 'unknown');
    assert.equal(addressKey(''), 'unknown');
    assert.equal(addressKey('unknown'), 'unknown');
  });

  test('exempt networks: CIDR and single addresses of both families; a bad entry is an error', () => {
    const list = exemptList(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    assert.equal(list.check('10.200.1.1', 'ipv4'), true);
    assert.equal(list.check('11.0.0.1', 'ipv4'), false);
    assert.equal(list.check('192.0.2.7', 'ipv4'), true);
    assert.equal(list.check('192.0.2.8', 'ipv4'), false);
    assert.equal(list.check('2001:db8:ffff::1', 'ipv6'), true);
    assert.equal(list.check('2001:db9::1', 'ipv6'), false);
    for (const bad of ['10.0.0.0/33', 'example.org', '10.0.0.0/8/1', '::/129', '10.0.0.0/x']) {
      assert.throws(() => exemptList([bad]), /LOGIN_THROTTLE_EXEMPT/, bad);
    }
  });
});

describe('login throttle: state in PostgreSQL', () => {
  let tdb: TestDatabase;
  let second: Database;
  let account: number;

  before(async () => {
    tdb = await createTestDatabase();
    second = await openDatabase(tdb.url, { max: 10 });
    account = (await addUser(tdb.db, 'victim@example.test', 'right-password', { createTenant: true })).accountId;
  });

  after(async () => {
    await second?.close();
    await tdb?.drop();
  });

  test('concurrent failures through two pools are all counted', async () => {
    const writes = [];
    for (let i = 0; i < 20; i++) writes.push(recordLoginFailure(i % 2 ? tdb.db : second, '192.0.2.1', account, 60_000));
    await Promise.all(writes);
    const r = await readLogin(tdb.db, 'victim@example.test', '192.0.2.1', 60_000);
    assert.deepEqual({ a: r.addressFailures, c: r.accountFailures, x: r.accountAddressFailures }, { a: 20, c: 20, x: 20 });
    assert.equal(r.account?.accountId, account);
    const unknown = await readLogin(tdb.db, 'nobody@example.test', '192.0.2.1', 60_000);
    assert.equal(unknown.account, undefined);
    assert.equal(unknown.addressFailures, 20);
    const exempt = await readLogin(tdb.db, 'victim@example.test', null, 60_000);
    assert.deepEqual({ a: exempt.addressFailures, c: exempt.accountFailures, x: exempt.accountAddressFailures }, { a: 0, c: 0, x: 0 });
  });

  test('counts expire after the window: read as zero, then counted from one', async () => {
    await recordLoginFailure(tdb.db, '192.0.2.2', undefined, 60_000);
    await recordLoginFailure(tdb.db, '192.0.2.2', undefined, 60_000);
    await sleep(250);
    assert.equal((await readLogin(tdb.db, 'x@example.test', '192.0.2.2', 200)).addressFailures, 0);
    assert.equal((await recordLoginFailure(tdb.db, '192.0.2.2', undefined, 200)).addressFailures, 1);
    await sleep(250);
    assert.ok((await purgeLoginFailures(tdb.db, 200)) >= 1);
    const { rows } = await tdb.db.query("SELECT * FROM login_failures_by_address WHERE address = '192.0.2.2'");
    assert.deepEqual(rows, []);
  });

  test("a success takes the address's failures for that account off the address's and the account's counts", async () => {
    const other = (await addUser(tdb.db, 'other@example.test', 'pw-other-1')).accountId;
    await recordLoginFailure(tdb.db, '192.0.2.3', other, 60_000);
    await recordLoginFailure(tdb.db, '192.0.2.3', other, 60_000);
    await recordLoginFailure(tdb.db, '192.0.2.3', undefined, 60_000);
    await recordLoginFailure(tdb.db, '192.0.2.4', other, 60_000);
    await clearLoginFailures(tdb.db, '192.0.2.3', other, 60_000);
    const r = await readLogin(tdb.db, 'other@example.test', '192.0.2.3', 60_000);
    assert.deepEqual({ a: r.addressFailures, c: r.accountFailures, x: r.accountAddressFailures }, { a: 1, c: 1, x: 0 });
  });

  test('LoginThrottle: a username with a NUL is a failed login, not an internal error', async () => {
    // PostgreSQL text cannot hold NUL: no account has such a name, and none may be looked up by it.
    const throttle = new LoginThrottle(tdb.db, log, { ...DEFAULT_LOGIN_THROTTLE, baseDelayMs: 1, maxDelayMs: 1 });
    await addUser(tdb.db, 'nul@example.test', 'the-password');
    for (const name of ['\0nul@example.test\0the-password', 'nul@example.test\0', '\0']) {
      const err = await throttle.authenticate(name, 'the-password', '198.51.100.9').then(
        () => assert.fail('logged in'),
        (e: { code?: number; message?: string }) => e,
      );
      assert.equal(err.code, 16, `UNAUTHENTICATED for ${JSON.stringify(name)}: ${err.message}`);
    }
  });

  test('LoginThrottle: wrong, unknown and disabled look alike; a lock refuses without a check', async () => {
    const throttle = new LoginThrottle(tdb.db, log, { ...DEFAULT_LOGIN_THROTTLE, baseDelayMs: 1, maxDelayMs: 1, lockFailures: 4 });
    const user = 'locked@example.test';
    const id = (await addUser(tdb.db, user, 'the-password')).accountId;
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (err: { code?: number; details?: string }) => String(err.code),
      );
    assert.equal(await code(throttle.authenticate(user, 'the-password', '198.51.100.1')), 'ok');
    await setAccountDisabled(tdb.db, id, true);
    assert.equal(await accountActive(tdb.db, id), false);
    const failed = await code(throttle.authenticate(user, 'the-password', '198.51.100.1'));
    assert.equal(failed, '16', 'UNAUTHENTICATED');
    assert.equal(await code(throttle.authenticate('nobody@example.test', 'x', '198.51.100.1')), '16');
    await setAccountDisabled(tdb.db, id, false);
    assert.equal(await code(throttle.authenticate(user, 'wrong', '198.51.100.1')), '16');
    assert.equal(await code(throttle.authenticate(user, 'wrong', '198.51.100.1')), '16');
    // Four failures from this address: locked, the right password too (RESOURCE_EXHAUSTED).
    assert.equal(await code(throttle.authenticate(user, 'the-password', '198.51.100.1')), '8');
    assert.equal(await code(throttle.authenticate(user, 'the-password', '::ffff:198.51.100.1')), '8');
    // From elsewhere the owner logs in.
    assert.equal(await code(throttle.authenticate(user, 'the-password', '198.51.100.2')), 'ok');
    const { rows } = await tdb.db.query<{ payload: { kind: string; accountId: number } }>(
      "SELECT payload FROM outbox WHERE account_id = $1 AND payload->>'kind' = 'account'",
      [id],
    );
    assert.deepEqual(
      rows.map((r) => r.payload),
      [
        { accountId: id, mailboxId: 0, modseq: 0, kind: 'account' },
        { accountId: id, mailboxId: 0, modseq: 0, kind: 'account' },
      ],
    );
  });

  test('sessions: the limits hold under concurrent openings through two pools', async () => {
    const id = (await addUser(tdb.db, 'many@example.test', 'pw-many-1')).accountId;
    const opening = (i: number, address: string) =>
      openSession(i % 2 ? tdb.db : second, {
        accountId: id,
        edgeId: `edge-${i % 3}`,
        sessionId: `s${i}`,
        address,
        maxPerAccount: 5,
        maxPerAddress: 3,
        edgeTtlMs: 60_000,
      });
    const sameAddress = await Promise.all(Array.from({ length: 10 }, (_, i) => opening(i, '192.0.2.10')));
    assert.equal(sameAddress.filter((v) => v === 'ok').length, 3);
    assert.equal(sameAddress.filter((v) => v === 'address').length, 7);
    const elsewhere = await Promise.all(Array.from({ length: 10 }, (_, i) => opening(100 + i, `192.0.2.${20 + i}`)));
    assert.equal(elsewhere.filter((v) => v === 'ok').length, 2);
    assert.equal(elsewhere.filter((v) => v === 'account').length, 8);
    assert.equal(await countSessions(tdb.db, id), 5);
  });

  test("sessions: an edge's sessions stop counting when its heartbeat lapses, and go with it when it stops", async () => {
    const id = (await addUser(tdb.db, 'edges@example.test', 'pw-edges-1')).accountId;
    const open = (edgeId: string, sessionId: string, edgeTtlMs = 60_000) =>
      openSession(tdb.db, { accountId: id, edgeId, sessionId, address: '192.0.2.30', maxPerAccount: 2, maxPerAddress: 0, edgeTtlMs });
    assert.equal(await open('short', 'a', 200), 'ok');
    assert.equal(await open('long', 'b'), 'ok');
    assert.equal(await open('long', 'c'), 'account');
    await sleep(300);
    assert.equal(await countSessions(tdb.db, id), 1, 'the lapsed edge no longer counts');
    assert.equal(await open('long', 'c'), 'ok');
    assert.equal(await purgeExpiredEdges(tdb.db, 0), 1);
    await edgeHeartbeat(tdb.db, 'short', 60_000);
    assert.equal(await countSessions(tdb.db, id), 2, "a purged edge's sessions are gone for good");
    await closeSessions(tdb.db, 'long', [{ accountId: id, sessionId: 'b' }]);
    assert.equal(await countSessions(tdb.db, id), 1);
    await edgeHeartbeat(tdb.db, 'long', 0);
    assert.equal(await countSessions(tdb.db, id), 0);
  });
});
