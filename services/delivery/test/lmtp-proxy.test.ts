// The PROXY protocol on the LMTP listener, against the real mailbox service:
// the client named in the header is the one in the Received field; peers
// outside PROXY_TRUSTED_NETWORKS, a missing header and malformed ones close
// the connection, counted by reason. The test clients connect from 127.0.0.1
// (the trusted balancer) or take 127.0.0.5 (an untrusted peer).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createLogger, InProcessBus } from '@kimap/common';
import { proxyV1, proxyV2 } from '@kimap/common/testing/proxy';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, startMailboxService, type RunningMailboxService } from '@kimap/mailbox';
import { Registry } from 'prom-client';
import { GrpcDeliveryBackend, startDeliveryListener, type DeliverySettings, type RunningDeliveryListener } from '../src/index.js';
import { LmtpClient } from '../src/testing/lmtp-client.js';

const SETTINGS: DeliverySettings = {
  hostname: 'lmtp.kimap.test',
  maxMessageSize: 64 * 1024,
  maxRecipients: 10,
  maxConnections: 100,
  socketTimeoutMs: 30_000,
  mailboxDeadlineMs: 10_000,
  quotaPermanent: false,
};
const HEADER_TIMEOUT_MS = 500;
const USER = 'carol@example.org';
const UNTRUSTED = '127.0.0.5';

describe('LMTP delivery listener: PROXY protocol', () => {
  let tdb: TestDatabase;
  let mailbox: RunningMailboxService;
  let backend: GrpcDeliveryBackend;
  let listener: RunningDeliveryListener;
  let accountId: number;
  const registry = new Registry();
  const bus = new InProcessBus();
  const log = createLogger('lmtp-proxy-test', 'silent');
  const clients: LmtpClient[] = [];

  before(async () => {
    tdb = await createTestDatabase();
    accountId = (await addUser(tdb.db, USER, 'password-1234', { createTenant: true })).accountId;
    mailbox = await startMailboxService({ db: tdb.db, publisher: bus, address: '127.0.0.1:0', log, relayPollMs: 1000 });
    backend = new GrpcDeliveryBackend(`127.0.0.1:${mailbox.port}`, 10_000);
    listener = await startDeliveryListener({
      backend,
      settings: SETTINGS,
      log,
      host: '127.0.0.1',
      port: 0,
      registry,
      proxy: { mode: 'any', trustedNetworks: ['127.0.0.1/32'], headerTimeoutMs: HEADER_TIMEOUT_MS },
    });
  });

  after(async () => {
    for (const c of clients) c.close();
    await listener?.stop(100);
    backend?.close();
    await mailbox?.stop();
    await bus.close();
    await tdb?.drop();
  });

  async function open(o: { proxyHeader?: Buffer; localAddress?: string }) {
    const { client, greeting } = await LmtpClient.open(listener.port, o);
    clients.push(client);
    return { client, greeting };
  }

  async function rejections(reason: string): Promise<number> {
    const metric = registry.getSingleMetric('kimap_proxy_header_rejected_total');
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.filter((v) => v.labels.listener === 'lmtp' && v.labels.reason === reason).reduce((n, v) => n + v.value, 0);
  }

  /** Delivers one message over a connection that starts with `header`; the Received field it got. */
  async function receivedVia(header: Buffer): Promise<string> {
    const { client, greeting } = await open({ proxyHeader: header });
    assert.equal(greeting.code, 220);
    const subject = `via ${Math.random().toString(36).slice(2)}`;
    assert.deepEqual(
      (await client.envelope('sender@example.net', [USER])).map((r) => r.code),
      [250],
    );
    const [done] = await client.data(`Subject: ${subject}\r\n\r\nHello.\r\n`, 1);
    assert.equal(done!.code, 250);
    await client.quit();
    const { rows } = await tdb.db.query<{ raw: Buffer }>(
      `SELECT b.raw FROM messages m JOIN message_bodies b ON b.account_id = m.account_id AND b.body_hash = m.body_hash
        WHERE m.account_id = $1 ORDER BY m.uid DESC LIMIT 1`,
      [accountId],
    );
    const raw = Buffer.from(rows[0]!.raw).toString();
    assert.ok(raw.includes(`Subject: ${subject}`), 'the message just delivered');
    return /^Received: from [^\r]*/m.exec(raw)![0];
  }

  test('the Received field names the client of a v1 or v2 header, IPv4 or IPv6; a LOCAL or UNKNOWN one the balancer', async () => {
    assert.equal(await receivedVia(proxyV1('203.0.113.7', 40000, '192.0.2.1', 24)), 'Received: from mta.example.net ([203.0.113.7])');
    assert.equal(await receivedVia(proxyV2({ source: '198.51.100.9' })), 'Received: from mta.example.net ([198.51.100.9])');
    assert.equal(await receivedVia(proxyV2({ source: '2001:db8::7' })), 'Received: from mta.example.net ([IPv6:2001:db8::7])');
    assert.equal(await receivedVia(proxyV1('2001:db8:0::8')), 'Received: from mta.example.net ([IPv6:2001:db8::8])');
    assert.equal(await receivedVia(proxyV2({ command: 'local' })), 'Received: from mta.example.net ([127.0.0.1])');
    assert.equal(await receivedVia(Buffer.from('PROXY UNKNOWN\r\n')), 'Received: from mta.example.net ([127.0.0.1])');
  });

  test('an untrusted peer is closed before the greeting, with a header or without', async () => {
    const before = await rejections('untrusted');
    for (const header of [proxyV1('203.0.113.7'), undefined]) {
      const { greeting } = await open({ localAddress: UNTRUSTED, ...(header && { proxyHeader: header }) });
      assert.equal(greeting.code, 0, 'closed without a reply');
    }
    assert.equal((await rejections('untrusted')) - before, 2);
  });

  test('a trusted peer without a header: closed after the header timeout; malformed and too long ones at once', async () => {
    const timeouts = await rejections('timeout');
    const started = performance.now();
    const silent = await open({});
    assert.equal(silent.greeting.code, 0);
    assert.ok(performance.now() - started >= HEADER_TIMEOUT_MS * 0.9);
    assert.equal((await rejections('timeout')) - timeouts, 1);
    for (const [bytes, reason] of [
      [Buffer.from('LHLO mta.example.net\r\n'), 'malformed'],
      [Buffer.from(`PROXY UNKNOWN ${'x'.repeat(200)}\r\n`), 'too_long'],
      [Buffer.concat([proxyV2({ source: '203.0.113.7' }).subarray(0, 13), Buffer.from([0x71, 0, 0])]), 'malformed'],
    ] as const) {
      const count = await rejections(reason);
      const { greeting } = await open({ proxyHeader: bytes });
      assert.equal(greeting.code, 0, reason);
      assert.equal((await rejections(reason)) - count, 1, reason);
    }
  });

  test('stop: not ready at once; a connection still waiting for its header is closed', async () => {
    const own = await startDeliveryListener({
      backend,
      settings: SETTINGS,
      log,
      host: '127.0.0.1',
      port: 0,
      proxy: { mode: 'v2', trustedNetworks: ['127.0.0.1/32'], headerTimeoutMs: 60_000 },
    });
    const waiting = LmtpClient.open(own.port);
    await new Promise((r) => setTimeout(r, 100));
    const stopping = own.stop(1000);
    assert.equal(own.ready(), false);
    assert.equal((await waiting).greeting.code, 0);
    await stopping;
  });
});
