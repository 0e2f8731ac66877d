// What tracing costs: CPU time of the edge and the mailbox service per IMAP
// command, for a NOOP loop and a FETCH loop, with tracing off (the default)
// and on. Each mode runs its own kimap (one edge, one mailbox service, as
// deployed: the compiled JavaScript) with its OTEL_* variables; "on" exports
// OTLP (http/protobuf) to a sink in this process that reads and drops it. The
// modes run side by side and take turns, phase by phase, so that whatever else
// the machine does weighs on each alike.
//
// Run: source scripts/test-env.sh && node --conditions=source --import tsx bench/tracing-cost.ts
// Options: BENCH_TRACING_MODES (default off,otlp,sampled; also console), BENCH_BASELINE (another
// checkout, e.g. of the commit before a change: its kimap runs as mode "baseline", tracing off),
// BENCH_CONNECTIONS (8), BENCH_NOOPS and BENCH_FETCHES (per connection and phase: 2000, 100),
// BENCH_ROUNDS (5).
import { createServer } from 'node:http';
import { cpuMeter } from './lib/cpu.js';
import { ImapConn, destroyAll } from './lib/imap-conn.js';
import { seedMessage } from './lib/messages.js';
import { fmt, table } from './lib/report.js';
import { percentile } from './lib/stats.js';
import { PASSWORD, startKimap, userName, type KimapTarget } from './lib/targets.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const NOOPS = Number(process.env.BENCH_NOOPS ?? 2000);
const FETCHES = Number(process.env.BENCH_FETCHES ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BASELINE = process.env.BENCH_BASELINE;
const MESSAGES = 20;
const FETCH = `FETCH 1:${MESSAGES} (UID FLAGS ENVELOPE)`;
const log = (s: string) => process.stderr.write(s + '\n');

/** An OTLP/HTTP endpoint that takes every export and drops it. */
async function startSink(): Promise<{ url: string; requests: () => number; bytes: () => number; close(): void }> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, bytes: () => bytes, close: () => server.close() };
}

function modeEnv(mode: string, sink: string): Record<string, string> {
  const otlp = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
  switch (mode) {
    case 'off':
    case 'baseline':
      return { OTEL_TRACES_EXPORTER: '' };
    case 'otlp':
      return otlp;
    case 'sampled':
      return { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' };
    case 'console':
      return { OTEL_TRACES_EXPORTER: 'console' };
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

async function must(c: ImapConn, text: string): Promise<void> {
  const r = await c.command(text);
  if (r.status !== 'OK') throw new Error(`${text.slice(0, 40)}: ${r.status} ${r.text}`);
}

interface Phase {
  commands: number;
  wall: number;
  edge: number;
  mailbox: number;
}

/** Every connection runs `count` commands one after another; CPU seconds of the edge and the mailbox service over the phase. */
async function phase(target: KimapTarget, conns: ImapConn[], text: string, count: number): Promise<Phase> {
  const meter = cpuMeter(target.cpuGroups());
  await Promise.all(
    conns.map(async (c) => {
      for (let i = 0; i < count; i++) await must(c, text);
    }),
  );
  const use = meter.done();
  return {
    commands: conns.length * count,
    wall: use.wallSeconds,
    edge: (use.cores['kimap edge'] ?? 0) * use.wallSeconds,
    mailbox: (use.cores['kimap mailbox'] ?? 0) * use.wallSeconds,
  };
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

interface Running {
  mode: string;
  target: KimapTarget;
  conns: ImapConn[];
  noops: Phase[];
  fetches: Phase[];
}

/** Starts a mode's kimap, with a logged-in session per connection on an INBOX of MESSAGES messages. */
async function start(mode: string, sinkUrl: string): Promise<Running> {
  const target = await startKimap({
    users: CONNECTIONS,
    extraEnv: modeEnv(mode, sinkUrl),
    log,
    ...(mode === 'baseline' && BASELINE ? { root: BASELINE } : {}),
  });
  const conns: ImapConn[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const c = await ImapConn.open({ port: target.port });
    await must(c, `LOGIN ${userName(i + 1)} ${PASSWORD}`);
    for (let m = 0; m < MESSAGES; m++) {
      const msg = seedMessage(userName(i + 1), 7, m, true);
      const r = await c.commandWithLiterals([`APPEND INBOX (${msg.flags}) "${msg.internalDate}" `, msg.data, ''], true);
      if (r.status !== 'OK') throw new Error(`APPEND: ${r.text}`);
    }
    await must(c, 'SELECT INBOX');
    conns.push(c);
  }
  // Warm-up: JIT, the header cache, prepared statements, the pool.
  await phase(target, conns, 'NOOP', NOOPS);
  await phase(target, conns, FETCH, FETCHES);
  return { mode, target, conns, noops: [], fetches: [] };
}

async function main(): Promise<void> {
  const modes = [
    ...(BASELINE ? ['baseline'] : []),
    ...(process.env.BENCH_TRACING_MODES ?? 'off,otlp,sampled').split(',').map((m) => m.trim()),
  ];
  const sink = await startSink();
  const running: Running[] = [];
  try {
    for (const mode of modes) {
      log(`starting mode ${mode}...`);
      running.push(await start(mode, sink.url));
    }
    for (let r = 0; r < ROUNDS; r++) {
      log(`round ${r + 1} of ${ROUNDS}`);
      // Each round in another order: none is always first or last.
      const order = running.map((_, i) => running[(i + r) % running.length]!);
      for (const m of order) m.noops.push(await phase(m.target, m.conns, 'NOOP', NOOPS));
      for (const m of order) m.fetches.push(await phase(m.target, m.conns, FETCH, FETCHES));
      const perCommand = (p: Phase) => `${fmt((p.edge / p.commands) * 1e6)}+${fmt((p.mailbox / p.commands) * 1e6)}`;
      log(
        `  µs (edge+mailbox): ${running.map((m) => `${m.mode} NOOP ${perCommand(m.noops.at(-1)!)} FETCH ${perCommand(m.fetches.at(-1)!)}`).join(' | ')}`,
      );
    }
  } finally {
    destroyAll();
    for (const m of running) await m.target.stop();
    sink.close();
  }
  log(`OTLP sink: ${sink.requests()} exports, ${fmt(sink.bytes() / 1e6, 1)} MB`);
  const row = (mode: string, name: string, ps: Phase[]) => [
    mode,
    name,
    fmt(median(ps.map((p) => p.commands / p.wall)), 0),
    fmt(median(ps.map((p) => (p.edge / p.commands) * 1e6)), 1),
    fmt(median(ps.map((p) => (p.mailbox / p.commands) * 1e6)), 1),
    fmt(median(ps.map((p) => ((p.edge + p.mailbox) / p.commands) * 1e6)), 1),
  ];
  const rows = [...running.map((m) => row(m.mode, 'NOOP', m.noops)), ...running.map((m) => row(m.mode, 'FETCH', m.fetches))];
  console.log(
    `${CONNECTIONS} connections; per phase ${NOOPS} NOOPs or ${FETCHES} × "${FETCH}" each; median of ${ROUNDS} rounds; CPU µs per command\n`,
  );
  console.log(table(['tracing', 'command', 'commands/s', 'edge µs', 'mailbox µs', 'both µs'], rows));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
