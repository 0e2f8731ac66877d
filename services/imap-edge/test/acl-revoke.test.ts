// A grant's changes reach the sessions that use it at once: the grantee's
// IDLE hears the owner's changes, and a revoked right refuses the next command
// (BYE once the mailbox cannot be read any more).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: grants change under selected sessions', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser } = services;

  async function shared(rights: string) {
    const { user: owner } = await freshUser();
    const { user: grantee } = await freshUser();
    const o = await loggedIn(owner);
    await appendSync(o, 'p', 'INBOX', msg('first'));
    await o.command('g', `SETACL INBOX ${grantee} ${rights}`);
    const g = await loggedIn(grantee);
    assert.match((await g.command('s', `SELECT "Other Users/${owner}/INBOX"`)).tagged, /^s OK /);
    return { owner, grantee, o, g };
  }

  test("the grantee's IDLE hears the owner's APPEND and flag changes", async () => {
    const { o, g } = await shared('lrs');
    g.send('i IDLE\r\n');
    assert.equal((await g.readLine()).text, '+ idling');
    await appendSync(o, 'a', 'INBOX', msg('second'));
    assert.equal((await g.readLine(3000)).text, '* 2 EXISTS');
    // The grantee's session has the mailbox selected read-write: the new message is \Recent to it.
    assert.equal((await g.readLine(3000)).text, '* 2 RECENT');
    await o.command('b', 'SELECT INBOX');
    await o.command('c', 'STORE 1 +FLAGS (\\Flagged)');
    assert.equal((await g.readLine(3000)).text, '* 1 FETCH (FLAGS (\\Flagged \\Recent))');
    g.send('DONE\r\n');
    assert.equal((await g.readTagged('i')).tagged, 'i OK IDLE terminated');
  });

  test('a right taken away refuses the next command that needs it; the session stays', async () => {
    const { grantee, o, g } = await shared('lrs');
    assert.equal((await g.command('a', 'STORE 1 +FLAGS (\\Seen)')).tagged, 'a OK STORE completed');
    await o.command('b', `SETACL INBOX ${grantee} -s`);
    assert.match((await g.command('c', 'STORE 1 -FLAGS (\\Seen)')).tagged, /^c NO \[NOPERM\] /);
    assert.equal((await g.command('d', 'FETCH 1 FLAGS')).tagged, 'd OK FETCH completed');
  });

  test('DELETEACL while selected: the next command once the feed told the edge gets BYE', async () => {
    const { grantee, o, g } = await shared('lr');
    await o.command('a', `DELETEACL INBOX ${grantee}`);
    // Another session's change, as every other: visible once the change feed has told the
    // grantee's edge (docs/ARCHITECTURE.md#freshness), here within the push bound.
    let r: unknown;
    for (let i = 0; i < 40 && !(r instanceof Error); i++) {
      r = await g.command(`b${i}`, 'NOOP').catch((err: Error) => err);
      if (!(r instanceof Error)) await new Promise((done) => setTimeout(done, 50));
    }
    assert.ok(r instanceof Error, 'the session ends within 2 s');
    assert.match(g.transcript, /\* BYE Access to the selected mailbox was revoked, please reconnect\r\n/);
    assert.ok(await g.waitClosed(3000));
  });

  test('a revoked r ends an IDLE at once', async () => {
    const { grantee, o, g } = await shared('lr');
    g.send('i IDLE\r\n');
    assert.equal((await g.readLine()).text, '+ idling');
    await o.command('a', `SETACL INBOX ${grantee} l`);
    assert.equal((await g.readLine(3000)).text, '* BYE Access to the selected mailbox was revoked, please reconnect');
    assert.ok(await g.waitClosed(3000));
  });
});
