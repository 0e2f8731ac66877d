// What the metrics cost, two ways.
//
// In process: the metric calls one command makes, timed in a loop (a NOOP's
// in the edge; per gRPC call and per SQL statement, in the edge and the
// mailbox service), against the one per-command observation the edge made
// before (prom-client's Histogram). Precise, and blind to everything else.
//
// On a cluster: CPU per command in the edge and in the mailbox service (NOOP,
// a header FETCH, a flag STORE), and the edge's memory per IDLE session, for
// this tree and for a baseline tree (another commit, built), started in turn
// against one database, one Kafka topic and the same load. The runs alternate
// (baseline, this tree, baseline, ...) so that a machine that gets busier or
// quieter shifts both alike; medians over the rounds. This tree's runs also
// count the gRPC calls and SQL statements per command (from its /metrics).
//
// A baseline tree (here main):
//   git archive main | tar -x -C /tmp/kimap-base && cp -a node_modules /tmp/kimap-base/ && (cd /tmp/kimap-base && npx tsc -b)
// Run (PostgreSQL and Kafka as for the tests; builds this tree's dist/ first):
//   BENCH_BASELINE_DIR=/tmp/kimap-base node --conditions=source --import tsx bench/metrics-cost.ts
// Options: BENCH_PHASES (micro,cluster), BENCH_ROUNDS (3), BENCH_SECONDS (8, per command loop),
// BENCH_CLIENTS (4), BENCH_IDLE_SESSIONS (2000), BENCH_IDLE_SETTLE_SECONDS (30); without
// BENCH_BASELINE_DIR, this tree alone.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ensureTopic, grpcClientMetrics, grpcServerMetrics, instrumentDatabase, type Database, type QueryObserver } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName } from '@kimap/common/testing/services';
import { EDGE_NODE_FLAGS } from '@kimap/imap-edge/quiet-gc';
import { createEdgeMetrics } from '@kimap/imap-edge/metrics';
import { Histogram, Registry } from 'prom-client';
import { addUser } from '@kimap/mailbox';
import { appendMessages } from '@kimap/mailbox/store/messages';
import { freePort, metric, repoRoot, tempDir, waitForMetric, waitReady, type ServiceProcess } from '../e2e/src/cluster.js';
import { treeSeconds } from './lib/cpu.js';
import { ImapConn, destroyAll } from './lib/imap-conn.js';
import { seedMessage } from './lib/messages.js';
import { fmt, table } from './lib/report.js';

const CONFIG = {
  phases: (process.env.BENCH_PHASES ?? 'micro,cluster').split(','),
  loops: (process.env.BENCH_LOOPS ?? 'NOOP,FETCH,STORE').split(','),
  baseline: process.env.BENCH_BASELINE_DIR ? resolve(process.env.BENCH_BASELINE_DIR) : undefined,
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  seconds: Number(process.env.BENCH_SECONDS ?? 8),
  clients: Number(process.env.BENCH_CLIENTS ?? 4),
  idleSessions: Number(process.env.BENCH_IDLE_SESSIONS ?? 2000),
  idleSettleSeconds: Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 30),
};
const PASSWORD = 'bench-password';
const USERS = 20;
const MESSAGES = 50;
const user = (i: number) => `m${i}@metrics-bench.test`;
const log = (s: string) => console.log(s);

/** The command loops: what each client sends, one command at a time. */
const ALL_LOOPS: Array<{ name: string; command: (client: number, n: number) => string }> = [
  { name: 'NOOP', command: () => 'NOOP' },
  { name: 'FETCH', command: () => 'UID FETCH 1:20 (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])' },
  { name: 'STORE', command: (_c, n) => `UID STORE ${1 + (n % 10)} ${n % 20 < 10 ? '+' : '-'}FLAGS.SILENT (\\Flagged)` },
];
const LOOPS = ALL_LOOPS.filter((l) => CONFIG.loops.includes(l.name));

interface Round {
  tree: string;
  /** Per loop: commands/s, CPU µs per command of the edge and the mailbox service, and (this tree) gRPC calls and SQL statements per command. */
  loops: Record<string, { perSecond: number; edgeUs: number; mailboxUs: number; rpcs?: number; statements?: number }>;
  idle: { sessions: number; rssPerSessionKb: number; heapPerSessionKb: number };
}

/** Starts a service from a tree's compiled dist/ (as startService does for this tree). */
async function launch(root: string, name: string, entry: string, env: Record<string, string>): Promise<ServiceProcess> {
  const opsPort = await freePort();
  const flags = entry.includes('imap-edge') ? EDGE_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, join(root, entry)], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, OPS_PORT: String(opsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 100) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const proc: ServiceProcess = {
    name,
    child,
    opsPort,
    output,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done(child.exitCode);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          done(code);
        });
        child.kill('SIGTERM');
      }),
  };
  await waitReady(proc);
  return proc;
}

function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) : 0;
}

async function session(port: number, i: number): Promise<ImapConn> {
  const c = await ImapConn.open({ port, timeoutMs: 120_000 });
  const l = await c.command(`LOGIN ${user(1 + (i % USERS))} ${PASSWORD}`);
  const s = await c.command('SELECT INBOX');
  if (l.status !== 'OK' || s.status !== 'OK') throw new Error(`session ${i}: ${l.text} / ${s.text}`);
  return c;
}

/** Nanoseconds per call of `fn`: the least of 7 timed runs of `n` calls (after one to warm up). */
function nsPer(fn: (i: number) => void, n = 200_000): number {
  let best = Infinity;
  for (let run = 0; run < 8; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (run > 0) best = Math.min(best, ns);
  }
  return best;
}

/** The in-process phase: what the metric calls of a command, a gRPC call and a SQL statement cost. */
function micro(): Array<[string, string, string]> {
  const seconds = (i: number) => 0.0001 + (i % 100) * 0.00003;
  // Before: the edge observed each command into a prom-client Histogram by name and outcome.
  const before = new Histogram({
    name: 'kimap_imap_command_duration_seconds',
    help: 'before',
    labelNames: ['command', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [new Registry()],
  });
  const names = ['NOOP', 'UID FETCH', 'UID STORE', 'SELECT'];
  const beforeCommand = nsPer((i) => before.observe({ command: names[i & 3]!, outcome: 'OK' }, seconds(i)));
  const edge = createEdgeMetrics(new Registry());
  const afterCommand = nsPer((i) => {
    edge.observeCommand(names[i & 3]!, 'OK', seconds(i));
    edge.connections.received += 14;
    edge.connections.sent += 20;
  });
  const client = grpcClientMetrics(new Registry());
  const server = grpcServerMetrics(new Registry());
  const methods = ['Fetch', 'Store', 'GetChanges', 'Select'];
  const rpc = nsPer((i) => {
    const started = performance.now();
    client.observe(methods[i & 3]!, 0, (performance.now() - started) / 1000);
    const served = performance.now();
    server.observe(methods[i & 3]!, 0, (performance.now() - served) / 1000);
  });
  let observer: QueryObserver | undefined;
  const db = { observeQueries: (o: QueryObserver | undefined) => (observer = o) } as unknown as Database;
  instrumentDatabase(db, new Registry());
  const statements = [
    'SELECT uid, flags FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid = ANY($3)',
    'SELECT * FROM kimap_store($1, $2, $3, $4, $5, $6)',
    'BEGIN',
    'COMMIT',
  ];
  const statement = nsPer((i) => observer!.query(statements[i & 3]!, performance.now(), true));
  return [
    ['edge, per command (command histogram, bytes)', `${fmt(beforeCommand, 0)} ns`, `${fmt(afterCommand, 0)} ns`],
    ['per gRPC call (timing and histogram, client and server)', '—', `${fmt(rpc, 0)} ns`],
    ['mailbox service, per SQL statement (timing and histogram)', '—', `${fmt(statement, 0)} ns`],
  ];
}

/** The sum of a family's samples (all label sets) in a /metrics text. */
async function total(p: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${p.opsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name + '{') || line.startsWith(name + ' ')) sum += Number(line.split(' ').pop());
  return sum;
}

async function commandLoop(port: number, procs: { edge: ServiceProcess; mailbox: ServiceProcess }, loop: (typeof ALL_LOOPS)[number]) {
  const pids = { edge: procs.edge.child.pid!, mailbox: procs.mailbox.child.pid! };
  const counts = async () => ({
    rpcs: await total(procs.edge, 'kimap_grpc_client_duration_seconds_count'),
    statements: await total(procs.mailbox, 'kimap_pg_query_duration_seconds_count'),
  });
  const clients = await Promise.all(Array.from({ length: CONFIG.clients }, (_, i) => session(port, i)));
  let counting = false;
  let done = 0;
  let stop = false;
  const run = async (c: ImapConn, k: number) => {
    for (let n = 0; !stop; n++) {
      const r = await c.command(loop.command(k, n));
      if (r.status !== 'OK') throw new Error(`${loop.name}: ${r.text}`);
      if (counting) done++;
    }
  };
  const running = clients.map((c, k) => run(c, k));
  await sleep(1500);
  const counts0 = await counts();
  const cpu0 = { edge: treeSeconds(pids.edge), mailbox: treeSeconds(pids.mailbox) };
  const t0 = performance.now();
  counting = true;
  await sleep(CONFIG.seconds * 1000);
  counting = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = { edge: treeSeconds(pids.edge), mailbox: treeSeconds(pids.mailbox) };
  // Counted while the loop still runs: a few commands more than `done`, which only matters for a loop of very few.
  const counts1 = await counts();
  stop = true;
  await Promise.all(running);
  for (const c of clients) {
    await c.command('LOGOUT');
    c.destroy();
  }
  return {
    perSecond: done / seconds,
    edgeUs: ((cpu1.edge - cpu0.edge) * 1e6) / done,
    mailboxUs: ((cpu1.mailbox - cpu0.mailbox) * 1e6) / done,
    ...(counts1.rpcs > 0 && { rpcs: (counts1.rpcs - counts0.rpcs) / done, statements: (counts1.statements - counts0.statements) / done }),
  };
}

async function idleMemory(port: number, edge: ServiceProcess) {
  const pid = edge.child.pid!;
  // Settled as the end state will be: the edge's quiet collection has run after the command loops.
  await sleep(CONFIG.idleSettleSeconds * 1000);
  const rss0 = rssKb(pid);
  const heap0 = await metric(edge, 'nodejs_heap_size_used_bytes');
  const conns: ImapConn[] = [];
  let next = 0;
  const opener = async () => {
    for (let i = next++; i < CONFIG.idleSessions; i = next++) {
      const c = await session(port, i);
      if (!(await c.idle())) throw new Error('IDLE refused');
      conns.push(c);
    }
  };
  await Promise.all(Array.from({ length: 50 }, () => opener()));
  await sleep(CONFIG.idleSettleSeconds * 1000);
  const held = conns.filter((c) => !c.closed).length;
  const rss1 = rssKb(pid);
  const heap1 = await metric(edge, 'nodejs_heap_size_used_bytes');
  for (const c of conns) c.destroy();
  await sleep(2000);
  return { sessions: held, rssPerSessionKb: (rss1 - rss0) / held, heapPerSessionKb: (heap1 - heap0) / 1024 / held };
}

async function main(): Promise<void> {
  if (CONFIG.phases.includes('micro')) {
    log('in process: the metric calls, ns each (least of 7 runs)');
    log(table(['what', 'before', 'this tree'], micro()));
  }
  if (!CONFIG.phases.includes('cluster')) return;
  const trees: Array<[string, string]> = [['this tree', repoRoot]];
  if (CONFIG.baseline) trees.unshift(['baseline', CONFIG.baseline]);
  log(`building ${repoRoot}`);
  await promisify(execFile)('npx', ['tsc', '-b'], { cwd: repoRoot });
  const tdb = await createTestDatabase('kimap_bench_metrics');
  const dir = tempDir('kimap-bench-metrics-');
  const rounds: Round[] = [];
  try {
    for (let i = 1; i <= USERS; i++) {
      const { accountId } = await addUser(tdb.db, user(i), PASSWORD, { createTenant: i === 1 });
      const items = Array.from({ length: MESSAGES }, (_, k) => {
        const m = seedMessage(user(i), i, k, true);
        return { message: m.data, flags: [], internalDateMs: Date.now() };
      });
      await appendMessages(tdb.db, accountId, 'INBOX', items);
    }
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-bench-metrics');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'bench' });
    const env = {
      DATABASE_URL: tdb.url,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: topic,
      LOGIN_THROTTLE_EXEMPT: '127.0.0.0/8',
      IMAP_MAX_ACCOUNT_CONNECTIONS: '100000',
      IMAP_MAX_ACCOUNT_IP_CONNECTIONS: '100000',
    };
    for (let round = 1; round <= CONFIG.rounds; round++) {
      for (const [tree, root] of trees) {
        const grpcPort = await freePort();
        const mailbox = await launch(root, 'mailbox', 'services/mailbox/dist/main.js', { ...env, GRPC_LISTEN: `127.0.0.1:${grpcPort}` });
        const port = await freePort();
        const edge = await launch(root, 'edge', 'services/imap-edge/dist/main.js', {
          ...env,
          MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
          KAFKA_GROUP_ID: uniqueName('bench-metrics-edge'),
          IMAP_HOST: '127.0.0.1',
          IMAP_PORT: String(port),
          IMAPS_PORT: String(await freePort()),
          DATA_DIR: dir.path,
          ALLOW_PLAINTEXT_AUTH: 'true',
          DRAIN_GRACE_MS: '1000',
        });
        try {
          await waitForMetric(edge, 'kimap_change_feed_up', (v) => v === 1);
          const loops: Round['loops'] = {};
          for (const loop of LOOPS) loops[loop.name] = await commandLoop(port, { edge, mailbox }, loop);
          const idle =
            CONFIG.idleSessions > 0 ? await idleMemory(port, edge) : { sessions: 0, rssPerSessionKb: NaN, heapPerSessionKb: NaN };
          rounds.push({ tree, loops, idle });
          const l = loops;
          log(
            `round ${round} ${tree}: ` +
              LOOPS.map(
                (x) =>
                  `${x.name} ${fmt(l[x.name]!.perSecond, 0)}/s edge ${fmt(l[x.name]!.edgeUs)} µs mailbox ${fmt(l[x.name]!.mailboxUs)} µs`,
              ).join('; ') +
              (idle.sessions > 0
                ? `; IDLE ${idle.sessions}: ${fmt(idle.rssPerSessionKb, 2)} KB RSS, ${fmt(idle.heapPerSessionKb, 2)} KB heap per session`
                : ''),
          );
        } finally {
          destroyAll();
          await Promise.all([edge.stop(), mailbox.stop()]);
        }
      }
    }
  } finally {
    await tdb.drop();
    dir.remove();
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  // Medians, with the least and the most of the rounds.
  const spread = (xs: number[], digits = 1) =>
    `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
  const rows: Array<Array<string | number>> = [];
  for (const [tree] of trees) {
    const mine = rounds.filter((r) => r.tree === tree);
    for (const loop of LOOPS) {
      const of = mine.map((r) => r.loops[loop.name]!);
      rows.push([
        tree,
        loop.name,
        spread(
          of.map((l) => l.perSecond),
          0,
        ),
        spread(of.map((l) => l.edgeUs)),
        spread(of.map((l) => l.mailboxUs)),
        of[0]?.rpcs !== undefined ? `${fmt(median(of.map((l) => l.rpcs!)), 2)} / ${fmt(median(of.map((l) => l.statements!)), 2)}` : '',
      ]);
    }
    if (CONFIG.idleSessions > 0)
      rows.push([
        tree,
        `IDLE ×${CONFIG.idleSessions}`,
        '',
        `${spread(
          mine.map((r) => r.idle.rssPerSessionKb),
          2,
        )} KB RSS`,
        `${spread(
          mine.map((r) => r.idle.heapPerSessionKb),
          2,
        )} KB heap`,
        '',
      ]);
  }
  log(`\nmedians (least–most) of ${CONFIG.rounds} rounds, ${CONFIG.clients} clients, ${CONFIG.seconds} s per loop`);
  log(
    table(['tree', 'load', 'commands/s', 'edge CPU µs/command', 'mailbox CPU µs/command', 'gRPC calls / SQL statements per command'], rows),
  );
  const out = join(repoRoot, '.cache', 'bench');
  mkdirSync(out, { recursive: true });
  const file = join(out, `metrics-cost-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ config: CONFIG, rounds }, null, 2));
  log(`every round: ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
