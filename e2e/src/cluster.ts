// Starts the cluster as separate processes (mailbox services and IMAP edges)
// against a real PostgreSQL and Kafka, for whole-system tests and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EDGE_NODE_FLAGS } from '@kimap/imap-edge/quiet-gc';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The Node flags a service is started with, by its main module (as its `npm start` does). */
const NODE_FLAGS: Record<string, readonly string[]> = { 'services/imap-edge/src/main.ts': EDGE_NODE_FLAGS };

/** Ports handed out by this process: each is given once. */
const handedOut = new Set<number>();
// Below Linux's ephemeral range (32768-60999), so that no outgoing connection of
// another process on the machine takes a port between this check and the
// service's listen; where a test file starts is spread by its pid.
const PORT_LOW = 20000;
const PORT_SPAN = 12000;
let nextPort = PORT_LOW + ((process.pid * 397) % PORT_SPAN);

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** A TCP port no one listens on (on any address), not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORT_SPAN; tries++) {
    const port = nextPort;
    nextPort = PORT_LOW + ((nextPort - PORT_LOW + 1) % PORT_SPAN);
    if (handedOut.has(port)) continue;
    if ((await canListen(port, '0.0.0.0')) && (await canListen(port, '127.0.0.1'))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free TCP port between 20000 and 32000');
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  opsPort: number;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a service's main module from source (tsx), so tests need no build step;
 * with `compiled`, the JavaScript `tsc -b` wrote to dist/ instead (what a
 * deployment runs: benchmarks). `root`: another checkout to run it from
 * (a benchmark's baseline); this one by default.
 */
export async function startService(
  name: string,
  entry: string,
  env: Record<string, string>,
  opts: { compiled?: boolean; root?: string } = {},
): Promise<ServiceProcess> {
  const opsPort = await freePort();
  const flags = NODE_FLAGS[entry] ?? [];
  const root = opts.root ?? repoRoot;
  const args = opts.compiled
    ? [...flags, join(root, entry.replace(/\/src\/(.*)\.ts$/, '/dist/$1.js'))]
    : [...flags, '--conditions=source', '--import', 'tsx', join(root, entry)];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn', ...env, OPS_PORT: String(opsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${d.toString()}`);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const proc: ServiceProcess = {
    name,
    child,
    opsPort,
    output,
    stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill(signal);
      });
    },
  };
  await waitReady(proc);
  return proc;
}

/** Polls /readyz until it answers 200 (bounded). */
export async function waitReady(p: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.output.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${p.opsPort}/readyz`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${p.name} not ready after ${timeoutMs} ms:\n${p.output.join('')}`);
}

export async function metric(p: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${p.opsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Polls a metric until `ok(value)` holds (bounded). */
export async function waitForMetric(p: ServiceProcess, name: string, ok: (v: number) => boolean, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await metric(p, name).catch(() => NaN);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${p.name}: ${name} is still ${v} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
