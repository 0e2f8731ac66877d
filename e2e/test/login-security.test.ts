// Login security across the cluster: two mailbox services and two IMAP edges
// as processes, PostgreSQL and Kafka. The failure counts, the connection
// limits and a disabled account hold on every edge; a dead edge's sessions
// stop counting. Clients take addresses of their own in 127.0.0.0/8.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ensureTopic } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, countSessions, setAccountDisabled } from '@kimap/mailbox';
import { ImapClient } from '../../services/imap-edge/test/support/imap-client.js';
import { freePort, startService, tempDir, waitForMetric, type ServiceProcess } from '../src/cluster.js';

const PASSWORD = 'owner-password';
const DELAY_MS = 200;
const MAX_DELAY_MS = 400;
const LOCK_AT = 4;
const HEARTBEAT_MS = 300;

interface Edge {
  proc: ServiceProcess;
  imapsPort: number;
}

describe('cluster: login security holds on every edge', () => {
  let tdb: TestDatabase;
  const procs: ServiceProcess[] = [];
  const edges: Edge[] = [];
  const dir = tempDir('kimap-e2e-login-');
  const clients: ImapClient[] = [];

  before(async () => {
    tdb = await createTestDatabase();
    await addUser(tdb.db, `setup@example.test`, PASSWORD, { createTenant: true });
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-e2e-login');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'e2e-setup' });
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic };
    const mailboxPorts = [await freePort(), await freePort()];
    for (const [i, port] of mailboxPorts.entries()) {
      procs.push(
        await startService(`mailbox-${i}`, 'services/mailbox/src/main.ts', {
          ...common,
          GRPC_LISTEN: `127.0.0.1:${port}`,
          OUTBOX_POLL_MS: '200',
          LOGIN_THROTTLE_DELAY_MS: String(DELAY_MS),
          LOGIN_THROTTLE_MAX_DELAY_MS: String(MAX_DELAY_MS),
          LOGIN_THROTTLE_LOCK_FAILURES: String(LOCK_AT),
        }),
      );
    }
    for (const [i, port] of mailboxPorts.entries()) {
      const imapsPort = await freePort();
      const proc = await startService(`edge-${i}`, 'services/imap-edge/src/main.ts', {
        ...common,
        MAILBOX_ADDRESS: `127.0.0.1:${port}`,
        KAFKA_GROUP_ID: uniqueName(`e2e-login-edge-${i}`),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(await freePort()),
        IMAPS_PORT: String(imapsPort),
        DATA_DIR: dir.path,
        IMAP_HOSTNAME: 'localhost',
        IMAP_MAX_ACCOUNT_CONNECTIONS: '3',
        IMAP_MAX_ACCOUNT_IP_CONNECTIONS: '2',
        IMAP_SESSION_HEARTBEAT_MS: String(HEARTBEAT_MS),
      });
      procs.push(proc);
      await waitForMetric(proc, 'kimap_change_feed_up', (v) => v === 1);
      edges.push({ proc, imapsPort });
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop();
    dir.remove();
  });

  async function connect(edge: Edge, from: string): Promise<ImapClient> {
    const { client } = await ImapClient.connect(edge.imapsPort, { tls: true, localAddress: from, timeoutMs: 20_000 });
    clients.push(client);
    return client;
  }

  async function login(edge: Edge, from: string, user: string, password: string): Promise<{ c: ImapClient; tagged: string; ms: number }> {
    const c = await connect(edge, from);
    const started = performance.now();
    const r = await c.command('L', `LOGIN "${user}" "${password}"`, 20_000);
    return { c, tagged: r.tagged, ms: performance.now() - started };
  }

  async function freshUser(): Promise<{ user: string; accountId: number }> {
    const user = `${uniqueName('u')}@example.test`;
    return { user, accountId: (await addUser(tdb.db, user, PASSWORD)).accountId };
  }

  test('a guessing loop is slowed and refused on both edges, while another address logs in at once', async () => {
    const [a, b] = edges as [Edge, Edge];
    const { user } = await freshUser();
    const from = '127.0.0.2';
    // Two failures through edge A, then edge B goes on where A left off.
    assert.match((await login(a, from, user, 'wrong-1')).tagged, /^L NO \[AUTHENTICATIONFAILED\]/);
    assert.match((await login(a, from, user, 'wrong-2')).tagged, /^L NO \[AUTHENTICATIONFAILED\]/);
    const third = await login(b, from, user, 'wrong-3');
    assert.match(third.tagged, /^L NO \[AUTHENTICATIONFAILED\]/);
    assert.ok(third.ms >= DELAY_MS * 0.9, `the third try waited ${third.ms} ms`);
    const fourth = await login(a, from, user, 'wrong-4');
    assert.match(fourth.tagged, /^L NO \[AUTHENTICATIONFAILED\]/);
    assert.ok(fourth.ms >= MAX_DELAY_MS * 0.9, `the fourth try waited ${fourth.ms} ms`);
    // Locked everywhere, the right password too.
    assert.match((await login(b, from, user, 'wrong-5')).tagged, /^L NO \[UNAVAILABLE\]/);
    assert.match((await login(a, from, user, PASSWORD)).tagged, /^L NO \[UNAVAILABLE\]/);
    assert.match((await login(b, from, user, PASSWORD)).tagged, /^L NO \[UNAVAILABLE\]/);
    // Another address, on either edge: in.
    assert.match((await login(b, '127.0.0.3', user, PASSWORD)).tagged, /^L OK /);
    assert.match((await login(a, '127.0.0.3', user, PASSWORD)).tagged, /^L OK /);
    let refused = 0;
    for (const p of procs.filter((p) => p.name.startsWith('mailbox'))) {
      const text = await (await fetch(`http://127.0.0.1:${p.opsPort}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('kimap_login_throttled_total{') && l.includes('action="refused"'));
      refused += line ? Number(line.split(' ').pop()) : 0;
    }
    assert.equal(refused, 3, 'refused by the mailbox services of both edges');
  });

  test('connection limits count the sessions of every edge', async () => {
    const [a, b] = edges as [Edge, Edge];
    const { user, accountId } = await freshUser();
    assert.match((await login(a, '127.0.0.4', user, PASSWORD)).tagged, /^L OK /);
    const onB = await login(b, '127.0.0.4', user, PASSWORD);
    assert.match(onB.tagged, /^L OK /);
    assert.match((await login(a, '127.0.0.4', user, PASSWORD)).tagged, /^L NO \[LIMIT\] /, 'two from this address already');
    assert.match((await login(b, '127.0.0.5', user, PASSWORD)).tagged, /^L OK /);
    assert.match((await login(a, '127.0.0.6', user, PASSWORD)).tagged, /^L NO \[LIMIT\] /, 'three for the account already');
    assert.equal(await countSessions(tdb.db, accountId), 3);
    await onB.c.command('o', 'LOGOUT');
    await waitFor(async () => (await countSessions(tdb.db, accountId)) === 2);
    assert.match((await login(a, '127.0.0.6', user, PASSWORD)).tagged, /^L OK /);
  });

  test("a disabled account's sessions get BYE on every edge, in IDLE too, and its logins fail", async () => {
    const [a, b] = edges as [Edge, Edge];
    const { user, accountId } = await freshUser();
    const idling = (await login(a, '127.0.0.7', user, PASSWORD)).c;
    assert.match((await idling.command('s', 'SELECT INBOX')).tagged, /^s OK /);
    idling.send('i IDLE\r\n');
    assert.equal((await idling.readLine()).text, '+ idling');
    const waiting = (await login(b, '127.0.0.7', user, PASSWORD)).c;

    // As `imapctl user disable` does: the flag and its event, from another process.
    await setAccountDisabled(tdb.db, accountId, true);
    assert.equal((await idling.readLine(15_000)).text, '* BYE Account disabled');
    assert.equal((await waiting.readLine(15_000)).text, '* BYE Account disabled');
    assert.ok(await idling.waitClosed(3000));
    assert.ok(await waiting.waitClosed(3000));
    assert.match((await login(b, '127.0.0.8', user, PASSWORD)).tagged, /^L NO \[AUTHENTICATIONFAILED\] /);
    assert.match((await login(a, '127.0.0.8', user, PASSWORD)).tagged, /^L NO \[AUTHENTICATIONFAILED\] /);
    await setAccountDisabled(tdb.db, accountId, false);
    assert.match((await login(a, '127.0.0.8', user, PASSWORD)).tagged, /^L OK /);
  });

  // Last: it kills an edge.
  test("a killed edge's sessions stop counting once its heartbeat lapses", async () => {
    const [a, b] = edges as [Edge, Edge];
    const { user, accountId } = await freshUser();
    assert.match((await login(b, '127.0.0.9', user, PASSWORD)).tagged, /^L OK /);
    assert.match((await login(b, '127.0.0.9', user, PASSWORD)).tagged, /^L OK /);
    assert.match((await login(a, '127.0.0.9', user, PASSWORD)).tagged, /^L NO \[LIMIT\] /);
    await b.proc.stop('SIGKILL');
    await waitFor(async () => (await countSessions(tdb.db, accountId)) === 0, 10_000);
    assert.match((await login(a, '127.0.0.9', user, PASSWORD)).tagged, /^L OK /);
  });
});

async function waitFor(ok: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
