// Login security against the edge wired for real: failed logins throttled by
// client address and by account (state in PostgreSQL), connections closed
// after a few failed logins, connection limits per account and per account
// and address, and disabled accounts. Clients take addresses of their own in
// 127.0.0.0/8; loopback is not exempt.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { countSessions, setAccountDisabled } from '@kimap/mailbox';
import type { ImapClient } from './support/imap-client.js';
import { PASSWORD, sleep, useEdgeServices } from './support/edge-harness.js';

const DELAY_MS = 200;
const MAX_DELAY_MS = 400;
const LOCK_AT = 5;
/** Lower bounds of waits are safe to assert on a busy machine; a little slack for timer granularity. */
const atLeast = (ms: number) => ms * 0.9;

describe('IMAP edge: login security', () => {
  const services = useEdgeServices({
    loginThrottle: {
      freeFailures: 2,
      baseDelayMs: DELAY_MS,
      maxDelayMs: MAX_DELAY_MS,
      lockFailures: LOCK_AT,
      windowMs: 60_000,
      exempt: ['127.0.9.0/24'],
    },
    limits: { maxLoginFailures: 3, maxAccountConnections: 3, maxAccountIpConnections: 2 },
  });
  const { secure, loggedIn, freshUser } = services;

  async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = services.registry.getSingleMetric(name);
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((n, v) => n + v.value, 0);
  }

  const delayed = () => counter('kimap_login_throttled_total', { action: 'delayed' });
  const refused = () => counter('kimap_login_throttled_total', { action: 'refused' });

  /**
   * Wrong LOGINs from one address, on as many connections as it takes (each
   * ends after its third failure, with BYE); each reply with how long it took.
   */
  async function guess(from: string, user: string, count: number): Promise<Array<{ tagged: string; ms: number }>> {
    const out: Array<{ tagged: string; ms: number }> = [];
    let c: ImapClient | undefined;
    let onThis = 0;
    for (let i = 0; i < count; i++) {
      if (!c) {
        c = (await secure(from)).c;
        onThis = 0;
      }
      const started = performance.now();
      const r = await c.command(`g${i}`, `LOGIN "${user}" "wrong-${i}"`, 20_000);
      out.push({ tagged: r.tagged, ms: performance.now() - started });
      if (++onThis === 3) {
        assert.equal((await c.readLine()).text, '* BYE Too many failed logins');
        assert.ok(await c.waitClosed(3000), 'the connection closes after its third failed login');
        c = undefined;
      }
    }
    return out;
  }

  async function login(user: string, password: string, from: string): Promise<{ c: ImapClient; tagged: string }> {
    const { c } = await secure(from);
    const r = await c.command('L', `LOGIN "${user}" "${password}"`, 20_000);
    return { c, tagged: r.tagged };
  }

  test('a guessing loop from one address is slowed, then refused, while another address logs in at once', async () => {
    const { user } = await freshUser();
    const wrongBefore = await counter('kimap_login_failures_total', { reason: 'password' });
    const delayedBefore = await delayed();

    const tries = await guess('127.0.0.2', user, LOCK_AT);
    for (const t of tries) assert.match(t.tagged, /^g\d NO \[AUTHENTICATIONFAILED\] /);
    // No delay for the first two failures, then 200 ms, then 400 ms (the cap).
    assert.ok(tries[2]!.ms >= atLeast(DELAY_MS), `third try waited ${tries[2]!.ms} ms`);
    assert.ok(tries[3]!.ms >= atLeast(MAX_DELAY_MS), `fourth try waited ${tries[3]!.ms} ms`);
    assert.ok(tries[4]!.ms >= atLeast(MAX_DELAY_MS), `fifth try waited ${tries[4]!.ms} ms`);
    assert.equal((await delayed()) - delayedBefore, 3);
    assert.equal((await counter('kimap_login_failures_total', { reason: 'password' })) - wrongBefore, LOCK_AT);

    // Locked: refused without a check, the right password too.
    const refusedBefore = await refused();
    const more = await guess('127.0.0.2', user, 1);
    assert.match(more[0]!.tagged, /^g0 NO \[UNAVAILABLE\] /);
    const right = await login(user, PASSWORD, '127.0.0.2');
    assert.match(right.tagged, /^L NO \[UNAVAILABLE\] /);
    assert.equal((await refused()) - refusedBefore, 2);

    // The owner, from another address, is neither delayed nor refused.
    const delayedNow = await delayed();
    const owner = await login(user, PASSWORD, '127.0.0.3');
    assert.match(owner.tagged, /^L OK /);
    assert.equal(await delayed(), delayedNow);
    assert.equal((await owner.c.command('n', 'NOOP')).tagged, 'n OK NOOP completed');
  });

  test('one connection cannot go on guessing: 200 wrong LOGINs and a right one pipelined get three NOs and BYE', async () => {
    const { user } = await freshUser();
    const { c } = await secure('127.0.0.4');
    let burst = '';
    for (let i = 1; i <= 200; i++) burst += `p${i} LOGIN "${user}" "wrong-${i}"\r\n`;
    burst += `p201 LOGIN "${user}" "${PASSWORD}"\r\n`;
    c.send(burst);
    const lines: string[] = [];
    for (;;) {
      const line = await c.readLine(20_000).catch(() => undefined);
      if (!line) break;
      lines.push(line.text);
    }
    assert.equal(lines.length, 4, lines.join('\n'));
    for (const [i, line] of lines.slice(0, 3).entries()) assert.match(line, new RegExp(`^p${i + 1} NO \\[AUTHENTICATIONFAILED\\] `));
    assert.equal(lines[3], '* BYE Too many failed logins');
    assert.ok(await c.waitClosed(3000));
    assert.equal((await counter('kimap_imap_sessions_ended_total', { reason: 'login_failures' })) > 0, true);
  });

  test('guessing one account from many addresses slows and then refuses those addresses; its owner still logs in', async () => {
    const { user } = await freshUser();
    for (const from of ['127.0.1.1', '127.0.1.2', '127.0.1.3']) {
      assert.match((await guess(from, user, 1))[0]!.tagged, /NO \[AUTHENTICATIONFAILED\]/);
    }
    // 127.0.1.1 failed once itself, but the account three times: delayed by the account's count.
    const before = await delayed();
    const second = (await guess('127.0.1.1', user, 1))[0]!;
    assert.match(second.tagged, /NO \[AUTHENTICATIONFAILED\]/);
    assert.ok(second.ms >= atLeast(MAX_DELAY_MS), `waited ${second.ms} ms`);
    assert.equal((await delayed()) - before, 1);
    assert.match((await guess('127.0.1.4', user, 1))[0]!.tagged, /NO \[AUTHENTICATIONFAILED\]/);

    // The account has failed LOCK_AT times: every address that failed for it is refused.
    for (const from of ['127.0.1.1', '127.0.1.2', '127.0.1.4']) {
      assert.match((await guess(from, user, 1))[0]!.tagged, /NO \[UNAVAILABLE\]/, from);
    }
    // An address that has not failed for it gets its password checked (and is refused once it fails).
    assert.match((await guess('127.0.1.5', user, 1))[0]!.tagged, /NO \[AUTHENTICATIONFAILED\]/);
    assert.match((await guess('127.0.1.5', user, 1))[0]!.tagged, /NO \[UNAVAILABLE\]/);

    // The owner, from an address of its own: in at once.
    const delayedNow = await delayed();
    const refusedNow = await refused();
    const owner = await login(user, PASSWORD, '127.0.1.9');
    assert.match(owner.tagged, /^L OK /);
    assert.equal(await delayed(), delayedNow);
    assert.equal(await refused(), refusedNow);
  });

  test("a success clears what that address failed for that account, and not another account's failures", async () => {
    const { user, accountId } = await freshUser();
    const { user: other } = await freshUser();
    const from = '127.0.0.5';
    const { c } = await secure(from);
    assert.match((await c.command('a', `LOGIN "${user}" "typo-1"`)).tagged, /NO \[AUTHENTICATIONFAILED\]/);
    assert.match((await c.command('b', `LOGIN "${user}" "typo-2"`)).tagged, /NO \[AUTHENTICATIONFAILED\]/);
    assert.match((await c.command('c', `LOGIN "${user}" "${PASSWORD}"`, 20_000)).tagged, /^c OK /);
    const { rows } = await services.db.query('SELECT * FROM login_failures_by_account_address WHERE account_id = $1', [accountId]);
    assert.deepEqual(rows, []);
    const left = await services.db.query<{ failures: number }>('SELECT failures FROM login_failures_by_address WHERE address = $1', [from]);
    assert.equal(Number(left.rows[0]?.failures ?? 0), 0);

    // Counted from zero again: two free failures.
    const before = await delayed();
    await guess(from, user, 2);
    assert.equal(await delayed(), before);

    // Failures against another account are not cleared by this account's success.
    const { c: d } = await secure(from);
    await d.command('a', `LOGIN "${other}" "wrong-a"`);
    await d.command('b', `LOGIN "${user}" "${PASSWORD}"`, 20_000);
    const other1 = await services.db.query<{ failures: number }>('SELECT failures FROM login_failures_by_address WHERE address = $1', [
      from,
    ]);
    assert.equal(Number(other1.rows[0]!.failures), 1, "the other account's failure stays counted against the address");
  });

  test('an exempt network (LOGIN_THROTTLE_EXEMPT) is never delayed or refused; its connections still close after three failures', async () => {
    const { user } = await freshUser();
    const before = { delayed: await delayed(), refused: await refused() };
    const tries = await guess('127.0.9.7', user, LOCK_AT + 2);
    for (const t of tries) assert.match(t.tagged, /NO \[AUTHENTICATIONFAILED\]/);
    assert.equal(await delayed(), before.delayed);
    assert.equal(await refused(), before.refused);
    assert.match((await login(user, PASSWORD, '127.0.9.7')).tagged, /^L OK /);
    const { rows } = await services.db.query("SELECT * FROM login_failures_by_address WHERE address = '127.0.9.7'");
    assert.deepEqual(rows, []);
  });

  test('connection limits: per account and address, per account; freed by LOGOUT and by a dropped connection', async () => {
    const { user, accountId } = await freshUser();
    const address = await counter('kimap_session_limit_refusals_total', { limit: 'address' });
    const account = await counter('kimap_session_limit_refusals_total', { limit: 'account' });
    const c1 = await loggedIn(user, PASSWORD, '127.0.3.1');
    await loggedIn(user, PASSWORD, '127.0.3.1');
    const third = await login(user, PASSWORD, '127.0.3.1');
    assert.match(third.tagged, /^L NO \[LIMIT\] /);
    assert.match((await third.c.command('s', 'SELECT INBOX')).tagged, /^s BAD /, 'still not authenticated');
    const c4 = await loggedIn(user, PASSWORD, '127.0.3.2');
    const fifth = await login(user, PASSWORD, '127.0.3.3');
    assert.match(fifth.tagged, /^L NO \[LIMIT\] /);
    assert.equal((await counter('kimap_session_limit_refusals_total', { limit: 'address' })) - address, 1);
    assert.equal((await counter('kimap_session_limit_refusals_total', { limit: 'account' })) - account, 1);
    assert.equal(await countSessions(services.db, accountId), 3);

    await c1.command('o', 'LOGOUT');
    await waitFor(async () => (await countSessions(services.db, accountId)) === 2);
    assert.match((await third.c.command('L2', `LOGIN "${user}" "${PASSWORD}"`)).tagged, /^L2 OK /);

    c4.destroy();
    await waitFor(async () => (await countSessions(services.db, accountId)) === 2);
    assert.match((await fifth.c.command('L2', `LOGIN "${user}" "${PASSWORD}"`)).tagged, /^L2 OK /);
  });

  test('a disabled account is refused like a wrong password; its open sessions, in IDLE or not, get BYE at once', async () => {
    const { user, accountId } = await freshUser();
    const idling = await loggedIn(user, PASSWORD, '127.0.4.1');
    assert.match((await idling.command('s', 'SELECT INBOX')).tagged, /^s OK /);
    idling.send('i IDLE\r\n');
    assert.equal((await idling.readLine()).text, '+ idling');
    const waiting = await loggedIn(user, PASSWORD, '127.0.4.1');

    await setAccountDisabled(services.db, accountId, true);
    services.mailbox.relay.kick();
    assert.equal((await idling.readLine(5000)).text, '* BYE Account disabled');
    assert.ok(await idling.waitClosed(3000));
    assert.equal((await waiting.readLine(5000)).text, '* BYE Account disabled');
    assert.ok(await waiting.waitClosed(3000));
    await waitFor(async () => (await countSessions(services.db, accountId)) === 0);

    const refusedLogin = await login(user, PASSWORD, '127.0.4.2');
    assert.match(refusedLogin.tagged, /^L NO \[AUTHENTICATIONFAILED\] Invalid credentials$/);
    const unknown = await login(`nobody-${accountId}@example.test`, PASSWORD, '127.0.4.3');
    assert.equal(unknown.tagged, refusedLogin.tagged, 'no hint that the account exists');

    await setAccountDisabled(services.db, accountId, false);
    assert.match((await login(user, PASSWORD, '127.0.4.4')).tagged, /^L OK /);
  });

  test('while the change feed is down, a session learns at its next command that its account was disabled', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user, PASSWORD, '127.0.4.5');
    const bus = services.bus as unknown as { healthy: boolean };
    bus.healthy = false;
    try {
      // Disabled without an event: only PostgreSQL knows.
      await services.db.query('UPDATE accounts SET disabled = true WHERE account_id = $1', [accountId]);
      c.send('n NOOP\r\n');
      assert.equal((await c.readLine()).text, '* BYE Account disabled');
      assert.ok(await c.waitClosed(3000));
    } finally {
      bus.healthy = true;
    }
  });
});

async function waitFor(ok: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
