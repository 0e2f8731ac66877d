// Several commands, literals included, in one write: answered in order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPS_AUTH, msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: pipelined commands', () => {
  const { plain, loggedIn, freshMailbox } = useEdgeServices();

  test('pipelining: three commands in one write are answered in order', async () => {
    const { c } = await plain();
    c.send('a NOOP\r\nb CAPABILITY\r\nc NOOP\r\n');
    const ra = await c.readTagged('a');
    assert.deepEqual(ra.untagged, []);
    assert.equal(ra.tagged, 'a OK NOOP completed');
    const rb = await c.readTagged('b');
    assert.deepEqual(rb.untagged, [`* CAPABILITY ${CAPS_AUTH} STARTTLS LOGINDISABLED`]);
    assert.equal(rb.tagged, 'b OK CAPABILITY completed');
    const rc = await c.readTagged('c');
    assert.deepEqual(rc.untagged, []);
    assert.equal(rc.tagged, 'c OK NOOP completed');
  });

  test('pipelining with literals: APPEND {n+} followed by NOOP in one write', async () => {
    const c = await loggedIn();
    const box = await freshMailbox(c);
    const m = msg('pipelined');
    c.send(Buffer.concat([Buffer.from(`a APPEND ${box} {${m.length}+}\r\n`), m, Buffer.from(`\r\nb NOOP\r\nc SELECT ${box}\r\n`)]));
    const ra = await c.readTagged('a');
    assert.match(ra.tagged, /^a OK \[APPENDUID \d+ 1\] /);
    const rb = await c.readTagged('b');
    assert.equal(rb.tagged, 'b OK NOOP completed');
    const rc = await c.readTagged('c');
    assert.ok(rc.untagged.includes('* 1 EXISTS'));
  });
});
