// A keyword the selected mailbox has not used before is announced with FLAGS
// and PERMANENTFLAGS before any FETCH shows it (RFC 9051 7.3.5, RFC 3501
// 7.2.6), whichever way it arrives: this session's STORE, APPEND or COPY,
// another session's STORE seen on NOOP, IDLE or in a FETCH.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync, type ImapClient } from './support/imap-client.js';
import { msg, sleep, SYSTEM_FLAGS, useEdgeServices } from './support/edge-harness.js';

const flags = (...keywords: string[]) => `* FLAGS (${[SYSTEM_FLAGS, ...keywords].join(' ')})`;
const permanent = (...keywords: string[]) => `* OK [PERMANENTFLAGS (${[SYSTEM_FLAGS, ...keywords, '\\*'].join(' ')})] Flags permitted`;

/** NOOPs until a line matching `until` arrives; everything received in that time. */
async function noopUntil(c: ImapClient, until: RegExp): Promise<string[]> {
  let seen: string[] = [];
  for (let i = 0; i < 40 && !seen.some((l) => until.test(l)); i++) {
    seen = seen.concat((await c.command('n' + i, 'NOOP')).untagged);
    if (!seen.some((l) => until.test(l))) await sleep(50);
  }
  return seen;
}

describe('IMAP edge: new keywords are announced before they are shown', () => {
  const { loggedIn, freshUser } = useEdgeServices();

  async function twoSessions(count = 2) {
    const { user } = await freshUser();
    const a = await loggedIn(user);
    const b = await loggedIn(user);
    for (let i = 1; i <= count; i++) await appendSync(a, 'p' + i, 'INBOX', msg(String(i)));
    await a.command('s', 'SELECT INBOX');
    await b.command('s', 'SELECT INBOX');
    return { a, b };
  }

  test("this session's STORE: FLAGS and PERMANENTFLAGS first, then the FETCH; a known keyword is not announced again", async () => {
    const { a } = await twoSessions();
    const r = await a.command('t', 'STORE 1 +FLAGS (Work)');
    assert.deepEqual(r.untagged, [flags('Work'), permanent('Work'), '* 1 FETCH (FLAGS (Work \\Recent))']);
    // Keywords compare without case: "work" is the same keyword.
    assert.deepEqual((await a.command('u', 'STORE 2 +FLAGS (work \\Seen)')).untagged, ['* 2 FETCH (FLAGS (work \\Seen \\Recent))']);
    // .SILENT sends no FETCH, but the new keyword is still announced.
    assert.deepEqual((await a.command('v', 'STORE 2 +FLAGS.SILENT (Home)')).untagged, [flags('Work', 'Home'), permanent('Work', 'Home')]);
    assert.deepEqual((await a.command('w', 'NOOP')).untagged, []);
  });

  test("another session's STORE, seen on NOOP: FLAGS and PERMANENTFLAGS before the FETCH", async () => {
    const { a, b } = await twoSessions();
    await b.command('t', 'STORE 2 +FLAGS ($Label1)');
    const seen = await noopUntil(a, /FETCH/);
    assert.deepEqual(seen, [flags('$Label1'), permanent('$Label1'), '* 2 FETCH (FLAGS ($Label1 \\Recent))']);
  });

  test("another session's STORE, pushed to an IDLE session: FLAGS first", async () => {
    const { a, b } = await twoSessions();
    a.send('i IDLE\r\n');
    assert.equal((await a.readLine()).text, '+ idling');
    await b.command('t', 'STORE 1 +FLAGS (Urgent)');
    assert.equal((await a.readLine(3000)).text, flags('Urgent'));
    assert.equal((await a.readLine(3000)).text, permanent('Urgent'));
    assert.equal((await a.readLine(3000)).text, '* 1 FETCH (FLAGS (Urgent \\Recent))');
    a.send('DONE\r\n');
    assert.equal((await a.readTagged('i')).tagged, 'i OK IDLE terminated');
  });

  test("another session's STORE not yet synced: a FETCH of FLAGS announces the keyword before the line that shows it", async () => {
    for (const items of ['FLAGS', '(UID FLAGS)', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])', '(FLAGS ENVELOPE)']) {
      const { a, b } = await twoSessions(3);
      await b.command('t', 'STORE 2 +FLAGS (Later)');
      const r = await a.command('f', `FETCH 1:3 ${items}`);
      const fetches = r.untagged.filter((l) => !/^\* (FLAGS|OK)/.test(l));
      const first = r.untagged.findIndex((l) => l.includes('Later'));
      assert.deepEqual(r.untagged.slice(first, first + 2), [flags('Later'), permanent('Later')], `${items}: ${r.untagged.join('\n')}`);
      assert.ok(r.untagged.indexOf(fetches.find((l) => l.includes('Later'))!) > first + 1, items);
      // Announced once: the sync after the FETCH does not repeat it.
      assert.equal(r.untagged.filter((l) => l.startsWith('* FLAGS')).length, 1, `${items}: ${r.untagged.join('\n')}`);
      assert.ok(!(await a.command('n', 'NOOP')).untagged.some((l) => l.startsWith('* FLAGS')));
    }
  });

  test('APPEND into the selected mailbox with a new keyword: FLAGS and PERMANENTFLAGS with the EXISTS', async () => {
    const { a } = await twoSessions(1);
    const r = await appendSync(a, 'x', 'INBOX', msg('three'), { flags: 'Invoice \\Seen' });
    assert.deepEqual(r.untagged, [flags('Invoice'), permanent('Invoice'), '* 2 EXISTS', '* 2 RECENT']);
    assert.deepEqual((await a.command('f', 'FETCH 2 FLAGS')).untagged, ['* 2 FETCH (FLAGS (Invoice \\Seen \\Recent))']);
  });

  test('COPY and MOVE into the selected mailbox of messages with keywords it has not used: FLAGS and PERMANENTFLAGS with the EXISTS', async () => {
    const { user } = await freshUser();
    const a = await loggedIn(user);
    const d = await loggedIn(user);
    await appendSync(a, 'x', 'Drafts', msg('draft'), { flags: 'Project' });
    await appendSync(a, 'y', 'INBOX', msg('one'));
    await a.command('s', 'SELECT INBOX');
    await d.command('s', 'SELECT Drafts');
    await d.command('c', 'COPY 1 INBOX');
    assert.deepEqual(await noopUntil(a, /EXISTS/), [flags('Project'), permanent('Project'), '* 2 EXISTS', '* 2 RECENT']);
    await appendSync(d, 'z', 'Drafts', msg('draft 2'), { flags: 'Other' });
    await d.command('m', 'MOVE 2 INBOX');
    assert.deepEqual(await noopUntil(a, /EXISTS/), [flags('Project', 'Other'), permanent('Project', 'Other'), '* 3 EXISTS', '* 3 RECENT']);
    // Copied within the mailbox: nothing new to announce.
    assert.deepEqual((await a.command('c', 'COPY 2 INBOX')).untagged, ['* 4 EXISTS', '* 4 RECENT']);
  });

  test('EXAMINE: the announcement repeats the read-only PERMANENTFLAGS ()', async () => {
    const { user } = await freshUser();
    const a = await loggedIn(user);
    const b = await loggedIn(user);
    await appendSync(a, 'x', 'INBOX', msg('one'));
    await a.command('e', 'EXAMINE INBOX');
    await b.command('s', 'SELECT INBOX');
    await b.command('t', 'STORE 1 +FLAGS (Seenby)');
    const seen = await noopUntil(a, /FETCH/);
    assert.deepEqual(seen, [flags('Seenby'), '* OK [PERMANENTFLAGS ()] Flags permitted', '* 1 FETCH (FLAGS (Seenby \\Recent))']);
  });
});
