// A PostgreSQL cluster of a test's own (scripts/services/postgres.sh with a
// private state folder and port), for tests that stop and start the server.
import { execFile } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { migrate, openDatabase } from '@kimap/common';
import { freePort, repoRoot } from '../cluster.js';

const run = promisify(execFile);

export interface OwnPostgres {
  /** The migrated database's URL. */
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a cluster in `stateDir` with one migrated database. */
export async function ownPostgres(stateDir: string): Promise<OwnPostgres> {
  // Run as root, the script starts the server as `postgres`, which must reach the folder.
  chmodSync(join(stateDir, '..'), 0o755);
  const port = await freePort();
  const env = { ...process.env, KIMAP_STATE_DIR: stateDir, KIMAP_PG_PORT: String(port), KIMAP_PG_DB: 'kimap_faults' };
  const script = join(repoRoot, 'scripts', 'services', 'postgres.sh');
  const p: OwnPostgres = {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/kimap_faults`,
    async start() {
      await run('bash', [script, 'start'], { env, timeout: 120_000 });
    },
    async stop() {
      await run('bash', [script, 'stop'], { env, timeout: 120_000 });
    },
  };
  await p.start();
  const db = await openDatabase(p.url, { max: 2 });
  await migrate(db);
  await db.close();
  return p;
}
