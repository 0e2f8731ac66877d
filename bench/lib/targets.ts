// The two servers under test, started on loopback with the same users and
// passwords: kimap as separate processes (one edge, one mailbox service, with
// PostgreSQL and Kafka from scripts/test-env.sh), and a private Dovecot
// (bench/dovecot-bench.sh).
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTopic, migrate, PgliteDatabase, type Queryable } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { DEFAULT_MAILBOXES, hashPassword } from '@kimap/mailbox';
import type { CpuGroup } from './cpu.js';
import { freePort, metric, repoRoot, startService, tempDir, waitForMetric, type ServiceProcess } from '../../e2e/src/cluster.js';

const run = promisify(execFile);

export interface Target {
  name: 'kimap' | 'dovecot';
  port: number;
  /** Memory of the processes that hold sessions (kB), see sessionMemory(). */
  memory(): MemorySample;
  /** How many session-holding processes exist now (1 for kimap, imap children for Dovecot). */
  sessionProcesses(): number;
  /** V8 heap in use (kimap's edge, from its /metrics), bytes. */
  heapUsed?: () => Promise<number>;
  /** Process trees whose CPU time is this server's (PostgreSQL and Kafka are added by the caller). */
  cpuGroups(): CpuGroup[];
  stop(): Promise<void>;
}

export interface MemorySample {
  /** Summed VmRSS, kB. */
  rssKb: number;
  /** Summed proportional set size (shared pages divided among their users), kB. */
  pssKb: number;
  processes: number;
}

export const PASSWORD = 'bench-password';
export const DOMAIN = 'bench.test';
export const userName = (i: number): string => `u${i}@${DOMAIN}`;
export const BIG_USER = `big@${DOMAIN}`;

function statusKb(pid: number, field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function memoryOf(pids: number[]): MemorySample {
  let rss = 0;
  let pss = 0;
  for (const p of pids) {
    rss += statusKb(p, 'VmRSS');
    pss += pssKb(p);
  }
  return { rssKb: rss, pssKb: pss, processes: pids.length };
}

/** Children of `parent` whose command name is `comm` (from /proc/<pid>/stat). */
export function childrenNamed(parent: number, comm: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'latin1');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 4).split(' ', 1)[0]);
    if (ppid === parent && name === comm) out.push(Number(e));
  }
  return out;
}

export interface KimapOptions {
  users: number;
  /** Extra environment for the edge and mailbox processes (e.g. NODE_OPTIONS for --cpu-prof). */
  extraEnv?: Record<string, string>;
  log: (s: string) => void;
  /** Another checkout to run kimap from (a baseline to compare with); this one by default. */
  root?: string;
}

export interface KimapTarget extends Target {
  edge: ServiceProcess;
  mailbox: ServiceProcess;
  /** The mailbox service's gRPC address, for more processes (the delivery listener). */
  mailboxAddress: string;
  /** The environment the processes were started with (database, Kafka). */
  env: Record<string, string>;
  db: TestDatabase;
}

/** Accounts straight in SQL (one shared argon2 hash), with the default mailboxes addUser creates. */
async function createAccounts(db: Queryable, users: string[]): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  await db.query('INSERT INTO tenants (domain) VALUES ($1)', [DOMAIN]);
  await db.query(
    `INSERT INTO accounts (tenant_id, username, password_hash)
     SELECT (SELECT tenant_id FROM tenants WHERE domain = $1), u, $2 FROM unnest($3::text[]) u`,
    [DOMAIN, hash, users],
  );
  const names = DEFAULT_MAILBOXES.map(([n]) => n);
  const uses = DEFAULT_MAILBOXES.map(([, s]) => s);
  await db.query(
    `INSERT INTO mailboxes (account_id, mailbox_id, name, special_use, uidvalidity)
     SELECT account_id, v, name, special_use, (v % 4294967295) + 1 FROM (
       SELECT a.account_id, nextval('mailbox_id_seq') AS v, m.name, m.special_use
       FROM accounts a CROSS JOIN unnest($1::text[], $2::text[]) AS m(name, special_use)
       ORDER BY a.account_id) s`,
    [names, uses],
  );
  await db.query('INSERT INTO subscriptions (account_id, name) SELECT account_id, name FROM mailboxes');
}

/**
 * kimap runs as deployed: the JavaScript that `tsc -b` compiles into dist/
 * (built here first). BENCH_FROM_SOURCE=1 runs the TypeScript through tsx
 * instead, as the e2e tests do; its transform names every function at run time,
 * which costs memory per closure and CPU.
 */
const FROM_SOURCE = process.env.BENCH_FROM_SOURCE === '1';

export async function startKimap(opts: KimapOptions): Promise<KimapTarget> {
  const root = opts.root ?? repoRoot;
  if (!FROM_SOURCE) await run('npx', ['tsc', '-b'], { cwd: root });
  const compiled = { compiled: !FROM_SOURCE, root };
  const tdb = await createTestDatabase('kimap_bench');
  const dir = tempDir('kimap-bench-');
  const procs: ServiceProcess[] = [];
  try {
    const users = [...Array.from({ length: opts.users }, (_, i) => userName(i + 1)), BIG_USER];
    await createAccounts(tdb.db, users);
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-bench');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'bench' });
    const env: Record<string, string> = {
      DATABASE_URL: tdb.url,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: topic,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      // As for Dovecot (bench/dovecot-bench.sh): thousands of logins and up to
      // 10,000 sessions of 100 users from 127.0.0.x, without a login penalty;
      // the sessions are still registered for the connection limits.
      LOGIN_THROTTLE_EXEMPT: '127.0.0.0/8',
      IMAP_MAX_ACCOUNT_CONNECTIONS: '100000',
      IMAP_MAX_ACCOUNT_IP_CONNECTIONS: '100000',
      ...opts.extraEnv,
    };
    const grpcPort = await freePort();
    const mailbox = await startService(
      'mailbox',
      'services/mailbox/src/main.ts',
      { ...env, GRPC_LISTEN: `127.0.0.1:${grpcPort}` },
      compiled,
    );
    procs.push(mailbox);
    const port = await freePort();
    const edge = await startService(
      'edge',
      'services/imap-edge/src/main.ts',
      {
        ...env,
        MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
        KAFKA_GROUP_ID: uniqueName('bench-edge'),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(port),
        IMAPS_PORT: String(await freePort()),
        DATA_DIR: dir.path,
        ALLOW_PLAINTEXT_AUTH: 'true',
        DRAIN_GRACE_MS: '1000',
        // Node options for the edge alone, to try V8 settings (e.g. --max-semi-space-size=2).
        ...(process.env.BENCH_EDGE_NODE_OPTIONS
          ? { NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} ${process.env.BENCH_EDGE_NODE_OPTIONS}`.trim() }
          : {}),
      },
      compiled,
    );
    procs.push(edge);
    await waitForMetric(edge, 'kimap_change_feed_up', (v) => v === 1);
    opts.log(
      `kimap: edge pid ${edge.child.pid} on 127.0.0.1:${port}, mailbox pid ${mailbox.child.pid}, database ${new URL(tdb.url).pathname.slice(1)}, topic ${topic}`,
    );
    return {
      name: 'kimap',
      port,
      edge,
      mailbox,
      mailboxAddress: `127.0.0.1:${grpcPort}`,
      env,
      db: tdb,
      memory: () => memoryOf([edge.child.pid!]),
      sessionProcesses: () => 1,
      heapUsed: () => metric(edge, 'nodejs_heap_size_used_bytes'),
      cpuGroups: () => [
        { name: 'kimap edge', pids: [edge.child.pid!] },
        { name: 'kimap mailbox', pids: [mailbox.child.pid!] },
      ],
      async stop() {
        await Promise.all(procs.map((p) => p.stop()));
        if (process.env.BENCH_KEEP_DATABASE === '1') opts.log(`kimap: database kept: ${tdb.url}`);
        else await tdb.drop();
        dir.remove();
      },
    };
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop()));
    await tdb.drop();
    dir.remove();
    throw err;
  }
}

/**
 * The embedded default (`make run`): one process, PGlite in a data folder, the
 * in-process event bus. The accounts are written into the data folder before
 * the server starts (PGlite has one process at a time). Scenarios a, b, e, f
 * and g (BENCH_KIMAP=embedded); BENCH_CPU_PROF_DIR profiles it as `server`.
 */
export async function startKimapEmbedded(opts: KimapOptions): Promise<Target & { server: ServiceProcess }> {
  const root = opts.root ?? repoRoot;
  if (!FROM_SOURCE) await run('npx', ['tsc', '-b'], { cwd: root });
  const dir = tempDir('kimap-bench-embedded-');
  const db = await PgliteDatabase.open(join(dir.path, 'db'));
  try {
    await migrate(db);
    await createAccounts(db, [...Array.from({ length: opts.users }, (_, i) => userName(i + 1)), BIG_USER]);
  } finally {
    await db.close();
  }
  const port = await freePort();
  let server: ServiceProcess;
  try {
    server = await startService(
      'server',
      'services/server/src/main.ts',
      {
        DATA_DIR: dir.path,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(port),
        IMAPS_PORT: String(await freePort()),
        LMTP_PORT: String(await freePort()),
        ALLOW_PLAINTEXT_AUTH: 'true',
        // As for the cluster: no login penalty, no per-account session limit in the way.
        LOGIN_THROTTLE_EXEMPT: '127.0.0.0/8',
        IMAP_MAX_ACCOUNT_CONNECTIONS: '100000',
        IMAP_MAX_ACCOUNT_IP_CONNECTIONS: '100000',
        ...opts.extraEnv,
      },
      { compiled: !FROM_SOURCE, root },
    );
  } catch (err) {
    dir.remove();
    throw err;
  }
  opts.log(`kimap (embedded): pid ${server.child.pid} on 127.0.0.1:${port}, data folder ${dir.path}`);
  return {
    name: 'kimap',
    port,
    server,
    memory: () => memoryOf([server.child.pid!]),
    sessionProcesses: () => 1,
    heapUsed: () => metric(server, 'nodejs_heap_size_used_bytes'),
    cpuGroups: () => [{ name: 'kimap embedded', pids: [server.child.pid!] }],
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}

export interface DovecotTarget extends Target {
  masterPid: number;
  stateDir: string;
  /** Dovecot's LMTP port, when asked for. */
  lmtpPort?: number;
}

/** How a target names another account's mailbox (RFC 4314 shared namespaces). */
export function sharedName(t: Pick<Target, 'name'>, owner: string, mailbox: string): string {
  return t.name === 'kimap' ? `"Other Users/${owner}/${mailbox}"` : `"shared/${owner}/${mailbox}"`;
}

/** `shared`: with the acl plugin and a shared namespace with a \Seen per reader (bench/dovecot-bench.sh). */
export async function startDovecot(opts: {
  users: number;
  lmtp?: boolean;
  shared?: boolean;
  log: (s: string) => void;
}): Promise<DovecotTarget> {
  const stateDir = join(repoRoot, '.cache', 'bench-dovecot');
  mkdirSync(stateDir, { recursive: true });
  const users = [...Array.from({ length: opts.users }, (_, i) => userName(i + 1)), BIG_USER];
  writeFileSync(join(stateDir, 'passwd'), users.map((u) => `${u}:{PLAIN}${PASSWORD}::::::\n`).join(''));
  const port = await freePort();
  const script = join(repoRoot, 'bench', 'dovecot-bench.sh');
  const lmtpPort = opts.lmtp ? await freePort() : undefined;
  const env = {
    ...process.env,
    BENCH_DOVECOT_DIR: stateDir,
    BENCH_DOVECOT_PORT: String(port),
    ...(lmtpPort && { BENCH_DOVECOT_LMTP_PORT: String(lmtpPort) }),
    ...(opts.shared && { BENCH_DOVECOT_SHARED: '1' }),
  };
  const { stdout, stderr } = await run('bash', [script, 'start'], { env });
  if (stderr.trim()) opts.log(stderr.trim());
  const masterPid = Number(/DOVECOT_MASTER_PID=(\d+)/.exec(stdout)?.[1]);
  if (!masterPid) throw new Error(`dovecot-bench.sh printed no master pid:\n${stdout}\n${stderr}`);
  const imapPids = () => childrenNamed(masterPid, 'imap');
  return {
    name: 'dovecot',
    port,
    masterPid,
    stateDir,
    ...(lmtpPort && { lmtpPort }),
    memory: () => memoryOf(imapPids()),
    sessionProcesses: () => imapPids().length,
    cpuGroups: () => [{ name: 'dovecot', pids: [masterPid] }],
    async stop() {
      await run('bash', [script, 'stop'], { env }).catch(() => undefined);
    },
  };
}
