// imapctl user add|remove|list|passwd|disable|enable against PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate } from '@kimap/mailbox';
import { appendMessage } from '@kimap/mailbox/store/messages';
import { EMPTY, failure, rowsOf, startCtl, type Ctl } from './support/ctl.js';

describe('imapctl user', () => {
  let ctl: Ctl;
  before(async () => {
    ctl = await startCtl();
    assert.equal((await ctl('tenant', 'add', 'example.org')).code, 0);
    assert.equal((await ctl('tenant', 'add', 'other.org')).code, 0);
  });
  after(() => ctl.tdb.drop());

  test('add: the account with its folders; the address in lower case', async () => {
    const r = await ctl('user', 'add', 'Ann@Example.ORG', '--password', 'ann-password');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out[0]!, /^user ann@example.org added \(account \d+\)$/);
    assert.ok(await authenticate(ctl.tdb.db, 'ann@example.org', 'ann-password'));
    const r2 = await ctl.withStdin(
      'stdin-password\n',
      'user',
      'add',
      'new@fresh.org',
      '--create-tenant',
      '--password-stdin',
      '--quota',
      '1000',
    );
    assert.equal(r2.code, 0, r2.err.join('\n'));
    assert.ok(await authenticate(ctl.tdb.db, 'new@fresh.org', 'stdin-password'));
    const q = await ctl.tdb.db.query<{ quota_bytes: number }>("SELECT quota_bytes FROM accounts WHERE username = 'new@fresh.org'");
    assert.equal(q.rows[0]!.quota_bytes, 1000);
  });

  test('add: each bad input gets one line and a non-zero status, the address checked before the password', async () => {
    await ctl('user', 'add', 'taken@example.org', '--password', 'a-password');
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['user', 'add', 'not-an-address', '--password', 'a-password'],
        2,
        /^imapctl: Not a mail address: "not-an-address" \(expected user@domain\)$/,
      ],
      [['user', 'add', 'bob@exa mple.org', '--password', 'a-password'], 2, /Not a mail address/],
      [['user', 'add', 'bob@', '--password', 'short'], 2, /Not a mail address/],
      [['user', 'add', 'bob@nowhere.org', '--password', 'a-password'], 1, /^imapctl: Tenant nowhere.org does not exist$/],
      [['user', 'add', 'bob@nowhere.org', '--password', 'short'], 1, /Tenant nowhere.org does not exist/],
      [['user', 'add', 'TAKEN@example.org', '--password', 'a-password'], 1, /^imapctl: User taken@example.org exists$/],
      [['user', 'add', 'taken@example.org'], 1, /User taken@example.org exists/],
      [['user', 'add', 'bob@example.org'], 2, /^imapctl: a password is required: --password or --password-stdin$/],
      [['user', 'add', 'bob@example.org', '--password', ''], 2, /^imapctl: A password is required$/],
      [['user', 'add', 'bob@example.org', '--password', 'short'], 2, /^imapctl: The password must have at least 8 characters$/],
      [['user', 'add', 'bob@example.org', '--password', 'a-password', '--password-stdin'], 2, /not both/],
      [['user', 'add', 'bob@example.org', '--password', 'a-password', '--quota', '-5'], 2, /^imapctl: not a quota: "-5"/],
      [['user', 'add', 'bob@example.org', '--password', 'a-password', '--quota', 'lots'], 2, /not a quota: "lots"/],
      [['user', 'add', 'bob@example.org', '--password'], 2, /^imapctl: --password needs a value$/],
      [['user', 'add', '--password', 'a-password'], 2, /^imapctl: user add needs <address>$/],
      [['user', 'add', 'bob@example.org', 'extra', '--password', 'a-password'], 2, /^imapctl: too many arguments for user add: extra$/],
      [['user', 'add', 'bob@example.org', '--pasword', 'a-password'], 2, /^imapctl: unknown option --pasword$/],
      [['user', 'add', 'bob@example.org', '--force', '--password', 'a-password'], 2, /^imapctl: user add takes no --force$/],
    ];
    for (const [argv, code, message] of cases) {
      const [c, line] = failure(await ctl(...argv));
      assert.equal(c, code, `${argv.join(' ')}: ${line}`);
      assert.match(line, message, argv.join(' '));
    }
    const empty = await ctl.withStdin('\n', 'user', 'add', 'bob@example.org', '--password-stdin');
    assert.deepEqual(failure(empty), [2, 'imapctl: A password is required']);
    const { rows } = await ctl.tdb.db.query("SELECT 1 FROM accounts WHERE username = 'bob@example.org'");
    assert.equal(rows.length, 0, 'nothing half-written');
  });

  test('passwd: the address (form, then existence) before the password', async () => {
    await ctl('user', 'add', 'pw@example.org', '--password', 'first-password');
    const ok = await ctl.withStdin('second-password\n', 'user', 'passwd', 'PW@example.org', '--password-stdin');
    assert.deepEqual([ok.code, ok.out], [0, ['password of pw@example.org changed']]);
    assert.equal(await authenticate(ctl.tdb.db, 'pw@example.org', 'first-password'), undefined);
    assert.ok(await authenticate(ctl.tdb.db, 'pw@example.org', 'second-password'));
    assert.deepEqual(failure(await ctl('user', 'passwd', 'pw', '--password', 'x')), [
      2,
      'imapctl: Not a mail address: "pw" (expected user@domain)',
    ]);
    assert.deepEqual(failure(await ctl('user', 'passwd', 'ghost@example.org', '--password', 'x')), [
      1,
      'imapctl: User ghost@example.org does not exist',
    ]);
    assert.deepEqual(failure(await ctl('user', 'passwd', 'pw@example.org', '--password', 'x')), [
      2,
      'imapctl: The password must have at least 8 characters',
    ]);
    assert.deepEqual(failure(await ctl('user', 'passwd', 'pw@example.org')), [
      2,
      'imapctl: a password is required: --password or --password-stdin',
    ]);
  });

  test('disable and enable: logins refused and allowed again, an account event each; saying it twice is fine', async () => {
    await ctl('user', 'add', 'dis@example.org', '--password', 'dis-password');
    const events = async () =>
      (await ctl.tdb.db.query("SELECT 1 FROM outbox o JOIN accounts a USING (account_id) WHERE a.username = 'dis@example.org'")).rows
        .length;
    assert.deepEqual((await ctl('user', 'disable', 'Dis@example.org')).out, ['user dis@example.org disabled']);
    assert.equal(await authenticate(ctl.tdb.db, 'dis@example.org', 'dis-password'), undefined);
    assert.deepEqual((await ctl('user', 'disable', 'dis@example.org')).out, ['user dis@example.org was disabled already']);
    assert.equal(await events(), 1);
    assert.match(
      (await ctl('user', 'list', 'example.org')).out.find((l) => l.startsWith('dis@'))!,
      /^dis@example.org\tdisabled\t0\t0$/,
    );
    assert.deepEqual((await ctl('user', 'enable', 'dis@example.org')).out, ['user dis@example.org enabled']);
    assert.deepEqual((await ctl('user', 'enable', 'dis@example.org')).out, ['user dis@example.org was enabled already']);
    assert.ok(await authenticate(ctl.tdb.db, 'dis@example.org', 'dis-password'));
    assert.equal(await events(), 2);
    assert.deepEqual(failure(await ctl('user', 'disable', 'ghost@example.org')), [1, 'imapctl: User ghost@example.org does not exist']);
    assert.deepEqual(failure(await ctl('user', 'enable', 'ghost')), [2, 'imapctl: Not a mail address: "ghost" (expected user@domain)']);
    assert.deepEqual(failure(await ctl('user', 'disable')), [2, 'imapctl: user disable needs <address>']);
  });

  test('list: tab-separated lines in address order, of one tenant or all; --json one object a line', async () => {
    await ctl('user', 'add', 'zed@other.org', '--password', 'a-password');
    await ctl('user', 'add', 'amy@other.org', '--password', 'a-password');
    const other = await ctl('user', 'list', 'Other.org');
    assert.deepEqual(other, { code: 0, out: ['amy@other.org\tactive\t0\t0', 'zed@other.org\tactive\t0\t0'], err: [] });
    const json = await ctl('user', 'list', 'other.org', '--json');
    assert.deepEqual(
      json.out.map((l) => JSON.parse(l) as unknown),
      [
        { address: 'amy@other.org', disabled: false, messages: 0, usedBytes: 0 },
        { address: 'zed@other.org', disabled: false, messages: 0, usedBytes: 0 },
      ],
    );
    const all = (await ctl('user', 'list')).out.map((l) => l.split('\t')[0]);
    assert.deepEqual(all, [...all].sort());
    assert.ok(all.includes('amy@other.org') && all.includes('ann@example.org'));
    assert.deepEqual(failure(await ctl('user', 'list', 'nowhere.org')), [1, 'imapctl: Tenant nowhere.org does not exist']);
    assert.deepEqual(failure(await ctl('user', 'list', 'bad domain')), [2, 'imapctl: Not a domain name: "bad domain"']);
  });

  test('remove: refused with messages unless --force; then nothing of the account is left but its event', async () => {
    await ctl('user', 'add', 'full@example.org', '--password', 'a-password');
    await ctl('alias', 'add', 'f@example.org', 'full@example.org');
    const { accountId } = (await authenticate(ctl.tdb.db, 'full@example.org', 'a-password'))!.account;
    for (const [mailbox, text] of [
      ['INBOX', 'one'],
      ['INBOX', 'two'],
      ['Sent', 'one'],
    ]) {
      await appendMessage(ctl.tdb.db, {
        accountId,
        mailbox: mailbox!,
        flags: [],
        internalDateMs: 0,
        message: Buffer.from(`Subject: ${text}\r\n\r\nx\r\n`),
      });
    }
    assert.match(
      (await ctl('user', 'list', 'example.org')).out.find((l) => l.startsWith('full@'))!,
      /^full@example.org\tactive\t3\t\d+$/,
    );
    const before = await rowsOf(ctl.tdb, [accountId], []);
    assert.deepEqual(before, {
      ...EMPTY,
      accounts: 1,
      mailboxes: 6,
      messages: 3,
      message_bodies: 2,
      subscriptions: 6,
      outbox: 3,
      aliases: 1,
    });

    assert.deepEqual(failure(await ctl('user', 'remove', 'full@example.org')), [
      1,
      'imapctl: User full@example.org has 3 messages; removing it needs force',
    ]);
    assert.deepEqual(await rowsOf(ctl.tdb, [accountId], []), before);
    assert.deepEqual(failure(await ctl('user', 'remove', 'ghost@example.org', '--force')), [
      1,
      'imapctl: User ghost@example.org does not exist',
    ]);
    assert.deepEqual(failure(await ctl('user', 'remove', 'full', '--force')), [
      2,
      'imapctl: Not a mail address: "full" (expected user@domain)',
    ]);

    const r = await ctl('user', 'remove', 'FULL@example.org', '--force');
    assert.deepEqual(r, { code: 0, out: ['user full@example.org removed (6 mailboxes, 3 messages, 1 alias)'], err: [] });
    assert.deepEqual(await rowsOf(ctl.tdb, [accountId], []), { ...EMPTY, outbox: 1 });
    const { rows } = await ctl.tdb.db.query<{ payload: unknown }>('SELECT payload FROM outbox WHERE account_id = $1', [accountId]);
    assert.deepEqual(rows[0]!.payload, { accountId, mailboxId: 0, modseq: 0, kind: 'account' });

    await ctl('user', 'add', 'empty@example.org', '--password', 'a-password');
    assert.deepEqual((await ctl('user', 'remove', 'empty@example.org')).out, ['user empty@example.org removed (6 mailboxes)']);
  });
});
