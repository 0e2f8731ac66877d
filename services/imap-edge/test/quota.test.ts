// QUOTA (RFC 9208) over a real edge and mailbox service: the capabilities,
// GETQUOTA, GETQUOTAROOT and SETQUOTA, STATUS DELETED-STORAGE, and
// [OVERQUOTA] for APPEND, MULTIAPPEND and COPY.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName } from '@kimap/common/testing/services';
import { addUser, setAccountQuota, setTenantQuota } from '@kimap/mailbox';
import { appendSync, type ImapClient } from './support/imap-client.js';
import { msg, PASSWORD, useEdgeServices } from './support/edge-harness.js';

/** A message of exactly `size` bytes. */
function sized(size: number, subject = 'q'): Buffer {
  const head = msg(subject, '');
  return Buffer.concat([head, Buffer.alloc(size - head.length - 2, 'x'), Buffer.from('\r\n')]);
}

/** Sends a MULTIAPPEND of the given messages with non-synchronizing literals. */
function multiappend(c: ImapClient, tag: string, mailbox: string, messages: Buffer[]): void {
  const parts: Buffer[] = [Buffer.from(`${tag} APPEND ${mailbox}`)];
  for (const m of messages) parts.push(Buffer.from(` {${m.length}+}\r\n`), m);
  parts.push(Buffer.from('\r\n'));
  c.send(Buffer.concat(parts));
}

describe('IMAP edge: QUOTA', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser, secure } = services;

  /** A user in a tenant of its own, so that the tenant's settings touch no other test. */
  async function ownTenantUser(): Promise<{ user: string; domain: string }> {
    const domain = `${uniqueName('d')}.test`;
    const user = `u@${domain}`;
    await addUser(services.db, user, PASSWORD, { createTenant: true });
    return { user, domain };
  }

  test('QUOTA, QUOTA=RES-STORAGE, QUOTA=RES-MESSAGE and QUOTASET are advertised; the commands need a login', async () => {
    const { c } = await secure();
    const caps = await c.command('a', 'CAPABILITY');
    for (const cap of ['QUOTA', 'QUOTA=RES-STORAGE', 'QUOTA=RES-MESSAGE', 'QUOTASET']) {
      assert.ok(caps.untagged[0]!.split(' ').includes(cap), cap);
    }
    assert.match((await c.command('b', 'GETQUOTAROOT INBOX')).tagged, /^b BAD /);
    assert.match((await c.command('c', 'GETQUOTA "User quota"')).tagged, /^c BAD /);
  });

  test('without limits: INBOX has the root "User quota", which shows no resource', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    const r = await c.command('a', 'GETQUOTAROOT INBOX');
    assert.deepEqual(r.untagged, ['* QUOTAROOT INBOX "User quota"']);
    assert.equal(r.tagged, 'a OK GETQUOTAROOT completed');
    const g = await c.command('b', 'GETQUOTA "User quota"');
    assert.deepEqual(g.untagged, []);
    assert.equal(g.tagged, 'b OK GETQUOTA completed');
  });

  test('GETQUOTA and GETQUOTAROOT show usage and limits: STORAGE in KiB (usage rounded up), MESSAGE in messages', async () => {
    const { user } = await freshUser();
    await setAccountQuota(services.db, user, { storage: 10 * 1024, messages: 5 });
    const c = await loggedIn(user);
    assert.deepEqual((await c.command('a', 'GETQUOTAROOT inbox')).untagged, [
      '* QUOTAROOT INBOX "User quota"',
      '* QUOTA "User quota" (STORAGE 0 10 MESSAGE 0 5)',
    ]);
    assert.match((await appendSync(c, 'b', 'INBOX', sized(1500))).tagged, /^b OK \[APPENDUID/);
    assert.match((await appendSync(c, 'c', 'Archive', sized(100))).tagged, /^c OK \[APPENDUID/);
    const r = await c.command('d', 'GETQUOTAROOT Archive');
    assert.deepEqual(r.untagged, ['* QUOTAROOT Archive "User quota"', '* QUOTA "User quota" (STORAGE 2 10 MESSAGE 2 5)']);
    assert.deepEqual((await c.command('e', 'GETQUOTA "User quota"')).untagged, ['* QUOTA "User quota" (STORAGE 2 10 MESSAGE 2 5)']);
    // Only the resources that have a limit are shown.
    await setAccountQuota(services.db, user, { storage: null });
    assert.deepEqual((await c.command('f', 'GETQUOTA "User quota"')).untagged, ['* QUOTA "User quota" (MESSAGE 2 5)']);
  });

  test('unknown roots and mailboxes: NO [NONEXISTENT]; root names are case-sensitive', async () => {
    const c = await loggedIn();
    assert.match((await c.command('a', 'GETQUOTA ""')).tagged, /^a NO \[NONEXISTENT\] /);
    assert.match((await c.command('b', 'GETQUOTA "user quota"')).tagged, /^b NO \[NONEXISTENT\] /);
    assert.match((await c.command('c', 'GETQUOTA "Domain quota"')).tagged, /^c NO \[NONEXISTENT\] /);
    const r = await c.command('d', 'GETQUOTAROOT No-Such-Box');
    assert.deepEqual(r.untagged, []);
    assert.match(r.tagged, /^d NO \[NONEXISTENT\] /);
  });

  test('a tenant total adds the root "Domain quota", shared by the accounts of the tenant', async () => {
    const { user, domain } = await ownTenantUser();
    const other = `v@${domain}`;
    await addUser(services.db, other, PASSWORD);
    await setTenantQuota(services.db, domain, { storage: 4096, totalStorage: 100 * 1024, totalMessages: 3 });
    const c = await loggedIn(user);
    const o = await loggedIn(other);
    assert.match((await appendSync(o, 'a', 'INBOX', sized(2000))).tagged, /^a OK/);
    const r = await c.command('b', 'GETQUOTAROOT INBOX');
    assert.deepEqual(r.untagged, [
      '* QUOTAROOT INBOX "User quota" "Domain quota"',
      '* QUOTA "User quota" (STORAGE 0 4)',
      '* QUOTA "Domain quota" (STORAGE 2 100 MESSAGE 1 3)',
    ]);
    assert.deepEqual((await c.command('c', 'GETQUOTA "Domain quota"')).untagged, ['* QUOTA "Domain quota" (STORAGE 2 100 MESSAGE 1 3)']);
    assert.match((await appendSync(c, 'd', 'INBOX', sized(100))).tagged, /^d OK/);
    assert.match((await appendSync(o, 'e', 'INBOX', sized(100))).tagged, /^e OK/);
    // The tenant's third message was the last: the account's own limit is far away.
    const refused = await appendSync(c, 'f', 'INBOX', sized(100));
    assert.match(refused.tagged, /^f NO \[OVERQUOTA\] /);
  });

  test('SETQUOTA is for administrators: NO [NOPERM]; a malformed one is BAD', async () => {
    const c = await loggedIn();
    assert.match((await c.command('a', 'SETQUOTA "User quota" (STORAGE 512)')).tagged, /^a NO \[NOPERM\] /);
    assert.match((await c.command('b', 'SETQUOTA "User quota" ()')).tagged, /^b NO \[NOPERM\] /);
    assert.match((await c.command('c', 'SETQUOTA "User quota" (STORAGE)')).tagged, /^c BAD /);
  });

  test('APPEND, MULTIAPPEND and COPY over quota: NO [OVERQUOTA], nothing stored; MOVE at the limit works; EXPUNGE gives back', async () => {
    const { user } = await freshUser();
    await setAccountQuota(services.db, user, { storage: 1000, messages: 3 });
    const c = await loggedIn(user);
    assert.match((await appendSync(c, 'a', 'INBOX', sized(600))).tagged, /^a OK/);
    const big = await appendSync(c, 'b', 'INBOX', sized(500));
    assert.match(big.tagged, /^b NO \[OVERQUOTA\] Quota exceeded/);
    // Two messages would make three: within the count, but 1,100 bytes.
    multiappend(c, 'c', 'INBOX', [sized(200, 'm1'), sized(300, 'm2')]);
    assert.match((await c.readTagged('c')).tagged, /^c NO \[OVERQUOTA\] /);
    assert.deepEqual((await c.command('d', 'STATUS INBOX (MESSAGES)')).untagged, ['* STATUS INBOX (MESSAGES 1)']);
    multiappend(c, 'e', 'INBOX', [sized(100, 'm1'), sized(100, 'm2')]);
    assert.match((await c.readTagged('e')).tagged, /^e OK \[APPENDUID \d+ 2:3\]/);
    // Three messages of three: no COPY, but a MOVE changes nothing.
    await c.command('f', 'SELECT INBOX');
    assert.match((await c.command('g', 'COPY 3 Archive')).tagged, /^g NO \[OVERQUOTA\] /);
    assert.deepEqual((await c.command('h', 'STATUS Archive (MESSAGES)')).untagged, ['* STATUS Archive (MESSAGES 0)']);
    assert.match((await c.command('i', 'MOVE 2:3 Archive')).tagged, /^i OK /);
    assert.deepEqual((await c.command('j', 'GETQUOTA "User quota"')).untagged, ['* QUOTA "User quota" (STORAGE 1 0 MESSAGE 3 3)']);
    // EXPUNGE gives the message and its bytes back.
    await c.command('k', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    const st = await c.command('l', 'STATUS Archive (DELETED DELETED-STORAGE)');
    assert.deepEqual(st.untagged, ['* STATUS Archive (DELETED 0 DELETED-STORAGE 0)']);
    await c.command('m', 'EXPUNGE');
    assert.deepEqual((await c.command('n', 'GETQUOTA "User quota"')).untagged, ['* QUOTA "User quota" (STORAGE 1 0 MESSAGE 2 3)']);
    // Which makes room for a COPY again.
    await c.command('o', 'SELECT Archive');
    assert.match((await c.command('p', 'COPY 1 INBOX')).tagged, /^p OK \[COPYUID /);
    assert.deepEqual((await c.command('q', 'GETQUOTA "User quota"')).untagged, ['* QUOTA "User quota" (STORAGE 1 0 MESSAGE 3 3)']);
  });

  test("another user's mailbox (shared): its owner's quota pays, a MOVE out of it gives back; GETQUOTAROOT shows no root", async () => {
    const { user: owner } = await freshUser();
    const { user: grantee } = await freshUser();
    await setAccountQuota(services.db, owner, { messages: 2 });
    const o = await loggedIn(owner);
    assert.equal((await o.command('a', 'CREATE Team')).tagged, 'a OK CREATE completed');
    assert.equal((await o.command('b', `SETACL Team ${grantee} lrswitex`)).tagged, 'b OK SETACL completed');
    const usage = async (user: string) =>
      (
        await services.db.query<{ used_bytes: number; used_messages: number }>(
          'SELECT used_bytes, used_messages FROM accounts WHERE username = $1',
          [user],
        )
      ).rows[0];
    const g = await loggedIn(grantee);
    const team = `"Other Users/${owner}/Team"`;
    assert.match((await appendSync(g, 'c', team, sized(300))).tagged, /^c OK \[APPENDUID/);
    assert.match((await appendSync(g, 'd', team, sized(200))).tagged, /^d OK \[APPENDUID/);
    assert.match((await appendSync(g, 'e', team, sized(100))).tagged, /^e NO \[OVERQUOTA\] /);
    assert.deepEqual(await usage(owner), { used_bytes: 500, used_messages: 2 });
    assert.deepEqual(await usage(grantee), { used_bytes: 0, used_messages: 0 });
    assert.deepEqual((await o.command('f', 'GETQUOTA "User quota"')).untagged, ['* QUOTA "User quota" (MESSAGE 2 2)']);
    // Into the grantee's own INBOX: the owner gets the message back, the grantee pays.
    await g.command('g', `SELECT ${team}`);
    assert.match((await g.command('h', 'MOVE 1 INBOX')).tagged, /^h OK /);
    assert.deepEqual(await usage(owner), { used_bytes: 200, used_messages: 1 });
    assert.deepEqual(await usage(grantee), { used_bytes: 300, used_messages: 1 });
    // And back by COPY: the owner's quota again.
    await g.command('i', 'SELECT INBOX');
    assert.match((await g.command('j', `COPY 1 ${team}`)).tagged, /^j OK \[COPYUID /);
    assert.match((await g.command('k', `COPY 1 ${team}`)).tagged, /^k NO \[OVERQUOTA\] /);
    assert.deepEqual(await usage(owner), { used_bytes: 500, used_messages: 2 });
    const r = await g.command('l', `GETQUOTAROOT ${team}`);
    assert.deepEqual(r.untagged, [`* QUOTAROOT "Other Users/${owner}/Team"`]);
    assert.equal(r.tagged, 'l OK GETQUOTAROOT completed');
    assert.match((await g.command('m', `GETQUOTAROOT "Other Users/${owner}/Nothing"`)).tagged, /^m NO \[NONEXISTENT\] /);
    assert.match((await g.command('n', 'GETQUOTAROOT "Other Users"')).tagged, /^n NO \[NONEXISTENT\] /);
  });

  test('STATUS DELETED-STORAGE: the octets EXPUNGE would give back; also in LIST-STATUS', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await appendSync(c, 'a', 'INBOX', sized(120), { flags: '\\Deleted' });
    await appendSync(c, 'b', 'INBOX', sized(300));
    await appendSync(c, 'c', 'INBOX', sized(80), { flags: '\\Deleted \\Seen' });
    const st = await c.command('d', 'STATUS INBOX (MESSAGES DELETED DELETED-STORAGE SIZE)');
    assert.deepEqual(st.untagged, ['* STATUS INBOX (MESSAGES 3 DELETED 2 DELETED-STORAGE 200 SIZE 500)']);
    const list = await c.command('e', 'LIST "" INBOX RETURN (STATUS (DELETED-STORAGE))');
    assert.ok(list.untagged.includes('* STATUS INBOX (DELETED-STORAGE 200)'), list.untagged.join('\n'));
  });
});
