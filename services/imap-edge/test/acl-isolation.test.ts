// A tenant never sees another tenant's data: a user of tenant B tries every
// way into tenant A's mailboxes, over IMAP and with requests made up at the
// mailbox service itself, and gets nothing; A's data stays as it was.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { BackendError, type Principal } from '../src/backend.js';
import { appendSync, type ImapClient } from './support/imap-client.js';
import { msg, PASSWORD, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: isolation between tenants', () => {
  const services = useEdgeServices();
  const { loggedIn } = services;
  const domainA = `${uniqueName('a')}.test`;
  const domainB = `${uniqueName('b')}.test`;
  const alice = `alice@${domainA}`;
  const bob = `bob@${domainA}`;
  const eve = `eve@${domainB}`;
  let aliceId = 0;
  let aliceInbox = 0;
  let eveP: Principal;

  /** What tenant A holds: every row of its accounts' messages, mailboxes, grants and seen marks. */
  const snapshotA = async () => {
    const { rows } = await services.db.query<{ t: string }>(
      `SELECT (SELECT json_agg(x ORDER BY x.mailbox_id, x.uid) FROM (SELECT m.mailbox_id, m.uid, m.modseq, m.flags FROM messages m
                 JOIN accounts a ON a.account_id = m.account_id JOIN tenants t ON t.tenant_id = a.tenant_id WHERE t.domain = $1) x)::text
              || (SELECT json_agg(y ORDER BY y.mailbox_id) FROM (SELECT b.mailbox_id, b.name, b.highestmodseq FROM mailboxes b
                 JOIN accounts a ON a.account_id = b.account_id JOIN tenants t ON t.tenant_id = a.tenant_id WHERE t.domain = $1) y)::text
              || coalesce((SELECT json_agg(z ORDER BY z.mailbox_id, z.rights) FROM (SELECT c.mailbox_id, c.grantee_id, c.rights FROM acl c
                 JOIN tenants t ON t.tenant_id = c.tenant_id WHERE t.domain = $1) z)::text, '')
              || (SELECT count(*) FROM seen_by s JOIN accounts a ON a.account_id = s.account_id JOIN tenants t ON t.tenant_id = a.tenant_id
                   WHERE t.domain = $1)::text AS t`,
      [domainA],
    );
    return rows[0]!.t;
  };

  before(async () => {
    aliceId = (await addUser(services.db, alice, PASSWORD, { createTenant: true })).accountId;
    await addUser(services.db, bob, PASSWORD, { createTenant: true });
    const e = await addUser(services.db, eve, PASSWORD, { createTenant: true });
    eveP = { account: { accountId: e.accountId, tenantId: e.tenantId }, username: eve };
    const a = await loggedIn(alice);
    await appendSync(a, 'p', 'INBOX', msg('secret'));
    await a.command('c', 'CREATE Team');
    await appendSync(a, 'q', 'Team', msg('team secret'));
    await a.command('g', `SETACL INBOX ${bob} lrswipkxtea`);
    await a.command('h', 'SETACL Team anyone lrswipkxtea');
    const { rows } = await services.db.query<{ mailbox_id: string }>(
      `SELECT mailbox_id FROM mailboxes WHERE account_id = $1 AND name = 'INBOX'`,
      [aliceId],
    );
    aliceInbox = Number(rows[0]!.mailbox_id);
    await a.close();
  });

  /** Names that might lead into alice's mailboxes from another tenant. */
  const names = () => [
    `"Other Users/${alice}/INBOX"`,
    `"Other Users/${alice}/Team"`,
    `"Other Users/${alice.toUpperCase()}/Team"`,
    `"Other Users/${alice}/../Team"`,
    `"Other Users/../${alice}/INBOX"`,
    `"Other Users/${bob}/INBOX"`,
    `"../${alice}/INBOX"`,
    `"${alice}/INBOX"`,
    `"~${alice}/INBOX"`,
    `"#shared/${alice}/Team"`,
    `"shared/${alice}/Team"`,
    `"Other Users/${alice}"`,
    `"Other Users/${domainA}/Team"`,
    `"Other Users//Team"`,
  ];

  const refused = (line: string) => /^t NO \[(NONEXISTENT|NOPERM|CANNOT|TRYCREATE)\] /.test(line) || /^t BAD /.test(line);

  test('LIST shows nothing of tenant A', async () => {
    const c = await loggedIn(eve);
    for (const args of ['"" *', '"" %', '"" "Other Users/*"', '"Other Users/" *', `"" "*${alice}*"`, '(SUBSCRIBED) "" *']) {
      const r = await c.command('l', `LIST ${args}`);
      assert.equal(r.tagged, 'l OK LIST completed');
      assert.ok(!r.untagged.some((l) => l.includes(domainA) || l.includes('Other Users')), `LIST ${args}: ${r.untagged.join('\n')}`);
    }
  });

  test('every command on every name that might reach A is refused, and A is unchanged', async () => {
    const before = await snapshotA();
    const c = await loggedIn(eve);
    await appendSync(c, 'p', 'INBOX', msg('eve'));
    const tries = async (command: string) => {
      const r = await c.command('t', command);
      assert.ok(refused(r.tagged), `${command}: ${r.tagged}`);
      assert.ok(!r.untagged.some((l) => l.includes('secret') || l.includes(domainA)), `${command}: ${r.untagged.join('\n')}`);
    };
    for (const name of names()) {
      for (const command of [
        `SELECT ${name}`,
        `EXAMINE ${name}`,
        `STATUS ${name} (MESSAGES UNSEEN)`,
        `MYRIGHTS ${name}`,
        `GETACL ${name}`,
        `LISTRIGHTS ${name} anyone`,
        `SETACL ${name} ${eve} lrswipkxtea`,
        `DELETEACL ${name} anyone`,
        `DELETE ${name}`,
        `RENAME ${name} Stolen`,
        `APPEND ${name} {5+}\r\nhello`,
      ]) {
        await tries(command);
      }
      // A name outside the shared namespace is one of eve's own: creating it is eve's business.
      if (name.startsWith('"Other Users/')) await tries(`CREATE ${name.replace(/"$/, '/Sub"')}`);
      await c.command('s', 'SELECT INBOX');
      await tries(`COPY 1 ${name}`);
      await tries(`MOVE 1 ${name}`);
      await c.command('u', 'UNSELECT');
    }
    assert.equal(await snapshotA(), before);
  });

  test('ACL identifiers of tenant A are unknown in tenant B', async () => {
    const c = await loggedIn(eve);
    for (const id of [alice, alice.toUpperCase(), ` ${alice}`, bob, 'alice', `alice@${domainA}.`, `anyone@${domainA}`, `${alice}/INBOX`]) {
      assert.match((await c.command('t', `SETACL INBOX "${id}" lr`)).tagged, /^t NO \[CANNOT\] Unknown identifier/, id);
    }
    // "anyone" is anyone of B: alice still cannot see it.
    assert.equal((await c.command('t', 'SETACL INBOX anyone lr')).tagged, 't OK SETACL completed');
    const a = await loggedIn(alice);
    assert.match((await a.command('t', `MYRIGHTS "Other Users/${eve}/INBOX"`)).tagged, /^t NO \[NONEXISTENT\] /);
    assert.ok(!(await a.command('l', 'LIST "" *')).untagged.some((l) => l.includes(domainB)));
  });

  test("requests made up at the mailbox service with A's owner, mailbox ids and UIDs reach nothing", async () => {
    const before = await snapshotA();
    const b = services.backend;
    const ALL = [{ first: 1, last: 0 }];
    const fails = async (what: string, call: () => Promise<unknown>) => {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(
        err instanceof BackendError && ['NONEXISTENT', 'NOPERM', 'CANNOT', 'TRYCREATE'].includes(err.imapCode ?? ''),
        `${what}: ${String(err)}`,
      );
    };
    const shared = { owner: alice, mailboxId: aliceInbox };
    const own = { owner: '', mailboxId: aliceInbox };
    const fetched: unknown[] = [];
    const fetch = (ref: { owner: string; mailboxId: number }) =>
      b.fetch(eveP, { ...ref, uids: ALL, flags: true, raw: true }, (m) => {
        fetched.push(...m);
      });
    await fails('Fetch as grantee', () => fetch(shared));
    await fetch(own);
    assert.deepEqual(fetched, [], 'a mailbox id of A under B: no message');
    await fails('Store as grantee', () => b.store(eveP, { ...shared, uids: ALL, mode: 'add', flags: ['\\Deleted'] }));
    await fails('Store as owner', () => b.store(eveP, { ...own, uids: ALL, mode: 'add', flags: ['\\Deleted'] }));
    await fails('Expunge as grantee', () => b.expunge(eveP, shared, []));
    await fails('Expunge as owner', () => b.expunge(eveP, own, []));
    await fails('Search as grantee', () => b.search(eveP, shared, { all: true }));
    assert.deepEqual((await b.search(eveP, own, { all: true })).uids, []);
    await fails('GetChanges as grantee', () => b.changes(eveP, shared, 0));
    await fails('GetChanges as owner', () => b.changes(eveP, own, 0));
    await fails('Copy out as grantee', () => b.copy(eveP, shared, ALL, { owner: '', name: 'INBOX' }, false));
    await fails('Copy out as owner', () => b.copy(eveP, own, ALL, { owner: '', name: 'INBOX' }, true));
    await fails('Select', () => b.select(eveP, { owner: alice, name: 'Team' }));
    await fails('Status', () => b.status(eveP, { owner: alice, name: 'Team' }));
    await fails('Append', () =>
      b.append(eveP, { owner: alice, mailbox: 'Team', items: [{ flags: [], internalDateMs: 0, message: msg('x') }] }),
    );
    await fails('GetAcl', () => b.getAcl(eveP, { owner: alice, name: 'Team' }, true));
    await fails('SetAcl', () => b.setAcl(eveP, { owner: alice, name: 'Team' }, eve, 'replace', 'lr'));
    await fails('CreateMailbox', () => b.createMailbox(eveP, { owner: alice, name: 'Team/x' }));
    await fails('DeleteMailbox', () => b.deleteMailbox(eveP, { owner: alice, name: 'Team' }));
    // A principal that claims tenant A's id is still judged by its account's own tenant.
    const forged: Principal = { ...eveP, account: { ...eveP.account, tenantId: (await tenantOf(alice)) ?? 0 } };
    await fails('Select with a forged tenant', () => b.select(forged, { owner: alice, name: 'Team' }));
    assert.deepEqual((await b.listMailboxes(forged)).shared, []);
    assert.equal(await snapshotA(), before);
  });

  const tenantOf = async (user: string) => {
    const { rows } = await services.db.query<{ tenant_id: string }>('SELECT tenant_id FROM accounts WHERE username = $1', [user]);
    return rows[0] ? Number(rows[0].tenant_id) : undefined;
  };

  test('within tenant A the same grants work (the test reaches what it should)', async () => {
    const c: ImapClient = await loggedIn(bob);
    assert.match((await c.command('t', `SELECT "Other Users/${alice}/INBOX"`)).tagged, /^t OK \[READ-WRITE\]/);
    assert.match((await c.command('u', `STATUS "Other Users/${alice}/Team" (MESSAGES)`)).untagged[0]!, /MESSAGES 1\)/);
  });
});
