// The UNSEEN response code of SELECT and EXAMINE (RFC 3501 7.1): the number
// of the first message without \Seen, in IMAP4rev1 sessions only (RFC 9051
// dropped it), and only when there is such a message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync, type ImapClient } from './support/imap-client.js';
import { msg, useEdgeServices } from './support/edge-harness.js';

const unseenLines = (lines: string[]) => lines.filter((l) => l.includes('[UNSEEN '));

describe('IMAP edge: UNSEEN in SELECT and EXAMINE', () => {
  const { loggedIn, freshUser } = useEdgeServices();

  /** A user whose INBOX has `n` messages, the ones of `seen` (UIDs) with \Seen. */
  async function mailbox(n: number, seen: number[]): Promise<{ user: string; c: ImapClient }> {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    for (let i = 1; i <= n; i++) await appendSync(c, `a${i}`, 'INBOX', msg(`m${i}`), seen.includes(i) ? { flags: '\\Seen' } : {});
    return { user, c };
  }

  test('SELECT and EXAMINE name the first unseen message, after RECENT and before UIDVALIDITY', async () => {
    const { user } = await mailbox(4, [1, 2]);
    for (const cmd of ['SELECT', 'EXAMINE']) {
      const c = await loggedIn(user);
      const r = await c.command('s', `${cmd} INBOX`);
      assert.deepEqual(unseenLines(r.untagged), ['* OK [UNSEEN 3] First unseen'], cmd);
      const at = r.untagged.findIndex((l) => l.includes('[UNSEEN '));
      assert.match(r.untagged[at - 1]!, / RECENT$/);
      assert.match(r.untagged[at + 1]!, /\[UIDVALIDITY /);
    }
  });

  test('none when every message is seen, or the mailbox is empty', async () => {
    const { user, c } = await mailbox(2, [1, 2]);
    assert.deepEqual(unseenLines((await c.command('s', 'SELECT INBOX')).untagged), []);
    assert.deepEqual(unseenLines((await c.command('e', 'EXAMINE INBOX')).untagged), []);
    assert.deepEqual(unseenLines((await c.command('t', 'SELECT Trash')).untagged), []);
    // A \Seen taken away shows at the next SELECT.
    await c.command('s2', 'SELECT INBOX');
    assert.match((await c.command('st', 'STORE 2 -FLAGS (\\Seen)')).tagged, / OK /);
    const d = await loggedIn(user);
    assert.deepEqual(unseenLines((await d.command('s', 'SELECT INBOX')).untagged), ['* OK [UNSEEN 2] First unseen']);
  });

  test('a message sequence number, not a UID', async () => {
    const { c } = await mailbox(5, [3, 4]);
    await c.command('s', 'SELECT INBOX');
    await c.command('d', 'STORE 1:2 +FLAGS (\\Deleted)');
    await c.command('x', 'EXPUNGE');
    // UIDs 3, 4, 5 are messages 1, 2, 3; UID 5 is the first unseen.
    assert.deepEqual(unseenLines((await c.command('s2', 'SELECT INBOX')).untagged), ['* OK [UNSEEN 3] First unseen']);
  });

  test('with CONDSTORE and QRESYNC too', async () => {
    const { c } = await mailbox(2, [1]);
    const cs = await c.command('s', 'SELECT INBOX (CONDSTORE)');
    assert.deepEqual(unseenLines(cs.untagged), ['* OK [UNSEEN 2] First unseen']);
    const validity = /\[UIDVALIDITY (\d+)\]/.exec(cs.untagged.join('\n'))![1];
    await c.command('e', 'ENABLE QRESYNC');
    const qr = await c.command('q', `SELECT INBOX (QRESYNC (${validity} 1))`);
    assert.deepEqual(unseenLines(qr.untagged), ['* OK [UNSEEN 2] First unseen']);
    assert.deepEqual(unseenLines((await c.command('x', `EXAMINE INBOX (QRESYNC (${validity} 1))`)).untagged), [
      '* OK [UNSEEN 2] First unseen',
    ]);
  });

  test('IMAP4rev2 sessions get none', async () => {
    const { user } = await mailbox(2, [1]);
    const c = await loggedIn(user);
    await c.command('e', 'ENABLE IMAP4rev2');
    assert.deepEqual(unseenLines((await c.command('s', 'SELECT INBOX')).untagged), []);
    assert.deepEqual(unseenLines((await c.command('x', 'EXAMINE INBOX')).untagged), []);
  });

  test("on another user's mailbox, the reader's own \\Seen", async () => {
    const { user: owner, c: o } = await mailbox(3, [1]);
    const { user: reader } = await freshUser();
    await o.command('g', `SETACL INBOX ${reader} lrs`);
    const name = `"Other Users/${owner}/INBOX"`;
    const r = await loggedIn(reader);
    assert.deepEqual(unseenLines((await r.command('s', `SELECT ${name}`)).untagged), ['* OK [UNSEEN 1] First unseen']);
    assert.match((await r.command('st', 'STORE 1:2 +FLAGS (\\Seen)')).tagged, / OK /);
    assert.deepEqual(unseenLines((await r.command('s2', `EXAMINE ${name}`)).untagged), ['* OK [UNSEEN 3] First unseen']);
    // The owner's \Seen is its own.
    assert.deepEqual(unseenLines((await o.command('s', 'SELECT INBOX')).untagged), ['* OK [UNSEEN 2] First unseen']);
    await r.command('s3', `SELECT ${name}`);
    assert.match((await r.command('st2', 'STORE 3 +FLAGS (\\Seen)')).tagged, / OK /);
    assert.deepEqual(unseenLines((await r.command('s4', `SELECT ${name}`)).untagged), []);
  });
});
