// Mail from a real MTA: Debian's Postfix takes a message over SMTP and hands it
// over LMTP to the delivery listener (a process of its own, calling one mailbox
// service), while the recipient IDLEs on an edge that talks to the other
// mailbox service; the change goes through the outbox and Kafka, and the IDLE
// session sees EXISTS. Postfix missing: skipped, unless CI=true (a failure).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { ensureTopic } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { freePort, metric, startService, tempDir, waitForMetric, type ServiceProcess } from '../src/cluster.js';
import { PostfixUnavailable, sendSmtp, startPostfix, type RunningPostfix } from '../src/postfix.js';

const DOMAIN = 'example.test';

describe('Postfix → LMTP → delivery process → mailbox service → Kafka → IDLE on another edge', () => {
  let tdb: TestDatabase;
  const procs: ServiceProcess[] = [];
  const dir = tempDir('kimap-e2e-lmtp-');
  let edge: { imapsPort: number } | undefined;
  let delivery: ServiceProcess | undefined;
  let postfix: RunningPostfix | undefined;
  let unavailable: string | undefined;
  const clients: ImapFlow[] = [];

  before(async () => {
    tdb = await createTestDatabase();
    await addUser(tdb.db, `alice@${DOMAIN}`, 'alice-password', { createTenant: true });
    await addUser(tdb.db, `full@${DOMAIN}`, 'full-password', { quotaBytes: 100 });
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-e2e-lmtp');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'e2e-setup' });
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic };
    const [mailboxA, mailboxB] = [await freePort(), await freePort()];
    for (const [i, port] of [mailboxA, mailboxB].entries()) {
      procs.push(await startService(`mailbox-${i}`, 'services/mailbox/src/main.ts', { ...common, GRPC_LISTEN: `127.0.0.1:${port}` }));
    }
    const imapsPort = await freePort();
    const edgeProc = await startService('edge', 'services/imap-edge/src/main.ts', {
      ...common,
      MAILBOX_ADDRESS: `127.0.0.1:${mailboxA}`,
      KAFKA_GROUP_ID: uniqueName('e2e-lmtp-edge'),
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(await freePort()),
      IMAPS_PORT: String(imapsPort),
      DATA_DIR: dir.path,
      IMAP_HOSTNAME: 'localhost',
      // No polling: only the change feed can tell the session.
      CHANGE_POLL_INTERVAL_MS: '600000',
    });
    procs.push(edgeProc);
    await waitForMetric(edgeProc, 'kimap_change_feed_up', (v) => v === 1);
    edge = { imapsPort };
    const lmtpPort = await freePort();
    delivery = await startService('delivery', 'services/delivery/src/main.ts', {
      MAILBOX_ADDRESS: `127.0.0.1:${mailboxB}`,
      LMTP_HOST: '127.0.0.1',
      LMTP_PORT: String(lmtpPort),
      LMTP_HOSTNAME: 'lmtp.kimap.test',
    });
    procs.push(delivery);
    try {
      postfix = await startPostfix(`127.0.0.1:${lmtpPort}`);
    } catch (err) {
      if (!(err instanceof PostfixUnavailable)) throw err;
      unavailable = err.message;
    }
  });

  after(async () => {
    for (const c of clients) await c.logout().catch(() => c.close());
    await postfix?.stop();
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop();
    dir.remove();
  });

  test('a message sent to Postfix over SMTP reaches the IDLE session on the other edge as EXISTS', async (ctx) => {
    if (unavailable) return ctx.skip(`Postfix is not available: ${unavailable.split('\n')[0]}`);
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: edge!.imapsPort,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: `alice@${DOMAIN}`, pass: 'alice-password' },
      logger: false,
    });
    clients.push(c);
    await c.connect();
    const lock = await c.getMailboxLock('INBOX');
    try {
      const exists = new Promise<number>((resolve) => c.on('exists', (e: { count: number }) => resolve(e.count)));
      void c.idle();
      const message = `From: Bob <bob@example.net>\r\nTo: alice@${DOMAIN}\r\nSubject: through Postfix\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\nMessage-ID: <e2e-lmtp@example.net>\r\n\r\nHello over SMTP and LMTP.\r\n`;
      assert.deepEqual(await sendSmtp(postfix!.smtpPort, 'bob@example.net', [`alice@${DOMAIN}`], message), {});
      const queued = Date.now();
      const count = await Promise.race([
        exists,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no EXISTS after 30 s; Postfix said:\n${postfix!.deliveries().join('\n')}`)), 30_000),
        ),
      ]);
      console.log(`queued by Postfix → EXISTS on the other edge: ${Date.now() - queued} ms`);
      assert.equal(count, 1);
      const msg = await c.fetchOne('1', { source: true }, { uid: true });
      assert.ok(msg && Buffer.isBuffer(msg.source));
      const text = msg.source.toString();
      // Ours first, then Postfix's own trace, then the message as sent.
      assert.match(
        text,
        /^Return-Path: <bob@example\.net>\r\nReceived: from \S+ \(\[127\.0\.0\.1\]\)\r\n\tby lmtp\.kimap\.test \(kimap\) with LMTP id /,
      );
      assert.match(text, new RegExp(`\tfor <alice@${DOMAIN.replace('.', '\\.')}>; `));
      assert.match(text, /\r\nReceived: from [^\r]*\r\n\tby postfix\.kimap\.test \(Postfix\) with E?SMTP id /);
      assert.ok(
        text.endsWith(message.slice(message.indexOf('Subject:'))),
        'the message follows unchanged (Postfix adds no field to a message that has Date and Message-ID)',
      );
    } finally {
      lock.release();
    }
    assert.ok((await metric(delivery!, 'kimap_lmtp_messages_total')) >= 1);
  });

  test('an unknown recipient is bounced by Postfix with the 550 5.1.1 of the listener; over quota is deferred', async (ctx) => {
    if (unavailable) return ctx.skip(`Postfix is not available: ${unavailable.split('\n')[0]}`);
    const message = 'From: bob@example.net\r\nSubject: x\r\n\r\n' + 'y'.repeat(500) + '\r\n';
    await sendSmtp(postfix!.smtpPort, 'bob@example.net', [`nobody@${DOMAIN}`, `full@${DOMAIN}`], message);
    const deadline = Date.now() + 30_000;
    let lines: string[] = [];
    while (Date.now() < deadline) {
      lines = postfix!.deliveries();
      if (lines.some((l) => l.includes(`<nobody@${DOMAIN}>`)) && lines.some((l) => l.includes(`<full@${DOMAIN}>`))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const nobody = lines.find((l) => l.includes(`to=<nobody@${DOMAIN}>`));
    const full = lines.find((l) => l.includes(`to=<full@${DOMAIN}>`));
    assert.match(nobody ?? '', /status=bounced .*550 5\.1\.1/, lines.join('\n'));
    assert.match(full ?? '', /status=deferred .*452 4\.2\.2/, lines.join('\n'));
  });
});
