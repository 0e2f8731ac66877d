// Tracing as deployed: the mailbox service and an edge as processes of their
// own, configured only by OTEL_* variables, export OTLP (http/json) to a small
// collector of the test's own. Their spans form one trace across the process
// boundary (and across Kafka, by a link); an edge without
// OTEL_TRACES_EXPORTER sends nothing, though it is told the endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { ensureTopic } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { freePort, startService, tempDir, waitForMetric, type ServiceProcess } from '../src/cluster.js';
import { appendSync, ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

const USER = 'otlp@example.test';
const PASSWORD = 'otlp-password';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: OtlpValue }>;
  links?: Array<{ traceId: string; spanId: string }>;
}
interface Exported extends OtlpSpan {
  service: string;
}
interface OtlpRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

const SERVER = 2;
const CLIENT = 3;

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue ?? v?.boolValue;
};

describe('tracing between processes: OTLP from the edge and the mailbox service', () => {
  let tdb: TestDatabase;
  let collector: Server;
  const spans: Exported[] = [];
  const procs: ServiceProcess[] = [];
  const edges: Record<'traced' | 'untraced', { proc: ServiceProcess; port: number }> = {} as never;
  const dir = tempDir('kimap-otlp-');
  const clients: ImapClient[] = [];

  before(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpRequest;
          for (const rs of body.resourceSpans ?? []) {
            const service = String(rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue);
            for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, service });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    const collectorPort = await freePort();
    await new Promise<void>((resolve) => collector.listen(collectorPort, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${collectorPort}`;

    tdb = await createTestDatabase();
    await addUser(tdb.db, USER, PASSWORD, { createTenant: true });
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-otlp');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'otlp-setup' });
    const otlp = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic, LOG_LEVEL: 'info' };
    const mailboxPort = await freePort();
    procs.push(
      await startService('mailbox', 'services/mailbox/src/main.ts', {
        ...common,
        ...otlp,
        OTEL_SERVICE_NAME: 'otlp-mailbox',
        GRPC_LISTEN: `127.0.0.1:${mailboxPort}`,
      }),
    );
    for (const kind of ['traced', 'untraced'] as const) {
      const port = await freePort();
      const env: Record<string, string> = {
        ...common,
        // Untraced: told the endpoint, but no exporter (empty as unset, whatever this process's environment says).
        ...(kind === 'traced' ? otlp : { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_EXPORTER: '' }),
        OTEL_SERVICE_NAME: `otlp-edge-${kind}`,
        MAILBOX_ADDRESS: `127.0.0.1:${mailboxPort}`,
        KAFKA_GROUP_ID: uniqueName(`otlp-${kind}`),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(port),
        IMAPS_PORT: String(await freePort()),
        DATA_DIR: dir.path,
        ALLOW_PLAINTEXT_AUTH: 'true',
      };
      const proc = await startService(`edge-${kind}`, 'services/imap-edge/src/main.ts', env);
      procs.push(proc);
      await waitForMetric(proc, 'kimap_change_feed_up', (v) => v === 1);
      edges[kind] = { proc, port };
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop();
    await new Promise<void>((resolve) => collector?.close(() => resolve()));
    dir.remove();
  });

  async function loggedIn(kind: 'traced' | 'untraced'): Promise<ImapClient> {
    const { client } = await ImapClient.connect(edges[kind].port, { timeoutMs: 30_000 });
    clients.push(client);
    assert.match((await client.command('L', `LOGIN ${USER} ${PASSWORD}`, 30_000)).tagged, /^L OK/);
    return client;
  }

  async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} among ${spans.length} exported spans`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const child = (parent: OtlpSpan, name: string, kind: number, service: string) =>
    waitFor(`${name} under ${parent.name}`, () =>
      spans.find(
        (s) =>
          s.parentSpanId === parent.spanId && s.traceId === parent.traceId && s.name === name && s.kind === kind && s.service === service,
      ),
    );

  test('LOGIN, SELECT and FETCH: edge spans, and the mailbox process spans under them with their SQL', async () => {
    const c = await loggedIn('traced');
    assert.match((await c.command('S', 'SELECT INBOX')).tagged, /^S OK/);
    assert.match((await appendSync(c, 'A', 'INBOX', Buffer.from('Subject: hello\r\n\r\nhello\r\n'))).tagged, /^A OK/);
    assert.match((await c.command('F', 'FETCH 1:* (UID FLAGS)')).tagged, /^F OK/);
    for (const [command, method] of [
      ['LOGIN', 'Authenticate'],
      ['SELECT', 'Select'],
      ['FETCH', 'Fetch'],
    ] as const) {
      const cmd = await waitFor(`imap ${command}`, () =>
        spans.find((s) => s.name === `imap ${command}` && s.service === 'otlp-edge-traced'),
      );
      assert.equal(cmd.parentSpanId || undefined, undefined);
      assert.equal(attr(cmd, 'imap.status'), 'OK');
      const name = `mail.v1.MailboxService/${method}`;
      const client = await child(cmd, name, CLIENT, 'otlp-edge-traced');
      const server = await child(client, name, SERVER, 'otlp-mailbox');
      await waitFor(`SQL under ${name}`, () => spans.find((s) => s.parentSpanId === server.spanId && s.name.startsWith('pg.query')));
    }
  });

  test("an APPEND's change event, through Kafka, is linked from the IDLE refresh it causes", async () => {
    const idler = await loggedIn('traced');
    const exists = Number(/\* (\d+) EXISTS/.exec((await idler.command('S', 'SELECT INBOX')).untagged.join('\n'))?.[1]);
    idler.send('I IDLE\r\n');
    assert.match((await idler.readLine()).text, /^\+ /);
    const writer = await loggedIn('traced');
    const before = new Set(spans.filter((s) => s.name === 'imap APPEND').map((s) => s.spanId));
    assert.match((await appendSync(writer, 'A', 'INBOX', Buffer.from('Subject: again\r\n\r\nagain\r\n'))).tagged, /^A OK/);
    assert.equal((await idler.readLine(20_000)).text, `* ${exists + 1} EXISTS`);
    const append = await waitFor('the new imap APPEND', () => spans.find((s) => s.name === 'imap APPEND' && !before.has(s.spanId)));
    await waitFor('a refresh linked to the APPEND', () =>
      spans.find((s) => s.name === 'imap IDLE refresh' && s.links?.some((l) => l.traceId === append.traceId)),
    );
    idler.send('DONE\r\n');
    await idler.readTagged('I', 10_000);
  });

  test('the edge without OTEL_TRACES_EXPORTER exports nothing, and says nothing of tracing', async () => {
    const c = await loggedIn('untraced');
    assert.match((await c.command('S', 'SELECT INBOX')).tagged, /^S OK/);
    // The mailbox service traces its side of these calls (as roots: no context came with them).
    const select = await waitFor('the mailbox side of an untraced SELECT', () =>
      spans.find((s) => s.name === 'mail.v1.MailboxService/Select' && s.service === 'otlp-mailbox' && !s.parentSpanId),
    );
    assert.ok(select);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      spans.filter((s) => s.service === 'otlp-edge-untraced'),
      [],
    );
    assert.ok(edges.traced.proc.output.join('').includes('"msg":"tracing on"'));
    assert.ok(!edges.untraced.proc.output.join('').includes('tracing on'));
  });
});
