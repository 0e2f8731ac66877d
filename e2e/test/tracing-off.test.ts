// Tracing off, as by default: the edge and the mailbox service serve
// LOGIN, SELECT, FETCH, APPEND and an IDLE push over Kafka with no SDK loaded,
// nothing registered with the OpenTelemetry API, node-postgres unpatched and
// no trace ids in the logs. Real PostgreSQL and Kafka.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createLogger, ensureTopic, KafkaPublisher, KafkaSubscriber, startTracing, tracing } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { GrpcBackend, startEdge, type EdgeSettings, type RunningEdge } from '@kimap/imap-edge';
import { addUser, startMailboxService, type RunningMailboxService } from '@kimap/mailbox';
import { appendSync, ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

const USER = 'untraced@example.test';
const PASSWORD = 'untraced-password';

const settings: EdgeSettings = {
  hostname: 'test',
  allowPlaintextAuth: true,
  tlsAvailable: false,
  pollIntervalMs: 600_000,
  idleKeepaliveMs: 600_000,
  limits: { maxLineLength: 8192, appendLimit: 1_000_000, maxBadCommands: 5, preAuthTimeoutMs: 60_000, autologoutMs: 60_000 },
};

const logLines: Array<Record<string, unknown>> = [];
const log = createLogger(
  'tracing-off-test',
  'info',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

describe('tracing off (no OTEL_TRACES_EXPORTER)', () => {
  let tdb: TestDatabase;
  let publisher: KafkaPublisher;
  let subscriber: KafkaSubscriber;
  let mailbox: RunningMailboxService;
  let backend: GrpcBackend;
  let edge: RunningEdge;
  const clients: ImapClient[] = [];

  before(async () => {
    delete process.env.OTEL_TRACES_EXPORTER;
    assert.equal(await startTracing('kimap-test', { log }), undefined, 'unset: not started');
    process.env.OTEL_TRACES_EXPORTER = 'none';
    assert.equal(await startTracing('kimap-test', { log }), undefined, 'none: not started');
    delete process.env.OTEL_TRACES_EXPORTER;

    tdb = await createTestDatabase();
    await addUser(tdb.db, USER, PASSWORD, { createTenant: true });
    const brokers = await kafkaBrokers();
    const topic = uniqueName('kimap-untraced');
    await ensureTopic({ brokers, topic, clientId: 'tracing-off-test' });
    publisher = new KafkaPublisher({ brokers, topic, clientId: 'tracing-off-mailbox' });
    mailbox = await startMailboxService({ db: tdb.db, publisher, address: '127.0.0.1:0', log });
    backend = new GrpcBackend(`127.0.0.1:${mailbox.port}`);
    subscriber = new KafkaSubscriber({ brokers, topic, clientId: 'tracing-off-edge', groupId: uniqueName('tracing-off') });
    edge = await startEdge({ backend, subscriber, settings, log, host: '127.0.0.1', imapPort: 0, feedWaitMs: 60_000 });
    assert.ok(edge.feedHealthy());
  });

  after(async () => {
    for (const c of clients) await c.close();
    await edge?.stop(1000);
    backend?.close();
    await mailbox?.stop();
    await publisher?.close();
    await subscriber?.close();
    await tdb?.drop();
  });

  async function loggedIn(): Promise<ImapClient> {
    const { client } = await ImapClient.connect(edge.imapPort!, { timeoutMs: 30_000 });
    clients.push(client);
    assert.match((await client.command('L', `LOGIN ${USER} ${PASSWORD}`, 30_000)).tagged, /^L OK/);
    return client;
  }

  test('commands and an IDLE push work as ever, and nothing of tracing is loaded or registered', async () => {
    const idler = await loggedIn();
    assert.match((await idler.command('S', 'SELECT INBOX')).tagged, /^S OK/);
    idler.send('I IDLE\r\n');
    assert.match((await idler.readLine()).text, /^\+ /);
    const writer = await loggedIn();
    assert.match((await appendSync(writer, 'A', 'INBOX', Buffer.from('Subject: x\r\n\r\nx\r\n'))).tagged, /^A OK/);
    assert.equal((await idler.readLine(20_000)).text, '* 1 EXISTS');
    idler.send('DONE\r\n');
    assert.match((await idler.readTagged('I', 10_000)).tagged, /^I OK/);
    assert.match((await idler.command('F', 'FETCH 1 (UID FLAGS ENVELOPE BODY.PEEK[])')).tagged, /^F OK/);

    assert.equal(tracing.on, false);
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    assert.deepEqual(
      loaded.filter((p) => /@opentelemetry\/(sdk-|instrumentation|exporter-)/.test(p)),
      [],
      'no part of the SDK, the instrumentations or the exporters is loaded',
    );
    const api = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for('opentelemetry.js.api.1')];
    assert.deepEqual(
      Object.keys(api ?? {}).filter((k) => k !== 'version'),
      [],
      'nothing registered with the API',
    );
    assert.equal((pg.Client.prototype.query as { __wrapped?: boolean }).__wrapped, undefined, 'node-postgres unpatched');
    assert.ok(logLines.some((l) => l.msg === 'logged in'));
    assert.ok(logLines.every((l) => l.trace_id === undefined && l.span_id === undefined));
    assert.ok(!logLines.some((l) => l.msg === 'tracing on'));
  });
});
