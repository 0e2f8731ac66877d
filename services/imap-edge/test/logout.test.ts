// LOGOUT: * BYE, the tagged OK, then the close; nothing pipelined after it runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: LOGOUT', () => {
  const { plain, loggedIn } = useEdgeServices();

  test('LOGOUT -> * BYE, tagged OK, then close', async () => {
    const c = await loggedIn();
    const r = await c.command('a', 'LOGOUT');
    assert.equal(r.untagged.length, 1);
    assert.match(r.untagged[0]!, /^\* BYE /);
    assert.equal(r.tagged, 'a OK LOGOUT completed');
    assert.ok(await c.waitClosed(3000), 'server closed the connection');
  });

  test('LOGOUT before login works too, and pipelined commands after it are not run', async () => {
    const { c } = await plain();
    c.send('a LOGOUT\r\nb NOOP\r\n');
    const r = await c.readTagged('a');
    assert.match(r.untagged[0] ?? '', /^\* BYE /);
    assert.equal(r.tagged, 'a OK LOGOUT completed');
    assert.ok(await c.waitClosed(3000));
    assert.ok(!c.transcript.includes('b OK'), 'nothing after LOGOUT');
  });
});
