// The edge's limits on what a client sends: too many BADs, a line too long, a
// literal over APPENDLIMIT.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_LIMIT, MAX_LINE, MAX_BAD, sleep, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: limits on what a client sends', () => {
  const { plain, loggedIn, freshMailbox, rowCounts } = useEdgeServices();

  test(`more than maxBadCommands (${MAX_BAD}) BADs -> * BYE and the socket closes`, async () => {
    const { c } = await plain();
    for (let i = 1; i <= MAX_BAD; i++) {
      const r = await c.command(`x${i}`, 'BOGUS');
      assert.deepEqual(r.untagged, []);
      assert.match(r.tagged, new RegExp(`^x${i} BAD `));
    }
    const last = await c.command('x6', 'BOGUS');
    assert.match(last.tagged, /^x6 BAD /);
    const bye = await c.readLine();
    assert.match(bye.text, /^\* BYE /);
    assert.ok(await c.waitClosed(3000), 'server closed the connection');
  });

  test(`BADs separated by commands that were not BAD never add up to the limit (${MAX_BAD} in a row do)`, async () => {
    const { c } = await plain();
    // Many more BADs than the limit over the session, never MAX_BAD + 1 in a row.
    for (let round = 0; round < 4; round++) {
      for (let i = 1; i <= MAX_BAD; i++) assert.match((await c.command(`r${round}b${i}`, 'BOGUS')).tagged, / BAD /);
      assert.match((await c.command(`r${round}ok`, 'NOOP')).tagged, / OK /);
    }
    // A NO resets the count as well: it answered a command the server understood.
    for (let i = 1; i <= MAX_BAD; i++) assert.match((await c.command(`n${i}`, 'BOGUS')).tagged, / BAD /);
    assert.match((await c.command('n-no', 'LOGIN nobody@example.test wrong')).tagged, / NO /);
    for (let i = 1; i <= MAX_BAD; i++) assert.match((await c.command(`m${i}`, 'BOGUS')).tagged, / BAD /);
    assert.equal((await c.command('alive', 'NOOP')).tagged, 'alive OK NOOP completed');
    assert.equal(c.unread, '');
  });

  test('a line over maxLineLength -> one BAD [TOOBIG], connection survives', async () => {
    const { c } = await plain();
    c.send(`a NOOP ${'x'.repeat(MAX_LINE * 2)}\r\n`);
    const r = await c.readTagged('a');
    assert.deepEqual(r.untagged, []);
    assert.match(r.tagged, /^a BAD \[TOOBIG\] /);
    const r2 = await c.command('b', 'NOOP');
    assert.deepEqual(r2.untagged, [], 'no second BAD for the rest of the long line');
    assert.equal(r2.tagged, 'b OK NOOP completed');
    assert.equal(c.unread, '');
  });

  test('a long line split over many writes still gets exactly one BAD', async () => {
    const { c } = await plain();
    c.send('a NOOP ');
    for (let i = 0; i < 10; i++) {
      c.send('y'.repeat(300));
      await sleep(5);
    }
    c.send('\r\nb NOOP\r\n');
    const r = await c.readTagged('a');
    assert.match(r.tagged, /^a BAD \[TOOBIG\] /);
    const r2 = await c.readTagged('b');
    assert.deepEqual(r2.untagged, []);
    assert.equal(r2.tagged, 'b OK NOOP completed');
  });

  test('APPEND with a synchronizing literal over APPENDLIMIT -> NO [TOOBIG] before any continuation', async () => {
    const c = await loggedIn();
    c.send(`a APPEND INBOX {${APPEND_LIMIT + 1}}\r\n`);
    const r = await c.readTagged('a');
    assert.ok(!r.untagged.some((l) => l.startsWith('+')), `no continuation was sent: ${JSON.stringify(r.untagged)}`);
    assert.deepEqual(r.untagged, []);
    // An APPEND literal over the limit is a NO (RFC 7889), other commands' a BAD:
    // the connection decides before the receiver refuses it.
    assert.match(r.tagged, /^a NO \[TOOBIG\] /);
    const r2 = await c.command('b', 'NOOP');
    assert.equal(r2.tagged, 'b OK NOOP completed');
  });

  test('APPEND with a synchronizing literal over APPENDLIMIT: refused without +, connection survives (any status)', async () => {
    const c = await loggedIn();
    c.send(`a APPEND INBOX {${APPEND_LIMIT + 1}}\r\n`);
    const r = await c.readTagged('a');
    assert.deepEqual(r.untagged, [], 'no continuation was sent');
    assert.match(r.tagged, /^a (NO|BAD) \[TOOBIG\] /);
    assert.equal(await c.settle(200), '', 'nothing else arrives');
    const r2 = await c.command('b', 'NOOP');
    assert.equal(r2.tagged, 'b OK NOOP completed');
  });

  test('APPEND with a non-synchronizing literal over APPENDLIMIT: refused, data discarded, connection survives', async () => {
    const c = await loggedIn();
    const box = await freshMailbox(c);
    const before = await rowCounts();
    const big = Buffer.alloc(APPEND_LIMIT + 500, 'z');
    // Data that would look like a command if the server did not skip the literal.
    big.write('\r\nzz LOGOUT\r\n', 100, 'latin1');
    c.send(Buffer.concat([Buffer.from(`a APPEND ${box} {${big.length}+}\r\n`), big, Buffer.from('\r\n')]));
    const r = await c.readTagged('a');
    assert.deepEqual(r.untagged, []);
    // Observed implementation choice: tagged BAD [TOOBIG], literal read and discarded.
    assert.match(r.tagged, /^a (NO|BAD) \[TOOBIG\] /);
    const r2 = await c.command('b', 'NOOP');
    assert.deepEqual(r2.untagged, [], 'the discarded literal was not executed');
    assert.equal(r2.tagged, 'b OK NOOP completed');
    assert.deepEqual(await rowCounts(), before);
  });

  test('APPEND with an absurdly large non-synchronizing literal: BAD [TOOBIG], then * BYE before the close', async () => {
    const c = await loggedIn();
    c.send('a APPEND INBOX {999999999999+}\r\n');
    const r = await c.readTagged('a');
    assert.match(r.tagged, /^a BAD \[TOOBIG\] /);
    // A fatal receive error is answered with BYE, flushed before the close.
    const bye = await c.readLine(2000);
    assert.match(bye.text, /^\* BYE /);
    assert.ok(await c.waitClosed(3000));
  });
});
