// The ACL commands (RFC 4314): SETACL, DELETEACL, GETACL, LISTRIGHTS and
// MYRIGHTS on one's own mailboxes and, through a grant, on another user's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { PASSWORD, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: ACL commands', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser } = services;

  /** A user of a tenant of its own. */
  const otherTenantUser = async () => {
    const user = `${uniqueName('o')}@${uniqueName('tenant')}.test`;
    await addUser(services.db, user, PASSWORD, { createTenant: true });
    return user;
  };

  test('CAPABILITY lists ACL and RIGHTS=texk', async () => {
    const c = await loggedIn();
    const r = await c.command('a', 'CAPABILITY');
    assert.match(r.untagged[0]!, / ACL RIGHTS=texk( |$)/);
  });

  test('the owner has every right on its own mailboxes, and is the first entry of GETACL', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    assert.deepEqual((await c.command('a', 'MYRIGHTS INBOX')).untagged, ['* MYRIGHTS INBOX lrswipkxteacd']);
    assert.deepEqual((await c.command('b', 'GETACL INBOX')).untagged, [`* ACL INBOX ${user} lrswipkxteacd`]);
    assert.deepEqual((await c.command('c', `LISTRIGHTS INBOX ${user}`)).untagged, [`* LISTRIGHTS INBOX ${user} lrswipkxteacd`]);
    assert.deepEqual((await c.command('d', 'LISTRIGHTS INBOX anyone')).untagged, [
      '* LISTRIGHTS INBOX anyone "" l r s w i p k x t e a c d',
    ]);
    assert.equal((await c.command('e', 'MYRIGHTS Nope')).tagged, 'e NO [NONEXISTENT] Mailbox does not exist: Nope');
  });

  test('SETACL grants, adds and removes rights; DELETEACL removes the entry; GETACL shows them', async () => {
    const { user } = await freshUser();
    const { user: bob } = await freshUser();
    const c = await loggedIn(user);
    assert.equal((await c.command('a', `SETACL INBOX ${bob} lr`)).tagged, 'a OK SETACL completed');
    assert.equal((await c.command('b', 'SETACL INBOX anyone l')).tagged, 'b OK SETACL completed');
    assert.deepEqual((await c.command('c', 'GETACL INBOX')).untagged, [`* ACL INBOX ${user} lrswipkxteacd ${bob} lr anyone l`]);
    // Identifiers compare as addresses; "d" stands for t and e, and is answered with them.
    await c.command('d', `SETACL INBOX ${bob.toUpperCase()} +sd`);
    assert.deepEqual((await c.command('e', 'GETACL INBOX')).untagged, [`* ACL INBOX ${user} lrswipkxteacd ${bob} lrsted anyone l`]);
    await c.command('f', `SETACL INBOX ${bob} -rt`);
    assert.deepEqual((await c.command('g', 'GETACL INBOX')).untagged, [`* ACL INBOX ${user} lrswipkxteacd ${bob} lsed anyone l`]);
    assert.equal((await c.command('h', 'DELETEACL INBOX anyone')).tagged, 'h OK DELETEACL completed');
    // Removing every right removes the entry, as DELETEACL does.
    await c.command('i', `SETACL INBOX ${bob} -lse`);
    assert.deepEqual((await c.command('j', 'GETACL INBOX')).untagged, [`* ACL INBOX ${user} lrswipkxteacd`]);
    // Deleting what is not there is no error.
    assert.equal((await c.command('k', `DELETEACL INBOX ${bob}`)).tagged, 'k OK DELETEACL completed');
  });

  test('grants go only to accounts of the same tenant; anything else is refused alike', async () => {
    const { user } = await freshUser();
    const stranger = await otherTenantUser();
    const c = await loggedIn(user);
    const unknown = await c.command('a', 'SETACL INBOX nobody@example.test lr');
    assert.equal(unknown.tagged, 'a NO [CANNOT] Unknown identifier: nobody@example.test');
    const foreign = await c.command('b', `SETACL INBOX ${stranger} lr`);
    assert.equal(foreign.tagged, `b NO [CANNOT] Unknown identifier: ${stranger}`);
    assert.equal((await c.command('c', 'SETACL INBOX "" lr')).tagged, 'c BAD Empty identifier');
    assert.equal((await c.command('d', `SETACL INBOX ${user} lr`)).tagged, 'd NO [CANNOT] The owner always has every right');
    assert.equal((await c.command('e', 'SETACL INBOX -anyone lr')).tagged, 'e NO [CANNOT] Negative rights are not supported');
    assert.equal((await c.command('f', 'SETACL INBOX anyone lrQ')).tagged, 'f BAD Uppercase rights are not allowed');
    assert.equal((await c.command('g', 'SETACL Nope anyone lr')).tagged, 'g NO [NONEXISTENT] Mailbox does not exist: Nope');
    assert.deepEqual((await c.command('h', 'GETACL INBOX')).untagged, [`* ACL INBOX ${user} lrswipkxteacd`]);
    const { rows } = await services.db.query(
      'SELECT count(*)::int AS n FROM acl a JOIN accounts o ON o.account_id = a.account_id WHERE o.username = $1',
      [user],
    );
    assert.equal(rows[0]!.n, 0);
  });

  test('a grantee reads its rights under Other Users; the a right lets it read and change the ACL', async () => {
    const { user: alice } = await freshUser();
    const { user: bob } = await freshUser();
    const { user: carol } = await freshUser();
    const a = await loggedIn(alice);
    const b = await loggedIn(bob);
    const shared = `"Other Users/${alice}/INBOX"`;
    // Before any grant, the mailbox is as unknown as one that does not exist.
    assert.equal((await b.command('a', `MYRIGHTS ${shared}`)).tagged, 'a NO [NONEXISTENT] Mailbox does not exist: INBOX');
    await a.command('b', `SETACL INBOX ${bob} lrs`);
    assert.deepEqual((await b.command('c', `MYRIGHTS ${shared}`)).untagged, [`* MYRIGHTS "Other Users/${alice}/INBOX" lrs`]);
    // Without a: the ACL stays closed, with NOPERM since the mailbox is visible.
    assert.match((await b.command('d', `GETACL ${shared}`)).tagged, /^d NO \[NOPERM\] /);
    assert.match((await b.command('e', `SETACL ${shared} ${carol} lr`)).tagged, /^e NO \[NOPERM\] /);
    assert.match((await b.command('f', `LISTRIGHTS ${shared} ${carol}`)).tagged, /^f NO \[NOPERM\] /);
    await a.command('g', `SETACL INBOX ${bob} +a`);
    assert.equal((await b.command('h', `SETACL ${shared} ${carol} lr`)).tagged, 'h OK SETACL completed');
    // Grants by address after the owner.
    const grants = [`${bob} lrsa`, `${carol} lr`].sort().join(' ');
    assert.deepEqual((await b.command('i', `GETACL ${shared}`)).untagged, [
      `* ACL "Other Users/${alice}/INBOX" ${alice} lrswipkxteacd ${grants}`,
    ]);
    assert.deepEqual((await b.command('j', `LISTRIGHTS ${shared} ${alice}`)).untagged, [
      `* LISTRIGHTS "Other Users/${alice}/INBOX" ${alice} lrswipkxteacd`,
    ]);
    // A mailbox of the owner's that was not shared stays unknown.
    assert.equal((await b.command('k', `MYRIGHTS "Other Users/${alice}/Sent"`)).tagged, 'k NO [NONEXISTENT] Mailbox does not exist: Sent');
  });

  test('an "anyone" grant reaches every account of the tenant, and no other', async () => {
    const { user: alice } = await freshUser();
    const { user: bob } = await freshUser();
    const stranger = await otherTenantUser();
    const a = await loggedIn(alice);
    await a.command('a', 'SETACL INBOX anyone lr');
    const b = await loggedIn(bob);
    assert.deepEqual((await b.command('b', `MYRIGHTS "Other Users/${alice}/INBOX"`)).untagged, [
      `* MYRIGHTS "Other Users/${alice}/INBOX" lr`,
    ]);
    const s = await loggedIn(stranger);
    assert.equal(
      (await s.command('c', `MYRIGHTS "Other Users/${alice}/INBOX"`)).tagged,
      'c NO [NONEXISTENT] Mailbox does not exist: INBOX',
    );
  });
});
