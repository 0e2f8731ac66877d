// \Recent in IMAP4rev1 sessions (RFC 3501 2.3.2): a new message is recent in
// the first read-write session that learns of it, and in no other; read-only
// sessions see unclaimed messages as recent without taking them; IMAP4rev2
// sessions have no \Recent at all.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync, type ImapClient } from './support/imap-client.js';
import { msg, sleep, useEdgeServices } from './support/edge-harness.js';

/** NOOPs until the session reports something (the change feed rings it), at most two seconds. */
async function noopUntilNews(c: ImapClient, tag: string): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (let i = 0; Date.now() < deadline; i++) {
    const r = await c.command(`${tag}${i}`, 'NOOP');
    if (r.untagged.length) return r.untagged;
    await sleep(50);
  }
  return [];
}

const recentLine = (lines: string[]) => lines.find((l) => / RECENT$/.test(l));

describe('IMAP edge: \\Recent', () => {
  const { loggedIn, freshUser } = useEdgeServices();

  test('the first SELECT after delivery gets the messages as \\Recent; a later one does not; STATUS counts the unclaimed', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await appendSync(c, 'a1', 'INBOX', msg('one'));
    await appendSync(c, 'a2', 'INBOX', msg('two'));
    assert.deepEqual((await c.command('st', 'STATUS INBOX (MESSAGES RECENT)')).untagged, ['* STATUS INBOX (MESSAGES 2 RECENT 2)']);
    const a = await loggedIn(user);
    const sel = await a.command('s', 'SELECT INBOX');
    assert.equal(recentLine(sel.untagged), '* 2 RECENT');
    assert.deepEqual((await a.command('f', 'FETCH 1:* FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Recent))']);
    // The fast path of metadata FETCHes (columns) and the general one agree.
    assert.match(
      (await a.command('g', 'FETCH 2 (FLAGS RFC822.HEADER)')).untagged[0] ?? '',
      /^\* 2 FETCH \(FLAGS \(\\Recent\) RFC822\.HEADER /,
    );
    assert.deepEqual((await c.command('st2', 'STATUS INBOX (RECENT)')).untagged, ['* STATUS INBOX (RECENT 0)']);
    const b = await loggedIn(user);
    assert.equal(recentLine((await b.command('s', 'SELECT INBOX')).untagged), '* 0 RECENT');
    assert.deepEqual((await b.command('f', 'FETCH 1:* FLAGS')).untagged, ['* 1 FETCH (FLAGS ())', '* 2 FETCH (FLAGS ())']);
    // Selecting again ends the session's claim: the messages are no longer new to anyone.
    assert.equal(recentLine((await a.command('s2', 'SELECT INBOX')).untagged), '* 0 RECENT');
  });

  test('EXAMINE shows the unclaimed messages as \\Recent and takes none of them', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await appendSync(c, 'a1', 'INBOX', msg('one'));
    const e = await loggedIn(user);
    assert.equal(recentLine((await e.command('e', 'EXAMINE INBOX')).untagged), '* 1 RECENT');
    assert.deepEqual((await e.command('f', 'FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Recent))']);
    assert.deepEqual((await e.command('r', 'SEARCH RECENT')).untagged, ['* SEARCH 1']);
    const s = await loggedIn(user);
    assert.equal(recentLine((await s.command('s', 'SELECT INBOX')).untagged), '* 1 RECENT');
    // What arrives while it examines: unclaimed when it learns of it, so recent to it too.
    await appendSync(c, 'a2', 'INBOX', msg('two'));
    const news = await noopUntilNews(e, 'n');
    assert.deepEqual(news, ['* 2 EXISTS', '* 2 RECENT']);
  });

  test('of two sessions that have the mailbox selected, the one that learns of a new message first gets it', async () => {
    const { user } = await freshUser();
    const a = await loggedIn(user);
    const b = await loggedIn(user);
    await a.command('s', 'SELECT INBOX');
    await b.command('s', 'SELECT INBOX');
    const c = await loggedIn(user);
    await appendSync(c, 'a1', 'INBOX', msg('one'));
    assert.deepEqual(await noopUntilNews(b, 'n'), ['* 1 EXISTS', '* 1 RECENT']);
    assert.deepEqual(await noopUntilNews(a, 'n'), ['* 1 EXISTS']);
    assert.deepEqual((await b.command('f', 'FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Recent))']);
    assert.deepEqual((await a.command('f', 'FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS ())']);
    assert.deepEqual((await b.command('r', 'SEARCH RECENT')).untagged, ['* SEARCH 1']);
    assert.deepEqual((await a.command('r', 'SEARCH RECENT')).untagged, ['* SEARCH']);
    assert.deepEqual((await a.command('o', 'SEARCH OLD')).untagged, ['* SEARCH 1']);
    assert.deepEqual((await b.command('o', 'SEARCH OLD')).untagged, ['* SEARCH']);
    // NEW is RECENT UNSEEN.
    assert.deepEqual((await b.command('w', 'SEARCH NEW')).untagged, ['* SEARCH 1']);
    assert.deepEqual((await b.command('x', 'STORE 1 +FLAGS (\\Seen)')).untagged, ['* 1 FETCH (FLAGS (\\Seen \\Recent))']);
    assert.deepEqual((await b.command('w2', 'SEARCH NEW')).untagged, ['* SEARCH']);
    assert.deepEqual((await b.command('r2', 'SEARCH RECENT SEEN')).untagged, ['* SEARCH 1']);
    // STATUS of the selected mailbox: its own recent count, as Dovecot answers.
    assert.deepEqual((await b.command('st', 'STATUS INBOX (RECENT)')).untagged, ['* STATUS INBOX (RECENT 1)']);
    assert.deepEqual(
      (await a.command('st', 'STATUS INBOX (RECENT)')).untagged.filter((l) => l.startsWith('* STATUS')),
      ['* STATUS INBOX (RECENT 0)'],
    );
  });

  test("a session's own APPEND and COPY into its mailbox are recent to it; an EXPUNGE lowers RECENT", async () => {
    const { user } = await freshUser();
    const a = await loggedIn(user);
    await a.command('s', 'SELECT INBOX');
    assert.deepEqual((await appendSync(a, 'a1', 'INBOX', msg('own'))).untagged, ['* 1 EXISTS', '* 1 RECENT']);
    assert.deepEqual((await a.command('c', 'COPY 1 INBOX')).untagged.slice(-2), ['* 2 EXISTS', '* 2 RECENT']);
    const other = await loggedIn(user);
    assert.equal(recentLine((await other.command('s', 'SELECT INBOX')).untagged), '* 0 RECENT');
    await a.command('d', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.deepEqual((await a.command('x', 'EXPUNGE')).untagged, ['* 1 EXPUNGE', '* 1 RECENT']);
  });

  test('an IDLE session is told RECENT with EXISTS', async () => {
    const { user } = await freshUser();
    const a = await loggedIn(user);
    await a.command('s', 'SELECT INBOX');
    a.send('i IDLE\r\n');
    assert.equal((await a.readLine()).text, '+ idling');
    const c = await loggedIn(user);
    await appendSync(c, 'a1', 'INBOX', msg('pushed'));
    assert.equal((await a.readLine(3000)).text, '* 1 EXISTS');
    assert.equal((await a.readLine(3000)).text, '* 1 RECENT');
    a.send('DONE\r\n');
    assert.equal((await a.readTagged('i')).tagged, 'i OK IDLE terminated');
  });

  test('IMAP4rev2 sessions have no \\Recent and claim nothing', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await appendSync(c, 'a1', 'INBOX', msg('one'));
    const r2 = await loggedIn(user);
    await r2.command('e', 'ENABLE IMAP4rev2');
    const sel = await r2.command('s', 'SELECT INBOX');
    assert.equal(recentLine(sel.untagged), undefined);
    assert.deepEqual((await r2.command('f', 'FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS ())']);
    await appendSync(r2, 'a2', 'INBOX', msg('two'));
    assert.deepEqual((await r2.command('n', 'NOOP')).untagged, []);
    const r1 = await loggedIn(user);
    assert.equal(recentLine((await r1.command('s', 'SELECT INBOX')).untagged), '* 2 RECENT');
  });
});
