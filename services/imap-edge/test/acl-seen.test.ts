// \Seen on a shared mailbox is each user's own; the other flags are the
// mailbox's. A reader's \Seen change is a change of the message (a new MODSEQ)
// that its other sessions are told of, as CONDSTORE requires.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync, type TaggedResult } from './support/imap-client.js';
import { msg, sleep, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: \\Seen per user on shared mailboxes', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser } = services;

  // A session of a shared mailbox is also told of changes others made (a reader's \Seen is
  // one, for every session, with unchanged flags for the others): the answer's own lines.
  const searched = (r: TaggedResult) => r.untagged.filter((l) => l.startsWith('* SEARCH'));
  const unique = (r: TaggedResult) => [...new Set(r.untagged)];

  async function shared(rights: string) {
    const { user: owner } = await freshUser();
    const { user: grantee } = await freshUser();
    const o = await loggedIn(owner);
    for (let i = 0; i < 3; i++) await appendSync(o, `p${i}`, 'INBOX', msg(`m${i}`));
    // The owner has seen them arrive: none is \Recent to the reader (this file is about \Seen).
    await o.command('r0', 'SELECT INBOX');
    await o.command('r1', 'UNSELECT');
    await o.command('g', `SETACL INBOX ${grantee} ${rights}`);
    return { owner, grantee, o, name: `"Other Users/${owner}/INBOX"` };
  }

  test('each user has its own \\Seen: FETCH, SEARCH and STATUS UNSEEN', async () => {
    const { grantee, o, name } = await shared('lrsw');
    const g = await loggedIn(grantee);
    await g.command('a', `SELECT ${name}`);
    // A body FETCH sets the reader's \Seen, not the owner's.
    const f = await g.command('b', 'FETCH 1 (FLAGS BODY[TEXT])');
    assert.match(f.untagged[0]!, /^\* 1 FETCH \(FLAGS \(\\Seen\) /);
    await o.command('c', 'SELECT INBOX');
    assert.deepEqual(unique(await o.command('d', 'FETCH 1:3 FLAGS')), [
      '* 1 FETCH (FLAGS ())',
      '* 2 FETCH (FLAGS ())',
      '* 3 FETCH (FLAGS ())',
    ]);
    await o.command('e', 'STORE 3 +FLAGS (\\Seen)');
    assert.deepEqual(searched(await o.command('f', 'SEARCH UNSEEN')), ['* SEARCH 1 2']);
    assert.deepEqual(searched(await g.command('g', 'SEARCH UNSEEN')), ['* SEARCH 2 3']);
    assert.deepEqual(searched(await g.command('h', 'SEARCH SEEN')), ['* SEARCH 1']);
    assert.deepEqual(unique(await g.command('i', 'FETCH 1:3 FLAGS')), [
      '* 1 FETCH (FLAGS (\\Seen))',
      '* 2 FETCH (FLAGS ())',
      '* 3 FETCH (FLAGS ())',
    ]);
    assert.match((await o.command('j', 'STATUS INBOX (UNSEEN)')).untagged[0]!, /UNSEEN 2\)/);
    assert.match((await g.command('k', `STATUS ${name} (UNSEEN)`)).untagged[0]!, /UNSEEN 2\)/);
    // The other flags are shared (the owner's session is also told of the change: the same line again).
    await g.command('l', 'STORE 2 +FLAGS (\\Flagged \\Seen)');
    assert.deepEqual(unique(await o.command('m', 'FETCH 2 FLAGS')), ['* 2 FETCH (FLAGS (\\Flagged))']);
    // -FLAGS \Seen by the reader leaves the owner's \Seen.
    await g.command('n', 'STORE 1:3 -FLAGS (\\Seen)');
    assert.deepEqual(searched(await o.command('o', 'SEARCH SEEN')), ['* SEARCH 3']);
    assert.deepEqual(searched(await g.command('p', 'SEARCH SEEN')), ['* SEARCH']);
    // FLAGS (...) replaces the reader's \Seen and the shared flags it may change; not the owner's \Seen.
    await g.command('q', 'STORE 3 FLAGS (\\Seen)');
    assert.deepEqual(unique(await o.command('r', 'FETCH 3 FLAGS')), ['* 3 FETCH (FLAGS (\\Seen))']);
    assert.deepEqual(unique(await g.command('s', 'FETCH 3 FLAGS')), ['* 3 FETCH (FLAGS (\\Seen))']);
    await g.command('t', 'STORE 3 FLAGS ()');
    assert.deepEqual(unique(await o.command('u', 'FETCH 3 FLAGS')), ['* 3 FETCH (FLAGS (\\Seen))']);
    assert.deepEqual(unique(await g.command('v', 'FETCH 3 FLAGS')), ['* 3 FETCH (FLAGS ())']);
  });

  test('without s, a body FETCH leaves \\Seen alone', async () => {
    const { grantee, name } = await shared('lrw');
    const g = await loggedIn(grantee);
    await g.command('a', `SELECT ${name}`);
    const f = await g.command('b', 'FETCH 1 (BODY[TEXT])');
    assert.equal(f.tagged, 'b OK FETCH completed');
    assert.deepEqual(unique(await g.command('c', 'FETCH 1 FLAGS')), ['* 1 FETCH (FLAGS ())']);
  });

  test('APPEND with \\Seen by a reader: seen by it, not by the owner', async () => {
    const { grantee, o, name } = await shared('lrsi');
    const g = await loggedIn(grantee);
    assert.match((await appendSync(g, 'a', name, msg('new'), { flags: '\\Seen' })).tagged, /OK \[APPENDUID \d+ 4\]/);
    await o.command('b', 'SELECT INBOX');
    // The owner's SELECT is the first to see the new message: \Recent to it.
    assert.deepEqual(unique(await o.command('c', 'UID FETCH 4 FLAGS')), ['* 4 FETCH (UID 4 FLAGS (\\Recent))']);
    await g.command('d', `SELECT ${name}`);
    assert.deepEqual(unique(await g.command('e', 'UID FETCH 4 FLAGS')), ['* 4 FETCH (UID 4 FLAGS (\\Seen))']);
  });

  test("a reader's \\Seen bumps the message's MODSEQ: its other sessions see it, CHANGEDSINCE finds it", async () => {
    const { grantee, o, name } = await shared('lrs');
    const a = await loggedIn(grantee);
    const b = await loggedIn(grantee);
    await a.command('a', `SELECT ${name} (CONDSTORE)`);
    const sel = await b.command('b', `SELECT ${name} (CONDSTORE)`);
    const before = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]);
    await o.command('c', 'SELECT INBOX (CONDSTORE)');
    const stored = await a.command('d', 'STORE 2 +FLAGS (\\Seen)');
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(stored.untagged[0]!)![1]);
    assert.ok(modseq > before);
    await sleep(100);
    assert.deepEqual((await b.command('e', 'NOOP')).untagged, [`* 2 FETCH (FLAGS (\\Seen) MODSEQ (${modseq}))`]);
    assert.deepEqual((await b.command('f', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${before})`)).untagged, [
      `* 2 FETCH (FLAGS (\\Seen) MODSEQ (${modseq}))`,
    ]);
    // The owner's view of the message did not change, but its MODSEQ did: its flags come again, unchanged.
    assert.deepEqual((await o.command('g', 'NOOP')).untagged, [`* 2 FETCH (FLAGS () MODSEQ (${modseq}))`]);
  });
});
