// Faults injected into a running cluster under a storm of IMAP clients: a
// mailbox process and an edge process killed with SIGKILL, the network between
// an edge and its mailbox service cut, PostgreSQL stopped, Kafka stopped.
// PostgreSQL and Kafka are the test's own (own data folders and ports), so
// that stopping them disturbs no other test. After each fault, every mailbox
// is held against what the server acknowledged (e2e/src/faults/check.ts), and
// the table of faults and outcomes is printed at the end.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, type Database } from '@kimap/common';
import { addUser } from '@kimap/mailbox';
import { freePort, metric, startService, tempDir, waitForMetric, waitReady, type ServiceProcess } from '../src/cluster.js';
import { ownKafka, type OwnKafka } from '../src/kafka.js';
import { faultTable, noReplyDetails, verify, type FaultOutcome } from '../src/faults/check.js';
import { Load, boxes, userOf } from '../src/faults/load.js';
import { ownPostgres, type OwnPostgres } from '../src/faults/postgres.js';
import { cuttableProxy, type CuttableProxy } from '../src/faults/proxy.js';
import { faultSettings as S, hangMs } from '../src/faults/settings.js';
import { IdleWatcher, messageCount } from '../src/faults/watch.js';
import { appendSync, ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

const PASSWORD = 'faults-password';
const DOMAIN = 'faults.test';
/** While the change feed is down an edge polls every 5 s at most (connection.ts). */
const OUTAGE_POLL_MS = 5000;
/** Room for a loaded machine on top of a bound. */
const SLACK_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** FAULTS_ONLY=<regex>: run only the faults whose test name matches. */
const only = process.env.FAULTS_ONLY ? new RegExp(process.env.FAULTS_ONLY, 'i') : undefined;
/** Bound of one fault's test: a hang fails it instead of holding up the run. */
const FAULT_TIMEOUT_MS = 300_000;
const fault = (name: string, fn: () => Promise<void>): void =>
  void test(name, { skip: only !== undefined && !only.test(name), timeout: FAULT_TIMEOUT_MS + S.kafkaOutageMs }, fn);

interface Edge {
  proc: ServiceProcess;
  port: number;
  env: Record<string, string>;
}

interface MailboxService {
  proc: ServiceProcess;
  port: number;
  proxy: CuttableProxy;
}

describe('faults under a storm of clients (own PostgreSQL and Kafka, two edges, two mailbox services)', () => {
  const dir = tempDir('kimap-faults-');
  let pg: OwnPostgres;
  let kafka: OwnKafka;
  let db: Database;
  let common: Record<string, string>;
  const mailboxes: MailboxService[] = [];
  const edges: Edge[] = [];
  const users = Array.from({ length: Math.ceil(S.clients / S.clientsPerUser) }, (_, i) => `storm${i}@${DOMAIN}`);
  const results: FaultOutcome[] = [];
  let runs = 0;

  const startMailbox = (i: number, port: number) =>
    startService(`mailbox-${i}`, 'services/mailbox/src/main.ts', { ...common, GRPC_LISTEN: `127.0.0.1:${port}` });
  const startEdge = (i: number, env: Record<string, string>) => startService(`edge-${i}`, 'services/imap-edge/src/main.ts', env);

  before(async () => {
    pg = await ownPostgres(join(dir.path, 'pg'));
    kafka = await ownKafka(join(dir.path, 'kafka'));
    db = await openDatabase(pg.url, { max: 4 });
    for (const u of users) await addUser(db, u, PASSWORD, { createTenant: true });
    common = { DATABASE_URL: pg.url, KAFKA_BROKERS: kafka.brokers, KAFKA_TOPIC: 'kimap.faults', OUTBOX_POLL_MS: '500' };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = await startMailbox(i, port);
      // Each edge reaches its mailbox service through a proxy that can cut the network.
      mailboxes.push({ proc, port, proxy: await cuttableProxy({ host: '127.0.0.1', port }) });
    }
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const env = {
        ...common,
        MAILBOX_ADDRESS: `127.0.0.1:${mailboxes[i]!.proxy.port}`,
        MAILBOX_DEADLINE_MS: String(S.deadlineMs),
        KAFKA_GROUP_ID: `faults-edge-${i}-${Date.now()}`,
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(port),
        IMAPS_PORT: String(await freePort()),
        DATA_DIR: dir.path,
        ALLOW_PLAINTEXT_AUTH: 'true',
        IMAP_MAX_ACCOUNT_CONNECTIONS: '1000',
        IMAP_MAX_ACCOUNT_IP_CONNECTIONS: '1000',
        // Ten minutes: while the feed is up, what IDLE hears is pushed.
        CHANGE_POLL_INTERVAL_MS: '600000',
      };
      const proc = await startEdge(i, env);
      await waitForMetric(proc, 'kimap_change_feed_up', (v) => v === 1, 90_000);
      edges.push({ proc, port, env });
    }
  });

  /** What a failed or timed-out test may have left running, stopped after it. */
  const running = new Set<{ stop(): Promise<void> }>();
  const track = <T extends { stop(): Promise<void> }>(x: T): T => {
    running.add(x);
    return x;
  };

  afterEach(async () => {
    for (const x of running) await x.stop().catch(() => undefined);
    running.clear();
  });

  after(async () => {
    if (results.length)
      console.log(`\nfaults under a storm of ${S.clients} clients:\n${faultTable(results)}\n${noReplyDetails(results)}\n`);
    for (const e of edges) await e.proc.stop();
    for (const m of mailboxes) {
      await m.proc.stop();
      await m.proxy.close();
    }
    await db?.close();
    await kafka?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    dir.remove();
  });

  function newLoad(): Load {
    return track(
      new Load({
        ports: edges.map((e) => e.port),
        users,
        password: PASSWORD,
        clients: S.clients,
        clientsPerUser: S.clientsPerUser,
        commandTimeoutMs: hangMs(),
        run: `r${++runs}`,
      }),
    );
  }

  /** The processes of the cluster that are not running (with their last output). */
  const dead = () =>
    [...edges.map((e) => e.proc), ...mailboxes.map((m) => m.proc)]
      .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
      .map((p) => `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${p.output.join('')}`);

  /** Runs a storm around `fault`, checks the mailboxes, and records the outcome. */
  async function storm(name: string, load: Load, fault: () => Promise<void>): Promise<FaultOutcome> {
    load.start();
    try {
      await sleep(S.stormMs);
      await fault();
      await sleep(S.stormMs);
    } finally {
      // Whatever failed, the clients stop (they would keep the test process alive).
      await load.stop();
    }
    assert.deepEqual(dead(), [], 'every process of the cluster is running');
    const outcome = await verify(load, edges[1]!.port, name);
    results.push(outcome);
    assert.deepEqual(outcome.problems.slice(0, 10), [], `${name}: ${outcome.problems.length} problems`);
    assert.ok(outcome.acknowledged > 0, 'the storm got APPENDs through');
    assert.equal(outcome.present, outcome.acknowledged);
    return outcome;
  }

  /** Waits (bounded) until every server in `servers` has answered OK to a command started after `since`. */
  async function recovered(load: Load, since: number, servers: number[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!servers.every((k) => load.between(since).some((c) => c.server === k && c.outcome === 'ok'))) {
      assert.deepEqual(dead(), [], 'every process of the cluster is running');
      assert.ok(Date.now() < deadline, `servers ${servers.join(', ')} answer OK again within 30 s`);
      await sleep(200);
    }
  }

  /** The replies while a fault lasted: NO [UNAVAILABLE] at worst, never BAD, never a hang. */
  function assertRefusedCleanly(load: Load, from: number, to: number, servers?: number[]): void {
    const window = load.during(from, to).filter((c) => !servers || servers.includes(c.server));
    const wrong = window.filter((c) => c.outcome === 'bad' || (c.outcome === 'no' && c.code !== 'UNAVAILABLE'));
    assert.deepEqual(
      wrong.slice(0, 5).map((c) => `${c.kind}: ${c.text}`),
      [],
      'during the fault, commands get NO [UNAVAILABLE]',
    );
    const hung = window.filter((c) => c.code === 'timeout');
    assert.deepEqual(
      hung.slice(0, 5).map((c) => `${c.kind} after ${c.ms} ms`),
      [],
      `no command waits past ${hangMs()} ms`,
    );
  }

  fault('kill -9 of a mailbox process: its edge answers NO [UNAVAILABLE], nothing acknowledged is lost or doubled', async () => {
    const load = newLoad();
    await load.prepare();
    let from = 0;
    let to = 0;
    await storm('kill -9 mailbox process', load, async () => {
      from = Date.now();
      await mailboxes[0]!.proc.stop('SIGKILL');
      await sleep(S.outageMs);
      mailboxes[0]!.proc = await startMailbox(0, mailboxes[0]!.port);
      to = Date.now();
      await recovered(load, to, [0]);
    });
    assertRefusedCleanly(load, from, to);
    const refused = load.during(from, to).filter((c) => c.server === 0 && c.code === 'UNAVAILABLE');
    assert.ok(refused.length > 0, 'the edge of the killed process refused commands meanwhile');
    const through = load.between(from, to).filter((c) => c.server === 1 && c.outcome === 'ok');
    assert.ok(through.length > 0, 'the other edge and mailbox process went on');
  });

  fault('kill -9 of an edge: its clients reconnect to the other edge and QRESYNC to the state of a fresh SELECT', async () => {
    const load = newLoad();
    await load.prepare();
    const onEdge0 = Array.from({ length: S.clients }, (_, k) => k).filter((k) => k % 2 === 0);
    let killedAt = 0;
    const outcome = await storm('kill -9 edge process', load, async () => {
      killedAt = Date.now();
      await edges[0]!.proc.stop('SIGKILL');
      // Its clients reconnect through the other edge meanwhile.
      await sleep(S.outageMs);
      edges[0]!.proc = await startEdge(0, edges[0]!.env);
      const deadline = Date.now() + 60_000;
      while (!onEdge0.every((k) => load.resyncs.some((r) => r.client === k))) {
        assert.ok(Date.now() < deadline, 'every client of the killed edge reconnects within a minute');
        await sleep(200);
      }
    });
    assert.ok(outcome.reconnections >= onEdge0.length, `${outcome.reconnections} reconnections`);
    assert.ok(
      load.resyncs.some((r) => r.server === 1 && r.at > killedAt),
      'clients of the killed edge reconnected through the other one',
    );
    await waitForMetric(edges[0]!.proc, 'kimap_change_feed_up', (v) => v === 1, 90_000);
  });

  fault('network cut between an edge and its mailbox service: NO [UNAVAILABLE], sessions stay up, recover on return', async () => {
    const load = newLoad();
    await load.prepare();
    let from = 0;
    let to = 0;
    const cutMs = Math.max(S.outageMs, S.deadlineMs * 2);
    await storm('network cut edge - mailbox', load, async () => {
      from = Date.now();
      mailboxes[0]!.proxy.cut();
      await sleep(cutMs);
      mailboxes[0]!.proxy.restore();
      to = Date.now();
      await recovered(load, to, [0]);
    });
    assertRefusedCleanly(load, from, to);
    const refused = load.during(from, to).filter((c) => c.server === 0 && c.code === 'UNAVAILABLE');
    assert.ok(refused.length > 0, 'the cut edge refused commands');
    assert.equal(load.resyncs.length, 0, 'no session was dropped');
    const working = new Set(
      load
        .between(to)
        .filter((c) => c.server === 0 && c.outcome === 'ok')
        .map((c) => c.client),
    );
    const cutClients = new Set(
      load
        .during(from, to)
        .filter((c) => c.server === 0)
        .map((c) => c.client),
    );
    assert.deepEqual(
      [...cutClients].filter((k) => !working.has(k)),
      [],
      'every session of the cut edge works again',
    );
  });

  fault('PostgreSQL stopped and started: NO [UNAVAILABLE], pods recover unrestarted, the outbox drains, IDLE hears all', async () => {
    const load = newLoad();
    await load.prepare();
    const watched = [0, 1, 2, 3].map((k) => ({ k, user: userOf(load.settings, k), box: boxes(load.settings.run, k).in }));
    const watchers = await Promise.all(watched.map((w, i) => IdleWatcher.start(edges[i % 2]!.port, w.user, PASSWORD, w.box).then(track)));
    const pids = [...edges.map((e) => e.proc.child.pid), ...mailboxes.map((m) => m.proc.child.pid)];
    let from = 0;
    let to = 0;
    await storm('PostgreSQL stopped', load, async () => {
      from = Date.now();
      await pg.stop();
      await sleep(S.outageMs);
      await pg.start();
      to = Date.now();
      await recovered(load, to, [0, 1]);
    });
    assertRefusedCleanly(load, from, to);
    assert.ok(
      load.during(from, to).some((c) => c.code === 'UNAVAILABLE'),
      'commands were refused while PostgreSQL was down',
    );
    assert.deepEqual([...edges.map((e) => e.proc.child.pid), ...mailboxes.map((m) => m.proc.child.pid)], pids, 'no process restarted');
    for (const p of [...edges.map((e) => e.proc), ...mailboxes.map((m) => m.proc)]) await waitReady(p, 30_000);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const left = await db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM outbox WHERE sent_at IS NULL');
      if (left.rows[0]!.n === 0) break;
      assert.ok(Date.now() < deadline, `the outbox drains (${left.rows[0]!.n} events left)`);
      await sleep(250);
    }
    for (const [i, w] of watchers.entries()) {
      const fresh = await messageCount(edges[1]!.port, watched[i]!.user, PASSWORD, watched[i]!.box);
      await w.until(() => w.count === fresh, SLACK_MS);
      await w.stop();
    }
  });

  fault(`Kafka stopped for ${S.kafkaOutageMs / 1000} s: IDLE told by polling meanwhile, pushed again after, nothing missed`, async () => {
    const load = newLoad();
    await load.prepare();
    const watched = [0, 1, 2, 3].map((k) => ({ k, user: userOf(load.settings, k), box: boxes(load.settings.run, k).in }));
    const watchers = await Promise.all(watched.map((w, i) => IdleWatcher.start(edges[i % 2]!.port, w.user, PASSWORD, w.box).then(track)));
    // A quiet mailbox watched on edge 0, for timing what IDLE hears of one APPEND through edge 1.
    const probeUser = users[0]!;
    const probeBox = `${load.settings.run}-probe`;
    const { client: prober } = await ImapClient.connect(edges[1]!.port);
    track({ stop: () => prober.close() });
    await prober.command('l', `LOGIN ${probeUser} ${PASSWORD}`, 30_000);
    await prober.command('c', `CREATE ${probeBox}`, 30_000);
    const probe = track(await IdleWatcher.start(edges[0]!.port, probeUser, PASSWORD, probeBox));
    let probes = 0;
    const probeOnce = async (bound: number) => {
      const r = await appendSync(prober, `p${++probes}`, probeBox, Buffer.from(`Subject: probe ${probes}\r\n\r\nprobe\r\n`));
      assert.match(r.tagged, /^p\d+ OK/);
      return probe.until(() => probe.count === probes, bound);
    };
    const during: number[] = [];
    let after = 0;
    let receivedBefore = 0;
    await storm(`Kafka stopped ${S.kafkaOutageMs / 1000} s`, load, async () => {
      const stoppedAt = Date.now();
      await kafka.stop();
      await waitForMetric(edges[0]!.proc, 'kimap_change_feed_up', (v) => v === 0, 60_000);
      while (Date.now() - stoppedAt < S.kafkaOutageMs - OUTAGE_POLL_MS - SLACK_MS || during.length === 0) {
        during.push(await probeOnce(OUTAGE_POLL_MS + SLACK_MS));
        await sleep(1000);
      }
      const left = S.kafkaOutageMs - (Date.now() - stoppedAt);
      if (left > 0) await sleep(left);
      await kafka.start();
      await waitForMetric(edges[0]!.proc, 'kimap_change_feed_up', (v) => v === 1, 120_000);
      await waitForMetric(edges[1]!.proc, 'kimap_change_feed_up', (v) => v === 1, 120_000);
      // Let the relay publish what it held back meanwhile.
      await sleep(2000);
      receivedBefore = await metric(edges[0]!.proc, 'kimap_change_events_received_total');
      after = await probeOnce(SLACK_MS);
    });
    console.log(`Kafka down: IDLE told after ${during.join(', ')} ms (polling); after the restart: ${after} ms`);
    await waitForMetric(edges[0]!.proc, 'kimap_change_events_received_total', (v) => v > receivedBefore, 30_000);
    for (const [i, w] of watchers.entries()) {
      const fresh = await messageCount(edges[1]!.port, watched[i]!.user, PASSWORD, watched[i]!.box);
      await w.until(() => w.count === fresh, SLACK_MS);
      await w.stop();
    }
    await probe.stop();
    await prober.close();
  });
});
