// Shared mailboxes (RFC 4314): another user's mailbox under "Other Users/",
// reached with exactly the rights a grant gives, each command checked by the
// mailbox service; \Seen kept per user.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync, type ImapClient } from './support/imap-client.js';
import { msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: shared mailboxes', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser } = services;

  /** An owner with a mailbox holding `count` messages, and a grantee with `rights` on it. */
  async function shared(rights: string, count = 2, mailbox = 'Team') {
    const { user: owner } = await freshUser();
    const { user: grantee } = await freshUser();
    const o = await loggedIn(owner);
    if (mailbox !== 'INBOX') assert.equal((await o.command('c', `CREATE ${mailbox}`)).tagged, 'c OK CREATE completed');
    for (let i = 0; i < count; i++) assert.match((await appendSync(o, `p${i}`, mailbox, msg(`m${i}`))).tagged, /OK \[APPENDUID/);
    if (rights) assert.equal((await o.command('g', `SETACL ${mailbox} ${grantee} ${rights}`)).tagged, 'g OK SETACL completed');
    const g = await loggedIn(grantee);
    return { owner, grantee, o, g, name: `"Other Users/${owner}/${mailbox}"` };
  }

  const tagged = async (c: ImapClient, cmd: string) => (await c.command('t', cmd)).tagged;

  test('NAMESPACE names the other users namespace', async () => {
    const c = await loggedIn();
    assert.deepEqual((await c.command('a', 'NAMESPACE')).untagged, ['* NAMESPACE (("" "/")) (("Other Users/" "/")) NIL']);
  });

  test('LIST shows what is shared with the l right, under Other Users/<owner>/, and nothing else of the owner', async () => {
    const { owner, o, g } = await shared('lr', 0, 'Team/Inner');
    await o.command('a', 'CREATE Private');
    const r = await g.command('b', 'LIST "" "Other Users/*"');
    assert.deepEqual(r.untagged, [
      `* LIST (\\Noselect \\HasChildren) "/" "Other Users/${owner}"`,
      `* LIST (\\Noselect \\HasChildren) "/" "Other Users/${owner}/Team"`,
      `* LIST (\\HasNoChildren) "/" "Other Users/${owner}/Team/Inner"`,
    ]);
    const top = await g.command('c', 'LIST "" %');
    assert.ok(top.untagged.includes('* LIST (\\Noselect \\HasChildren) "/" "Other Users"'), top.untagged.join('\n'));
    // Without l (only r), the mailbox is not listed, though it can be selected.
    await o.command('d', `SETACL Team/Inner anyone r`);
    const { user: third } = await freshUser();
    const t = await loggedIn(third);
    assert.deepEqual((await t.command('e', 'LIST "" "Other Users/*"')).untagged, []);
    assert.match(await tagged(t, `EXAMINE "Other Users/${owner}/Team/Inner"`), /^t OK \[READ-ONLY\]/);
  });

  test('SUBSCRIBE to a shared mailbox needs l; LSUB and LIST (SUBSCRIBED) show it until the grant goes', async () => {
    const { owner, grantee, o, g } = await shared('lr', 0);
    const name = `Other Users/${owner}/Team`;
    assert.equal(await tagged(g, `SUBSCRIBE "Other Users/${owner.toUpperCase()}/Team"`), 't OK SUBSCRIBE completed');
    assert.deepEqual((await g.command('a', 'LSUB "" "Other Users/*"')).untagged, [`* LSUB () "/" "${name}"`]);
    assert.deepEqual((await g.command('b', 'LIST (SUBSCRIBED) "" "Other Users/*"')).untagged, [
      `* LIST (\\HasNoChildren \\Subscribed) "/" "${name}"`,
    ]);
    assert.ok(
      (await g.command('c', 'LIST "" "*" RETURN (SUBSCRIBED)')).untagged.includes(`* LIST (\\HasNoChildren \\Subscribed) "/" "${name}"`),
    );
    // The owner's own subscriptions are the owner's: nothing changed there.
    assert.deepEqual((await o.command('d', 'LSUB "" Team')).untagged, []);

    // Without l: refused as if the mailbox were not there; nothing else of the owner can be subscribed to.
    await o.command('e', 'CREATE Hidden');
    await o.command('f', `SETACL Hidden ${grantee} r`);
    assert.match(await tagged(g, `SUBSCRIBE "Other Users/${owner}/Hidden"`), /^t NO \[NOPERM\] /);
    assert.match(await tagged(g, `SUBSCRIBE "Other Users/${owner}/INBOX"`), /^t NO \[NONEXISTENT\] /);
    assert.match(await tagged(g, 'SUBSCRIBE "Other Users"'), /^t NO \[NONEXISTENT\] /);

    // The grant taken away: the subscription stays, as a name with no mailbox behind it.
    await o.command('g', `DELETEACL Team ${grantee}`);
    assert.deepEqual((await g.command('h', 'LIST (SUBSCRIBED) "" "Other Users/*"')).untagged, [
      `* LIST (\\NonExistent \\Subscribed) "/" "${name}"`,
    ]);
    assert.equal(await tagged(g, `UNSUBSCRIBE "${name}"`), 't OK UNSUBSCRIBE completed');
    assert.deepEqual(
      (await g.command('i', 'LSUB "" "*"')).untagged.filter((l) => l.includes('Other Users')),
      [],
    );
    assert.match(await tagged(g, `UNSUBSCRIBE "${name}"`), /^t NO \[NONEXISTENT\] /);
  });

  test('LIST RETURN (MYRIGHTS): the rights on each mailbox listed, all of them on its own (RFC 8440)', async () => {
    const { owner, g } = await shared('lrs', 0, 'Team/Inner');
    const r = await g.command('a', 'LIST "" ("INBOX" "Other Users/*") RETURN (MYRIGHTS)');
    assert.deepEqual(r.untagged, [
      '* LIST (\\HasNoChildren) "/" INBOX',
      '* MYRIGHTS INBOX lrswipkxteacd',
      `* LIST (\\Noselect \\HasChildren) "/" "Other Users/${owner}"`,
      `* LIST (\\Noselect \\HasChildren) "/" "Other Users/${owner}/Team"`,
      `* LIST (\\HasNoChildren) "/" "Other Users/${owner}/Team/Inner"`,
      `* MYRIGHTS "Other Users/${owner}/Team/Inner" lrs`,
    ]);
    assert.match((await g.command('b', 'CAPABILITY')).untagged[0]!, / LIST-MYRIGHTS /);
  });

  test('SELECT needs r: READ-ONLY without a right to change anything, PERMANENTFLAGS as the rights allow', async () => {
    const { g, name } = await shared('lr');
    const r = await g.command('a', `SELECT ${name}`);
    assert.equal(r.tagged, 'a OK [READ-ONLY] SELECT completed');
    assert.ok(r.untagged.includes('* 2 EXISTS'), r.untagged.join('\n'));
    assert.ok(r.untagged.includes('* OK [PERMANENTFLAGS ()] Flags permitted'), r.untagged.join('\n'));
    const f = await g.command('b', 'FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])');
    assert.equal(f.tagged, 'b OK FETCH completed');
    assert.equal(f.untagged.length, 2);
    assert.equal(await tagged(g, 'STORE 1 +FLAGS (\\Seen)'), 't NO [READ-ONLY] Mailbox is read-only');

    const s = await shared('lrs');
    const rs = await s.g.command('c', `SELECT ${s.name}`);
    assert.equal(rs.tagged, 'c OK [READ-WRITE] SELECT completed');
    assert.ok(rs.untagged.includes('* OK [PERMANENTFLAGS (\\Seen)] Flags permitted'), rs.untagged.join('\n'));
    const w = await shared('lrswt');
    const rw = await w.g.command('d', `SELECT ${w.name}`);
    assert.ok(rw.untagged.includes('* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted'));
  });

  test('without r: SELECT, EXAMINE and STATUS are refused, NOPERM when the mailbox is visible, NONEXISTENT when not', async () => {
    const { owner, g, name } = await shared('l');
    assert.match(await tagged(g, `SELECT ${name}`), /^t NO \[NOPERM\] /);
    assert.match(await tagged(g, `EXAMINE ${name}`), /^t NO \[NOPERM\] /);
    assert.match(await tagged(g, `STATUS ${name} (MESSAGES)`), /^t NO \[NOPERM\] /);
    assert.match(await tagged(g, `SELECT "Other Users/${owner}/INBOX"`), /^t NO \[NONEXISTENT\] /);
    assert.match(await tagged(g, `SELECT "Other Users/nobody@example.test/INBOX"`), /^t NO \[NONEXISTENT\] /);
    assert.match(await tagged(g, 'SELECT "Other Users"'), /^t NO \[NONEXISTENT\] /);
  });

  test('STATUS with r; STORE: s for \\Seen, w for other flags, t for \\Deleted; a STORE with no allowed flag is refused', async () => {
    const { g, o, name } = await shared('lrs');
    assert.match((await g.command('a', `STATUS ${name} (MESSAGES UNSEEN)`)).untagged[0]!, /^\* STATUS ".*" \(MESSAGES 2 UNSEEN 2\)$/);
    await g.command('b', `SELECT ${name}`);
    assert.match(await tagged(g, 'STORE 1 +FLAGS (\\Flagged)'), /^t NO \[NOPERM\] /);
    assert.match(await tagged(g, 'STORE 1 +FLAGS (\\Deleted)'), /^t NO \[NOPERM\] /);
    // One allowed flag is enough; the others are left as they are (RFC 4314 4).
    const r = await g.command('c', 'STORE 1 +FLAGS (\\Seen \\Flagged)');
    assert.equal(r.tagged, 'c OK STORE completed');
    // The grantee's read-write SELECT was the first to see the messages: \Recent to it, not to the owner.
    assert.deepEqual(r.untagged, ['* 1 FETCH (FLAGS (\\Seen \\Recent))']);
    await o.command('d', 'SELECT Team');
    assert.deepEqual((await o.command('e', 'FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS ())']);
  });

  test('APPEND and COPY into need i; flags the rights do not allow are dropped', async () => {
    const { g, o, name } = await shared('lr');
    assert.match((await appendSync(g, 'a', name, msg('from grantee'))).tagged, /^a NO \[NOPERM\] /);
    const { g: g2, o: o2, name: name2 } = await shared('lri');
    const r = await appendSync(g2, 'b', name2, msg('from grantee'), { flags: '\\Flagged \\Seen' });
    assert.match(r.tagged, /^b OK \[APPENDUID \d+ 3\] APPEND completed$/);
    await o2.command('c', 'SELECT Team');
    assert.deepEqual((await o2.command('d', 'UID FETCH 3 FLAGS')).untagged, ['* 3 FETCH (UID 3 FLAGS (\\Recent))']);
    // COPY from one's own INBOX into the shared mailbox, and back out of it.
    await appendSync(g2, 'e', 'INBOX', msg('mine'));
    await g2.command('f', 'SELECT INBOX');
    assert.match(await tagged(g2, `COPY 1 ${name2}`), /^t OK \[COPYUID \d+ 1 4\] COPY completed$/);
    assert.match(await tagged(g, 'SELECT INBOX'), /^t OK/);
    await appendSync(g, 'g', 'INBOX', msg('mine too'));
    assert.match(await tagged(g, `COPY 1 ${name}`), /^t NO \[NOPERM\] /);
    await g.command('h', `EXAMINE ${name}`);
    assert.match(await tagged(g, 'COPY 1:2 INBOX'), /^t OK \[COPYUID \d+ 1:2 2:3\] COPY completed$/);
    await g.command('i', 'SELECT INBOX');
    assert.equal((await g.command('j', 'FETCH 2:3 BODY.PEEK[HEADER.FIELDS (Subject)]')).untagged.length, 2);
    void o;
  });

  test('CREATE below needs k on the parent, DELETE and RENAME need x; the new mailbox inherits the ACL', async () => {
    const { owner, grantee, g, o } = await shared('lr');
    assert.match(await tagged(g, `CREATE "Other Users/${owner}/Team/Sub"`), /^t NO \[NOPERM\] /);
    await o.command('a', `SETACL Team ${grantee} lrkx`);
    assert.equal(await tagged(g, `CREATE "Other Users/${owner}/Team/Sub"`), 't OK CREATE completed');
    assert.match(await tagged(g, `CREATE "Other Users/${owner}/Elsewhere"`), /^t NO \[NOPERM\] /);
    assert.deepEqual((await o.command('b', 'GETACL Team/Sub')).untagged, [`* ACL Team/Sub ${owner} lrswipkxteacd ${grantee} lrkxc`]);
    assert.equal(await tagged(g, `RENAME "Other Users/${owner}/Team/Sub" "Other Users/${owner}/Team/Renamed"`), 't OK RENAME completed');
    assert.match(await tagged(g, `RENAME "Other Users/${owner}/Team/Renamed" Mine`), /^t NO \[CANNOT\] /);
    assert.equal(await tagged(g, `DELETE "Other Users/${owner}/Team/Renamed"`), 't OK DELETE completed');
    await o.command('c', `SETACL Team ${grantee} lr`);
    assert.match(await tagged(g, `DELETE "Other Users/${owner}/Team"`), /^t NO \[NOPERM\] /);
    assert.deepEqual((await o.command('d', 'LIST "" Team*')).untagged, ['* LIST (\\HasNoChildren) "/" Team']);
  });

  test('EXPUNGE needs e; CLOSE without e closes without expunging', async () => {
    const { g, o, name } = await shared('lrt');
    await g.command('a', `SELECT ${name}`);
    assert.equal(await tagged(g, 'STORE 1 +FLAGS.SILENT (\\Deleted)'), 't OK STORE completed');
    assert.match(await tagged(g, 'EXPUNGE'), /^t NO \[NOPERM\] /);
    assert.equal(await tagged(g, 'CLOSE'), 't OK CLOSE completed');
    assert.match((await o.command('b', 'STATUS Team (MESSAGES DELETED)')).untagged[0]!, /MESSAGES 2 DELETED 1/);
    const { g: g2, o: o2, name: name2 } = await shared('lrte');
    await g2.command('c', `SELECT ${name2}`);
    await g2.command('d', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    const r = await g2.command('e', 'EXPUNGE');
    assert.equal(r.tagged, 'e OK EXPUNGE completed');
    assert.deepEqual(r.untagged, ['* 2 EXPUNGE', '* 1 RECENT']);
    assert.match((await o2.command('f', 'STATUS Team (MESSAGES)')).untagged[0]!, /MESSAGES 1\)/);
  });

  test('MOVE out of a shared mailbox needs t and e besides r', async () => {
    const { g, name } = await shared('lrt');
    await g.command('a', `SELECT ${name}`);
    assert.match(await tagged(g, 'MOVE 1 INBOX'), /^t NO \[NOPERM\] /);
    const { g: g2, o: o2, name: name2 } = await shared('lrte');
    await g2.command('b', `SELECT ${name2}`);
    const r = await g2.command('c', 'MOVE 1 INBOX');
    assert.equal(r.tagged, 'c OK MOVE completed');
    assert.ok(r.untagged.includes('* 1 EXPUNGE'), r.untagged.join('\n'));
    assert.match((await o2.command('d', 'STATUS Team (MESSAGES)')).untagged[0]!, /MESSAGES 1\)/);
    assert.match((await g2.command('e', 'STATUS INBOX (MESSAGES)')).untagged[0]!, /MESSAGES 1\)/);
  });
});
