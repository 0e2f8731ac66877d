// Shared pieces of the interoperability tests (real third-party IMAP clients
// against the cluster): a one-mailbox/one-edge cluster on PostgreSQL and Kafka,
// running external programs with a deadline, and installing the sync tools.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTopic } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { freePort, repoRoot, startService, tempDir, type ServiceProcess } from './cluster.js';

export const interopDir = join(repoRoot, 'e2e', 'interop');

export interface Account {
  user: string;
  pass: string;
}

export interface InteropCluster {
  host: string;
  imapPort: number;
  imapsPort: number;
  /** The edge's self-signed certificate (PEM file in DATA_DIR/tls). */
  certFile: string;
  /** Hex fingerprints of the certificate's DER encoding. */
  fingerprints: { sha1: string; sha256: string; sha512: string };
  dataDir: string;
  procs: ServiceProcess[];
  /** The last lines the services printed, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface InteropClusterOptions {
  accounts: Account[];
  /** ALLOW_PLAINTEXT_AUTH of the edge; false (the default) makes LOGIN need TLS. */
  allowPlaintextAuth?: boolean;
  env?: Record<string, string>;
}

/** PostgreSQL (a fresh database), Kafka (a fresh topic), one mailbox service, one edge. */
export async function startInteropCluster(opts: InteropClusterOptions): Promise<InteropCluster> {
  const dir = tempDir('kimap-interop-');
  const procs: ServiceProcess[] = [];
  let tdb: TestDatabase | undefined;
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop().catch(() => undefined);
    dir.remove();
  };
  try {
    tdb = await createTestDatabase('kimap_interop');
    for (const a of opts.accounts) await addUser(tdb.db, a.user, a.pass, { createTenant: true });
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-interop');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'interop-setup' });
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic };
    const grpcPort = await freePort();
    procs.push(await startService('mailbox', 'services/mailbox/src/main.ts', { ...common, GRPC_LISTEN: `127.0.0.1:${grpcPort}` }));
    const imapPort = await freePort();
    const imapsPort = await freePort();
    procs.push(
      await startService('edge', 'services/imap-edge/src/main.ts', {
        ...common,
        MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
        KAFKA_GROUP_ID: uniqueName('interop-edge'),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(imapPort),
        IMAPS_PORT: String(imapsPort),
        DATA_DIR: dir.path,
        IMAP_HOSTNAME: 'localhost',
        ALLOW_PLAINTEXT_AUTH: opts.allowPlaintextAuth ? 'true' : 'false',
        ...opts.env,
      }),
    );
    const certFile = join(dir.path, 'tls', 'cert.pem');
    if (!existsSync(certFile)) throw new Error(`the edge wrote no certificate to ${certFile}`);
    const der = new X509Certificate(readFileSync(certFile)).raw;
    const hex = (alg: string) => createHash(alg).update(der).digest('hex');
    return {
      host: '127.0.0.1',
      imapPort,
      imapsPort,
      certFile,
      fingerprints: { sha1: hex('sha1'), sha256: hex('sha256'), sha512: hex('sha512') },
      dataDir: dir.path,
      procs,
      logs: () => procs.map((p) => `--- ${p.name} ---\n${p.output.join('')}`).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Runs a program to its end (killed after timeoutMs), collecting its output. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - started,
        timedOut,
      });
    });
  });
}

/** The tail of a long text (the first lines of a protocol dump rarely matter). */
export function tail(text: string, maxChars = 12_000): string {
  return text.length <= maxChars ? text : `[... ${text.length - maxChars} characters left off ...]\n` + text.slice(-maxChars);
}

export const isCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function python(): string {
  for (const p of [process.env.PYTHON, 'python3', 'python']) if (p && hasCommand(p)) return p;
  throw new Error('python3 is not installed');
}

/** The sync tools' programs, by the Debian package that brings them. */
export const SYNC_TOOL_PACKAGES: Record<string, string> = { mbsync: 'isync', offlineimap: 'offlineimap3' };

/**
 * Makes sure mbsync and offlineimap are installed, running e2e/interop/install.sh
 * when one is missing (unless INTEROP_NO_INSTALL=1). Returns, per program still
 * missing, why.
 */
export async function ensureSyncTools(): Promise<Map<string, string>> {
  const missing = () => Object.keys(SYNC_TOOL_PACKAGES).filter((c) => !hasCommand(c));
  let detail = '';
  if (missing().length && process.env.INTEROP_NO_INSTALL !== '1') {
    const r = await run('bash', [join(interopDir, 'install.sh')], { timeoutMs: 480_000 });
    if (r.code !== 0) detail = `; e2e/interop/install.sh exited with ${r.code}:\n${tail(r.stdout + r.stderr, 4000)}`;
  }
  return new Map(
    missing().map((c) => [
      c,
      `${c} is not installed (Debian package ${SYNC_TOOL_PACKAGES[c]}; e2e/interop/install.sh installs it)${detail}`,
    ]),
  );
}
