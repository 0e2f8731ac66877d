// The edge's limits under load, against kimap as deployed (edge and mailbox
// processes, PostgreSQL, Kafka), all on 127.0.0.1. Prints what each scenario
// did and the edge's memory (docs/reliability/limits.md):
//   silent     BENCH_SILENT connections that never log in; meanwhile users log in
//   loris      clients sending one byte every 2 s
//   longline   clients sending 10 MB without a line end
//   literal    a literal announced and never sent, before and after login
//   append     APPEND with literals far over APPENDLIMIT (sync, non-sync)
//   sessions   BENCH_SESSIONS logged-in sessions; NOOPs keep flowing through them
//
// Run: bash bench/limits.sh (raises ulimit -n), or
//   source scripts/test-env.sh && node --conditions=source --import tsx bench/limits.ts
// Options: BENCH_SILENT (2000), BENCH_SESSIONS (10000), BENCH_LIMITS (scenarios, comma-separated;
// all but sessions by default: run it alone, BENCH_LIMITS=sessions).
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapConn, destroyAll } from './lib/imap-conn.js';
import { percentile } from './lib/stats.js';
import { PASSWORD, startKimap, userName, type KimapTarget } from './lib/targets.js';

const SILENT = Number(process.env.BENCH_SILENT ?? 2000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const ONLY = process.env.BENCH_LIMITS?.split(',');
const USERS = 100;
const PREAUTH_MS = 10_000;
/**
 * Short, so that the literal scenario ends soon; a run of sessions alone keeps
 * the default 30 minutes, or its first sessions would be logged out while the
 * last log in.
 */
const AUTOLOGOUT_MS = ONLY?.length === 1 && ONLY[0] === 'sessions' ? 1_800_000 : 20_000;

const log = (s: string) => console.log(s);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** Source addresses 127.0.0.1-127.0.0.40: more than 28,000 connections need more 4-tuples than one address gives. */
const source = (i: number) => `127.0.0.${1 + (i % 40)}`;

function rawConnect(port: number, i = 0): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: source(i) });
    let text = '';
    const opened = performance.now();
    const closed = new Promise<number>((r) => socket.once('close', () => r(performance.now() - opened)));
    socket.on('data', (d: Buffer) => {
      // Only the first kilobytes matter (greeting, replies); a flood's echo is not kept.
      if (text.length < 8192) text += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

async function waitFor(what: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

async function login(port: number, i: number): Promise<ImapConn> {
  const c = await ImapConn.open({ port, localAddress: source(i), timeoutMs: 120_000 });
  const r = await c.command(`LOGIN ${userName(1 + (i % USERS))} ${PASSWORD}`);
  if (r.status !== 'OK') throw new Error(`LOGIN: ${r.text}`);
  return c;
}

function rss(k: KimapTarget): number {
  return k.memory().rssKb;
}

async function silent(k: KimapTarget): Promise<void> {
  const before = rss(k);
  const conns: Array<Awaited<ReturnType<typeof rawConnect>>> = [];
  for (let i = 0; i < SILENT; i++) conns.push(await rawConnect(k.port, i));
  await waitFor(() => conns.every((c) => c.received().startsWith('* OK')), 30_000);
  const held = rss(k);
  // Users keep logging in while the silent ones wait.
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const c = await login(k.port, i);
    await c.command('SELECT INBOX');
    times.push(performance.now() - t);
    await c.command('LOGOUT');
    c.destroy();
  }
  times.sort((a, b) => a - b);
  const closedIn = await Promise.all(conns.map((c) => Promise.race([c.closed, sleep(PREAUTH_MS + 15_000).then(() => Infinity)])));
  const closed = closedIn.filter((t) => t !== Infinity).sort((a, b) => a - b);
  log(
    `silent: ${SILENT} pre-login connections held ${mb(held - before)} of edge RSS (${(((held - before) * 1024) / SILENT / 1024).toFixed(1)} kB each); ` +
      `20 logins+SELECT meanwhile: p50 ${percentile(times, 50).toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms; ` +
      `${closed.length}/${SILENT} closed by the pre-auth timeout (${PREAUTH_MS} ms), between ${closed[0]?.toFixed(0)} and ${closed[closed.length - 1]?.toFixed(0)} ms; ` +
      `BYE seen by ${conns.filter((c) => c.received().includes('* BYE Login timed out')).length}`,
  );
}

async function loris(k: KimapTarget): Promise<void> {
  const before = rss(k);
  const n = 50;
  const conns = await Promise.all(Array.from({ length: n }, (_, i) => rawConnect(k.port, i)));
  let open = true;
  void Promise.all(conns.map((c) => c.closed)).then(() => (open = false));
  const line = 'a LOGIN user password\r\n';
  for (let i = 0; open && i < 60; i++) {
    for (const c of conns) if (!c.socket.destroyed) c.socket.write(line[i % line.length]!);
    await sleep(2000);
  }
  const times = (await Promise.all(conns.map((c) => Promise.race([c.closed, sleep(1000).then(() => Infinity)])))).sort((a, b) => a - b);
  log(
    `loris: ${n} clients sending a byte every 2 s: closed after ${times[0]!.toFixed(0)}-${times[n - 1]!.toFixed(0)} ms; edge RSS ${mb(before)} -> ${mb(rss(k))}`,
  );
}

async function longLine(k: KimapTarget): Promise<void> {
  const before = rss(k);
  const n = 10;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const results = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const c = await rawConnect(k.port, i);
      c.socket.write('a NOOP ');
      let sent = 0;
      while (sent < 10 * 1024 * 1024 && !c.socket.destroyed && c.socket.writable) {
        if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.closed]);
        sent += chunk.length;
      }
      await Promise.race([c.closed, sleep(10_000)]);
      return { sent, closed: c.socket.destroyed || c.socket.readableEnded, bye: /\* BYE/.test(c.received()) };
    }),
  );
  const peak = rss(k);
  log(
    `longline: ${n} clients sending 10 MB without CRLF: ${results.filter((r) => r.closed).length}/${n} closed, BYE to ${results.filter((r) => r.bye).length}, ` +
      `sent up to ${(Math.max(...results.map((r) => r.sent)) / 1048576).toFixed(1)} MB each before the close; edge RSS ${mb(before)} -> ${mb(peak)}`,
  );
}

async function literal(k: KimapTarget): Promise<void> {
  const pre = await rawConnect(k.port, 1);
  pre.socket.write('a LOGIN {5}\r\n');
  const preClosed = await Promise.race([pre.closed, sleep(PREAUTH_MS + 10_000).then(() => Infinity)]);
  const post = await login(k.port, 2);
  const t = performance.now();
  post.socket.write('x APPEND INBOX {100}\r\n');
  await waitFor(() => post.closed, AUTOLOGOUT_MS + 10_000);
  log(
    `literal: announced, never sent: before login closed after ${preClosed.toFixed(0)} ms (pre-auth ${PREAUTH_MS} ms, got "${pre.received().split('\r\n')[1]}"); ` +
      `after login closed after ${(performance.now() - t).toFixed(0)} ms (autologout ${AUTOLOGOUT_MS} ms)`,
  );
}

async function append(k: KimapTarget): Promise<void> {
  const c = await rawConnect(k.port, 3);
  const reply = async (tag: string) => {
    await waitFor(() => new RegExp(`\r\n${tag} `).test(c.received()) || c.socket.destroyed, 30_000);
    return /\r\n(\S+ [^\r]*)\r\n/.exec(c.received().slice(c.received().indexOf(`\r\n${tag} `)))?.[1] ?? '(none)';
  };
  c.socket.write(`l LOGIN ${userName(1)} ${PASSWORD}\r\n`);
  await reply('l');
  c.socket.write('s APPEND INBOX {1000000000}\r\n');
  const sync = await reply('s');
  const plus = c.received().includes('\r\n+ ');
  c.socket.write('n1 NOOP\r\n');
  const n1 = await reply('n1');
  // Over APPENDLIMIT (50 MB) but under the discard limit: read and thrown away, the connection lives.
  c.socket.write('p APPEND INBOX {60000000+}\r\n');
  const big = Buffer.alloc(1024 * 1024, 'y');
  for (let i = 0; i < 57; i++) if (!c.socket.write(big)) await new Promise((r) => c.socket.once('drain', r));
  c.socket.write(Buffer.alloc(60000000 - 57 * 1024 * 1024, 'y'));
  c.socket.write('\r\nn2 NOOP\r\n');
  const nonSync = await reply('p');
  const n2 = await reply('n2');
  const d = await rawConnect(k.port, 4);
  d.socket.write(`l LOGIN ${userName(1)} ${PASSWORD}\r\nh APPEND INBOX {1000000000+}\r\n`);
  await Promise.race([d.closed, sleep(10_000)]);
  log(
    `append: {1000000000}: "${sync}", continuation sent: ${plus}, then "${n1}"; {60000000+} over APPENDLIMIT: "${nonSync}", then "${n2}"; ` +
      `{1000000000+}: ${d.socket.destroyed || d.socket.readableEnded ? 'closed' : 'open'} after "${d.received().split('\r\n').slice(-3).join(' | ')}"`,
  );
  c.socket.destroy();
}

async function sessions(k: KimapTarget): Promise<void> {
  const before = rss(k);
  const conns: ImapConn[] = [];
  const started = performance.now();
  // Logins in parallel batches (argon2 on the mailbox service is the cost).
  for (let i = 0; i < SESSIONS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, SESSIONS - i) }, async (_, j) => {
        const c = await login(k.port, i + j);
        await c.command('SELECT INBOX');
        return c;
      }),
    );
    conns.push(...batch);
  }
  const loggedIn = performance.now() - started;
  await sleep(2000);
  const held = rss(k);
  const heap = (await k.heapUsed?.()) ?? 0;
  const times: number[] = [];
  const until = performance.now() + 20_000;
  while (performance.now() < until) {
    // 100 different sessions: a connection carries one command at a time.
    const pick = new Set<ImapConn>();
    while (pick.size < Math.min(100, conns.length)) pick.add(conns[Math.floor(Math.random() * conns.length)]!);
    await Promise.all(
      [...pick].map(async (c) => {
        const t = performance.now();
        const r = await c.command('NOOP');
        if (r.status === 'OK') times.push(performance.now() - t);
      }),
    );
  }
  times.sort((a, b) => a - b);
  log(
    `sessions: ${conns.length} logged in and selected in ${(loggedIn / 1000).toFixed(0)} s; edge RSS ${mb(before)} -> ${mb(held)} ` +
      `(${(((held - before) * 1024) / conns.length / 1024).toFixed(1)} kB per session), heap used ${(heap / 1048576).toFixed(0)} MB; ` +
      `${times.length} NOOPs in 20 s among them: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms; ` +
      `${conns.filter((c) => c.closed).length} sessions lost`,
  );
  for (const c of conns) c.destroy();
}

const scenarios: Record<string, (k: KimapTarget) => Promise<void>> = { silent, loris, longline: longLine, literal, append, sessions };

const k = await startKimap({
  users: USERS,
  log,
  extraEnv: {
    IMAP_PREAUTH_TIMEOUT_MS: String(PREAUTH_MS),
    IMAP_AUTOLOGOUT_MS: String(AUTOLOGOUT_MS),
    IMAP_MAX_CONNECTIONS: String(Math.max(SESSIONS, SILENT) + 1000),
  },
});
try {
  for (const [name, run] of Object.entries(scenarios)) {
    if (ONLY ? !ONLY.includes(name) : name === 'sessions') continue;
    await run(k);
    destroyAll();
    await sleep(1000);
  }
} finally {
  destroyAll();
  await k.stop();
}
