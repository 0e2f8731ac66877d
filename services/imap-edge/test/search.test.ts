// SEARCH and UID SEARCH criteria, ESEARCH return options, SEARCHRES and
// BADCHARSET.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: SEARCH', () => {
  const { loggedIn, freshUser } = useEdgeServices();

  test('SEARCH, UID SEARCH, ESEARCH return options, SEARCHRES $ and BADCHARSET', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await appendSync(c, 'a1', 'INBOX', Buffer.from('From: Ann <ann@example.test>\r\nSubject: Report Q1\r\n\r\nquarterly numbers\r\n'));
    await appendSync(c, 'a2', 'INBOX', Buffer.from('From: Bob <bob@example.test>\r\nSubject: lunch\r\n\r\nSandwiches\r\n'));
    await appendSync(
      c,
      'a3',
      'INBOX',
      Buffer.from('From: Ann <ann@example.test>\r\nSubject: Report Q2\r\n\r\nmore numbers, Gr\u00fc\u00dfe\r\n', 'utf8'),
    );
    await c.command('s', 'SELECT INBOX');
    await c.command('f', 'STORE 2 +FLAGS (\\Seen)');
    assert.deepEqual((await c.command('b', 'SEARCH FROM ann')).untagged, ['* SEARCH 1 3']);
    assert.deepEqual((await c.command('c', 'SEARCH UNSEEN SUBJECT report')).untagged, ['* SEARCH 1 3']);
    assert.deepEqual((await c.command('d', 'UID SEARCH OR SEEN BODY sandwich')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('e', 'SEARCH NOT FROM ann')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('g', 'SEARCH RETURN (MIN MAX COUNT) TEXT numbers')).untagged, [
      '* ESEARCH (TAG "g") MIN 1 MAX 3 COUNT 2',
    ]);
    assert.deepEqual((await c.command('h', 'UID SEARCH RETURN () ALL')).untagged, ['* ESEARCH (TAG "h") UID ALL 1:3']);
    assert.deepEqual((await c.command('i', 'SEARCH RETURN (SAVE) FROM bob')).untagged, []);
    assert.deepEqual((await c.command('j', 'FETCH $ (UID)')).untagged, ['* 2 FETCH (UID 2)']);
    c.send(Buffer.from('k SEARCH CHARSET UTF-8 BODY "GR\u00dc\u00dfE"\r\n', 'utf8'));
    const k = await c.readTagged('k');
    assert.deepEqual(k.untagged, ['* SEARCH 3'], k.tagged);
    const bad = await c.command('l', 'SEARCH CHARSET X-NOPE TEXT a');
    assert.match(bad.tagged, /^l NO \[BADCHARSET \(UTF-8 /);
    assert.deepEqual((await c.command('m', 'SEARCH 7')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('n', 'SEARCH LARGER 60 SMALLER 100000')).untagged, ['* SEARCH 1 3']);
  });

  test('sequence numbers beyond the mailbox match nothing in SEARCH (OK, as Dovecot), and stay BAD in FETCH', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await c.command('c', 'CREATE Empty');
    await c.command('s0', 'SELECT Empty');
    for (const [tag, cmd] of [
      ['e1', 'SEARCH 1'],
      ['e2', 'SEARCH 1:*'],
      ['e3', 'UID SEARCH 1:*'],
    ]) {
      const r = await c.command(tag!, cmd!);
      assert.deepEqual(r.untagged, ['* SEARCH'], cmd);
      assert.match(r.tagged, new RegExp(`^${tag} OK `), cmd);
    }
    for (const n of [1, 2]) await appendSync(c, `a${n}`, 'INBOX', Buffer.from(`Subject: m${n}\r\n\r\nbody\r\n`));
    await c.command('s', 'SELECT INBOX');
    const expect: Array<[string, string[]]> = [
      ['SEARCH 3', ['* SEARCH']],
      ['SEARCH 1:7', ['* SEARCH 1 2']],
      ['SEARCH 2:5', ['* SEARCH 2']],
      ['SEARCH NOT 5', ['* SEARCH 1 2']],
      ['SEARCH OR 1 9', ['* SEARCH 1']],
      ['UID SEARCH 9', ['* SEARCH']],
      ['SEARCH 4294967295', ['* SEARCH']],
      ['SEARCH RETURN (MIN MAX COUNT) 3:9', ['* ESEARCH (TAG "t8") COUNT 0']],
    ];
    for (const [i, [cmd, untagged]] of expect.entries()) {
      const r = await c.command(`t${i + 1}`, cmd);
      assert.deepEqual(r.untagged, untagged, cmd);
      assert.match(r.tagged, / OK /, cmd);
    }
    // Commands that act on the messages they name still refuse a number that names none.
    assert.match((await c.command('f', 'FETCH 3 FLAGS')).tagged, /^f BAD \[CLIENTBUG\] /);
    assert.match((await c.command('g', 'STORE 1:3 +FLAGS (\\Seen)')).tagged, /^g BAD \[CLIENTBUG\] /);
  });
});
