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

  test('an authenticated session is not cut by the pre-auth timeout', async () => {
    const c = await loggedIn();
    await sleep(PREAUTH_MS + 500);
    assert.ok(!c.closed);
    const r = await c.command('a', 'NOOP');
    assert.equal(r.tagged, 'a OK NOOP completed');
  });
});
