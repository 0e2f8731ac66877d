// CONDSTORE (MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE) and QRESYNC (resync after a
// disconnect, VANISHED).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { sleep, msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: CONDSTORE and QRESYNC', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser, uidvalidity } = services;

  test('CONDSTORE: MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE with [MODIFIED], HIGHESTMODSEQ in STATUS', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    for (const n of ['one', 'two', 'three']) await appendSync(c, n, 'INBOX', msg(n));
    const sel = await c.command('s', 'SELECT INBOX (CONDSTORE)');
    const hms = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]);
    const st = await c.command('t', 'STORE 2 +FLAGS (\\Flagged)');
    assert.deepEqual(st.untagged, [`* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (${hms + 1}))`]);
    const ch = await c.command('f', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${hms})`);
    assert.deepEqual(ch.untagged, [`* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (${hms + 1}))`]);
    const cond = await c.command('u', `STORE 1:3 (UNCHANGEDSINCE ${hms}) +FLAGS.SILENT (\\Seen)`);
    assert.equal(cond.tagged, 'u OK [MODIFIED 2] Conditional STORE failed');
    assert.deepEqual(cond.untagged.sort(), [`* 1 FETCH (MODSEQ (${hms + 2}))`, `* 3 FETCH (MODSEQ (${hms + 2}))`]);
    const status = await c.command('v', 'STATUS Drafts (HIGHESTMODSEQ MESSAGES)');
    assert.match(status.untagged[0]!, /^\* STATUS Drafts \(HIGHESTMODSEQ \d+ MESSAGES 0\)$/);
    assert.deepEqual((await c.command('w', `SEARCH MODSEQ ${hms + 2}`)).untagged, [`* SEARCH 1 3 (MODSEQ ${hms + 2})`]);
  });

  test('QRESYNC: resync after a disconnect names exactly what vanished and what changed', async () => {
    const { user, accountId } = await freshUser();
    const a = await loggedIn(user);
    for (const n of ['1', '2', '3', '4', '5']) await appendSync(a, 'p' + n, 'INBOX', msg(n));
    assert.deepEqual((await a.command('e', 'ENABLE QRESYNC')).untagged, ['* ENABLED QRESYNC']);
    const sel = await a.command('s', 'SELECT INBOX');
    const v = await uidvalidity(accountId, 'INBOX');
    const hms = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]);
    await a.close();

    const b = await loggedIn(user);
    await b.command('s', 'SELECT INBOX');
    await b.command('t', 'STORE 2,4 +FLAGS (\\Deleted)');
    await b.command('x', 'EXPUNGE');
    await b.command('f', 'UID STORE 5 +FLAGS (\\Flagged)');

    const c = await loggedIn(user);
    await c.command('e', 'ENABLE QRESYNC');
    const r = await c.command('q', `SELECT INBOX (QRESYNC (${v} ${hms} 1:5))`);
    assert.ok(r.untagged.includes('* VANISHED (EARLIER) 2,4'), r.untagged.join('\n'));
    assert.ok(
      r.untagged.some((l) => /^\* 3 FETCH \(UID 5 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/.test(l)),
      r.untagged.join('\n'),
    );
    assert.equal(r.tagged, 'q OK [READ-WRITE] SELECT completed');
    const u = await c.command('u', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${hms} VANISHED)`);
    assert.equal(u.untagged[0], '* VANISHED (EARLIER) 2,4');
    assert.match(u.untagged[1]!, /^\* 3 FETCH \(UID 5 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/);

    // A QRESYNC session learns of another session's expunge as VANISHED, not EXPUNGE.
    await b.command('d', 'STORE 1 +FLAGS (\\Deleted)');
    await b.command('y', 'EXPUNGE');
    let seen: string[] = [];
    for (let i = 0; i < 20 && !seen.includes('* VANISHED 1'); i++) {
      seen = seen.concat((await c.command('n' + i, 'NOOP')).untagged);
      await sleep(50);
    }
    assert.ok(seen.includes('* VANISHED 1'), seen.join('\n'));
    assert.ok(!seen.some((l) => l.endsWith('EXPUNGE')));

    // Past the tombstone retention: every UID not in the mailbox is named.
    await services.db.query('DELETE FROM expunged WHERE account_id = $1', [accountId]);
    await services.db.query("UPDATE mailboxes SET expunged_floor_modseq = highestmodseq WHERE account_id = $1 AND name = 'INBOX'", [
      accountId,
    ]);
    const d = await loggedIn(user);
    await d.command('e', 'ENABLE QRESYNC');
    const old = await d.command('q', `SELECT INBOX (QRESYNC (${v} ${hms}))`);
    assert.ok(old.untagged.includes('* VANISHED (EARLIER) 1:2,4'), old.untagged.join('\n'));
  });
});
