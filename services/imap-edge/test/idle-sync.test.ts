// How a session learns of changes: its own at once, other sessions' through
// the change feed on IDLE or NOOP, and never an EXPUNGE inside a FETCH.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { sleep, msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: IDLE and NOOP report changes', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser, freshMailbox, aliceId } = services;

  test('IDLE pushes EXISTS, FETCH and EXPUNGE from another session at once; DONE ends it', async () => {
    const { user } = await freshUser();
    const a = await loggedIn(user);
    const b = await loggedIn(user);
    await appendSync(b, 'p', 'INBOX', msg('before'));
    await a.command('s', 'SELECT INBOX');
    a.send('i IDLE\r\n');
    assert.equal((await a.readLine()).text, '+ idling');
    await appendSync(b, 'q', 'INBOX', msg('during'));
    assert.equal((await a.readLine(3000)).text, '* 2 EXISTS');
    // IMAP4rev1: the session that has the mailbox selected gets the new message as \Recent.
    assert.equal((await a.readLine(3000)).text, '* 2 RECENT');
    await b.command('s', 'SELECT INBOX');
    await b.command('t', 'STORE 1 +FLAGS (\\Deleted)');
    assert.equal((await a.readLine(3000)).text, '* 1 FETCH (FLAGS (\\Deleted \\Recent))');
    await b.command('u', 'EXPUNGE');
    assert.equal((await a.readLine(3000)).text, '* 1 EXPUNGE');
    a.send('DONE\r\n');
    const done = await a.readTagged('i');
    assert.equal(done.tagged, 'i OK IDLE terminated');
    const f = await a.command('f', 'FETCH 1 (UID)');
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 2)']);
  });

  test('IDLE answered with something other than DONE is a BAD, and the session lives on', async () => {
    const a = await loggedIn();
    a.send('i IDLE\r\n');
    assert.equal((await a.readLine()).text, '+ idling');
    a.send('NOPE\r\n');
    const r = await a.readTagged('i');
    assert.match(r.tagged, /^i BAD /);
    assert.equal((await a.command('n', 'NOOP')).tagged, 'n OK NOOP completed');
  });

  test("a session reports its own APPEND, STORE and EXPUNGE without asking the mailbox service; another session's change it asks for", async () => {
    const real = services.backend.changes.bind(services.backend);
    let pulls = 0;
    services.backend.changes = (...args) => {
      pulls++;
      return real(...args);
    };
    try {
      const a = await loggedIn();
      const box = await freshMailbox(a);
      await a.command('s', `SELECT ${box}`);
      const b = await loggedIn();
      await b.command('s', `SELECT ${box}`);
      const start = pulls;
      // Its APPENDs claim their messages as \Recent in the same transaction.
      assert.deepEqual((await appendSync(a, 'a1', box, msg('one'))).untagged, ['* 1 EXISTS', '* 1 RECENT']);
      assert.deepEqual((await appendSync(a, 'a2', box, msg('two'))).untagged, ['* 2 EXISTS', '* 2 RECENT']);
      assert.deepEqual((await a.command('f', 'STORE 1 +FLAGS (\\Flagged)')).untagged, ['* 1 FETCH (FLAGS (\\Flagged \\Recent))']);
      assert.deepEqual((await a.command('d', 'STORE 2 +FLAGS.SILENT (\\Deleted)')).untagged, []);
      assert.deepEqual((await a.command('x', 'EXPUNGE')).untagged, ['* 2 EXPUNGE', '* 1 RECENT']);
      assert.deepEqual((await a.command('n', 'NOOP')).untagged, []);
      assert.equal(pulls, start, "no pull for the session's own changes");
      // The other session learns all of it, by asking once.
      const r = await b.command('n', 'NOOP');
      assert.deepEqual(r.untagged, ['* 1 EXISTS']);
      assert.equal(pulls, start + 1);
      // b's change is news to a: a asks.
      await b.command('f', 'STORE 1 -FLAGS (\\Flagged)');
      assert.deepEqual((await a.command('n2', 'NOOP')).untagged, ['* 1 FETCH (FLAGS (\\Recent))']);
      assert.equal(pulls, start + 2);
    } finally {
      services.backend.changes = real;
    }
  });

  test('NOOP on a second session sees * n EXISTS after an APPEND through the first', async () => {
    const c1 = await loggedIn();
    const box = await freshMailbox(c1);
    const c2 = await loggedIn();
    const sel = await c2.command('s', `SELECT ${box}`);
    assert.ok(sel.untagged.includes('* 0 EXISTS'));
    const ap = await appendSync(c1, 'a', box, msg('news'));
    assert.match(ap.tagged, /^a OK \[APPENDUID \d+ 1\] /);
    let seen: string[] = [];
    const deadline = Date.now() + 2000;
    for (let i = 0; Date.now() < deadline; i++) {
      const r = await c2.command(`n${i}`, 'NOOP');
      assert.equal(r.tagged, `n${i} OK NOOP completed`);
      if (r.untagged.length) {
        seen = r.untagged;
        break;
      }
      await sleep(100);
    }
    assert.deepEqual(seen, ['* 1 EXISTS', '* 1 RECENT']);
    const f = await c2.command('f', 'FETCH 1 (UID)');
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 1)']);
  });

  test('a \\Seen set by another session is reported as untagged FETCH FLAGS on NOOP', async () => {
    const c1 = await loggedIn();
    const box = await freshMailbox(c1);
    await appendSync(c1, 'p', box, msg('watch'));
    await c1.command('s', `SELECT ${box}`);
    const c2 = await loggedIn();
    await c2.command('s', `SELECT ${box}`);
    const r = await c2.command('a', 'FETCH 1 (BODY[TEXT])');
    assert.match(r.untagged[0] ?? '', /FLAGS \(\\Seen\)\)$/);
    let seen: string[] = [];
    const deadline = Date.now() + 2000;
    for (let i = 0; Date.now() < deadline; i++) {
      const n = await c1.command(`n${i}`, 'NOOP');
      if (n.untagged.length) {
        seen = n.untagged;
        break;
      }
      await sleep(100);
    }
    assert.deepEqual(seen, ['* 1 FETCH (FLAGS (\\Seen \\Recent))']);
  });

  test('no untagged EXPUNGE while answering FETCH; it is reported on the next NOOP', async () => {
    const c = await loggedIn();
    const box = await freshMailbox(c);
    await appendSync(c, 'p', box, msg('doomed'));
    await appendSync(c, 'q', box, msg('survivor'));
    const sel = await c.command('s', `SELECT ${box}`);
    assert.ok(sel.untagged.includes('* 2 EXISTS'));
    // Another actor expunges UID 1 (there is no EXPUNGE command on the edge
    // yet): the same rows the mailbox service would write, plus the doorbell.
    const accountId = await aliceId();
    const { rows } = await services.db.query<{ mailbox_id: string | number; highestmodseq: string | number }>(
      'UPDATE mailboxes SET highestmodseq = highestmodseq + 1 WHERE account_id = $1 AND name = $2 RETURNING mailbox_id, highestmodseq',
      [accountId, box],
    );
    const mailboxId = Number(rows[0]!.mailbox_id);
    const modseq = Number(rows[0]!.highestmodseq);
    await services.db.query('DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid = 1', [accountId, mailboxId]);
    await services.db.query('INSERT INTO expunged (account_id, mailbox_id, uid, modseq) VALUES ($1, $2, 1, $3)', [
      accountId,
      mailboxId,
      modseq,
    ]);
    await services.bus.publish([{ accountId, mailboxId, modseq, kind: 'expunge' }]);
    await sleep(100);

    const f = await c.command('a', 'FETCH 2 (UID)');
    // No EXPUNGE while answering FETCH (RFC 9051 7.5.1): FETCH declares
    // `expungeAllowed: false`; the expunge is reported by the next NOOP.
    assert.deepEqual(f.untagged, ['* 2 FETCH (UID 2)']);
    assert.equal(f.tagged, 'a OK FETCH completed');
    const n = await c.command('b', 'NOOP');
    assert.deepEqual(n.untagged, ['* 1 EXPUNGE', '* 1 RECENT']);
    const f2 = await c.command('c', 'FETCH 1 (UID)');
    assert.deepEqual(f2.untagged, ['* 1 FETCH (UID 2)']);
  });
});
