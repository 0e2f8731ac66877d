// MOVE and UID MOVE whose destination is the selected mailbox itself: the
// originals are expunged and the copies arrive under new UIDs, and the
// session is told both, like for any MOVE (RFC 6851 3.3).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { msg, sleep, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: MOVE into the selected mailbox', () => {
  const { loggedIn, freshUser, uidvalidity } = useEdgeServices();

  test('MOVE reports COPYUID, the EXPUNGE of the original and the EXISTS of the copy', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user);
    for (const n of ['1', '2', '3']) await appendSync(c, 'a' + n, 'INBOX', msg(n));
    await c.command('s', 'SELECT INBOX');
    const v = await uidvalidity(accountId, 'INBOX');
    await c.command('f', 'STORE 1 +FLAGS (\\Flagged)');
    const m = await c.command('m', 'MOVE 1 INBOX');
    assert.deepEqual(m.untagged, [`* OK [COPYUID ${v} 1 4] Moved`, '* 1 EXPUNGE', '* 3 EXISTS']);
    assert.equal(m.tagged, 'm OK MOVE completed');
    const all = await c.command('a', 'FETCH 1:* (UID FLAGS)');
    assert.deepEqual(all.untagged, [
      '* 1 FETCH (UID 2 FLAGS (\\Recent))',
      '* 2 FETCH (UID 3 FLAGS (\\Recent))',
      '* 3 FETCH (UID 4 FLAGS (\\Flagged \\Recent))',
    ]);
    const st = await c.command('t', 'STATUS INBOX (MESSAGES UIDNEXT)');
    assert.deepEqual(st.untagged, ['* STATUS INBOX (MESSAGES 3 UIDNEXT 5)']);
  });

  test('UID MOVE of several messages, and another session that has the mailbox selected learns the same', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user);
    const other = await loggedIn(user);
    for (const n of ['1', '2', '3']) await appendSync(c, 'a' + n, 'INBOX', msg(n));
    await c.command('s', 'SELECT INBOX');
    const v = await uidvalidity(accountId, 'INBOX');
    await other.command('s', 'SELECT INBOX');
    const m = await c.command('m', 'UID MOVE 1:2 INBOX');
    assert.deepEqual(m.untagged, [`* OK [COPYUID ${v} 1:2 4:5] Moved`, '* 2 EXPUNGE', '* 1 EXPUNGE', '* 3 EXISTS']);
    assert.deepEqual((await c.command('u', 'UID SEARCH ALL')).untagged, ['* SEARCH 3 4 5']);
    let seen: string[] = [];
    for (let i = 0; i < 20 && !seen.includes('* 3 EXISTS'); i++) {
      seen = seen.concat((await other.command('n' + i, 'NOOP')).untagged);
      if (!seen.includes('* 3 EXISTS')) await sleep(50);
    }
    assert.deepEqual(seen, ['* 2 EXPUNGE', '* 1 EXPUNGE', '* 3 EXISTS']);
  });

  test('QRESYNC: the originals vanish (VANISHED), the copies arrive (EXISTS)', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user);
    for (const n of ['1', '2']) await appendSync(c, 'a' + n, 'INBOX', msg(n));
    await c.command('e', 'ENABLE QRESYNC');
    await c.command('s', 'SELECT INBOX');
    const v = await uidvalidity(accountId, 'INBOX');
    const m = await c.command('m', 'UID MOVE 2 INBOX');
    assert.deepEqual(m.untagged, [`* OK [COPYUID ${v} 2 3] Moved`, '* VANISHED 2', '* 2 EXISTS']);
  });

  test("another account's mailbox selected through a grant: MOVE into it keeps one copy, the owner's quota unchanged", async () => {
    const { user: owner } = await freshUser();
    const { user: grantee } = await freshUser();
    const o = await loggedIn(owner);
    await o.command('c', 'CREATE Team');
    for (const n of ['1', '2']) await appendSync(o, 'a' + n, 'Team', msg(n));
    await o.command('g', `SETACL Team ${grantee} lrswitedk`);
    const before = (await o.command('q', 'GETQUOTAROOT Team')).untagged.join('\n');
    const g = await loggedIn(grantee);
    await g.command('s', `SELECT "Other Users/${owner}/Team"`);
    const m = await g.command('m', `MOVE 1 "Other Users/${owner}/Team"`);
    assert.deepEqual(m.untagged.slice(1), ['* 1 EXPUNGE', '* 2 EXISTS']);
    assert.match(m.untagged[0]!, /^\* OK \[COPYUID \d+ 1 3\] /);
    assert.deepEqual((await o.command('t', 'STATUS Team (MESSAGES UIDNEXT)')).untagged, ['* STATUS Team (MESSAGES 2 UIDNEXT 4)']);
    assert.equal((await o.command('q', 'GETQUOTAROOT Team')).untagged.join('\n'), before);
  });
});
