// Tracing through the whole path, in one process with the spans kept in
// memory: IMAP commands on two edges (one calling the mailbox service over the
// Multiplex stream, one with a gRPC call each), the mailbox service's server
// spans and their SQL, an APPEND's change event through the outbox and Kafka
// to the IDLE session it wakes, and an LMTP delivery. Real PostgreSQL and Kafka.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { createLogger, ensureTopic, KafkaPublisher, KafkaSubscriber, SpanKind, tracing } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { traceToMemory, type ReadableSpan, type TestTracing } from '@kimap/common/testing/tracing';
import { GrpcBackend, startEdge, type EdgeSettings, type RunningEdge } from '@kimap/imap-edge';
import { addUser, startMailboxService, type RunningMailboxService } from '@kimap/mailbox';
import { GrpcDeliveryBackend, startDeliveryListener, type RunningDeliveryListener } from '../../services/delivery/src/index.js';
import { LmtpClient } from '../../services/delivery/src/testing/lmtp-client.js';
import { appendSync, ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

// What no span may show: each is unique to this run.
const LOCAL = `tracer-${randomBytes(4).toString('hex')}`;
const USER = `${LOCAL}@example.test`;
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const SUBJECT = `subject-${randomBytes(6).toString('hex')}`;
const BODY = `body-${randomBytes(6).toString('hex')}`;
const message = (n: number) => Buffer.from(`From: someone@example.test\r\nSubject: ${SUBJECT} ${n}\r\n\r\n${BODY} ${n}\r\n`);

const settings: EdgeSettings = {
  hostname: 'test',
  allowPlaintextAuth: true,
  tlsAvailable: false,
  pollIntervalMs: 600_000,
  idleKeepaliveMs: 600_000,
  limits: { maxLineLength: 8192, appendLimit: 1_000_000, maxBadCommands: 5, preAuthTimeoutMs: 60_000, autologoutMs: 60_000 },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** JSON log lines written by the services under test. */
const logLines: Array<Record<string, unknown>> = [];
const log = createLogger(
  'tracing-test',
  'info',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

describe('tracing: edge, mailbox service, LMTP, PostgreSQL and Kafka', () => {
  let traces: TestTracing;
  let tdb: TestDatabase;
  let publisher: KafkaPublisher;
  let mailbox: RunningMailboxService;
  const subscribers: KafkaSubscriber[] = [];
  const backends: GrpcBackend[] = [];
  const edges: { mux?: RunningEdge; plain?: RunningEdge } = {};
  let delivery: RunningDeliveryListener;
  let deliveryBackend: GrpcDeliveryBackend;
  const clients: ImapClient[] = [];

  before(async () => {
    traces = await traceToMemory('kimap-test');
    tdb = await createTestDatabase();
    await addUser(tdb.db, USER, PASSWORD, { createTenant: true });
    const brokers = await kafkaBrokers();
    const topic = uniqueName('kimap-tracing');
    await ensureTopic({ brokers, topic, clientId: 'tracing-test' });
    publisher = new KafkaPublisher({ brokers, topic, clientId: 'tracing-test-mailbox' });
    mailbox = await startMailboxService({ db: tdb.db, publisher, address: '127.0.0.1:0', log });
    const address = `127.0.0.1:${mailbox.port}`;
    for (const kind of ['mux', 'plain'] as const) {
      const backend = new GrpcBackend(address, 30_000, kind === 'mux');
      backends.push(backend);
      const subscriber = new KafkaSubscriber({ brokers, topic, clientId: `tracing-test-${kind}`, groupId: uniqueName(`tracing-${kind}`) });
      subscribers.push(subscriber);
      edges[kind] = await startEdge({ backend, subscriber, settings, log, host: '127.0.0.1', imapPort: 0, feedWaitMs: 60_000 });
      assert.ok(edges[kind].feedHealthy(), `the ${kind} edge hears the change feed`);
    }
    deliveryBackend = new GrpcDeliveryBackend(address);
    delivery = await startDeliveryListener({
      backend: deliveryBackend,
      settings: {
        hostname: 'test',
        maxMessageSize: 1_000_000,
        maxRecipients: 10,
        maxConnections: 10,
        socketTimeoutMs: 60_000,
        mailboxDeadlineMs: 30_000,
        quotaPermanent: false,
      },
      log,
      host: '127.0.0.1',
      port: 0,
    });
  });

  after(async () => {
    for (const c of clients) await c.close();
    await delivery?.stop(1000);
    deliveryBackend?.close();
    for (const e of [edges.mux, edges.plain]) await e?.stop(1000);
    for (const b of backends) b.close();
    await mailbox?.stop();
    await publisher?.close();
    for (const s of subscribers) await s.close();
    await tdb?.drop();
    await traces?.stop();
  });

  async function session(kind: 'mux' | 'plain'): Promise<ImapClient> {
    const { client } = await ImapClient.connect(edges[kind]!.imapPort!, { timeoutMs: 30_000 });
    clients.push(client);
    return client;
  }

  async function loggedIn(kind: 'mux' | 'plain'): Promise<ImapClient> {
    const c = await session(kind);
    const r = await c.command('L', `LOGIN ${USER} ${PASSWORD}`, 30_000);
    assert.match(r.tagged, /^L OK/);
    return c;
  }

  /** Waits until `find` finds something among the ended spans (bounded). */
  async function waitFor<T>(what: string, find: (spans: ReadableSpan[]) => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find(traces.spans());
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`no ${what} among ${traces.spans().length} spans: ${[...new Set(traces.spans().map((s) => s.name))].join(', ')}`);
      }
      await sleep(50);
    }
  }

  const childrenOf = (parent: ReadableSpan, spans = traces.spans()) =>
    spans.filter(
      (s) => s.parentSpanContext?.spanId === parent.spanContext().spanId && s.spanContext().traceId === parent.spanContext().traceId,
    );

  /** The span of a session's command, once ended. */
  const commandSpan = (sessionId: string, command: string) =>
    waitFor(`imap ${command} span of session ${sessionId}`, (spans) =>
      spans.find((s) => s.name === `imap ${command}` && s.attributes['imap.session_id'] === sessionId),
    );

  /** The session id of the edge's latest session that logged in (from the 'logged in' log line). */
  const lastSessionId = (): string => {
    const line = logLines.filter((l) => l.msg === 'logged in').at(-1);
    assert.ok(line, 'a logged in line');
    return line.session as string;
  };

  /**
   * Asserts that a command's span calls `method` of the mailbox service: a
   * client span under the command, a server span in the mailbox service
   * under the client span (its parent taken from the call's metadata), and
   * SQL under the server span. Returns the server span.
   */
  async function assertCallTree(cmd: ReadableSpan, method: string, multiplexed: boolean, sql = true): Promise<ReadableSpan> {
    const name = `mail.v1.MailboxService/${method}`;
    const client = await waitFor(`${name} client span`, (spans) =>
      childrenOf(cmd, spans).find((s) => s.name === name && s.kind === SpanKind.CLIENT),
    );
    assert.equal(client.attributes['kimap.rpc.multiplexed'], multiplexed, `${name}: multiplexed`);
    assert.equal(client.attributes['rpc.grpc.status_code'], 0);
    const server = await waitFor(`${name} server span`, (spans) =>
      childrenOf(client, spans).find((s) => s.name === name && s.kind === SpanKind.SERVER),
    );
    assert.equal(server.parentSpanContext?.isRemote, true, `${name}: the server span's parent came with the call`);
    assert.equal(server.attributes['rpc.method'], method);
    if (sql) {
      const statements = childrenOf(server).filter((s) => s.name.startsWith('pg.'));
      assert.ok(
        statements.some((s) => s.name.startsWith('pg.query') && typeof s.attributes['db.statement'] === 'string'),
        `${name}: SQL spans under the server span (found: ${statements.map((s) => s.name).join(', ')})`,
      );
    }
    return server;
  }

  test('the SDK is loaded and started only because tracing was asked for', () => {
    assert.equal(tracing.on, true);
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    assert.ok(loaded.some((p) => p.includes('@opentelemetry/sdk-node')));
  });

  for (const kind of ['mux', 'plain'] as const) {
    const over = kind === 'mux' ? 'over the Multiplex stream' : 'with a gRPC call each';
    test(`LOGIN, SELECT and FETCH ${over}: edge spans, mailbox service spans under them, SQL under those`, async () => {
      const seed = await loggedIn(kind);
      await appendSync(seed, 'A', 'INBOX', message(1));
      await seed.command('Z', 'LOGOUT');

      const c = await loggedIn(kind);
      const sessionId = lastSessionId();
      assert.match((await c.command('S', 'SELECT INBOX')).tagged, /^S OK/);
      assert.match((await c.command('F', 'FETCH 1:* (UID FLAGS ENVELOPE)')).tagged, /^F OK/);

      const login = await commandSpan(sessionId, 'LOGIN');
      assert.equal(login.kind, SpanKind.SERVER);
      assert.equal(login.parentSpanContext, undefined, 'a command is the root of its trace');
      assert.equal(login.attributes['imap.command'], 'LOGIN');
      assert.equal(login.attributes['imap.status'], 'OK');
      await assertCallTree(login, 'Authenticate', kind === 'mux');

      const select = await commandSpan(sessionId, 'SELECT');
      assert.equal(select.attributes['imap.status'], 'OK');
      assert.equal(typeof select.attributes['imap.mailbox_id'], 'number');
      await assertCallTree(select, 'Select', kind === 'mux');

      const fetch = await commandSpan(sessionId, 'FETCH');
      assert.equal(fetch.attributes['imap.mailbox_id'], select.attributes['imap.mailbox_id']);
      await assertCallTree(fetch, 'Fetch', kind === 'mux');
    });
  }

  test('a refused command and an unknown one: status NO and BAD, the name OTHER for what no command has', async () => {
    const c = await loggedIn('mux');
    const sessionId = lastSessionId();
    assert.match((await c.command('N', 'SELECT no-such-mailbox')).tagged, /^N NO/);
    assert.match((await c.command('B', `${PASSWORD} ${LOCAL}`)).tagged, /^B BAD/);
    assert.equal((await commandSpan(sessionId, 'SELECT')).attributes['imap.status'], 'NO');
    const other = await commandSpan(sessionId, 'OTHER');
    assert.equal(other.attributes['imap.status'], 'BAD');
    assert.equal(other.attributes['imap.command'], 'OTHER');
  });

  test("an APPEND's change event wakes an IDLE session on the other edge, whose refresh span links to the APPEND's trace", async () => {
    const idler = await loggedIn('plain');
    const idleSession = lastSessionId();
    const exists = Number(/\* (\d+) EXISTS/.exec((await idler.command('S', 'SELECT INBOX')).untagged.join('\n'))?.[1]);
    idler.send('I IDLE\r\n');
    assert.match((await idler.readLine()).text, /^\+ /);

    const writer = await loggedIn('mux');
    const writerSession = lastSessionId();
    assert.match((await appendSync(writer, 'A', 'INBOX', message(2))).tagged, /^A OK/);
    assert.equal((await idler.readLine(20_000)).text, `* ${exists + 1} EXISTS`);

    const append = await commandSpan(writerSession, 'APPEND');
    const appendServer = await assertCallTree(append, 'Append', true);
    const refresh = await waitFor('imap IDLE refresh span', (spans) =>
      spans.find((s) => s.name === 'imap IDLE refresh' && s.attributes['imap.session_id'] === idleSession),
    );
    assert.equal(refresh.parentSpanContext, undefined, 'a refresh is a trace of its own');
    assert.notEqual(refresh.spanContext().traceId, append.spanContext().traceId);
    const link = refresh.links.find((l) => l.context.traceId === append.spanContext().traceId);
    assert.ok(link, "the refresh links to the APPEND's trace");
    assert.equal(link.context.spanId, appendServer.spanContext().spanId, 'to the call that committed the change');
    await assertCallTree(refresh, 'GetChanges', false);

    idler.send('DONE\r\n');
    assert.match((await idler.readTagged('I', 10_000)).tagged, /^I OK/);
    const idle = await commandSpan(idleSession, 'IDLE');
    assert.equal(idle.attributes['imap.status'], 'OK');
  });

  test('an LMTP delivery: RCPT and DATA spans, the Deliver call under DATA, and the IDLE session it wakes links to it', async () => {
    const idler = await loggedIn('mux');
    const idleSession = lastSessionId();
    const exists = Number(/\* (\d+) EXISTS/.exec((await idler.command('S', 'SELECT INBOX')).untagged.join('\n'))?.[1]);
    idler.send('I IDLE\r\n');
    assert.match((await idler.readLine()).text, /^\+ /);

    const { client: lmtp } = await LmtpClient.open(delivery.port);
    const rcpt = await lmtp.envelope('sender@example.net', [USER]);
    assert.equal(rcpt[0]?.code, 250);
    const replies = await lmtp.data(message(3), 1);
    assert.equal(replies[0]?.code, 250);
    await lmtp.quit();
    assert.equal((await idler.readLine(20_000)).text, `* ${exists + 1} EXISTS`);

    const check = await waitFor('lmtp RCPT span', (spans) => spans.find((s) => s.name === 'lmtp RCPT'));
    assert.equal(check.attributes['lmtp.result'], 'DELIVERY_STATUS_OK');
    await assertCallTree(check, 'CheckRecipient', true);
    const data = await waitFor('lmtp DATA span', (spans) => spans.find((s) => s.name === 'lmtp DATA'));
    assert.equal(data.attributes['lmtp.recipients'], 1);
    assert.equal(data.attributes['lmtp.delivered'], 1);
    const deliver = await assertCallTree(data, 'Deliver', true);
    const refresh = await waitFor('imap IDLE refresh span', (spans) =>
      spans.find((s) => s.name === 'imap IDLE refresh' && s.attributes['imap.session_id'] === idleSession),
    );
    assert.ok(refresh.links.some((l) => l.context.spanId === deliver.spanContext().spanId));
    idler.send('DONE\r\n');
    await idler.readTagged('I', 10_000);
  });

  test('log lines carry the trace and span of the command they were written in, and the session', async () => {
    await loggedIn('plain');
    const line = logLines.filter((l) => l.msg === 'logged in').at(-1)!;
    const login = await commandSpan(line.session as string, 'LOGIN');
    assert.equal(line.trace_id, login.spanContext().traceId);
    assert.equal(line.span_id, login.spanContext().spanId);
    // Lines outside any span (start-up) carry none.
    assert.ok(logLines.some((l) => l.msg === 'IMAP edge listening' && l.trace_id === undefined));
  });

  test('no span shows the password, the user name or the text of a message', () => {
    const spans = traces.spans();
    assert.ok(spans.length > 50, `${spans.length} spans`);
    const secrets = [PASSWORD, LOCAL, SUBJECT, BODY];
    for (const s of spans) {
      const shown = JSON.stringify({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        links: s.links,
        resource: s.resource.attributes,
      });
      for (const secret of secrets) assert.ok(!shown.includes(secret), `span ${s.name} shows ${secret}: ${shown}`);
    }
  });
});
