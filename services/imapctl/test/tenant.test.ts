// imapctl tenant add|remove|list against PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate } from '@kimap/mailbox';
import { appendMessage } from '@kimap/mailbox/store/messages';
import { EMPTY, failure, rowsOf, startCtl, type Ctl } from './support/ctl.js';

describe('imapctl tenant', () => {
  let ctl: Ctl;
  before(async () => {
    ctl = await startCtl();
  });
  after(() => ctl.tdb.drop());

  test('add: the domain in lower case, internationalised ones in their xn-- form; bad and duplicate ones refused', async () => {
    assert.match((await ctl('tenant', 'add', 'Example.ORG')).out[0]!, /^tenant example.org added \(id \d+\)$/);
    assert.match((await ctl('tenant', 'add', 'bücher.de')).out[0]!, /^tenant xn--bcher-kva.de added/);
    assert.deepEqual(failure(await ctl('tenant', 'add', 'EXAMPLE.org')), [1, 'imapctl: Tenant example.org exists']);
    for (const bad of ['exa mple.org', '-example.org', 'example..org', 'example.org.', 'user@example.org', '192.168.1.1', '']) {
      // `--` ends the options: a word starting with - is an argument after it.
      assert.deepEqual(failure(await ctl('tenant', 'add', '--', bad)), [2, `imapctl: Not a domain name: ${JSON.stringify(bad)}`], bad);
    }
    assert.deepEqual(failure(await ctl('tenant', 'add', '-example.org')), [2, 'imapctl: unknown option -example.org']);
    assert.deepEqual(failure(await ctl('tenant', 'add')), [2, 'imapctl: tenant add needs <domain>']);
    assert.deepEqual(failure(await ctl('tenant', 'add', 'a.org', 'b.org')), [2, 'imapctl: too many arguments for tenant add: b.org']);
    assert.deepEqual(failure(await ctl('tenant', 'add', 'a.org', '--force')), [2, 'imapctl: tenant add takes no --force']);
  });

  test('list: domain, accounts and aliases, tab-separated in domain order; --json', async () => {
    await ctl('tenant', 'add', 'listed.org');
    await ctl('user', 'add', 'a@listed.org', '--password', 'a-password');
    await ctl('alias', 'add', '@listed.org', 'a@listed.org');
    const r = await ctl('tenant', 'list');
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, ['example.org\t0\t0', 'listed.org\t1\t1', 'xn--bcher-kva.de\t0\t0']);
    const json = await ctl('tenant', 'list', '--json');
    assert.deepEqual(JSON.parse(json.out[1]!), { domain: 'listed.org', accounts: 1, aliases: 1 });
    assert.deepEqual(failure(await ctl('tenant', 'list', 'extra')), [2, 'imapctl: too many arguments for tenant list: extra']);
  });

  test('remove: refused with accounts unless --force; then the tenant, its accounts and their mail are gone', async () => {
    await ctl('tenant', 'add', 'gone.org');
    await ctl('tenant', 'add', 'kept.org');
    const ids: number[] = [];
    for (const user of ['a@gone.org', 'b@gone.org', 'c@kept.org']) {
      await ctl('user', 'add', user, '--password', 'a-password');
      const { accountId } = (await authenticate(ctl.tdb.db, user, 'a-password'))!.account;
      ids.push(accountId);
      await appendMessage(ctl.tdb.db, {
        accountId,
        mailbox: 'INBOX',
        flags: [],
        internalDateMs: 0,
        message: Buffer.from(`Subject: ${user}\r\n\r\nx\r\n`),
      });
    }
    await ctl('alias', 'add', 'sales@gone.org', 'a@gone.org');
    await ctl('alias', 'add', '@gone.org', 'b@gone.org');
    const tenants = (
      await ctl.tdb.db.query<{ tenant_id: number }>(
        "SELECT tenant_id FROM tenants WHERE domain IN ('gone.org', 'kept.org') ORDER BY domain",
      )
    ).rows;
    const [gone, kept] = tenants.map((t) => t.tenant_id);
    const before = await rowsOf(ctl.tdb, ids.slice(0, 2), [gone!]);
    assert.deepEqual(before, {
      ...EMPTY,
      tenants: 1,
      accounts: 2,
      mailboxes: 12,
      messages: 2,
      message_bodies: 2,
      subscriptions: 12,
      outbox: 2,
      aliases: 2,
    });
    const keptBefore = await rowsOf(ctl.tdb, ids.slice(2), [kept!]);

    assert.deepEqual(failure(await ctl('tenant', 'remove', 'gone.org')), [
      1,
      'imapctl: Tenant gone.org has 2 accounts; removing it needs force',
    ]);
    assert.deepEqual(await rowsOf(ctl.tdb, ids.slice(0, 2), [gone!]), before);
    assert.deepEqual(failure(await ctl('tenant', 'remove', 'nowhere.org', '--force')), [1, 'imapctl: Tenant nowhere.org does not exist']);
    assert.deepEqual(failure(await ctl('tenant', 'remove', 'bad domain', '--force')), [2, 'imapctl: Not a domain name: "bad domain"']);

    const r = await ctl('tenant', 'remove', 'Gone.org', '--force');
    assert.deepEqual(r, { code: 0, out: ['tenant gone.org removed (2 accounts, 12 mailboxes, 2 messages, 2 aliases)'], err: [] });
    assert.deepEqual(await rowsOf(ctl.tdb, ids.slice(0, 2), [gone!]), { ...EMPTY, outbox: 2 });
    assert.deepEqual(await rowsOf(ctl.tdb, ids.slice(2), [kept!]), keptBefore, 'the other tenant is untouched');
    assert.ok(!(await ctl('tenant', 'list')).out.some((l) => l.startsWith('gone.org')));

    assert.deepEqual((await ctl('tenant', 'remove', 'example.org')).out, ['tenant example.org removed']);
  });
});
