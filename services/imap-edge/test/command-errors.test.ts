// Unknown commands, malformed arguments, commands in the wrong state and lines
// without a tag: each answered with a BAD, and the connection lives on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, ALICE, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: commands it cannot run', () => {
  const { plain, secure, loggedIn, freshMailbox } = useEdgeServices();

  test('unknown command -> tagged BAD, connection lives', async () => {
    const { c } = await plain();
    const r = await c.command('a', 'FROBNICATE now');
    assert.deepEqual(r.untagged, []);
    assert.match(r.tagged, /^a BAD /);
    const r2 = await c.command('b', 'NOOP');
    assert.deepEqual(r2.untagged, []);
    assert.equal(r2.tagged, 'b OK NOOP completed');
  });

  test('malformed arguments -> BAD', async () => {
    const c = await loggedIn();
    const r1 = await c.command('a', 'SELECT');
    assert.match(r1.tagged, /^a BAD /);
    const box = await freshMailbox(c);
    const sel = await c.command('s', `SELECT ${box}`);
    assert.match(sel.tagged, /^s OK \[READ-WRITE\] /);
    const r2 = await c.command('b', 'FETCH x FLAGS');
    assert.match(r2.tagged, /^b BAD /);
    const r3 = await c.command('c', 'FETCH 1 (FLAGS');
    assert.match(r3.tagged, /^c BAD /);
    const r4 = await c.command('d', 'NOOP extra');
    assert.match(r4.tagged, /^d BAD /);
    const r5 = await c.command('e', 'NOOP');
    assert.equal(r5.tagged, 'e OK NOOP completed');
  });

  test('commands in the wrong state -> BAD', async () => {
    const { c } = await secure();
    const r1 = await c.command('a', 'SELECT INBOX');
    assert.deepEqual(r1.untagged, []);
    assert.match(r1.tagged, /^a BAD /);
    const r2 = await c.command('b', 'LIST "" "*"');
    assert.match(r2.tagged, /^b BAD /);
    const r3 = await c.command('c', `LOGIN "${ALICE}" "${PASSWORD}"`);
    assert.match(r3.tagged, /^c OK /);
    const r4 = await c.command('d', 'FETCH 1 FLAGS');
    assert.deepEqual(r4.untagged, []);
    assert.match(r4.tagged, /^d BAD /);
    const r5 = await c.command('e', `LOGIN "${ALICE}" "${PASSWORD}"`);
    assert.match(r5.tagged, /^e BAD /, 'LOGIN once authenticated');
  });

  test('an untagged BAD (line without a valid tag) is sent without waiting for the next command', async () => {
    const { c } = await plain();
    c.send('\r\n');
    // The connection flushes after a receive error: an untagged reply must not
    // wait in the buffer for the client's next command.
    const line = await c.readLine(1500);
    assert.match(line.text, /^\* BAD /);
    const r = await c.command('b', 'NOOP');
    assert.equal(r.tagged, 'b OK NOOP completed');
  });
});
