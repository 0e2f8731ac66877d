// The two servers the transcripts run against: kimap as separate processes (one
// mailbox service and one edge, against PostgreSQL and Kafka) and a private
// Dovecot (e2e/dovecot/dovecot.sh). Each gives fresh accounts on demand.
//
// Run by hand, it starts both and keeps them up for `transcript-cli.ts --dev`:
//   . scripts/test-env.sh && node --conditions=source --import tsx e2e/src/transcript-servers.ts
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTopic, openDatabase, type Queryable } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, setAccountQuota } from '@kimap/mailbox';
import { freePort, repoRoot, startService, tempDir, type ServiceProcess } from './cluster.js';
import type { Account, AccountQuota } from './transcript/model.js';

export interface TranscriptServer {
  port: number;
  /** kimap: the database accounts are created in; Dovecot: its users directory. */
  accounts: string;
  /** A new account with the default folders and nothing else (and the given limits). */
  newAccount(name: string, quota?: AccountQuota): Promise<Account>;
  stop(): Promise<void>;
}

const PASSWORD = 'transcript-password';
const DOMAIN = 'transcripts.test';

/** `<name>-<random>@transcripts.test`: a fresh user per transcript and server. */
function userName(name: string): string {
  return `${uniqueName(name.toLowerCase().replace(/[^a-z0-9-]/g, '-'))}@${DOMAIN}`;
}

export async function startKimap(): Promise<TranscriptServer> {
  const procs: ServiceProcess[] = [];
  const dir = tempDir('kimap-transcripts-');
  let tdb: TestDatabase | undefined;
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop();
    dir.remove();
  };
  try {
    tdb = await createTestDatabase('kimap_tr');
    const brokers = await kafkaBrokers();
    const topic = uniqueName('kimap-transcripts');
    await ensureTopic({ brokers, topic, clientId: 'transcripts-setup' });
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic };
    const grpcPort = await freePort();
    procs.push(await startService('mailbox', 'services/mailbox/src/main.ts', { ...common, GRPC_LISTEN: `127.0.0.1:${grpcPort}` }));
    const imapPort = await freePort();
    procs.push(
      await startService('edge', 'services/imap-edge/src/main.ts', {
        ...common,
        MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
        KAFKA_GROUP_ID: uniqueName('transcripts-edge'),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(imapPort),
        IMAPS_PORT: String(await freePort()),
        DATA_DIR: dir.path,
        IMAP_HOSTNAME: 'localhost',
        ALLOW_PLAINTEXT_AUTH: 'true',
      }),
    );
    const db = tdb.db;
    // The tenant first, once: concurrent first accounts would race to create it.
    await addUser(db, `setup@${DOMAIN}`, PASSWORD, { createTenant: true });
    return {
      port: imapPort,
      accounts: tdb.url,
      async newAccount(name, quota) {
        const user = userName(name);
        await addUser(db, user, PASSWORD);
        if (quota) await setKimapQuota(db, user, quota);
        return { user, password: PASSWORD };
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** An account's limits in kimap: STORAGE in KiB as SETQUOTA writes it. */
function setKimapQuota(db: Queryable, user: string, quota: AccountQuota): Promise<void> {
  return setAccountQuota(db, user, {
    ...(quota.storageKiB !== undefined && { storage: quota.storageKiB * 1024 }),
    ...(quota.messages !== undefined && { messages: quota.messages }),
  });
}

/** The same limits as a Dovecot quota rule (passwd-file extra field userdb_quota_rule). */
function dovecotQuotaRule(quota: AccountQuota): string {
  return [
    '*',
    ...(quota.storageKiB !== undefined ? [`storage=${quota.storageKiB}K`] : []),
    ...(quota.messages !== undefined ? [`messages=${quota.messages}`] : []),
  ].join(':');
}

export const dovecotScript = join(repoRoot, 'e2e/dovecot/dovecot.sh');

/** Thrown when Dovecot cannot be had (not under CI: the script exits 3). */
export class DovecotUnavailable extends Error {}

function script(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(dovecotScript, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (process.env.E2E_VERBOSE) process.stderr.write(d);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts (or reuses) the private Dovecot. It is left running afterwards, like the
 * local PostgreSQL and Kafka (`e2e/dovecot/dovecot.sh stop` stops it).
 */
export async function startDovecot(): Promise<TranscriptServer> {
  const r = await script(['start']);
  const value = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1];
  const port = Number(value('DOVECOT_PORT'));
  const users = value('DOVECOT_USERS');
  if (r.code !== 0 || !port || !users) {
    const msg = `e2e/dovecot/dovecot.sh start exited with ${r.code}:\n${r.stderr.trim()}`;
    if (r.code === 3) throw new DovecotUnavailable(msg);
    throw new Error(msg);
  }
  return {
    port,
    accounts: users,
    newAccount: dovecotAccount,
    async stop() {
      /* left running for the next run */
    },
  };
}

/** A Dovecot user with the default folders on disk (`dovecot.sh useradd`). */
async function dovecotAccount(name: string, quota?: AccountQuota): Promise<Account> {
  const user = userName(name);
  const r = await script(['useradd', user, PASSWORD, ...(quota ? [dovecotQuotaRule(quota)] : [])]);
  if (r.code !== 0) throw new Error(`e2e/dovecot/dovecot.sh useradd failed (${r.code}):\n${r.stderr}`);
  return { user, password: PASSWORD };
}

/** Where the dev mode below tells transcript-cli.ts --dev about the running servers. */
export const devFile = join(repoRoot, '.cache/transcripts/dev.json');

export interface DevServers {
  kimap: { port: number; databaseUrl: string };
  dovecot: { port: number };
}

/** Accounts on servers started by the dev mode (another process). */
export async function devAccounts(
  dev: DevServers,
): Promise<Record<'kimap' | 'dovecot', (name: string, quota?: AccountQuota) => Promise<Account>>> {
  const db = await openDatabase(dev.kimap.databaseUrl, { max: 2 });
  process.once('beforeExit', () => void db.close());
  return {
    kimap: async (name, quota) => {
      const user = userName(name);
      await addUser(db, user, PASSWORD, { createTenant: true });
      if (quota) await setKimapQuota(db, user, quota);
      return { user, password: PASSWORD };
    },
    dovecot: dovecotAccount,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kimap = await startKimap();
  const dovecot = await startDovecot();
  const dev: DevServers = { kimap: { port: kimap.port, databaseUrl: kimap.accounts }, dovecot: { port: dovecot.port } };
  mkdirSync(join(repoRoot, '.cache/transcripts'), { recursive: true });
  writeFileSync(devFile, JSON.stringify(dev, null, 2));
  console.log(
    `kimap on 127.0.0.1:${kimap.port}, Dovecot on 127.0.0.1:${dovecot.port}; transcript-cli.ts --dev uses them. Ctrl-C stops kimap.`,
  );
  const bye = () => {
    rmSync(devFile, { force: true });
    void kimap.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', bye);
  process.once('SIGTERM', bye);
}
