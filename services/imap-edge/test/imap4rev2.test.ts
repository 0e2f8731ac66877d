// What ENABLE IMAP4rev2 UTF8=ACCEPT changes in a session.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: IMAP4rev2 and UTF8=ACCEPT', () => {
  const { loggedIn, freshUser } = useEdgeServices();

  test('IMAP4rev2 and UTF8=ACCEPT: ENABLE, UTF-8 mailbox names, ESEARCH by default, LIST in SELECT, CLOSED, no RECENT', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    assert.deepEqual((await c.command('e', 'ENABLE IMAP4rev2 UTF8=ACCEPT')).untagged, ['* ENABLED IMAP4rev2 UTF8=ACCEPT']);
    c.send(Buffer.from('c CREATE "Entw\u00fcrfe"\r\n', 'utf8'));
    assert.equal((await c.readTagged('c')).tagged, 'c OK CREATE completed');
    const l = await c.command('l', 'LIST "" "Entw*"');
    assert.deepEqual(
      l.untagged.map((x) => Buffer.from(x, 'latin1').toString('utf8')),
      ['* LIST (\\HasNoChildren) "/" "Entw\u00fcrfe"'],
    );
    const m = msg('x');
    c.send(Buffer.concat([Buffer.from(`a APPEND INBOX UTF8 (~{${m.length}+}\r\n`), m, Buffer.from(')\r\n')]));
    assert.match((await c.readTagged('a')).tagged, /^a OK \[APPENDUID \d+ 1\]/);
    const s1 = await c.command('s', 'SELECT INBOX');
    assert.ok(s1.untagged.includes('* LIST () "/" INBOX'), s1.untagged.join('\n'));
    assert.ok(!s1.untagged.some((x) => x.endsWith('RECENT')));
    assert.deepEqual((await c.command('f', 'SEARCH ALL')).untagged, ['* ESEARCH (TAG "f") ALL 1']);
    const s2 = await c.command('t', 'EXAMINE Drafts');
    assert.equal(s2.untagged[0], '* OK [CLOSED] Previous mailbox closed');
  });
});
