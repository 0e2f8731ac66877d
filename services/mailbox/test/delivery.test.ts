// Delivery (LMTP) in the store: recipients resolved, the message parsed once
// and stored once per account, trace fields in front, one result each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { parseMessage } from '@kimap/common/mime/index';
import { addUser } from '../src/store/accounts.js';
import { createMailbox, findMailbox } from '../src/store/mailboxes.js';
import { fetchMessagePages } from '../src/store/messages.js';
import { deliverMessage, type DeliveryInput } from '../src/store/delivery.js';
import { exceedsQuota, recipientAddress, resolveRecipients } from '../src/store/recipients.js';
import { setAccountQuota, setTenantQuota } from '../src/store/quota.js';
import { addAlias } from '../src/store/aliases.js';
import { rfc5322Date, traceHeader, type DeliveryTrace } from '../src/store/trace.js';
import type { RecordedEvent } from '../src/store/outbox.js';

const TRACE: DeliveryTrace = {
  returnPath: 'sender@example.net',
  clientName: 'mx.example.net',
  clientAddress: '127.0.0.1',
  receivedBy: 'kimap.test',
  id: 'abc123',
  timeMs: Date.UTC(2026, 0, 2, 3, 4, 5),
};
const MESSAGE = Buffer.from('From: Sender <sender@example.net>\r\nSubject: Delivered\r\n\r\nHello there.\r\n');

describe('recipientAddress()', () => {
  const table: Array<[string, string | undefined]> = [
    ['Alice@Example.ORG', 'Alice@Example.ORG'],
    [' <bob+Lists@example.org> ', 'bob+Lists@example.org'],
    ['no-domain', undefined],
    ['@example.org', undefined],
    ['user@', undefined],
    ['a b@example.org', undefined],
    ['a\r\nb@example.org', undefined],
  ];
  for (const [input, expected] of table) {
    test(JSON.stringify(input), () => assert.equal(recipientAddress(input), expected));
  }
});

describe('traceHeader()', () => {
  test('Return-Path and Received, naming the one recipient', () => {
    assert.equal(
      traceHeader(TRACE, 'alice@example.org').toString(),
      'Return-Path: <sender@example.net>\r\n' +
        'Received: from mx.example.net ([127.0.0.1])\r\n' +
        '\tby kimap.test (kimap) with LMTP id abc123\r\n' +
        '\tfor <alice@example.org>; Fri, 2 Jan 2026 03:04:05 +0000\r\n',
    );
  });

  test('no recipient named for a shared copy; the null sender; an IPv6 client', () => {
    const text = traceHeader({ ...TRACE, returnPath: '', clientAddress: '::1' }, undefined).toString();
    assert.match(text, /^Return-Path: <>\r\n/);
    assert.match(text, /from mx\.example\.net \(\[IPv6:::1\]\)\r\n\tby kimap\.test \(kimap\) with LMTP id abc123; Fri, 2 Jan 2026/);
    assert.doesNotMatch(text, /for </);
  });

  test('what the client said cannot add a line or leave its place', () => {
    const text = traceHeader(
      { ...TRACE, returnPath: 'a>\r\nX-Evil: 1', clientName: 'evil\r\nX-Evil: 2 (x)', clientAddress: '::ffff:10.1.2.3' },
      'b\r\n@x',
    ).toString();
    assert.equal(text.split('\r\n').length, 5);
    assert.doesNotMatch(text, /\r\nX-Evil/);
    assert.match(text, /Return-Path: <aX-Evil: 1>/);
    assert.match(text, /from evilX-Evil:2x \(\[10\.1\.2\.3\]\)/);
  });

  test('dates as RFC 5322 says', () => {
    assert.equal(rfc5322Date(Date.UTC(2025, 11, 31, 23, 59, 9)), 'Wed, 31 Dec 2025 23:59:09 +0000');
  });
});

describe('deliverMessage()', () => {
  let tdb: TestDatabase;
  let alice: number;
  let bob: number;
  let full: number;
  const events: Array<RecordedEvent | undefined> = [];

  before(async () => {
    tdb = await createTestDatabase();
    alice = (await addUser(tdb.db, 'alice@example.org', 'alice-password', { createTenant: true })).accountId;
    bob = (await addUser(tdb.db, 'bob@example.com', 'bob-password', { createTenant: true })).accountId;
    full = (await addUser(tdb.db, 'full@example.net', 'full-password', { createTenant: true, quotaBytes: 1000 })).accountId;
    await createMailbox(tdb.db, alice, 'Lists', null);
    await createMailbox(tdb.db, alice, 'Lists/Node', null);
  });
  after(() => tdb.drop());

  const deliver = (recipients: string[], message = MESSAGE) => {
    const input: DeliveryInput = { message, recipients, trace: TRACE };
    return deliverMessage(tdb.db, input, { onCommitted: (e) => events.push(e) });
  };
  const bodies = async (accountId: number) =>
    (await tdb.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM message_bodies WHERE account_id = $1', [accountId])).rows[0]!.n;
  async function stored(accountId: number, mailbox: string, uid: number): Promise<Buffer> {
    const mb = await findMailbox(tdb.db, accountId, mailbox);
    for await (const page of fetchMessagePages(tdb.db, accountId, mb.mailboxId, [{ first: uid, last: uid }], {
      raw: true,
      bodyStructure: true,
    })) {
      const m = page[0]!;
      assert.deepEqual(JSON.parse(m.bodyStructureJson!), parseMessage(m.raw!), 'the stored structure is that of the stored bytes');
      return m.raw!;
    }
    throw new Error(`no message ${uid} in ${mailbox}`);
  }

  test('resolves known, unknown, detail, alias, catch-all and malformed addresses in one go', async () => {
    await addAlias(tdb.db, 'sales@example.org', 'alice@example.org');
    await addAlias(tdb.db, '@example.com', 'bob@example.com');
    const r = await resolveRecipients(tdb.db, [
      'Sales@example.org',
      'sales+lists@example.org',
      'anyone@example.com',
      'ALICE@example.org',
      'alice+lists@example.org',
      'alice+Lists/Node@example.org',
      'alice+nope@example.org',
      'alice+inbox@example.org',
      'nobody@example.org',
      'alice@elsewhere.example',
      'not an address',
    ]);
    assert.deepEqual(
      r.map((x) => x && [x.accountId, x.mailbox]),
      [
        [alice, 'INBOX'],
        [alice, 'Lists'],
        [bob, 'INBOX'],
        [alice, 'INBOX'],
        [alice, 'Lists'],
        [alice, 'Lists/Node'],
        [alice, 'INBOX'],
        [alice, 'INBOX'],
        undefined,
        undefined,
        undefined,
      ],
    );
  });

  test('a known recipient gets the message with Return-Path and Received in front, in INBOX', async () => {
    const before = events.length;
    const [result] = await deliver(['alice@example.org']);
    assert.equal(result!.status, 'DELIVERY_STATUS_OK');
    assert.equal(result!.mailbox, 'INBOX');
    const raw = await stored(alice, 'INBOX', result!.uid);
    assert.equal(raw.toString(), traceHeader(TRACE, 'alice@example.org').toString() + MESSAGE.toString());
    assert.equal(events.length, before + 1, 'an outbox event per APPEND, handed on as committed');
    assert.equal(events.at(-1)!.kind, 'append');
  });

  test('an unknown recipient fails alone; a +detail goes to its folder; one result each, in order', async () => {
    const results = await deliver(['nobody@example.org', 'alice+lists@example.org', 'bob@example.com', 'alice+missing@example.org']);
    assert.deepEqual(
      results.map((r) => [r.status, r.mailbox]),
      [
        ['DELIVERY_STATUS_UNKNOWN_RECIPIENT', ''],
        ['DELIVERY_STATUS_OK', 'Lists'],
        ['DELIVERY_STATUS_OK', 'INBOX'],
        ['DELIVERY_STATUS_OK', 'INBOX'],
      ],
    );
    // alice's two addresses share her copy, which names neither.
    const lists = await stored(alice, 'Lists', results[1]!.uid);
    const inbox = await stored(alice, 'INBOX', results[3]!.uid);
    assert.deepEqual(lists, inbox);
    assert.doesNotMatch(lists.toString(), /for </);
    assert.match((await stored(bob, 'INBOX', results[2]!.uid)).toString(), /\tfor <bob@example\.com>; /);
  });

  test('over quota fails that recipient only, and stores nothing for it', async () => {
    const big = Buffer.from(`Subject: big\r\n\r\n${'x'.repeat(2000)}\r\n`);
    const results = await deliver(['full@example.net', 'bob@example.com'], big);
    assert.deepEqual(
      results.map((r) => r.status),
      ['DELIVERY_STATUS_OVER_QUOTA', 'DELIVERY_STATUS_OK'],
    );
    assert.equal(await bodies(full), 0);
  });

  test('RCPT-time quota check: own limit, tenant default, message limit, tenant total, none', async () => {
    const check = async (address: string, size: number) => exceedsQuota((await resolveRecipients(tdb.db, [address]))[0]!, size);
    await addUser(tdb.db, 'q1@quota.example', 'q1-password', { createTenant: true });
    const q2 = await addUser(tdb.db, 'q2@quota.example', 'q2-password');
    assert.deepEqual(await deliver(['q1@quota.example']).then((r) => r.map((x) => x.status)), ['DELIVERY_STATUS_OK']);
    const used = (await resolveRecipients(tdb.db, ['q1@quota.example']))[0]!.quota.usedBytes;
    assert.ok(used > 0);
    assert.equal(await check('q1@quota.example', 10_000_000), false, 'no limit at all');

    await setTenantQuota(tdb.db, 'quota.example', { storage: used + 100 });
    assert.equal(await check('q1@quota.example', 100), false, 'fits the default');
    assert.equal(await check('q1@quota.example', 101), true, "the tenant's default applies");
    assert.equal(await check('q2@quota.example', 101), false, 'the other account has used nothing');

    await setAccountQuota(tdb.db, 'q1@quota.example', { storage: null });
    assert.equal(await check('q1@quota.example', 10_000_000), false, "the account's own 'none' overrides the default");

    await setAccountQuota(tdb.db, 'q1@quota.example', { messages: 1 });
    assert.equal(await check('q1@quota.example', 0), true, 'one message already stored of one allowed');
    await setAccountQuota(tdb.db, 'q1@quota.example', { messages: 'default', storage: 'default' });

    await setTenantQuota(tdb.db, 'quota.example', { storage: null, totalStorage: used + 50 });
    assert.equal(await check('q2@quota.example', 50), false, 'fits the total');
    assert.equal(await check('q2@quota.example', 51), true, "the tenant's total counts q1's messages too");
    const results = await deliver(['q2@quota.example'], Buffer.from(`Subject: t\r\n\r\n${'y'.repeat(100)}\r\n`));
    assert.deepEqual(
      results.map((r) => r.status),
      ['DELIVERY_STATUS_OVER_QUOTA'],
      'and storing agrees with the check',
    );
    assert.equal(await bodies(q2.accountId), 0);
  });

  test('a detail folder deleted after it was looked up: INBOX instead', async () => {
    const resolved = await resolveRecipients(tdb.db, ['alice+gone@example.org']);
    assert.equal(resolved[0]!.mailbox, 'INBOX', 'no such folder yet');
    await createMailbox(tdb.db, alice, 'Gone', null);
    const appended: string[] = [];
    const racing = deliverMessage(
      {
        query: async (sql: string, params?: unknown[]) => {
          if (sql.includes('kimap_append')) appended.push(params![1] as string);
          const r = await tdb.db.query(sql, params);
          // Between the lookup and the APPEND the folder disappears.
          if (sql.includes('FROM unnest($1::bigint[], $2::text[]) AS x(account_id, detail)'))
            await tdb.db.query('DELETE FROM mailboxes WHERE account_id = $1 AND name = $2', [alice, 'Gone']);
          return r;
        },
      } as unknown as typeof tdb.db,
      { message: MESSAGE, recipients: ['alice+gone@example.org'], trace: TRACE },
    );
    const [result] = await racing;
    assert.deepEqual([result!.status, result!.mailbox], ['DELIVERY_STATUS_OK', 'INBOX']);
    assert.deepEqual(appended, ['Gone', 'INBOX']);
  });

  test('50 recipients in 5 accounts: one body per account, a message per folder', async () => {
    const tdb2 = await createTestDatabase();
    try {
      const first = await addUser(tdb2.db, 'user0@example.org', 'password-1234', { createTenant: true });
      const rest = await Promise.all([1, 2, 3, 4].map((i) => addUser(tdb2.db, `user${i}@example.org`, 'password-1234')));
      const accounts = [first, ...rest].map((a) => a.accountId);
      for (const id of accounts) await createMailbox(tdb2.db, id, 'Work', null);
      // Each account: itself, +work (a folder), and 8 +details without a folder (INBOX).
      const recipients = [0, 1, 2, 3, 4].flatMap((i) => [
        `user${i}@example.org`,
        `user${i}+work@example.org`,
        ...Array.from({ length: 8 }, (_, k) => `user${i}+tag${k}@example.org`),
      ]);
      assert.equal(recipients.length, 50);
      const results = await deliverMessage(tdb2.db, { message: MESSAGE, recipients, trace: TRACE });
      assert.ok(results.every((r) => r.status === 'DELIVERY_STATUS_OK'));
      const { rows } = await tdb2.db.query<{ account_id: number; bodies: number; messages: number }>(
        `SELECT a.account_id,
                (SELECT count(*) FROM message_bodies b WHERE b.account_id = a.account_id)::int8 AS bodies,
                (SELECT count(*) FROM messages m WHERE m.account_id = a.account_id)::int8 AS messages
           FROM accounts a ORDER BY a.account_id`,
      );
      assert.deepEqual(
        rows.map((r) => [r.bodies, r.messages]),
        accounts.map(() => [1, 2]),
        'one body per account; one message in INBOX and one in Work',
      );
    } finally {
      await tdb2.drop();
    }
  });
});
