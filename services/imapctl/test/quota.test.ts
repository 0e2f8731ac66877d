// imapctl quota set|show against PostgreSQL, and every kind of bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendMessage } from '@kimap/mailbox/store/messages';
import { humanBytes, parseLimit } from '../src/commands/quota.js';
import { failure, startCtl, type Ctl } from './support/ctl.js';

describe('imapctl quota', () => {
  let ctl: Ctl;
  before(async () => {
    ctl = await startCtl();
    assert.equal((await ctl('tenant', 'add', 'example.org')).code, 0);
    for (const u of ['bob', 'carol']) assert.equal((await ctl('user', 'add', `${u}@example.org`, '--password', 'long-password')).code, 0);
  });
  after(() => ctl.tdb.drop());

  const limits = async (user: string) =>
    (
      await ctl.tdb.db.query<{ quota_bytes: number | null; quota_messages: number | null }>(
        'SELECT quota_bytes, quota_messages FROM accounts WHERE username = $1',
        [user],
      )
    ).rows[0]!;

  test('show: usage and limits of an account and of a domain; --json', async () => {
    const acc = await ctl.tdb.db.query<{ account_id: number }>("SELECT account_id FROM accounts WHERE username = 'bob@example.org'");
    await appendMessage(ctl.tdb.db, {
      accountId: acc.rows[0]!.account_id,
      mailbox: 'INBOX',
      flags: [],
      internalDateMs: 0,
      message: Buffer.from('Subject: hi\r\n\r\n' + 'x'.repeat(2000) + '\r\n'),
    });
    let r = await ctl('quota', 'show', 'Bob@Example.org');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out, ['bob@example.org', '  storage:  2017 bytes used (2.0 KiB), no limit', '  messages: 1 used, no limit']);
    r = await ctl('quota', 'show', 'example.org');
    assert.deepEqual(r.out, [
      'example.org (2 accounts)',
      '  default per account: storage no limit; messages no limit',
      '  in all: storage 2017 bytes used (2.0 KiB), no limit; messages 1 used, no limit',
    ]);
    r = await ctl('quota', 'show', 'bob@example.org', '--json');
    assert.deepEqual(JSON.parse(r.out[0]!), {
      username: 'bob@example.org',
      domain: 'example.org',
      usedBytes: 2017,
      usedMessages: 1,
      storage: { limit: null, source: 'none' },
      messages: { limit: null, source: 'none' },
    });
  });

  test('set for an address: bytes with units, messages, none, default; prints the result', async () => {
    let r = await ctl('quota', 'set', 'bob@example.org', '--storage', '2G', '--messages', '1000');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(await limits('bob@example.org'), { quota_bytes: 2 * 1024 ** 3, quota_messages: 1000 });
    assert.deepEqual(r.out.slice(1), [
      '  storage:  2017 bytes used (2.0 KiB), limit 2147483648 bytes (2 GiB), set for the account',
      '  messages: 1 used, limit 1000, set for the account',
    ]);
    r = await ctl('quota', 'set', 'bob@example.org', '--storage=unlimited');
    assert.equal(r.code, 0);
    assert.deepEqual(await limits('bob@example.org'), { quota_bytes: -1, quota_messages: 1000 });
    r = await ctl('quota', 'set', 'bob@example.org', '--storage', '500MiB', '--messages', 'none');
    assert.deepEqual(await limits('bob@example.org'), { quota_bytes: 500 * 1024 ** 2, quota_messages: -1 });
    r = await ctl('quota', 'set', 'bob@example.org', '--storage', 'default', '--messages', 'default');
    assert.deepEqual(await limits('bob@example.org'), { quota_bytes: null, quota_messages: null });
    assert.equal(r.out[1], '  storage:  2017 bytes used (2.0 KiB), no limit');
  });

  test("set for a domain: each account's default and the totals, which are then counted", async () => {
    let r = await ctl(
      'quota',
      'set',
      'example.org',
      '--storage',
      '1G',
      '--messages',
      '5000',
      '--total-storage',
      '50G',
      '--total-messages',
      '100000',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out, [
      'example.org (2 accounts)',
      '  default per account: storage limit 1073741824 bytes (1 GiB); messages limit 5000',
      '  in all: storage 2017 bytes used (2.0 KiB), limit 53687091200 bytes (50 GiB); messages 1 used, limit 100000',
    ]);
    r = await ctl('quota', 'show', 'carol@example.org');
    assert.deepEqual(r.out, [
      'carol@example.org',
      "  storage:  0 bytes used, limit 1073741824 bytes (1 GiB), the domain's default",
      "  messages: 0 used, limit 5000, the domain's default",
      '  domain example.org in all: storage 2017 bytes used (2.0 KiB), limit 53687091200 bytes (50 GiB); messages 1 used, limit 100000',
    ]);
    r = await ctl('quota', 'set', 'example.org', '--total-storage', 'none', '--total-messages', 'unlimited', '--storage', 'none');
    assert.equal(r.code, 0);
    assert.equal(r.out[2], '  in all: storage 2017 bytes used (2.0 KiB), no limit; messages 1 used, no limit');
    const t = await ctl.tdb.db.query(
      "SELECT default_quota_bytes, default_quota_messages, total_quota_bytes FROM tenants WHERE domain = 'example.org'",
    );
    assert.deepEqual(t.rows[0], { default_quota_bytes: null, default_quota_messages: 5000, total_quota_bytes: null });
  });

  test("user remove gives the account's usage back to its domain's total", async () => {
    assert.equal((await ctl('tenant', 'add', 'total.org')).code, 0);
    for (const u of ['x', 'y']) assert.equal((await ctl('user', 'add', `${u}@total.org`, '--password', 'long-password')).code, 0);
    assert.equal((await ctl('quota', 'set', 'total.org', '--total-messages', '10')).code, 0);
    const ids = await ctl.tdb.db.query<{ account_id: number }>(
      "SELECT account_id FROM accounts WHERE username LIKE '%@total.org' ORDER BY username",
    );
    for (const { account_id } of ids.rows) {
      await appendMessage(ctl.tdb.db, {
        accountId: account_id,
        mailbox: 'INBOX',
        flags: [],
        internalDateMs: 0,
        message: Buffer.from('Subject: t\r\n\r\nbody\r\n'),
      });
    }
    assert.equal((await ctl('quota', 'show', 'total.org')).out[2], '  in all: storage 40 bytes used, no limit; messages 2 used, limit 10');
    assert.equal((await ctl('user', 'remove', 'x@total.org', '--force')).code, 0);
    assert.equal((await ctl('quota', 'show', 'total.org')).out[2], '  in all: storage 20 bytes used, no limit; messages 1 used, limit 10');
  });

  test('bad input: one line on stderr, a non-zero exit, nothing written', async () => {
    await ctl('quota', 'set', 'carol@example.org', '--storage', '1000');
    const cases: Array<[string[], number, RegExp]> = [
      [['quota', 'set', 'carol@example.org', '--storage', '-5'], 2, /--storage must not be negative: -5/],
      [['quota', 'set', 'carol@example.org', '--storage', 'lots'], 2, /--storage must be a number of bytes.*: "lots"/],
      [['quota', 'set', 'carol@example.org', '--storage', '5X'], 2, /--storage must be a number of bytes/],
      [['quota', 'set', 'carol@example.org', '--storage', ''], 2, /--storage must be .*: ""/],
      [['quota', 'set', 'carol@example.org', '--messages', '1.5'], 2, /--messages must be a number of messages/],
      [['quota', 'set', 'carol@example.org', '--messages', '5K'], 2, /--messages must be a number of messages/],
      [['quota', 'set', 'carol@example.org', '--messages', '-1'], 2, /must not be negative/],
      [['quota', 'set', 'carol@example.org', '--storage'], 2, /--storage needs a value/],
      [['quota', 'set', 'carol@example.org', '--storage', '99999999999T'], 2, /too large/],
      [['quota', 'set', 'carol@example.org', '--total-storage', '5G'], 2, /apply to a domain/],
      [['quota', 'set', 'carol@example.org'], 2, /nothing to set/],
      [['quota', 'set', 'carol@example.org', '--storge', '5'], 2, /unknown option --storge/],
      [['quota', 'set', 'example.org', '--storage', 'default'], 2, /only an account follows a default/],
      [['quota', 'set', 'example.org', '--total-messages', 'default'], 2, /a total has no default/],
      [['quota', 'set', 'nobody@example.org', '--storage', '5'], 1, /User nobody@example.org does not exist/],
      [['quota', 'set', 'nowhere.org', '--storage', '5'], 1, /Tenant nowhere.org does not exist/],
      [['quota', 'show', 'nobody@example.org'], 1, /User nobody@example.org does not exist/],
      [['quota', 'show', 'nowhere.org'], 1, /Tenant nowhere.org does not exist/],
      [['quota', 'show', 'bad@@example.org'], 2, /Not a mail address: "bad@@example.org"/],
      [['quota', 'show', '@example.org'], 2, /Not a mail address/],
      [['quota', 'show', 'exa mple'], 2, /Not a domain name/],
      [['quota', 'set', 'bad@@example.org', '--storage', '-5'], 2, /Not a mail address/],
      [['quota', 'show'], 2, /quota show needs <address\|domain>/],
      [['quota', 'show', 'example.org', 'extra'], 2, /too many arguments for quota show: extra/],
      [['quota', 'show', 'example.org', '--storage', '5'], 2, /quota show takes no --storage/],
      [['quota', 'list'], 2, /unknown command "quota list"/],
      [['quota'], 2, /quota needs a command: set, show/],
    ];
    for (const [args, code, message] of cases) {
      const [status, line] = failure(await ctl(...args));
      assert.equal(status, code, `${args.join(' ')}: ${line}`);
      assert.match(line, /^imapctl: /);
      assert.match(line, message, args.join(' '));
    }
    assert.deepEqual(await limits('carol@example.org'), { quota_bytes: 1000, quota_messages: null });
  });

  test('the usage lists both commands', async () => {
    const usage = (await ctl('quota', '--help')).out.join('\n');
    assert.match(
      usage,
      /quota set <address\|domain> \[--storage BYTES\] \[--messages N\] \[--total-storage BYTES\] \[--total-messages N\]/,
    );
    assert.match(usage, /quota show <address\|domain> \[--json\]/);
  });

  test('the limit parser and the sizes shown', () => {
    assert.equal(parseLimit('storage', '0', true), 0);
    assert.equal(parseLimit('storage', '10k', true), 10 * 1024);
    assert.equal(parseLimit('storage', '3 TB', true), 3 * 1024 ** 4);
    assert.equal(parseLimit('total-storage', 'Unlimited', false), null);
    assert.equal(parseLimit('messages', 'default', true), 'default');
    assert.equal(parseLimit('messages', undefined, true), undefined);
    assert.equal(humanBytes(1023), '1023 bytes');
    assert.equal(humanBytes(1536), '1.5 KiB');
    assert.equal(humanBytes(50 * 1024 ** 3), '50 GiB');
  });
});
