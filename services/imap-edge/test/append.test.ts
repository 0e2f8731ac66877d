// APPEND and MULTIAPPEND within the limit: APPENDUID, all-or-nothing, EXISTS
// for the selected mailbox, TRYCREATE, and nothing written by a cut-off literal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { APPEND_LIMIT, sleep, msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: APPEND and MULTIAPPEND', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser, freshMailbox, uidvalidity, rowCounts } = services;

  test('APPEND within the limit -> OK [APPENDUID uidvalidity uid]', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user);
    const v = await uidvalidity(accountId, 'INBOX');
    const r1 = await appendSync(c, 'a', 'INBOX', msg('one'));
    assert.equal(r1.continuation, '+ Ready for literal data');
    assert.deepEqual(r1.untagged, []);
    assert.equal(r1.tagged, `a OK [APPENDUID ${v} 1] APPEND completed`);
    // Non-synchronizing literal (LITERAL+): no continuation.
    const m2 = msg('two');
    c.send(Buffer.concat([Buffer.from(`b APPEND INBOX (\\Flagged) {${m2.length}+}\r\n`), m2, Buffer.from('\r\n')]));
    const r2 = await c.readTagged('b');
    assert.deepEqual(r2.untagged, []);
    assert.equal(r2.tagged, `b OK [APPENDUID ${v} 2] APPEND completed`);
    // Exactly at the limit is allowed.
    const exact = Buffer.concat([msg('three', ''), Buffer.alloc(APPEND_LIMIT - msg('three', '').length, 'q')]);
    assert.equal(exact.length, APPEND_LIMIT);
    const r3 = await appendSync(c, 'c', 'INBOX', exact);
    assert.equal(r3.tagged, `c OK [APPENDUID ${v} 3] APPEND completed`);
  });

  test('MULTIAPPEND stores every message or none (RFC 3502)', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user);
    const v = await uidvalidity(accountId, 'INBOX');
    const [a, b, d] = [msg('m1'), msg('m2'), msg('m3')];
    c.send(
      Buffer.concat([
        Buffer.from(`a APPEND INBOX (\\Seen) {${a.length}+}\r\n`),
        a,
        Buffer.from(` {${b.length}+}\r\n`),
        b,
        Buffer.from(` (\\Flagged) "01-Feb-2024 10:00:00 +0100" {${d.length}+}\r\n`),
        d,
        Buffer.from('\r\n'),
      ]),
    );
    const r = await c.readTagged('a');
    assert.equal(r.tagged, `a OK [APPENDUID ${v} 1:3] APPEND completed`);
    const count = async () =>
      (await services.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM messages WHERE account_id = $1', [accountId])).rows[0]!.n;
    assert.equal(await count(), 3);
    // The second message is empty: the whole command fails and nothing is stored.
    c.send(Buffer.concat([Buffer.from(`b APPEND INBOX {${a.length}+}\r\n`), a, Buffer.from(' {0+}\r\n\r\n')]));
    const r2 = await c.readTagged('b');
    assert.match(r2.tagged, /^b NO /);
    assert.equal(await count(), 3);
  });

  test('APPEND to the selected mailbox reports * n EXISTS before the tagged OK', async () => {
    const c = await loggedIn();
    const box = await freshMailbox(c);
    const sel = await c.command('s', `SELECT ${box}`);
    assert.ok(sel.untagged.includes('* 0 EXISTS'));
    const r = await appendSync(c, 'a', box, msg('selected'));
    // The session that has the mailbox selected gets the message as \Recent (IMAP4rev1).
    assert.deepEqual(r.untagged, ['* 1 EXISTS', '* 1 RECENT']);
    assert.match(r.tagged, /^a OK \[APPENDUID \d+ 1\] APPEND completed$/);
  });

  test('APPEND to a missing mailbox -> NO [TRYCREATE]', async () => {
    const c = await loggedIn();
    const before = await rowCounts();
    const r = await appendSync(c, 'a', 'No-Such-Box', msg('lost'));
    assert.deepEqual(r.untagged, []);
    assert.match(r.tagged, /^a NO \[TRYCREATE\] /);
    assert.deepEqual(await rowCounts(), before);
  });

  test('a client that disconnects in the middle of an APPEND literal leaves nothing written', async () => {
    const before = await rowCounts();
    // Synchronizing literal: invited, then half the data, then gone.
    const c1 = await loggedIn();
    c1.send(`a APPEND INBOX {5000}\r\n`);
    const cont = await c1.readLine();
    assert.equal(cont.text, '+ Ready for literal data');
    c1.send(Buffer.alloc(2500, 'm'));
    await sleep(100);
    c1.destroy();
    // Non-synchronizing literal: part of the data, then gone.
    const c2 = await loggedIn();
    c2.send(Buffer.concat([Buffer.from('b APPEND INBOX {6000+}\r\nSubject: cut\r\n\r\n'), Buffer.alloc(1000, 'n')]));
    await sleep(100);
    c2.destroy();
    // Let the edge notice and give any (wrong) write time to land.
    const deadline = Date.now() + 3000;
    while (services.edge.connections > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(services.edge.connections, 0, 'the edge dropped both sessions');
    await sleep(300);
    assert.deepEqual(await rowCounts(), before);
  });
});
