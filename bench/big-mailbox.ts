// Times the commands of scenario (d) against a database that a bench run kept
// (BENCH_KEEP_DATABASE=1), without seeding 100,000 messages again: starts an
// edge and a mailbox service (compiled) on it and runs rounds of SELECT and the
// chosen commands on fresh sessions, printing each round's milliseconds (and,
// for the commands, the time to the first untagged line).
//
//   BIG_DB=postgres://.../kimap_bench_x node --conditions=source --import tsx bench/big-mailbox.ts
//
// BIG_CMDS (flags,from,body,headers), BIG_ROUNDS (5), BIG_BUILD=0 (skip tsc -b),
// BIG_REPEAT (1: each command that many times per session), BIG_PROF=1 (CPU profiles into /tmp/big-mailbox-prof, see cpuprofile-top.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { freePort, startService, waitForMetric, tempDir } from '../e2e/src/cluster.js';
import { ImapConn } from './lib/imap-conn.js';
import { ensureTopic } from '@kimap/common';

const url = process.env.BIG_DB;
if (!url) throw new Error('BIG_DB: the URL of a kept bench database');
if (process.env.BIG_BUILD !== '0') execFileSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
const topic = 'big-mailbox-' + Date.now();
await ensureTopic({ brokers: process.env.KAFKA_BROKERS!.split(','), topic, clientId: 'big-mailbox' });
if (process.env.BIG_PROF) mkdirSync('/tmp/big-mailbox-prof', { recursive: true });
const env = {
  DATABASE_URL: url,
  KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
  KAFKA_TOPIC: topic,
  LOG_LEVEL: 'warn',
  ...(process.env.BIG_PROF ? { NODE_OPTIONS: '--import ./bench/lib/cpu-profile.mjs', BENCH_CPU_PROF_OUT: '/tmp/big-mailbox-prof' } : {}),
};
const grpcPort = await freePort();
const mailbox = await startService(
  'mailbox',
  'services/mailbox/src/main.ts',
  { ...env, GRPC_LISTEN: `127.0.0.1:${grpcPort}` },
  { compiled: true },
);
const port = await freePort();
const dir = tempDir('big-mailbox-');
const edge = await startService(
  'edge',
  'services/imap-edge/src/main.ts',
  {
    ...env,
    MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
    KAFKA_GROUP_ID: topic,
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(port),
    IMAPS_PORT: String(await freePort()),
    DATA_DIR: dir.path,
    ALLOW_PLAINTEXT_AUTH: 'true',
    DRAIN_GRACE_MS: '500',
  },
  { compiled: true },
);
await waitForMetric(edge, 'kimap_change_feed_up', (v) => v === 1);
const cmds = (process.env.BIG_CMDS ?? 'flags,from,body,headers').split(',');
const rounds = Number(process.env.BIG_ROUNDS ?? 5);
const repeat = Number(process.env.BIG_REPEAT ?? 1);
const res: Record<string, number[]> = {};
if (process.env.BIG_PROF) {
  edge.child.kill('SIGUSR2');
  mailbox.child.kill('SIGUSR2');
}
for (let r = 0; r < rounds; r++) {
  const c = await ImapConn.open({ port, timeoutMs: 60000 });
  await c.command('LOGIN big@bench.test bench-password');
  let t = performance.now();
  await c.command('SELECT INBOX');
  (res.select ??= []).push(performance.now() - t);
  const texts: Record<string, string> = {
    flags: 'UID FETCH 1:* (FLAGS)',
    from: 'UID SEARCH FROM "alice"',
    body: 'UID SEARCH BODY "zebrafish"',
    headers: 'FETCH 99901:100000 (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Subject Date)])',
  };
  for (const k of cmds.flatMap((c) => Array<string>(repeat).fill(c))) {
    let n = 0;
    t = performance.now();
    let first = 0;
    const rep = await c.command(texts[k]!, () => {
      if (n++ === 0) first = performance.now() - t;
    });
    (res[k + '-first'] ??= []).push(first);
    (res[k] ??= []).push(performance.now() - t);
    if (rep.status !== 'OK' || r === 0) console.log(k, rep.status, rep.text.slice(0, 80), n, 'lines');
  }
  await c.command('LOGOUT');
  c.destroy();
}
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(8), v.map((x) => x.toFixed(1)).join(' '));
if (process.env.BIG_PROF) {
  edge.child.kill('SIGUSR2');
  mailbox.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 2000));
}
await edge.stop();
await mailbox.stop();
dir.remove();
process.exit(0);
