// The pre-authentication timeout: an unauthenticated connection, plaintext or
// after STARTTLS, is closed with * BYE once it runs out; a logged-in one is not.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PREAUTH_MS, sleep, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: pre-auth timeout', () => {
  const { plain, loggedIn } = useEdgeServices({ preAuthTimeoutMs: PREAUTH_MS });

  test('pre-auth timeout: an idle unauthenticated connection gets * BYE and is closed', async () => {
    const { c } = await plain();
    const started = Date.now();
    const bye = await c.readLine(PREAUTH_MS + 1000);
    assert.match(bye.text, /^\* BYE /);
    assert.ok(Date.now() - started >= PREAUTH_MS - 200, 'not before the timeout');
    assert.ok(await c.waitClosed(3000));
  });

  test('pre-auth timeout also applies after STARTTLS', async () => {
    const { c } = await plain();
    const r = await c.command('a', 'STARTTLS');
    assert.equal(r.tagged, 'a OK Begin TLS negotiation now');
    await c.startTls();
    const bye = await c.readLine(PREAUTH_MS + 1500);
    assert.match(bye.text, /^\* BYE /);
    assert.ok(await c.waitClosed(3000));
  });

  test('a client that trickles bytes (slow-loris) or sends commands without logging in is closed at the pre-auth timeout all the same', async () => {
    const { c: loris } = await plain();
    const { c: chatty } = await plain();
    const started = Date.now();
    // One byte every 200 ms never lets the connection idle; NOOPs are answered but are no login.
    const line = 'a NOOP';
    for (let i = 0; !loris.closed && Date.now() - started < PREAUTH_MS * 3; i++) {
      loris.send(line[i % line.length]!);
      chatty.send(`n${i} NOOP\r\n`);
      await sleep(200);
    }
    assert.ok(await loris.waitClosed(1000), 'the slow client was closed');
    assert.ok(await chatty.waitClosed(1000), 'the client that never logs in was closed');
    assert.ok(Date.now() - started < PREAUTH_MS * 3, 'at the pre-auth timeout, not later');
    assert.match(chatty.unread, /\* BYE Login timed out/);
  });

  test('an authenticated session is not cut by the pre-auth timeout', async () => {
    const c = await loggedIn();
    await sleep(PREAUTH_MS + 500);
    assert.ok(!c.closed);
    const r = await c.command('a', 'NOOP');
    assert.equal(r.tagged, 'a OK NOOP completed');
  });
});

describe('IMAP edge: pre-auth timeout during a login', () => {
  // With no failure free, every login waits longer than the pre-auth timeout for its answer.
  const { plain } = useEdgeServices({
    preAuthTimeoutMs: PREAUTH_MS,
    loginThrottle: { freeFailures: 0, baseDelayMs: PREAUTH_MS + 1000, maxDelayMs: PREAUTH_MS + 1000, lockFailures: 0 },
  });

  test('a LOGIN the server is still answering when the timeout passes gets its answer, then BYE', async () => {
    const { c } = await plain();
    const started = Date.now();
    assert.match((await c.command('a', 'STARTTLS')).tagged, /^a OK /);
    await c.startTls();
    const r = await c.command('b', 'LOGIN nobody@example.org wrong', PREAUTH_MS + 5000);
    assert.ok(Date.now() - started > PREAUTH_MS, 'the answer came after the timeout');
    assert.match(r.tagged, /^b NO /);
    assert.ok(await c.waitClosed(3000), 'closed once the command has finished');
    assert.match(c.unread, /\* BYE Login timed out/);
  });
});
