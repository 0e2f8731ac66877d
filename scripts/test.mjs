#!/usr/bin/env node
// Runs a package's tests (test/**/*.test.ts, or the paths given) with Node's
// test runner on the TypeScript sources. Node 20's runner takes no globs.
//
// Files run in parallel, each in a `node --test` process of its own, at most
// TEST_CONCURRENCY at a time (default: as many as there are CPUs; with one
// more, three argon2 logins overran a 1.5 s pre-auth timeout in the edge's
// tests on a loaded two-core machine). Each file makes its own database, Kafka
// topic, consumer group, temporary folder and ports; what files share beyond
// that is listed in EXCLUSIVE below, and files of one group never run at the
// same time. A file's output is printed in one piece when it ends, so that
// files do not interleave.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Files (repository paths) that must not overlap, by what they share. */
const EXCLUSIVE = {
  // They install Debian packages when their programs are missing (dovecot-imapd;
  // isync and offlineimap3; postfix), and dpkg takes one installer at a time.
  'debian-packages': ['e2e/test/transcripts.test.ts', 'e2e/test/interop.test.ts', 'e2e/test/lmtp.test.ts'],
  // Each runs a storm of 50 IMAP clients against several server processes and
  // kills or cuts some of them: both at once on two cores push replies past
  // the deadlines they check.
  'fault-storms': ['e2e/test/faults.test.ts', 'e2e/test/faults-embedded.test.ts'],
};
// sync.test.ts starts a Kafka broker of its own; kafka.sh fetches the broker's jars
// into .cache/kafka-lib once (installing Java and Maven from Debian when missing).
if (!existsSync(join(repoRoot, '.cache/kafka-lib/.complete'))) EXCLUSIVE['debian-packages'].push('e2e/test/sync.test.ts');

/** How long each file took last time (slowest first shortens the run), kept between runs. */
const durationsFile = join(repoRoot, '.cache/test-durations.json');

function find(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

function concurrency() {
  const v = process.env.TEST_CONCURRENCY;
  if (v === undefined || v === '') return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`TEST_CONCURRENCY must be a whole number of at least 1, not ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
}

function readDurations() {
  try {
    return JSON.parse(readFileSync(durationsFile, 'utf8'));
  } catch {
    return {};
  }
}

const args = process.argv.slice(2);
const files = (args.length ? args : ['test']).filter((p) => existsSync(p)).flatMap((p) => (statSync(p).isDirectory() ? find(p) : [p]));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const name = (file) => relative(repoRoot, resolve(file));
const groupsOf = new Map();
for (const [group, members] of Object.entries(EXCLUSIVE)) for (const f of members) groupsOf.set(f, [...(groupsOf.get(f) ?? []), group]);

const known = readDurations();
// Before a first run, the whole-system tests (e2e/) are the slow ones.
const expected = (f) => known[name(f)] ?? (name(f).startsWith('e2e/') ? 60_000 : 0);
const pending = [...files].sort((a, b) => expected(b) - expected(a));
const slots = Math.min(concurrency(), files.length);
const tty = process.stdout.isTTY;
const nodeArgs = ['--conditions=source', '--import', 'tsx', '--test', `--test-reporter=${tty ? 'spec' : 'tap'}`];
const busy = new Set();
const children = new Set();
const results = [];
const started = Date.now();

function runFile(file) {
  const t0 = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: tty && !process.env.NO_COLOR ? { ...process.env, FORCE_COLOR: '1' } : process.env,
  });
  children.add(child);
  const out = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => out.push(d));
  return new Promise((resolveRun) => {
    child.once('close', (code, signal) => {
      children.delete(child);
      const text = Buffer.concat(out).toString();
      // The runner's closing counts: "# pass 3" (tap) or "ℹ pass 3" (spec, maybe in colour).
      const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
      const count = (what) => Number([...plain.matchAll(new RegExp(`^(?:# |\\S+ )${what} (\\d+)$`, 'gm'))].pop()?.[1] ?? 0);
      const r = {
        file: name(file),
        ok: code === 0,
        ms: Date.now() - t0,
        pass: count('pass'),
        fail: count('fail'),
        cancelled: count('cancelled'),
        skipped: count('skipped'),
        todo: count('todo'),
      };
      results.push(r);
      const status = r.ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`;
      process.stdout.write(`\n=== ${r.file}: ${status}, ${(r.ms / 1000).toFixed(1)} s\n${text}`);
      resolveRun();
    });
  });
}

/** The next pending file none of whose groups is busy. */
function next() {
  const i = pending.findIndex((f) => (groupsOf.get(name(f)) ?? []).every((g) => !busy.has(g)));
  return i < 0 ? undefined : pending.splice(i, 1)[0];
}

async function worker() {
  for (;;) {
    const file = next();
    if (!file) {
      if (pending.length === 0) return;
      // Everything left waits for a group another worker holds.
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const groups = groupsOf.get(name(file)) ?? [];
    for (const g of groups) busy.add(g);
    try {
      await runFile(file);
    } finally {
      for (const g of groups) busy.delete(g);
    }
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) c.kill(sig);
    process.exit(130);
  });
}

await Promise.all(Array.from({ length: slots }, worker));

const sum = (k) => results.reduce((n, r) => n + r[k], 0);
const failed = results.filter((r) => !r.ok);
try {
  mkdirSync(dirname(durationsFile), { recursive: true });
  writeFileSync(durationsFile, JSON.stringify({ ...known, ...Object.fromEntries(results.map((r) => [r.file, r.ms])) }, null, 2) + '\n');
} catch {
  /* only an ordering hint */
}
for (const r of failed) console.log(`failed: ${r.file}`);
console.log(
  `${failed.length ? 'FAILED' : 'ok'}: ${results.length} files, ${sum('pass')} passed, ${sum('fail')} failed, ${sum('cancelled')} cancelled, ` +
    `${sum('skipped')} skipped, ${sum('todo')} todo; ${((Date.now() - started) / 1000).toFixed(1)} s with ${slots} at a time`,
);
// The plain closing line that tools reading a run's end understand; a cancelled test counts as failed.
console.log(`tests: ${sum('pass')} passed, ${sum('fail') + sum('cancelled')} failed, ${sum('skipped')} skipped`);
process.exit(failed.length ? 1 : 0);
