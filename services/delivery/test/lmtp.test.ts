// The LMTP listener against the real mailbox service and PostgreSQL: replies
// per recipient at RCPT and after DATA, what is stored, and bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLogger, InProcessBus, type ChangeEvent } from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, startMailboxService, type RunningMailboxService } from '@kimap/mailbox';
import { createMailbox } from '@kimap/mailbox/store/mailboxes';
import { addAlias } from '@kimap/mailbox/store/aliases';
import { Registry } from 'prom-client';
import { GrpcDeliveryBackend, startDeliveryListener, type DeliverySettings, type RunningDeliveryListener } from '../src/index.js';
import { LmtpClient, type Reply } from '../src/testing/lmtp-client.js';

const MAX_SIZE = 64 * 1024;
const SETTINGS: DeliverySettings = {
  hostname: 'lmtp.kimap.test',
  maxMessageSize: MAX_SIZE,
  maxRecipients: 60,
  maxConnections: 100,
  socketTimeoutMs: 30_000,
  mailboxDeadlineMs: 10_000,
  quotaPermanent: false,
};
const MESSAGE = 'From: Sender <sender@example.net>\r\nSubject: Hello\r\n\r\nA line.\r\n.A line with a dot.\r\n';

const codes = (replies: Reply[]) => replies.map((r) => `${r.code} ${r.text.split(' ')[0]}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LMTP delivery listener', () => {
  let tdb: TestDatabase;
  let mailbox: RunningMailboxService;
  let backend: GrpcDeliveryBackend;
  let listener: RunningDeliveryListener;
  let permanent: RunningDeliveryListener;
  const registry = new Registry();
  const bus = new InProcessBus();
  const events: ChangeEvent[] = [];
  const accounts: Record<string, number> = {};
  const log = createLogger('lmtp-test');
  const clients: LmtpClient[] = [];

  before(async () => {
    tdb = await createTestDatabase();
    for (const [user, quotaBytes] of [
      ['alice@example.org', null],
      ['bob@example.org', null],
      ['full@example.org', 600],
    ] as const) {
      accounts[user] = (await addUser(tdb.db, user, 'password-1234', { createTenant: true, quotaBytes })).accountId;
    }
    await createMailbox(tdb.db, accounts['alice@example.org']!, 'Lists', null);
    await addAlias(tdb.db, 'sales@example.org', 'alice@example.org');
    await bus.subscribe((e) => events.push(e));
    mailbox = await startMailboxService({ db: tdb.db, publisher: bus, address: '127.0.0.1:0', log, relayPollMs: 1000 });
    backend = new GrpcDeliveryBackend(`127.0.0.1:${mailbox.port}`, 10_000);
    listener = await startDeliveryListener({ backend, settings: SETTINGS, log, host: '127.0.0.1', port: 0, registry });
    permanent = await startDeliveryListener({ backend, settings: { ...SETTINGS, quotaPermanent: true }, log, host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    for (const c of clients) c.close();
    await listener?.stop(100);
    await permanent?.stop(100);
    backend?.close();
    await mailbox?.stop();
    await tdb?.drop();
  });

  async function open(port = listener.port): Promise<LmtpClient> {
    const { client, greeting } = await LmtpClient.open(port);
    assert.equal(greeting.code, 220);
    clients.push(client);
    return client;
  }

  async function messages(user: string, mailboxName = 'INBOX'): Promise<string[]> {
    const { rows } = await tdb.db.query<{ raw: Buffer }>(
      `SELECT b.raw FROM messages m JOIN mailboxes x USING (account_id, mailbox_id)
         JOIN message_bodies b ON b.account_id = m.account_id AND b.body_hash = m.body_hash
        WHERE m.account_id = $1 AND x.name = $2 ORDER BY m.uid`,
      [accounts[user], mailboxName],
    );
    return rows.map((r) => Buffer.from(r.raw).toString());
  }

  const countMessages = async () => (await tdb.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM messages')).rows[0]!.n;

  test('greets as LMTP and offers PIPELINING, SIZE, ENHANCEDSTATUSCODES, 8BITMIME; no AUTH, no STARTTLS', async () => {
    const c = await open();
    const lhlo = await c.command('LHLO mta.example.net');
    assert.equal(lhlo.code, 250);
    const ext = lhlo.text.split('\n');
    for (const e of ['PIPELINING', `SIZE ${MAX_SIZE}`, 'ENHANCEDSTATUSCODES', '8BITMIME'])
      assert.ok(ext.includes(e), `${e} in ${ext.join(', ')}`);
    assert.ok(!ext.some((e) => /^(AUTH|STARTTLS)/.test(e)));
    await c.quit();
  });

  test('a known recipient: 250 at RCPT and after DATA; stored with Return-Path and Received; an append event', async () => {
    const c = await open();
    const before = (await messages('alice@example.org')).length;
    events.length = 0;
    assert.deepEqual(codes(await c.envelope('sender@example.net', ['alice@example.org'])), ['250 2.1.5']);
    const [done] = await c.data(MESSAGE, 1);
    assert.equal(done!.code, 250);
    assert.match(done!.text, /^2\.6\.0 <alice@example\.org> Saved in INBOX/);
    // A 250 means committed: the message is there when the reply arrives.
    const stored = await messages('alice@example.org');
    assert.equal(stored.length, before + 1);
    const raw = stored.at(-1)!;
    assert.match(
      raw,
      /^Return-Path: <sender@example\.net>\r\nReceived: from mta\.example\.net \(\[127\.0\.0\.1\]\)\r\n\tby lmtp\.kimap\.test \(kimap\) with LMTP id \S+\r\n\tfor <alice@example\.org>; \w{3}, \d+ \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r\n/,
    );
    assert.ok(raw.endsWith(MESSAGE), 'the message itself as sent (dot-unstuffed)');
    for (let i = 0; i < 50 && !events.some((e) => e.accountId === accounts['alice@example.org']); i++) await sleep(20);
    assert.ok(events.some((e) => e.accountId === accounts['alice@example.org'] && e.kind === 'append'));
    await c.quit();
  });

  test('an unknown recipient: 550 5.1.1 at RCPT; malformed ones refused too', async () => {
    const c = await open();
    const replies = await c.envelope('sender@example.net', ['nobody@example.org', 'alice@nowhere.example']);
    assert.deepEqual(codes(replies), ['550 5.1.1', '550 5.1.1']);
    for (const bad of ['<no-domain>', '<user@>', '<@example.org>', '<a b@example.org>', 'alice@example.org', '<alice@example.org']) {
      const r = await c.command(`RCPT TO:${bad}`);
      assert.deepEqual(codes([r]), ['501 5.1.3'], `${bad}: ${r.code} ${r.text}`);
    }
    assert.equal((await c.command('DATA')).code, 503, 'no recipient accepted: no DATA');
    await c.quit();
  });

  test('over quota: 452 4.2.2 at RCPT when the declared size does not fit; 552 5.2.2 when configured permanent', async () => {
    const c = await open();
    assert.deepEqual(codes(await c.envelope('sender@example.net', ['full@example.org'], ' SIZE=5000')), ['452 4.2.2']);
    await c.quit();
    const p = await open(permanent.port);
    assert.deepEqual(codes(await p.envelope('sender@example.net', ['full@example.org'], ' SIZE=5000')), ['552 5.2.2']);
    await p.quit();
  });

  test('over quota found at DATA: that recipient gets 452 4.2.2, the others 250, one reply each in order', async () => {
    const c = await open();
    const big = `Subject: big\r\n\r\n${'x'.repeat(1000)}\r\n`;
    const rcpt = await c.envelope('sender@example.net', ['alice@example.org', 'nobody@example.org', 'full@example.org', 'bob@example.org']);
    assert.deepEqual(codes(rcpt), ['250 2.1.5', '550 5.1.1', '250 2.1.5', '250 2.1.5']);
    const replies = await c.data(big, 3);
    assert.deepEqual(codes(replies), ['250 2.6.0', '452 4.2.2', '250 2.6.0']);
    assert.match(replies[1]!.text, /<full@example\.org>/);
    assert.equal((await messages('full@example.org')).length, 0);
    // The connection goes on: a next transaction works.
    assert.equal((await c.command('MAIL FROM:<sender@example.net>')).code, 250);
    assert.equal((await c.command('RCPT TO:<bob@example.org>')).code, 250);
    assert.deepEqual(codes(await c.data(MESSAGE, 1)), ['250 2.6.0']);
    await c.quit();
  });

  test('too big: SIZE above the limit refused at MAIL; a larger DATA gets 552 5.3.4 per recipient and stores nothing', async () => {
    const c = await open();
    assert.equal((await c.command('LHLO mta.example.net')).code, 250);
    const mail = await c.command(`MAIL FROM:<sender@example.net> SIZE=${MAX_SIZE + 1}`);
    assert.deepEqual(codes([mail]), ['552 5.3.4']);
    const count = await countMessages();
    assert.equal((await c.command('MAIL FROM:<sender@example.net>')).code, 250);
    assert.equal((await c.command('RCPT TO:<alice@example.org>')).code, 250);
    assert.equal((await c.command('RCPT TO:<bob@example.org>')).code, 250);
    const huge = `Subject: huge\r\n\r\n${'y'.repeat(100)}\r\n`.repeat(Math.ceil((3 * MAX_SIZE) / 120));
    assert.deepEqual(codes(await c.data(huge, 2)), ['552 5.3.4', '552 5.3.4']);
    assert.equal(await countMessages(), count);
    // Still usable afterwards.
    assert.equal((await c.command('MAIL FROM:<>')).code, 250);
    assert.equal((await c.command('RCPT TO:<bob@example.org>')).code, 250);
    assert.deepEqual(codes(await c.data(MESSAGE, 1)), ['250 2.6.0']);
    assert.match((await messages('bob@example.org')).at(-1)!, /^Return-Path: <>\r\n/);
    await c.quit();
  });

  test('user+detail goes to the folder of that name when it exists, else INBOX', async () => {
    const c = await open();
    const lists = (await messages('alice@example.org', 'Lists')).length;
    const inbox = (await messages('alice@example.org')).length;
    assert.deepEqual(codes(await c.envelope('sender@example.net', ['alice+lists@example.org'])), ['250 2.1.5']);
    assert.match((await c.data(MESSAGE, 1))[0]!.text, /Saved in Lists/);
    assert.equal((await c.command('MAIL FROM:<sender@example.net>')).code, 250);
    assert.equal((await c.command('RCPT TO:<alice+nosuchfolder@example.org>')).code, 250);
    assert.match((await c.data(MESSAGE, 1))[0]!.text, /Saved in INBOX/);
    assert.equal((await messages('alice@example.org', 'Lists')).length, lists + 1);
    assert.equal((await messages('alice@example.org')).length, inbox + 1);
    await c.quit();
  });

  test('an alias delivers to its account', async () => {
    const c = await open();
    const inbox = (await messages('alice@example.org')).length;
    assert.deepEqual(codes(await c.envelope('sender@example.net', ['Sales@example.org'])), ['250 2.1.5']);
    assert.match((await c.data(MESSAGE, 1))[0]!.text, /<Sales@example\.org> Saved in INBOX/);
    const stored = await messages('alice@example.org');
    assert.equal(stored.length, inbox + 1);
    assert.match(stored.at(-1)!, /\tfor <Sales@example\.org>; /);
    await c.quit();
  });

  test('commands out of order are refused', async () => {
    const c = await open();
    assert.equal((await c.command('MAIL FROM:<sender@example.net>')).code, 503, 'MAIL before LHLO');
    assert.equal((await c.command('EHLO mta.example.net')).code, 500, 'EHLO is not LMTP');
    assert.equal((await c.command('HELO mta.example.net')).code, 500, 'HELO is not LMTP');
    assert.equal((await c.command('LHLO mta.example.net')).code, 250);
    assert.equal((await c.command('RCPT TO:<alice@example.org>')).code, 503, 'RCPT before MAIL');
    assert.equal((await c.command('DATA')).code, 503, 'DATA before MAIL');
    assert.equal((await c.command('MAIL FROM:<sender@example.net>')).code, 250);
    assert.equal((await c.command('MAIL FROM:<sender@example.net>')).code, 503, 'nested MAIL');
    assert.equal((await c.command('MAIL FROM:<>')).code, 503);
    assert.equal((await c.command('RSET')).code, 250);
    assert.equal((await c.command('AUTH PLAIN AGFAYg==')).code, 500, 'no AUTH');
    assert.equal((await c.command('STARTTLS')).code, 500, 'no STARTTLS');
    await c.quit();
  });

  test('a connection dropped in the middle of DATA stores nothing', async () => {
    const c = await open();
    const count = await countMessages();
    assert.deepEqual(codes(await c.envelope('sender@example.net', ['alice@example.org', 'bob@example.org'])), ['250 2.1.5', '250 2.1.5']);
    assert.equal((await c.command('DATA')).code, 354);
    c.write('Subject: cut\r\n\r\nthe first half of a message\r\n');
    await sleep(100);
    c.close();
    await sleep(500);
    assert.equal(await countMessages(), count);
    // The listener serves on.
    const d = await open();
    assert.deepEqual(codes(await d.envelope('sender@example.net', ['bob@example.org'])), ['250 2.1.5']);
    assert.deepEqual(codes(await d.data(MESSAGE, 1)), ['250 2.6.0']);
    await d.quit();
  });

  test('a recipient given twice is refused the second time, so that the replies after DATA add up', async () => {
    const c = await open();
    const rcpt = await c.envelope('sender@example.net', ['bob@example.org', 'BOB@example.org', 'alice@example.org']);
    assert.deepEqual(codes(rcpt), ['250 2.1.5', '503 5.5.1', '250 2.1.5']);
    assert.deepEqual(codes(await c.data(MESSAGE, 2)), ['250 2.6.0', '250 2.6.0']);
    assert.equal((await c.command('NOOP')).code, 250, 'no reply left over');
    await c.quit();
  });

  test('pipelined as Postfix sends it: MAIL, every RCPT and DATA in one write', async () => {
    const c = await open();
    assert.equal((await c.command('LHLO mta.example.net')).code, 250);
    c.write(
      'MAIL FROM:<sender@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n',
    );
    const replies = [await c.reply(), await c.reply(), await c.reply(), await c.reply(), await c.reply()];
    assert.deepEqual(
      replies.map((r) => r.code),
      [250, 250, 550, 250, 354],
    );
    c.write(MESSAGE + '.\r\n');
    assert.deepEqual(codes([await c.reply(), await c.reply()]), ['250 2.6.0', '250 2.6.0']);
    await c.quit();
  });

  test('50 recipients in 10 accounts: one reply each, one body per account', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `many${i}@example.org`);
    const created = await Promise.all(users.map((u) => addUser(tdb.db, u, 'password-1234')));
    for (const a of created) await createMailbox(tdb.db, a.accountId, 'Work', null);
    const recipients = users.flatMap((u) => {
      const [local, domain] = u.split('@');
      return [u, `${local}+work@${domain}`, `${local}+a@${domain}`, `${local}+b@${domain}`, `${local}+c@${domain}`];
    });
    assert.equal(recipients.length, 50);
    const c = await open();
    const rcpt = await c.envelope('sender@example.net', recipients);
    assert.ok(rcpt.every((r) => r.code === 250));
    const replies = await c.data(MESSAGE, 50);
    assert.equal(replies.length, 50);
    assert.ok(
      replies.every((r) => r.code === 250),
      codes(replies).join(),
    );
    const { rows } = await tdb.db.query<{ bodies: number; messages: number }>(
      `SELECT (SELECT count(*) FROM message_bodies b WHERE b.account_id = a.account_id)::int8 AS bodies,
              (SELECT count(*) FROM messages m WHERE m.account_id = a.account_id)::int8 AS messages
         FROM accounts a WHERE a.account_id = ANY($1::bigint[])`,
      [created.map((a) => a.accountId)],
    );
    assert.deepEqual(
      rows.map((r) => [r.bodies, r.messages]),
      created.map(() => [1, 2]),
      'a body per account; one message in INBOX (4 addresses) and one in Work',
    );
    await c.quit();
  });

  test("Python's smtplib.LMTP: known, unknown, detail, over quota and too big, a reply per recipient", async () => {
    const script = `
import json, smtplib, sys
port = int(sys.argv[1])
out = {}
c = smtplib.LMTP('127.0.0.1', port)
c.ehlo('py.example.net')  # LMTP sends LHLO
out['size'] = c.esmtp_features.get('size')
c.mail('sender@example.net')
out['rcpt'] = [c.rcpt(r)[0] for r in ['alice@example.org', 'nobody@example.org', 'alice+lists@example.org', 'full@example.org']]
msg = b'Subject: from python\\r\\n\\r\\n' + b'z' * 700 + b'\\r\\n'
first = c.data(msg)
out['data'] = [first[0]] + [c.getreply()[0] for _ in range(2)]
c.rset()
out['too_big_mail'] = c.mail('sender@example.net', ['SIZE=%d' % (${MAX_SIZE} + 1)])[0]
c.rset()
c.mail('sender@example.net')
c.rcpt('bob@example.org')
out['too_big_data'] = c.data(b'Subject: huge\\r\\n\\r\\n' + (b'h' * 998 + b'\\r\\n') * 200)[0]
c.quit()
print(json.dumps(out))
`;
    const { stdout } = await promisify(execFile)('python3', ['-c', script, String(listener.port)]);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(out, {
      size: String(MAX_SIZE),
      rcpt: [250, 550, 250, 250],
      data: [250, 250, 452],
      too_big_mail: 552,
      too_big_data: 552,
    });
  });

  test('the backend: a message over 256 KB goes as a call of its own, a small one over the shared stream', async () => {
    const trace = {
      returnPath: 'a@example.net',
      clientName: 'x',
      clientAddress: '127.0.0.1',
      receivedBy: 'y',
      id: 'z',
      timeMs: Date.now(),
    };
    const big = Buffer.from(`Subject: big\r\n\r\n${'b'.repeat(76)}\r\n`.repeat(4000));
    assert.ok(big.length > 256 * 1024);
    for (const message of [big, Buffer.from(MESSAGE)]) {
      const [r] = await backend.deliver(message, ['bob@example.org'], trace);
      assert.equal(r!.status, 'DELIVERY_STATUS_OK');
      assert.ok((await messages('bob@example.org')).at(-1)!.endsWith(message.toString()));
    }
    assert.equal(await backend.checkRecipient('bob@example.org', 0), 'DELIVERY_STATUS_OK');
  });

  test('stop: no new connections; an idle one gets 421 after the grace time', async () => {
    const own = await startDeliveryListener({ backend, settings: SETTINGS, log, host: '127.0.0.1', port: 0 });
    const c = await open(own.port);
    assert.equal((await c.command('LHLO mta.example.net')).code, 250);
    const started = Date.now();
    await own.stop(300);
    assert.ok(Date.now() - started >= 250);
    assert.equal((await c.reply()).code, 421);
    assert.equal(own.ready(), false);
    await assert.rejects(LmtpClient.open(own.port));
  });

  test('metrics count recipients by stage and result', async () => {
    const text = await registry.metrics();
    assert.match(text, /kimap_lmtp_recipients_total\{stage="rcpt",result="unknown"\} [1-9]/);
    assert.match(text, /kimap_lmtp_recipients_total\{stage="data",result="delivered"\} [1-9]/);
    assert.match(text, /kimap_lmtp_recipients_total\{stage="data",result="too_big"\} [1-9]/);
    assert.match(text, /kimap_lmtp_messages_total [1-9]/);
  });
});
