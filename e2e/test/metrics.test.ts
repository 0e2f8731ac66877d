// What the services export on /metrics after real traffic: a mailbox service,
// an IMAP edge and a delivery listener as processes, with PostgreSQL and
// Kafka. Logins that fail and succeed, a few commands, an IDLE woken by
// another session's APPEND, an APPEND over quota, LMTP deliveries; then every
// family is there with sensible values, and no label tells of a user, an
// address or a client's IP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureTopic } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { ImapClient } from '../../services/imap-edge/test/support/imap-client.js';
import { LmtpClient } from '../../services/delivery/src/testing/lmtp-client.js';
import { freePort, startService, tempDir, waitForMetric, type ServiceProcess } from '../src/cluster.js';

const DOMAIN = 'metrics.test';
const ALICE = `alice@${DOMAIN}`;
const FULL = `full@${DOMAIN}`;
const PASSWORD = 'metrics-password';
const MAX_LINE = 4096;

/** One sample of an exposition: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(p: ServiceProcess): Promise<Sample[]> {
  const text = await (await fetch(`http://127.0.0.1:${p.opsPort}/metrics`)).text();
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of a family's samples whose labels include `where`. */
function value(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const s of samples) {
    if (s.name !== name || !Object.entries(where).every(([k, v]) => s.labels[k] === v)) continue;
    sum += s.value;
    found = true;
  }
  assert.ok(found, `${name}${JSON.stringify(where)} is exported`);
  return sum;
}

const has = (samples: Sample[], name: string) => samples.some((s) => s.name === name);

describe('metrics of a running cluster', () => {
  let tdb: TestDatabase;
  const procs: ServiceProcess[] = [];
  const dir = tempDir('kimap-e2e-metrics-');
  const clients: ImapClient[] = [];
  let mailbox: ServiceProcess;
  let edge: ServiceProcess;
  let delivery: ServiceProcess;
  let imapPort = 0;
  let imapsPort = 0;
  let lmtpPort = 0;

  before(async () => {
    tdb = await createTestDatabase();
    await addUser(tdb.db, ALICE, PASSWORD, { createTenant: true });
    await addUser(tdb.db, FULL, PASSWORD, { quotaBytes: 1000 });
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-e2e-metrics');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'e2e-setup' });
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic };
    const grpcPort = await freePort();
    mailbox = await startService('mailbox', 'services/mailbox/src/main.ts', { ...common, GRPC_LISTEN: `127.0.0.1:${grpcPort}` });
    procs.push(mailbox);
    imapPort = await freePort();
    imapsPort = await freePort();
    edge = await startService('edge', 'services/imap-edge/src/main.ts', {
      ...common,
      MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
      KAFKA_GROUP_ID: uniqueName('e2e-metrics-edge'),
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(imapPort),
      IMAPS_PORT: String(imapsPort),
      IMAP_MAX_LINE_LENGTH: String(MAX_LINE),
      DATA_DIR: dir.path,
      IMAP_HOSTNAME: 'localhost',
      // No polling: only the change feed can wake the IDLE session.
      CHANGE_POLL_INTERVAL_MS: '600000',
    });
    procs.push(edge);
    await waitForMetric(edge, 'kimap_change_feed_up', (v) => v === 1);
    lmtpPort = await freePort();
    delivery = await startService('delivery', 'services/delivery/src/main.ts', {
      MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
      LMTP_HOST: '127.0.0.1',
      LMTP_PORT: String(lmtpPort),
      LMTP_HOSTNAME: 'lmtp.metrics.test',
    });
    procs.push(delivery);
  });

  after(async () => {
    for (const c of clients) await c.close();
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop();
    dir.remove();
  });

  async function connect(tls = true): Promise<ImapClient> {
    const { client } = await ImapClient.connect(tls ? imapsPort : imapPort, { tls, timeoutMs: 20_000 });
    clients.push(client);
    return client;
  }

  test('after traffic, every family is exported with sensible values and no label names a user or an address', async () => {
    // A failed and a successful LOGIN, a few commands, and bad input.
    const wrong = await connect();
    assert.match((await wrong.command('L', `LOGIN ${ALICE} wrong-password`, 20_000)).tagged, /^L NO \[AUTHENTICATIONFAILED\]/);
    const idler = await connect();
    assert.match((await idler.command('L', `LOGIN ${ALICE} ${PASSWORD}`, 20_000)).tagged, /^L OK /);
    assert.match((await idler.command('S', 'SELECT INBOX')).tagged, /^S OK /);
    assert.match((await idler.command('N', 'NOOP')).tagged, /^N OK /);
    assert.match((await idler.command('X', `XYZZY ${ALICE}`)).tagged, /^X BAD /);
    assert.match((await idler.command('Y', `SEARCH ${'x'.repeat(MAX_LINE)}`)).tagged, /^Y BAD \[TOOBIG\]/);

    // STARTTLS and AUTHENTICATE PLAIN on the plaintext listener: the session that appends.
    const writer = await connect(false);
    assert.match((await writer.command('T', 'STARTTLS')).tagged, /^T OK /);
    await writer.startTls();
    const plain = Buffer.from(`\0${ALICE}\0${PASSWORD}`).toString('base64');
    assert.match((await writer.command('A', `AUTHENTICATE PLAIN ${plain}`, 20_000)).tagged, /^A OK /);

    // An IDLE woken by the other session's APPEND.
    idler.send('I IDLE\r\n');
    assert.match((await idler.readLine()).text, /^\+ /);
    const during = await scrape(edge);
    assert.equal(value(during, 'kimap_imap_idle_sessions'), 1);
    assert.equal(value(during, 'kimap_connections_open', { listener: 'imap', tls: 'true' }), 1, 'the STARTTLS session');
    const message = `From: bob@example.net\r\nSubject: pushed\r\n\r\nHello.\r\n`;
    assert.match((await writer.command('P', `APPEND INBOX {${message.length}+}\r\n${message}`)).tagged, /^P OK /);
    assert.match((await idler.readLine(20_000)).text, /^\* 1 EXISTS$/);
    idler.send('DONE\r\n');
    assert.match((await idler.readTagged('I')).tagged, /^I OK /);

    // An APPEND over quota.
    const full = await connect();
    assert.match((await full.command('L', `LOGIN ${FULL} ${PASSWORD}`, 20_000)).tagged, /^L OK /);
    const big = `Subject: big\r\n\r\n${'z'.repeat(2000)}\r\n`;
    assert.match((await full.command('P', `APPEND INBOX {${big.length}+}\r\n${big}`)).tagged, /^P NO \[OVERQUOTA\]/);

    // LMTP: one delivered, one recipient over quota at RCPT.
    const { client: lmtp } = await LmtpClient.open(lmtpPort);
    const rcpt = await lmtp.envelope('bob@example.net', [ALICE, FULL], ' SIZE=5000');
    assert.deepEqual(
      rcpt.map((r) => r.code),
      [250, 452],
    );
    assert.deepEqual(
      (await lmtp.data(message, 1)).map((r) => r.code),
      [250],
    );
    await lmtp.quit();

    for (const c of [wrong, idler, writer, full]) await c.command('Z', 'LOGOUT');

    // The edge. Connections, bytes, logins, commands, IDLE, push latency, limits, quota, gRPC, Kafka.
    const e = await scrape(edge);
    assert.ok(value(e, 'kimap_connections_total', { listener: 'imaps', tls: 'true' }) >= 3);
    assert.ok(value(e, 'kimap_connections_total', { listener: 'imap', tls: 'false' }) >= 1);
    assert.ok(value(e, 'kimap_bytes_received_total', { protocol: 'imap' }) > MAX_LINE);
    assert.ok(value(e, 'kimap_bytes_sent_total', { protocol: 'imap' }) > 0);
    assert.equal(value(e, 'kimap_logins_total', { mechanism: 'login', result: 'bad_credentials' }), 1);
    assert.equal(value(e, 'kimap_logins_total', { mechanism: 'login', result: 'success' }), 2);
    assert.equal(value(e, 'kimap_logins_total', { mechanism: 'plain', result: 'success' }), 1);
    assert.equal(value(e, 'kimap_imap_command_duration_seconds_count', { command: 'NOOP', status: 'OK' }), 1);
    assert.equal(value(e, 'kimap_imap_command_duration_seconds_count', { command: 'OTHER', status: 'BAD' }), 1);
    assert.equal(value(e, 'kimap_imap_command_duration_seconds_count', { command: 'APPEND', status: 'NO' }), 1);
    assert.equal(value(e, 'kimap_imap_command_duration_seconds_count', { command: 'IDLE', status: 'OK' }), 1);
    const selects = value(e, 'kimap_imap_command_duration_seconds_count', { command: 'SELECT', status: 'OK' });
    assert.equal(value(e, 'kimap_imap_command_duration_seconds_bucket', { command: 'SELECT', status: 'OK', le: '+Inf' }), selects);
    assert.ok(value(e, 'kimap_imap_command_duration_seconds_sum', { command: 'SELECT', status: 'OK' }) > 0);
    assert.equal(value(e, 'kimap_imap_idle_sessions'), 0);
    assert.equal(value(e, 'kimap_change_push_latency_seconds_count'), 1);
    assert.ok(value(e, 'kimap_change_push_latency_seconds_sum') < 10, 'pushed within seconds of the commit');
    assert.equal(value(e, 'kimap_imap_bad_commands_total', { kind: 'unknown' }), 1);
    assert.equal(value(e, 'kimap_imap_bad_commands_total', { kind: 'limit' }), 1);
    assert.equal(value(e, 'kimap_limit_hits_total', { kind: 'line_too_long' }), 1);
    assert.equal(value(e, 'kimap_quota_refusals_total', { protocol: 'imap' }), 1);
    assert.equal(value(e, 'kimap_grpc_client_duration_seconds_count', { method: 'Authenticate', code: 'UNAUTHENTICATED' }), 1);
    assert.equal(value(e, 'kimap_grpc_client_duration_seconds_count', { method: 'Authenticate', code: 'OK' }), 3);
    assert.equal(value(e, 'kimap_grpc_client_duration_seconds_count', { method: 'Append', code: 'RESOURCE_EXHAUSTED' }), 1);
    assert.ok(value(e, 'kimap_kafka_consumed_messages_total') >= 1);
    assert.ok(e.some((s) => s.name === 'kimap_kafka_consumer_lag' && s.labels.partition !== undefined && s.value >= 0));
    assert.equal(value(e, 'kimap_change_feed_up'), 1);
    assert.ok(value(e, 'process_cpu_seconds_total') > 0);
    assert.ok(value(e, 'nodejs_heap_size_used_bytes') > 0);

    // The mailbox service. gRPC by inner method, SQL, pool, outbox, Kafka. The relay
    // publishes after the commit, so a loaded machine may scrape before it has.
    await waitForMetric(mailbox, 'kimap_outbox_events_published_total', (v) => v >= 2, 20_000);
    await waitForMetric(mailbox, 'kimap_kafka_produced_messages_total', (v) => v >= 2, 20_000);
    const m = await scrape(mailbox);
    assert.ok(value(m, 'kimap_grpc_server_duration_seconds_count', { method: 'Authenticate', code: 'OK' }) >= 3);
    assert.equal(value(m, 'kimap_grpc_server_duration_seconds_count', { method: 'Authenticate', code: 'UNAUTHENTICATED' }), 1);
    assert.equal(value(m, 'kimap_grpc_server_duration_seconds_count', { method: 'Deliver', code: 'OK' }), 1);
    assert.equal(value(m, 'kimap_grpc_server_duration_seconds_count', { method: 'CheckRecipient', code: 'OK' }), 2);
    assert.ok(!m.some((s) => s.labels.method === 'Multiplex'), 'the stream itself is not timed, the calls on it are');
    assert.ok(value(m, 'kimap_pg_query_duration_seconds_count', { statement: 'kimap_append' }) >= 2);
    assert.ok(value(m, 'kimap_pg_query_duration_seconds_count', { statement: 'select' }) > 0);
    assert.ok(value(m, 'kimap_pg_query_duration_seconds_count', { statement: 'commit' }) > 0);
    assert.ok(value(m, 'kimap_pg_pool_connections') >= 1);
    assert.ok(value(m, 'kimap_pg_pool_idle_connections') >= 0);
    assert.equal(value(m, 'kimap_pg_pool_waiting_clients'), 0);
    assert.equal(value(m, 'kimap_pg_pool_max_connections'), 20);
    assert.ok(value(m, 'kimap_outbox_unsent_events') >= 0);
    assert.ok(value(m, 'kimap_outbox_oldest_unsent_age_seconds') >= 0);
    assert.ok(value(m, 'kimap_outbox_events_published_total') >= 2);
    assert.ok(value(m, 'kimap_kafka_produced_messages_total') >= 2);
    assert.equal(value(m, 'kimap_kafka_produce_errors_total'), 0);
    assert.ok(value(m, 'kimap_login_failures_total', { reason: 'password' }) >= 1);

    // The delivery listener, once the connection's close is counted.
    let d = await scrape(delivery);
    for (let i = 0; i < 50 && value(d, 'kimap_connections_open', { listener: 'lmtp' }) > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = await scrape(delivery);
    }
    assert.equal(value(d, 'kimap_connections_total', { listener: 'lmtp', tls: 'false' }), 1);
    assert.equal(value(d, 'kimap_connections_open', { listener: 'lmtp' }), 0);
    assert.ok(value(d, 'kimap_bytes_received_total', { protocol: 'lmtp' }) > message.length);
    assert.ok(value(d, 'kimap_bytes_sent_total', { protocol: 'lmtp' }) > 0);
    assert.equal(value(d, 'kimap_lmtp_recipients_total', { stage: 'data', result: 'delivered' }), 1);
    assert.equal(value(d, 'kimap_lmtp_recipients_total', { stage: 'rcpt', result: 'over_quota' }), 1);
    assert.equal(value(d, 'kimap_lmtp_deliver_seconds_count'), 1);
    assert.equal(value(d, 'kimap_quota_refusals_total', { protocol: 'lmtp' }), 1);
    assert.equal(value(d, 'kimap_grpc_client_duration_seconds_count', { method: 'Deliver', code: 'OK' }), 1);
    assert.equal(value(d, 'kimap_grpc_client_duration_seconds_count', { method: 'CheckRecipient', code: 'OK' }), 2);

    for (const [proc, samples] of [
      [edge, e],
      [mailbox, m],
      [delivery, d],
    ] as const) {
      for (const s of samples) {
        // prom-client's event loop lag statistics are NaN when no lag was sampled since
        // the previous scrape (scrapes a few hundred milliseconds apart, as above).
        if (s.name.startsWith('nodejs_eventloop_lag_') && Number.isNaN(s.value)) continue;
        assert.ok(Number.isFinite(s.value), `${proc.name}: ${s.name} is a number`);
        for (const v of Object.values(s.labels)) {
          assert.ok(!v.includes(DOMAIN) && !v.includes('alice') && !v.includes('127.0.0.1'), `${proc.name}: ${s.name} has a label ${v}`);
        }
      }
      assert.ok(!samples.some((s) => s.name.startsWith('kimap_') && s.value < 0), `${proc.name}: no negative kimap_ value`);
      assert.ok(has(samples, 'process_resident_memory_bytes'), `${proc.name}: Node's process metrics`);
    }
  });
});
