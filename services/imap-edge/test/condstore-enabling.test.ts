// CONDSTORE turned on by use (RFC 7162 3.1): the first CONDSTORE-enabling
// command issued while a mailbox is selected reports its HIGHESTMODSEQ in an
// untagged OK; and the MODSEQ of an ESEARCH answer is the one RFC 4731 3.2
// gives for the result options asked for.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync, type ImapClient } from './support/imap-client.js';
import { msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: CONDSTORE-enabling commands and the MODSEQ of ESEARCH', () => {
  const { loggedIn, freshUser } = useEdgeServices();

  /** A fresh INBOX of `count` messages, selected without CONDSTORE; its HIGHESTMODSEQ. */
  async function selected(count = 2): Promise<{ c: ImapClient; highest: number }> {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    for (let i = 1; i <= count; i++) await appendSync(c, 'p' + i, 'INBOX', msg(String(i)));
    const sel = await c.command('s', 'SELECT INBOX');
    return { c, highest: Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]) };
  }

  const okHighest = (n: number) => `* OK [HIGHESTMODSEQ ${n}] Highest`;

  test('FETCH of MODSEQ: the untagged OK [HIGHESTMODSEQ] first, once', async () => {
    const { c, highest } = await selected();
    const f = await c.command('f', 'FETCH 1 (MODSEQ)');
    assert.deepEqual(f.untagged, [okHighest(highest), `* 1 FETCH (MODSEQ (${highest - 1}))`]);
    assert.equal(f.tagged, 'f OK FETCH completed');
    assert.deepEqual((await c.command('g', 'FETCH 2 (MODSEQ)')).untagged, [`* 2 FETCH (MODSEQ (${highest}))`]);
  });

  test('FETCH with CHANGEDSINCE, and UID FETCH', async () => {
    const { c, highest } = await selected();
    const f = await c.command('f', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest - 1})`);
    assert.deepEqual(f.untagged, [okHighest(highest), `* 2 FETCH (UID 2 FLAGS (\\Recent) MODSEQ (${highest}))`]);
  });

  test('SEARCH with a MODSEQ key', async () => {
    const { c, highest } = await selected();
    const s = await c.command('f', 'SEARCH MODSEQ 1');
    assert.deepEqual(s.untagged, [okHighest(highest), `* SEARCH 1 2 (MODSEQ ${highest})`]);
    assert.deepEqual((await c.command('g', 'SEARCH MODSEQ 1')).untagged, [`* SEARCH 1 2 (MODSEQ ${highest})`]);
  });

  test('STORE with UNCHANGEDSINCE: the HIGHESTMODSEQ before the change, then the FETCH', async () => {
    const { c, highest } = await selected();
    const s = await c.command('t', `STORE 1 (UNCHANGEDSINCE ${highest}) +FLAGS (\\Seen)`);
    assert.deepEqual(s.untagged, [okHighest(highest), `* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (${highest + 1}))`]);
  });

  test('ENABLE CONDSTORE or QRESYNC with a mailbox selected; not without one', async () => {
    const { c, highest } = await selected();
    assert.deepEqual((await c.command('e', 'ENABLE CONDSTORE')).untagged, [okHighest(highest), '* ENABLED CONDSTORE']);
    assert.deepEqual((await c.command('f', 'FETCH 1 (MODSEQ)')).untagged, [`* 1 FETCH (MODSEQ (${highest - 1}))`]);
    const { c: q, highest: h2 } = await selected();
    assert.deepEqual((await q.command('e', 'ENABLE QRESYNC')).untagged, [okHighest(h2), '* ENABLED QRESYNC']);
    const u = await loggedIn();
    assert.deepEqual((await u.command('e', 'ENABLE CONDSTORE')).untagged, ['* ENABLED CONDSTORE']);
  });

  test("STATUS (HIGHESTMODSEQ) with a mailbox selected: the selected mailbox's HIGHESTMODSEQ, then the STATUS", async () => {
    const { c, highest } = await selected();
    const s = await c.command('t', 'STATUS Drafts (HIGHESTMODSEQ)');
    assert.equal(s.untagged.length, 2, s.untagged.join('\n'));
    assert.equal(s.untagged[0], okHighest(highest));
    assert.match(s.untagged[1]!, /^\* STATUS Drafts \(HIGHESTMODSEQ \d+\)$/);
    assert.deepEqual((await c.command('f', 'FETCH 1 (MODSEQ)')).untagged, [`* 1 FETCH (MODSEQ (${highest - 1}))`]);
  });

  test('CONDSTORE already on (SELECT ... (CONDSTORE), or enabled before SELECT): nothing more', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await appendSync(c, 'p', 'INBOX', msg('1'));
    await c.command('s', 'SELECT INBOX (CONDSTORE)');
    assert.equal((await c.command('f', 'FETCH 1 (MODSEQ)')).untagged.length, 1);
    const d = await loggedIn(user);
    await d.command('t', 'STATUS INBOX (HIGHESTMODSEQ)');
    await d.command('s', 'SELECT INBOX');
    assert.equal((await d.command('f', 'FETCH 1 (MODSEQ)')).untagged.length, 1);
  });

  test('ESEARCH with MODSEQ: MIN or MAX alone gives that message’s MODSEQ, both the higher of the two, ALL or COUNT the highest', async () => {
    const { c } = await selected(4);
    await c.command('e', 'ENABLE CONDSTORE');
    const modseq: Record<number, number> = {};
    // Stored in the order 1, 3, 2, 4: each message's MODSEQ above the one before.
    for (const n of [1, 3, 2, 4]) {
      const r = await c.command('t' + n, `STORE ${n} +FLAGS (\\Seen)`);
      modseq[n] = Number(/MODSEQ \((\d+)\)/.exec(r.untagged[0]!)![1]);
    }
    const esearch = async (tag: string, command: string) => {
      const r = await c.command(tag, command);
      assert.equal(r.untagged.length, 1, r.untagged.join('\n'));
      return r.untagged[0];
    };
    const key = 'MODSEQ "/flags/\\\\seen" all 1';
    assert.equal(await esearch('a', `SEARCH RETURN (MIN) 1:3 ${key}`), `* ESEARCH (TAG "a") MIN 1 MODSEQ ${modseq[1]}`);
    assert.equal(await esearch('b', `SEARCH RETURN (MAX) 1:3 ${key}`), `* ESEARCH (TAG "b") MAX 3 MODSEQ ${modseq[3]}`);
    assert.equal(await esearch('c', `SEARCH RETURN () 1:3 ${key}`), `* ESEARCH (TAG "c") ALL 1:3 MODSEQ ${modseq[2]}`);
    assert.equal(await esearch('d', `SEARCH RETURN (MIN MAX) 2:3 ${key}`), `* ESEARCH (TAG "d") MIN 2 MAX 3 MODSEQ ${modseq[2]}`);
    assert.equal(await esearch('e', `SEARCH RETURN (MIN MAX) 1,3 ${key}`), `* ESEARCH (TAG "e") MIN 1 MAX 3 MODSEQ ${modseq[3]}`);
    assert.equal(await esearch('f', `SEARCH RETURN (MIN COUNT) 1:3 MODSEQ 1`), `* ESEARCH (TAG "f") MIN 1 COUNT 3 MODSEQ ${modseq[2]}`);
    assert.equal(await esearch('g', `UID SEARCH RETURN (MAX) 1:2 MODSEQ 1`), `* ESEARCH (TAG "g") UID MAX 2 MODSEQ ${modseq[2]}`);
    assert.equal(await esearch('h', `UID SEARCH RETURN (MIN) 3:4 MODSEQ 1`), `* ESEARCH (TAG "h") UID MIN 3 MODSEQ ${modseq[3]}`);
    assert.equal(await esearch('i', `SEARCH RETURN (MIN) MODSEQ ${modseq[4]! + 1}`), '* ESEARCH (TAG "i")');
    // MIN with SAVE: the saved message, and the MODSEQ of MIN.
    assert.equal(await esearch('j', `SEARCH RETURN (MIN SAVE) 3:4 MODSEQ 1`), `* ESEARCH (TAG "j") MIN 3 MODSEQ ${modseq[3]}`);
    assert.deepEqual((await c.command('k', 'FETCH $ (UID)')).untagged, ['* 3 FETCH (UID 3)']);
  });
});
