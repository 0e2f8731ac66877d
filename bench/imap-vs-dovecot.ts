// kimap against Dovecot on the same machine: one load generator (this process:
// many sockets, one event loop) drives both servers over plaintext IMAP on
// 127.0.0.1 with the same users, passwords and seeded messages, scenario by
// scenario, and prints per command operations/s, p50/p99 latency and errors,
// then the ratios kimap/Dovecot and whether each target is met.
//
//   (a) the mix, one login per session     (b) the mix, sessions kept open
//   sweep: (b) over 1, 4, 16, 64 clients -> docs/benchmarks-sweep.{csv,svg}
//   (c) memory per IDLE session (10,000)  (d) a 100,000-message mailbox
//   (e) APPEND throughput                (f) one user's sessions on one INBOX (10, 50)
//   (g) a team inbox: 10, 50 users on one INBOX shared with them (not by default:
//       Dovecot then runs with its acl plugin, which every other scenario would pay for)
//
// Run: source scripts/test-env.sh && node --conditions=source --import tsx bench/imap-vs-dovecot.ts
// Everything is configurable through BENCH_* variables (see CONFIG below and docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { metric, repoRoot, type ServiceProcess } from '../e2e/src/cluster.js';
import { cpuMeter, findInfrastructure, type CpuGroup, type CpuUse } from './lib/cpu.js';
import { ImapConn, destroyAll, liveConnections, type Reply } from './lib/imap-conn.js';
import { AppendMessage, RARE_WORD, SENDER_KEYS, rng, seedMessage } from './lib/messages.js';
import { fmt, sweepCsv, sweepSvg, table, type SweepPoint } from './lib/report.js';
import { Recorder, percentile, type RunStats } from './lib/stats.js';
import {
  BIG_USER,
  PASSWORD,
  sharedName,
  startDovecot,
  startKimap,
  startKimapEmbedded,
  userName,
  type KimapTarget,
  type Target,
} from './lib/targets.js';

const num = (name: string, def: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
};
const list = (name: string, def: string): string[] =>
  (process.env[name] ?? def)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const CONFIG = {
  scenarios: new Set(list('BENCH_SCENARIOS', 'a,b,sweep,c,d,e,f')),
  targets: list('BENCH_TARGETS', 'kimap,dovecot'),
  users: num('BENCH_USERS', 100),
  seedMessages: num('BENCH_SEED_MESSAGES', 200),
  seedBatch: num('BENCH_SEED_BATCH', 100),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 3),
  seconds: num('BENCH_SECONDS', 20),
  clientsA: num('BENCH_CLIENTS_A', 16),
  clientsB: num('BENCH_CLIENTS_B', 16),
  /** (f): sessions kept open on one mailbox, one run per count. */
  hotClients: list('BENCH_HOT_CLIENTS', '10,50').map(Number),
  sweep: list('BENCH_SWEEP', '1,4,16,64').map(Number),
  sweepSeconds: num('BENCH_SWEEP_SECONDS', 8),
  idleSessions: num('BENCH_IDLE_SESSIONS', 10_000),
  idleOpeners: num('BENCH_IDLE_OPENERS', 50),
  /** (c) is measured this long after the last session was opened (and also at 5 s). */
  idleSettleSeconds: num('BENCH_IDLE_SETTLE_SECONDS', 30),
  bigMessages: num('BENCH_BIG_MESSAGES', 100_000),
  bigBatch: num('BENCH_BIG_BATCH', 500),
  bigRounds: num('BENCH_BIG_ROUNDS', 5),
  appendClients: num('BENCH_APPEND_CLIENTS', 16),
  appendSeconds: num('BENCH_APPEND_SECONDS', 15),
  /** Source addresses 127.0.0.1..127.0.0.N the connections are spread over. */
  sourceAddrs: Math.max(1, num('BENCH_SOURCE_ADDRS', 4)),
  commandTimeoutMs: num('BENCH_COMMAND_TIMEOUT_MS', 60_000),
  /** Before each run, wait up to this long while other processes keep more than noiseCores busy. */
  waitQuietSeconds: num('BENCH_WAIT_QUIET_SECONDS', 60),
  /** CPU (cores) of processes outside the bench above which a run is flagged as disturbed. */
  noiseCores: num('BENCH_NOISE_CORES', 0.2),
  /** Hard limit on the whole run; everything is stopped when it is reached. */
  maxSeconds: num('BENCH_MAX_SECONDS', 1800),
  outDir: process.env.BENCH_OUT_DIR ?? join(repoRoot, 'docs'),
  /** When set, edge and mailbox are CPU-profiled (bench/lib/cpu-profile.mjs) into this folder. */
  cpuProfDir: process.env.BENCH_CPU_PROF_DIR ?? '',
};

const log = (s: string) => console.log(s);
const srcAddr = (i: number) => `127.0.0.${1 + (i % CONFIG.sourceAddrs)}`;

// ---------------------------------------------------------------- helpers

async function openSession(
  t: Target,
  user: string,
  i: number,
  rec?: Recorder,
  select = true,
  box = 'INBOX',
): Promise<ImapConn | undefined> {
  let t0 = performance.now();
  let c: ImapConn;
  try {
    c = await ImapConn.open({ port: t.port, localAddress: srcAddr(i), timeoutMs: CONFIG.commandTimeoutMs });
  } catch (err) {
    rec?.add('connect+greeting', t0, performance.now(), false, String(err));
    return undefined;
  }
  rec?.add('connect+greeting', t0, performance.now(), true);
  t0 = performance.now();
  const r = await c.command(`LOGIN ${user} ${PASSWORD}`);
  rec?.add('LOGIN', t0, performance.now(), r.status === 'OK', r.text);
  if (r.status !== 'OK') {
    c.destroy();
    if (!rec) throw new Error(`${t.name}: LOGIN ${user}: ${r.text}`);
    return undefined;
  }
  if (select) {
    t0 = performance.now();
    const s = await c.command(`SELECT ${box}`);
    rec?.add('SELECT INBOX', t0, performance.now(), s.status === 'OK', s.text);
    if (s.status !== 'OK') {
      c.destroy();
      if (!rec) throw new Error(`${t.name}: SELECT: ${s.text}`);
      return undefined;
    }
  }
  return c;
}

async function timed(
  rec: Recorder,
  name: string,
  c: ImapConn,
  text: string,
  onUntagged: ((l: string) => void) | null = null,
): Promise<Reply> {
  const t0 = performance.now();
  const r = await c.command(text, onUntagged);
  rec.add(name, t0, performance.now(), r.status === 'OK', r.text);
  return r;
}

/** Per target: UIDs appended by the mix and not yet expunged, per user. */
type Pending = Map<number, number[]>;

interface MixClient {
  r: () => number;
  msg: AppendMessage;
}

/**
 * One pass of the mix. Random messages are taken from the seeded UIDs (1..N),
 * which the mix never deletes, so concurrent sessions of one user never race
 * into errors; only the mix's own APPENDs get \Deleted and EXPUNGEd.
 */
async function mixPass(
  c: ImapConn,
  rec: Recorder,
  mc: MixClient,
  user: number,
  pending: Pending,
  literalPlus: boolean,
  box = 'INBOX',
): Promise<boolean> {
  const N = CONFIG.seedMessages;
  const r = mc.r;
  let res: Reply;
  if (r() < 0.5) {
    res = await timed(rec, 'FETCH 1:* (UID FLAGS)', c, 'FETCH 1:* (UID FLAGS)');
  } else {
    const hi = 1 + Math.floor(r() * N);
    res = await timed(
      rec,
      'UID FETCH 50 headers',
      c,
      `UID FETCH ${Math.max(1, hi - 49)}:${hi} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Subject Date)])`,
    );
  }
  if (res.status === 'ERR') return false;
  res = await timed(rec, 'UID FETCH BODY.PEEK[]', c, `UID FETCH ${1 + Math.floor(r() * N)} BODY.PEEK[]`);
  if (res.status === 'ERR') return false;
  res = await timed(rec, 'UID STORE +/-FLAGS \\Seen', c, `UID STORE ${1 + Math.floor(r() * N)} ${r() < 0.5 ? '+' : '-'}FLAGS (\\Seen)`);
  if (res.status === 'ERR') return false;
  res = await timed(rec, 'UID SEARCH UNSEEN', c, 'UID SEARCH UNSEEN');
  if (res.status === 'ERR') return false;
  res = await timed(rec, 'UID SEARCH FROM', c, `UID SEARCH FROM "${SENDER_KEYS[Math.floor(r() * SENDER_KEYS.length)]}"`);
  if (res.status === 'ERR') return false;
  const t0 = performance.now();
  res = await c.commandWithLiterals([`APPEND ${box} `, mc.msg.next(), ''], literalPlus);
  rec.add('APPEND 4 KB', t0, performance.now(), res.status === 'OK', res.text);
  if (res.status === 'ERR') return false;
  const m = /APPENDUID \d+ (\d+)/.exec(res.text);
  let mine = pending.get(user);
  if (!mine) pending.set(user, (mine = []));
  if (m) mine.push(Number(m[1]));
  if (mine.length >= 4) {
    // Occasionally: delete what the mix appended to this account.
    pending.set(user, []);
    res = await timed(rec, 'UID STORE +FLAGS \\Deleted', c, `UID STORE ${mine.join(',')} +FLAGS.SILENT (\\Deleted)`);
    if (res.status === 'ERR') return false;
    res = await timed(rec, 'EXPUNGE', c, 'EXPUNGE');
    if (res.status === 'ERR') return false;
  }
  return true;
}

/** (g): user 1 grants users 2..n every right on its INBOX a team member needs (RFC 4314 SETACL). */
async function shareInbox(t: Target, n: number): Promise<void> {
  const c = (await openSession(t, userName(1), 0, undefined, false))!;
  for (let u = 2; u <= Math.min(n, CONFIG.users); u++) {
    const r = await c.command(`SETACL INBOX ${userName(u)} lrswipte`);
    if (r.status !== 'OK') throw new Error(`${t.name}: SETACL INBOX ${userName(u)}: ${r.text}`);
  }
  await c.command('LOGOUT');
  c.destroy();
}

const MAX_PASSES = 50_000_000;

/** The order of the per-command tables: a session's life. */
const COMMAND_ORDER = [
  'connect+greeting',
  'LOGIN',
  'SELECT INBOX',
  'FETCH 1:* (UID FLAGS)',
  'UID FETCH 50 headers',
  'UID FETCH BODY.PEEK[]',
  'UID STORE +/-FLAGS \\Seen',
  'UID SEARCH UNSEEN',
  'UID SEARCH FROM',
  'APPEND 4 KB',
  'UID STORE +FLAGS \\Deleted',
  'EXPUNGE',
  'LOGOUT',
];

/**
 * Logs every user in once (8 at a time). kimap remembers a successful argon2
 * verification for 5 minutes (AUTH_CACHE_TTL_MS), Dovecot's {PLAIN} passdb has
 * nothing to hash: without this a run longer than that would measure argon2
 * now and then, depending on timing. Returns seconds.
 */
async function warmLogins(t: Target): Promise<number> {
  const t0 = performance.now();
  let next = 1;
  const worker = async (w: number) => {
    for (let u = next++; u <= CONFIG.users; u = next++) {
      const c = await openSession(t, userName(u), w, undefined, false);
      await c?.command('LOGOUT');
      c?.destroy();
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i)));
  return (performance.now() - t0) / 1000;
}

/** (a) and (b): `clients` virtual clients running the mix for the window. */
async function runMix(
  t: Target,
  clients: number,
  keepOpen: boolean,
  pending: Pending,
  literalPlus: boolean,
  warmupS: number,
  seconds: number,
  /** The user of client `id` (kept-open sessions); default: client i as user i mod users, (f): all as one. */
  userOf: (id: number) => number = (id) => 1 + (id % CONFIG.users),
  /** (g): the mailbox client `id` works on (its name as the target spells it) and whose messages it deletes. */
  mailboxOf: (id: number) => { name: string; owner: number } | undefined = () => undefined,
): Promise<RunStats> {
  const rec = new Recorder();
  const users = CONFIG.users;
  // Kept-open sessions: the clock starts when every client has logged in and selected.
  let ready = 0;
  let release!: () => void;
  const allReady = new Promise<void>((resolve) => (release = resolve));
  const startClock = () => {
    rec.window(warmupS * 1000, seconds * 1000);
    release();
  };
  if (!keepOpen) startClock();
  const worker = async (id: number) => {
    const mc: MixClient = { r: rng(1000 + id), msg: new AppendMessage(userName(userOf(id)), id) };
    let c: ImapConn | undefined;
    let user = userOf(id);
    const box = mailboxOf(id);
    if (keepOpen) {
      for (let attempt = 0; attempt < 3 && !c; attempt++) c = await openSession(t, userName(user), id, rec, true, box?.name);
      if (++ready === clients) startClock();
      await allReady;
    }
    for (let pass = 0; pass < MAX_PASSES && !rec.over; pass++) {
      if (!keepOpen) user = 1 + Math.floor(mc.r() * users);
      if (!c || c.closed) {
        c = await openSession(t, userName(user), id, rec, true, box?.name);
        if (!c) {
          await sleep(50);
          continue;
        }
      }
      const ok = await mixPass(c, rec, mc, box?.owner ?? user, pending, literalPlus, box?.name);
      if (!ok) {
        c.destroy();
        c = undefined;
        continue;
      }
      if (!keepOpen) {
        await timed(rec, 'LOGOUT', c, 'LOGOUT');
        c.destroy();
        c = undefined;
      }
      rec.pass(performance.now());
    }
    if (c) {
      await c.command('LOGOUT');
      c.destroy();
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => worker(i)));
  return rec.result(COMMAND_ORDER);
}

function printRun(results: Map<string, RunStats>, passLabel: string): void {
  for (const [name, s] of results) {
    log(
      `\n  ${name}: ${fmt(s.seconds, 0)} s window, ${fmt(s.passesPerSec)} ${passLabel}/s, ${fmt(s.total.opsPerSec)} commands/s, ${s.total.errors} errors`,
    );
    const rows = [...s.commands, s.total].map((c) => [c.command, fmt(c.opsPerSec), fmt(c.p50, 2), fmt(c.p99, 2), String(c.errors)]);
    log(
      table(['command', 'ops/s', 'p50 ms', 'p99 ms', 'errors'], rows)
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n'),
    );
    for (const e of s.errorSamples) log(`    error: ${e.slice(0, 200)}`);
  }
  const k = results.get('kimap');
  const d = results.get('dovecot');
  if (k && d) {
    const rows = k.commands.map((kc) => {
      const dc = d.commands.find((x) => x.command === kc.command);
      return [
        kc.command,
        dc ? fmt(kc.opsPerSec / dc.opsPerSec, 2) : '-',
        dc ? fmt(kc.p50 / dc.p50, 2) : '-',
        dc ? fmt(kc.p99 / dc.p99, 2) : '-',
      ];
    });
    rows.push(['all', fmt(k.total.opsPerSec / d.total.opsPerSec, 2), fmt(k.total.p50 / d.total.p50, 2), fmt(k.total.p99 / d.total.p99, 2)]);
    log('\n  kimap / Dovecot');
    log(
      table(['command', 'ops/s ratio', 'p50 ratio', 'p99 ratio'], rows)
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n'),
    );
  }
}

// ---------------------------------------------------------------- seeding

/** MULTIAPPEND of `count` messages in batches; returns seconds. */
async function seedMailbox(
  c: ImapConn,
  owner: string,
  seed: number,
  count: number,
  batch: number,
  small: boolean,
  literalPlus: boolean,
): Promise<number> {
  const t0 = performance.now();
  for (let first = 0; first < count; first += batch) {
    const parts: Array<string | Buffer> = ['APPEND INBOX'];
    for (let i = first; i < Math.min(count, first + batch); i++) {
      const m = seedMessage(owner, seed, i, small);
      parts.push(` ${m.flags ? `(${m.flags}) ` : ''}"${m.internalDate}" `, m.data);
    }
    parts.push('');
    const r = await c.commandWithLiterals(parts, literalPlus);
    if (r.status !== 'OK') throw new Error(`seeding ${owner}: ${r.text}`);
  }
  return (performance.now() - t0) / 1000;
}

async function seedUsers(t: Target, literalPlus: boolean): Promise<number> {
  const t0 = performance.now();
  let next = 1;
  const worker = async (w: number) => {
    for (let u = next++; u <= CONFIG.users; u = next++) {
      const s = (await openSession(t, userName(u), w, undefined, false))!;
      s.timeoutMs = 300_000;
      await seedMailbox(s, userName(u), u, CONFIG.seedMessages, CONFIG.seedBatch, false, literalPlus);
      await s.command('LOGOUT');
      s.destroy();
    }
  };
  await Promise.all(Array.from({ length: 4 }, (_, i) => worker(i)));
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------- (c) IDLE memory

interface IdleResult {
  sessions: number;
  failed: number;
  openSeconds: number;
  before: { rssKb: number; pssKb: number; processes: number };
  after: { rssKb: number; pssKb: number; processes: number };
  rssPerSessionKb: number;
  pssPerSessionKb: number;
  /** RSS per session 5 s after the last session was opened (before the settle period). */
  rssPerSessionEarlyKb: number;
  /** kimap: growth of the edge's V8 heap in use, per session. */
  heapPerSessionKb?: number;
}

async function idleScenario(t: Target): Promise<IdleResult> {
  const want = CONFIG.idleSessions;
  // The baseline is taken as settled as the end state: kimap's edge gets the
  // same settle time after the work of the previous scenario (its quiet
  // collection gives that work's garbage back), or the growth would depend on
  // whether that collection happened to run before the first session opened.
  await sleep(t.heapUsed ? CONFIG.idleSettleSeconds * 1000 : 2000);
  const before = t.memory();
  const heapBefore = await t.heapUsed?.();
  const conns: ImapConn[] = [];
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let i = next++; i < want && failed < 100; i = next++) {
      const c = await openSession(t, userName(1 + (i % CONFIG.users)), i, undefined, false).catch(() => undefined);
      const s = c ? await c.command('SELECT INBOX') : undefined;
      if (!c || s?.status !== 'OK' || !(await c.idle())) {
        failed++;
        c?.destroy();
        continue;
      }
      conns.push(c);
      if (conns.length % 2000 === 0) log(`    ${t.name}: ${conns.length} IDLE sessions`);
    }
  };
  await Promise.all(Array.from({ length: CONFIG.idleOpeners }, () => worker()));
  const openSeconds = (performance.now() - t0) / 1000;
  await sleep(5000);
  const early = t.memory();
  // The steady state: sessions that stay idle, after the servers have settled
  // (for kimap, V8 collects the garbage of opening the sessions some seconds
  // after the allocation rate drops).
  await sleep(Math.max(0, CONFIG.idleSettleSeconds - 5) * 1000);
  const held = conns.filter((c) => !c.closed).length;
  const after = t.memory();
  const heapAfter = await t.heapUsed?.();
  for (const c of conns) c.destroy();
  // Let the server tear the sessions down before the next scenario (bounded).
  for (let i = 0; i < 120 && t.sessionProcesses() > 0 && t.name === 'dovecot'; i++) await sleep(500);
  await sleep(2000);
  return {
    sessions: held,
    failed,
    openSeconds,
    before,
    after,
    rssPerSessionKb: (after.rssKb - before.rssKb) / held,
    rssPerSessionEarlyKb: (early.rssKb - before.rssKb) / held,
    pssPerSessionKb: (after.pssKb - before.pssKb) / held,
    heapPerSessionKb: heapBefore !== undefined && heapAfter !== undefined ? (heapAfter - heapBefore) / 1024 / held : undefined,
  };
}

// ---------------------------------------------------------------- (d) big mailbox

interface BigResult {
  seedSeconds: number;
  ops: Array<{ op: string; first: number; median: number; detail: string }>;
}

async function bigScenario(t: Target, literalPlus: boolean): Promise<BigResult> {
  const seeder = (await openSession(t, BIG_USER, 0, undefined, false))!;
  seeder.timeoutMs = 600_000;
  const seedSeconds = await profiled(t, 'd-seed', () =>
    seedMailbox(seeder, BIG_USER, 7, CONFIG.bigMessages, CONFIG.bigBatch, true, literalPlus),
  );
  await seeder.command('LOGOUT');
  seeder.destroy();
  log(
    `    ${t.name}: seeded ${CONFIG.bigMessages} messages in ${fmt(seedSeconds)} s (${fmt(CONFIG.bigMessages / seedSeconds)} messages/s)`,
  );
  const names = ['SELECT INBOX', 'UID FETCH 1:* (FLAGS)', 'UID SEARCH FROM (header)', 'UID SEARCH BODY (text)', 'UID FETCH 100 headers'];
  const times: number[][] = names.map(() => []);
  const details: string[] = names.map(() => '');
  await profiled(t, 'd-queries', async () => {
    for (let round = 0; round < CONFIG.bigRounds; round++) {
      // Rounds 2 s apart, as clients do not come back within the second (Dovecot's maildir
      // synchronisation treats directory times of the current second as unreliable).
      await sleep(2000);
      const c = (await openSession(t, BIG_USER, round, undefined, false))!;
      c.timeoutMs = 600_000;
      let exists = 0;
      let lines = 0;
      let hits = 0;
      const step = async (k: number, cmd: string, onLine: (l: string) => void) => {
        const t0 = performance.now();
        const r = await c.command(cmd, onLine);
        times[k]!.push(performance.now() - t0);
        if (r.status !== 'OK') throw new Error(`${t.name}: ${cmd}: ${r.text}`);
      };
      const search = (l: string) => {
        if (l.startsWith('* SEARCH')) hits += l.split(' ').length - 2;
      };
      await step(0, 'SELECT INBOX', (l) => {
        const m = /^\* (\d+) EXISTS/.exec(l);
        if (m) exists = Number(m[1]);
      });
      details[0] = `${exists} EXISTS`;
      await step(1, 'UID FETCH 1:* (FLAGS)', () => lines++);
      details[1] = `${lines} FETCH lines`;
      hits = 0;
      await step(2, `UID SEARCH FROM "${SENDER_KEYS[0]}"`, search);
      details[2] = `${hits} hits`;
      hits = 0;
      await step(3, `UID SEARCH BODY "${RARE_WORD}"`, search);
      details[3] = `${hits} hits`;
      lines = 0;
      await step(
        4,
        `FETCH ${Math.max(1, exists - 99)}:${exists} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Subject Date)])`,
        () => lines++,
      );
      details[4] = `${lines} FETCH lines, ${fmt(c.literalBytes / 1024)} KB of literals in the session`;
      await c.command('LOGOUT');
      c.destroy();
    }
  });
  if ('mailbox' in t) {
    const mailbox = (t as KimapTarget).mailbox;
    const [hits, loads, mismatches] = await Promise.all(
      ['hits', 'loads', 'mismatches'].map((k) => metric(mailbox, `kimap_metadata_cache_${k}_total`)),
    );
    log(`    kimap metadata cache: ${hits} answered from memory, ${loads} read in full, ${mismatches} mismatches`);
  }
  return {
    seedSeconds,
    ops: names.map((op, k) => {
      const all = times[k]!;
      const warm = all.length > 1 ? all.slice(1) : all;
      return {
        op,
        first: all[0]!,
        median: percentile(
          [...warm].sort((a, b) => a - b),
          50,
        ),
        detail: details[k]!,
      };
    }),
  };
}

// ---------------------------------------------------------------- (e) APPEND throughput

async function appendScenario(t: Target, literalPlus: boolean): Promise<RunStats> {
  const rec = new Recorder();
  rec.window(2000, CONFIG.appendSeconds * 1000);
  const worker = async (id: number) => {
    const user = userName(1 + (id % CONFIG.users));
    const msg = new AppendMessage(user, 10_000 + id);
    const c = await openSession(t, user, id, undefined, false);
    if (!c) return;
    for (let i = 0; i < MAX_PASSES && !rec.over; i++) {
      const t0 = performance.now();
      const r = await c.commandWithLiterals(['APPEND Archive ', msg.next(), ''], literalPlus);
      const t1 = performance.now();
      rec.add('APPEND 4 KB', t0, t1, r.status === 'OK', r.text);
      rec.pass(t1);
      if (r.status === 'ERR') return;
    }
    await c.command('LOGOUT');
    c.destroy();
  };
  await Promise.all(Array.from({ length: CONFIG.appendClients }, (_, i) => worker(i)));
  return rec.result();
}

// ---------------------------------------------------------------- CPU accounting

let cpuGroups: CpuGroup[] = [];
const cpuLog: Array<{ label: string; target: string; use: CpuUse }> = [];

function cpuLine(u: CpuUse): string {
  const parts = Object.entries(u.cores)
    .filter(([, v]) => v >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(2)}`);
  return `CPU (cores busy on average, of ${cpus().length}): ${parts.join(', ')}, interrupts ${u.irq.toFixed(2)}, other ${u.other.toFixed(2)}; machine ${u.machine.toFixed(2)}`;
}

/** Runs `fn` and logs how busy each process group was meanwhile. */
async function metered<T>(t: Target, label: string, fn: () => Promise<T>): Promise<T> {
  // Let the previous run's tail (change events still being consumed, Dovecot's exiting processes) pass.
  await sleep(2000);
  // The machine may be shared: wait (bounded) while other processes use a noticeable share of it.
  const quietBy = performance.now() + CONFIG.waitQuietSeconds * 1000;
  for (let said = false; performance.now() < quietBy;) {
    const probe = cpuMeter(cpuGroups);
    await sleep(1000);
    const other = probe.done().other;
    if (other < CONFIG.noiseCores) break;
    if (!said) log(`    waiting up to ${CONFIG.waitQuietSeconds} s: other processes use ${other.toFixed(2)} cores`);
    said = true;
  }
  const m = cpuMeter(cpuGroups);
  const r = await fn();
  const use = m.done();
  cpuLog.push({ label, target: t.name, use });
  log(
    `    ${t.name} ${label}: ${cpuLine(use)}${use.other >= CONFIG.noiseCores ? `  <-- DISTURBED: other processes took ${use.other.toFixed(2)} cores` : ''}`,
  );
  return r;
}

/** The most CPU other processes took during the runs of one scenario (by label prefix). */
function noiseOf(labelPrefix: string): string {
  const others = cpuLog.filter((c) => c.label.startsWith(labelPrefix)).map((c) => c.use.other);
  if (others.length === 0) return '-';
  const max = Math.max(...others);
  return max >= CONFIG.noiseCores ? `${max.toFixed(2)} DISTURBED` : max.toFixed(2);
}

// ---------------------------------------------------------------- CPU profiles

const profileCounts = new Map<number, number>();
/** IMAP commands the last profiled run sent (for statements per command). */
let lastCommandCount = 0;

/**
 * Runs `fn`; with BENCH_CPU_PROF_DIR, the kimap edge and mailbox processes are
 * CPU-profiled for exactly its duration (bench/lib/cpu-profile.mjs toggles on
 * SIGUSR2) into <dir>/<service>-<label>.cpuprofile.
 */
async function profiled<T>(t: Target, label: string, fn: () => Promise<T>): Promise<T> {
  if (!CONFIG.cpuProfDir || !('edge' in t || 'server' in t)) return fn();
  const procs: ReadonlyArray<readonly [string, number]> =
    'edge' in t
      ? [
          ['imap-edge', (t as KimapTarget).edge.child.pid!],
          ['mailbox', (t as KimapTarget).mailbox.child.pid!],
        ]
      : [['server', (t as Target & { server: ServiceProcess }).server.child.pid!]];
  for (const [, pid] of procs) process.kill(pid, 'SIGUSR2');
  lastCommandCount = 0;
  try {
    const r = await fn();
    const sent = (r as Partial<RunStats> | undefined)?.sent;
    if (sent !== undefined) lastCommandCount = sent;
    return r;
  } finally {
    for (const [, pid] of procs) process.kill(pid, 'SIGUSR2');
    for (const [service, pid] of procs) {
      const n = (profileCounts.get(pid) ?? 0) + 1;
      profileCounts.set(pid, n);
      const file = join(CONFIG.cpuProfDir, `${service}-${pid}-${n}.cpuprofile`);
      for (let i = 0; i < 300 && !existsSync(file); i++) await sleep(100);
      const queries = file.replace(/\.cpuprofile$/, '.queries.json');
      if (existsSync(queries)) {
        const counts = JSON.parse(readFileSync(queries, 'utf8')) as Record<string, number>;
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        const commands = lastCommandCount;
        log(
          `    SQL statements sent by the mailbox service: ${total}${commands ? ` (${(total / commands).toFixed(1)} per IMAP command)` : ''}; top: ` +
            Object.entries(counts)
              .slice(0, 6)
              .map(([q, c]) => `${c} x ${q.slice(0, 50)}`)
              .join(' | '),
        );
        renameSync(queries, join(CONFIG.cpuProfDir, `${service}-${label}.queries.json`));
      }
      if (existsSync(file)) {
        renameSync(file, join(CONFIG.cpuProfDir, `${service}-${label}.cpuprofile`));
        log(`    CPU profile: ${join(CONFIG.cpuProfDir, `${service}-${label}.cpuprofile`)}`);
      } else log(`    CPU profile of ${service} (${label}) did not appear`);
    }
  }
}

// ---------------------------------------------------------------- main

interface Summary {
  scenario: string;
  metric: string;
  kimap: string;
  dovecot: string;
  ratio: string;
  target: string;
  met: string;
  /** Most CPU (cores) that processes outside the bench took during the scenario's runs. */
  noise: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['-C', repoRoot, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    /* not a git checkout */
  }
  log(
    `kimap vs Dovecot — ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}, kimap ${commit}, ${new Date().toISOString()}`,
  );
  log(`config: ${JSON.stringify({ ...CONFIG, scenarios: [...CONFIG.scenarios] })}`);
  const targets: Target[] = [];
  const summary: Summary[] = [];
  const saved: Record<string, unknown> = { config: { ...CONFIG, scenarios: [...CONFIG.scenarios] } };
  const extraEnv: Record<string, string> = {};
  if (CONFIG.cpuProfDir) {
    mkdirSync(CONFIG.cpuProfDir, { recursive: true });
    // Node 20 does not take --cpu-prof in NODE_OPTIONS: a preload starts the profiler instead.
    extraEnv.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${join(repoRoot, 'bench', 'lib', 'cpu-profile.mjs')}`.trim();
    extraEnv.BENCH_CPU_PROF_OUT = CONFIG.cpuProfDir;
  }
  const stopAll = async () => {
    destroyAll();
    if (liveConnections() > 0) await sleep(200);
    for (const t of targets.splice(0).reverse()) await t.stop().catch((err: unknown) => console.error(`stopping ${t.name}:`, err));
  };
  // A hard bound on the whole run, whatever hangs.
  const limit = setTimeout(() => {
    console.error(`time limit of ${CONFIG.maxSeconds} s reached: stopping`);
    void stopAll().finally(() => process.exit(2));
  }, CONFIG.maxSeconds * 1000);
  limit.unref();
  try {
    for (const name of CONFIG.targets) {
      if (name === 'kimap')
        targets.push(
          process.env.BENCH_KIMAP === 'embedded'
            ? await startKimapEmbedded({ users: CONFIG.users, extraEnv, log })
            : await startKimap({ users: CONFIG.users, extraEnv, log }),
        );
      else if (name === 'dovecot') targets.push(await startDovecot({ users: CONFIG.users, shared: CONFIG.scenarios.has('g'), log }));
      else throw new Error(`unknown target ${name}`);
    }
    const literalPlus = new Map<string, boolean>();
    for (const t of targets) {
      const c = (await openSession(t, userName(1), 0, undefined, false))!;
      const caps = await c.capabilities();
      literalPlus.set(t.name, caps.has('LITERAL+'));
      if (!caps.has('MULTIAPPEND') || !caps.has('UIDPLUS')) throw new Error(`${t.name} lacks MULTIAPPEND or UIDPLUS`);
      await c.command('LOGOUT');
      c.destroy();
    }
    const lp = (t: Target) => literalPlus.get(t.name) ?? false;
    const infra = findInfrastructure(repoRoot);
    cpuGroups = [
      ...targets.flatMap((t) => t.cpuGroups()),
      { name: 'postgres', pids: infra.postgres },
      { name: 'kafka', pids: infra.kafka },
    ];
    log(
      `CPU accounting: ${cpuGroups.map((g) => `${g.name} [${g.pids.join(' ')}]`).join(', ')}; the load generator is this process (${process.pid})`,
    );
    const ratio = (k: number | undefined, d: number | undefined) => (k !== undefined && d !== undefined && d > 0 ? k / d : NaN);

    // Seeding: every user's INBOX, the same messages on both.
    const seedTimes: Record<string, number> = {};
    for (const t of targets) {
      seedTimes[t.name] = await metered(t, 'seeding', () => profiled(t, 'seed', () => seedUsers(t, lp(t))));
      log(
        `seeded ${CONFIG.users} users x ${CONFIG.seedMessages} messages into ${t.name} in ${fmt(seedTimes[t.name]!)} s (MULTIAPPEND, ${CONFIG.seedBatch} per command, 4 connections)`,
      );
    }
    saved.seedUsers = seedTimes;
    const pending = new Map<string, Pending>(targets.map((t) => [t.name, new Map()]));
    const warm = async (t: Target) => {
      const s = await warmLogins(t);
      if (s > 2)
        log(`    ${t.name}: logging the ${CONFIG.users} users in once took ${fmt(s)} s (password verifications no longer remembered)`);
    };

    if (CONFIG.scenarios.has('c')) {
      log(
        `\n(c) memory per IDLE session: ${CONFIG.idleSessions} sessions (LOGIN, SELECT INBOX, IDLE) over ${CONFIG.users} users from ${CONFIG.sourceAddrs} source addresses`,
      );
      const res = new Map<string, IdleResult>();
      for (const t of targets) {
        await warm(t);
        res.set(t.name, await metered(t, '(c)', () => profiled(t, 'c', () => idleScenario(t))));
      }
      const rows = [...res].map(([n, r]) => [
        n === 'kimap' ? 'kimap (edge process)' : 'dovecot (imap processes)',
        String(r.sessions),
        String(r.failed),
        fmt(r.openSeconds),
        fmt(r.before.rssKb / 1024),
        fmt(r.after.rssKb / 1024),
        fmt(r.rssPerSessionEarlyKb),
        fmt(r.rssPerSessionKb),
        fmt(r.pssPerSessionKb),
        r.heapPerSessionKb !== undefined ? fmt(r.heapPerSessionKb) : '-',
        String(r.after.processes),
      ]);
      log(
        table(
          [
            'server',
            'sessions',
            'failed',
            'open s',
            'RSS before MB',
            'RSS after MB',
            'RSS KB/session at 5 s',
            `RSS KB/session at ${CONFIG.idleSettleSeconds} s`,
            'PSS KB/session',
            'V8 heap KB/session',
            'processes',
          ],
          rows,
        ),
      );
      saved.idle = Object.fromEntries(res);
      const k = res.get('kimap');
      const d = res.get('dovecot');
      summary.push({
        scenario: '(c) IDLE memory',
        noise: noiseOf('(c)'),
        metric: 'RSS KB per session',
        kimap: k ? fmt(k.rssPerSessionKb) : '-',
        dovecot: d ? `${fmt(d.rssPerSessionKb)} (PSS ${fmt(d.pssPerSessionKb)})` : '-',
        ratio: `${fmt(ratio(k?.rssPerSessionKb, d?.rssPerSessionKb), 3)} (PSS ${fmt(ratio(k?.pssPerSessionKb, d?.pssPerSessionKb), 3)})`,
        target: 'kimap <= 16 KB',
        met: k ? (k.rssPerSessionKb <= 16 ? 'yes' : 'NO') : '-',
      });
    }

    for (const [key, keepOpen, clients] of [
      ['a', false, CONFIG.clientsA],
      ['b', true, CONFIG.clientsB],
    ] as const) {
      if (!CONFIG.scenarios.has(key)) continue;
      log(
        key === 'a'
          ? `\n(a) the mix with a login per session: ${clients} clients, ${CONFIG.seconds} s (after ${CONFIG.warmupSeconds} s warm-up), random user of ${CONFIG.users} per session`
          : `\n(b) the mix with sessions kept open: ${clients} clients, ${CONFIG.seconds} s (after ${CONFIG.warmupSeconds} s warm-up), one user each`,
      );
      const res = new Map<string, RunStats>();
      for (const t of targets) {
        await warm(t);
        res.set(
          t.name,
          await metered(t, `(${key})`, () =>
            profiled(t, key, () => runMix(t, clients, keepOpen, pending.get(t.name)!, lp(t), CONFIG.warmupSeconds, CONFIG.seconds)),
          ),
        );
      }
      printRun(res, key === 'a' ? 'sessions' : 'passes');
      saved[key] = Object.fromEntries(res);
      const k = res.get('kimap');
      const d = res.get('dovecot');
      const r = ratio(k?.total.opsPerSec, d?.total.opsPerSec);
      summary.push({
        scenario: key === 'a' ? '(a) mix, login per session' : '(b) mix, sessions kept open',
        noise: noiseOf(`(${key})`),
        metric: `commands/s (p99 ms), ${clients} clients`,
        kimap: k ? `${fmt(k.total.opsPerSec)} (${fmt(k.total.p99, 1)})` : '-',
        dovecot: d ? `${fmt(d.total.opsPerSec)} (${fmt(d.total.p99, 1)})` : '-',
        ratio: fmt(r, 2),
        target: 'kimap >= Dovecot',
        met: Number.isFinite(r) ? (r >= 1 ? 'yes' : 'NO') : '-',
      });
    }

    // (f) A hot mailbox: the sessions of one person's phones and desktops on one INBOX.
    // (g) A team inbox: as many users as sessions on user 1's INBOX, which it shares with them.
    for (const key of ['f', 'g'] as const) {
      if (!CONFIG.scenarios.has(key)) continue;
      if (key === 'g') for (const t of targets) await shareInbox(t, Math.max(...CONFIG.hotClients));
      for (const clients of CONFIG.hotClients) {
        const who =
          key === 'f'
            ? `all of ${userName(1)} on its INBOX`
            : `${Math.min(clients, CONFIG.users)} users on ${userName(1)}'s INBOX (shared with them, each with its own \\Seen)`;
        log(
          `\n(${key}) the mix on one mailbox: ${clients} sessions kept open, ${who}, ${CONFIG.seconds} s (after ${CONFIG.warmupSeconds} s warm-up)`,
        );
        const res = new Map<string, RunStats>();
        for (const t of targets) {
          await warm(t);
          const shared = sharedName(t, userName(1), 'INBOX');
          res.set(
            t.name,
            await metered(t, `(${key}) ${clients}`, () =>
              profiled(t, `${key}${clients}`, () =>
                key === 'f'
                  ? runMix(t, clients, true, pending.get(t.name)!, lp(t), CONFIG.warmupSeconds, CONFIG.seconds, () => 1)
                  : runMix(t, clients, true, pending.get(t.name)!, lp(t), CONFIG.warmupSeconds, CONFIG.seconds, undefined, (id) => ({
                      name: id % CONFIG.users === 0 ? 'INBOX' : shared,
                      owner: 1,
                    })),
              ),
            ),
          );
        }
        printRun(res, 'passes');
        saved[`${key}${clients}`] = Object.fromEntries(res);
        const k = res.get('kimap');
        const d = res.get('dovecot');
        const r = ratio(k?.total.opsPerSec, d?.total.opsPerSec);
        summary.push({
          scenario: key === 'f' ? `(f) one hot mailbox, ${clients} sessions` : `(g) a team inbox, ${clients} users`,
          noise: noiseOf(`(${key}) ${clients}`),
          metric: `commands/s (p99 ms)`,
          kimap: k ? `${fmt(k.total.opsPerSec)} (${fmt(k.total.p99, 1)})` : '-',
          dovecot: d ? `${fmt(d.total.opsPerSec)} (${fmt(d.total.p99, 1)})` : '-',
          ratio: fmt(r, 2),
          target: 'kimap >= Dovecot',
          met: Number.isFinite(r) ? (r >= 1 ? 'yes' : 'NO') : '-',
        });
      }
    }

    if (CONFIG.scenarios.has('sweep')) {
      log(`\nsweep of (b) over ${CONFIG.sweep.join(', ')} clients, ${CONFIG.sweepSeconds} s each after 2 s warm-up`);
      const points: SweepPoint[] = [];
      for (const n of CONFIG.sweep) {
        for (const t of targets) {
          await warm(t);
          const s = await metered(t, `sweep ${n} clients`, () => runMix(t, n, true, pending.get(t.name)!, lp(t), 2, CONFIG.sweepSeconds));
          const others = cpuLog[cpuLog.length - 1]?.use.other ?? NaN;
          points.push({
            target: t.name,
            clients: n,
            opsPerSec: s.total.opsPerSec,
            p50: s.total.p50,
            p99: s.total.p99,
            errors: s.total.errors,
            othersCores: others,
          });
        }
      }
      log(
        table(
          ['target', 'clients', 'commands/s', 'p50 ms', 'p99 ms', 'errors', "others' CPU"],
          points.map((p) => [
            p.target,
            String(p.clients),
            fmt(p.opsPerSec),
            fmt(p.p50, 2),
            fmt(p.p99, 2),
            String(p.errors),
            (p.othersCores ?? NaN).toFixed(2),
          ]),
        ),
      );
      mkdirSync(CONFIG.outDir, { recursive: true });
      writeFileSync(join(CONFIG.outDir, 'benchmarks-sweep.csv'), sweepCsv(points));
      writeFileSync(
        join(CONFIG.outDir, 'benchmarks-sweep.svg'),
        sweepSvg(points, 'The mix with sessions kept open: kimap (edge + mailbox + PostgreSQL + Kafka) vs Dovecot, 2 cores'),
      );
      log(`wrote ${join(CONFIG.outDir, 'benchmarks-sweep.csv')} and benchmarks-sweep.svg`);
      saved.sweep = points;
    }

    if (CONFIG.scenarios.has('e')) {
      log(`\n(e) APPEND throughput: ${CONFIG.appendClients} clients appending ~4 KB messages to Archive, ${CONFIG.appendSeconds} s`);
      const res = new Map<string, RunStats>();
      for (const t of targets) {
        await warm(t);
        res.set(t.name, await metered(t, '(e)', () => profiled(t, 'e', () => appendScenario(t, lp(t)))));
      }
      printRun(res, 'messages');
      saved.e = Object.fromEntries(res);
      const k = res.get('kimap');
      const d = res.get('dovecot');
      summary.push({
        scenario: '(e) APPEND throughput',
        noise: noiseOf('(e)'),
        metric: `messages/s (p99 ms), ${CONFIG.appendClients} clients`,
        kimap: k ? `${fmt(k.passesPerSec)} (${fmt(k.total.p99, 1)})` : '-',
        dovecot: d ? `${fmt(d.passesPerSec)} (${fmt(d.total.p99, 1)})` : '-',
        ratio: fmt(ratio(k?.passesPerSec, d?.passesPerSec), 2),
        target: '(none set)',
        met: '-',
      });
    }

    if (CONFIG.scenarios.has('d')) {
      log(
        `\n(d) a ${CONFIG.bigMessages}-message mailbox: MULTIAPPEND seeding (${CONFIG.bigBatch} per command, one connection), then ${CONFIG.bigRounds} rounds of commands on a fresh session each`,
      );
      const res = new Map<string, BigResult>();
      for (const t of targets) res.set(t.name, await metered(t, '(d)', () => bigScenario(t, lp(t))));
      const k = res.get('kimap');
      const d = res.get('dovecot');
      const rows: string[][] = [
        [
          'seeding (s)',
          k ? fmt(k.seedSeconds) : '-',
          '',
          d ? fmt(d.seedSeconds) : '-',
          '',
          fmt(ratio(k?.seedSeconds, d?.seedSeconds), 2),
          '',
        ],
      ];
      for (const [i, op] of (k ?? d)!.ops.entries()) {
        const ko = k?.ops[i];
        const dd = d?.ops[i];
        rows.push([
          op.op + ' (ms)',
          ko ? fmt(ko.first) : '-',
          ko ? fmt(ko.median) : '-',
          dd ? fmt(dd.first) : '-',
          dd ? fmt(dd.median) : '-',
          fmt(ratio(ko?.median, dd?.median), 2),
          `${ko?.detail ?? ''} | ${dd?.detail ?? ''}`,
        ]);
      }
      log(
        table(
          ['operation', 'kimap first', 'kimap median', 'dovecot first', 'dovecot median', 'time ratio (median)', 'kimap | dovecot'],
          rows,
        ),
      );
      saved.d = Object.fromEntries(res);
      summary.push({
        scenario: '(d) 100k mailbox',
        noise: noiseOf('(d)'),
        metric: 'seeding s',
        kimap: k ? fmt(k.seedSeconds) : '-',
        dovecot: d ? fmt(d.seedSeconds) : '-',
        ratio: fmt(ratio(k?.seedSeconds, d?.seedSeconds), 2),
        target: '(time; lower is better)',
        met: '-',
      });
      for (const [i, op] of (k ?? d)!.ops.entries()) {
        const r = ratio(k?.ops[i]?.median, d?.ops[i]?.median);
        summary.push({
          scenario: '(d) 100k mailbox',
          noise: noiseOf('(d)'),
          metric: `${op.op} ms (median)`,
          kimap: k ? fmt(k.ops[i]!.median) : '-',
          dovecot: d ? fmt(d.ops[i]!.median) : '-',
          ratio: fmt(r, 2),
          target: 'kimap <= Dovecot',
          met: Number.isFinite(r) ? (r <= 1 ? 'yes' : 'NO') : '-',
        });
      }
    }

    log(`\nsummary (ratio = kimap / Dovecot; run took ${fmt((Date.now() - started) / 1000, 0)} s)`);
    log(
      table(
        ['scenario', 'metric', 'kimap', 'dovecot', 'ratio', 'target', 'met', "others' CPU"],
        summary.map((s) => [s.scenario, s.metric, s.kimap, s.dovecot, s.ratio, s.target, s.met, s.noise]),
        2,
      ),
    );
    saved.summary = summary;
    saved.cpu = cpuLog;
    const outJson = join(repoRoot, '.cache', 'bench', `imap-vs-dovecot-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(join(repoRoot, '.cache', 'bench'), { recursive: true });
    writeFileSync(outJson, JSON.stringify(saved, null, 2));
    log(`results: ${outJson}`);
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
