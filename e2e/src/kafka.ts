// A Kafka broker of a test's own (scripts/services/kafka.sh with a private
// state folder and ports), for tests that stop and start the broker.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, repoRoot } from './cluster.js';

const run = promisify(execFile);

export interface OwnKafka {
  brokers: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function ownKafka(stateDir: string): Promise<OwnKafka> {
  const port = await freePort();
  const controller = await freePort();
  const env = {
    ...process.env,
    KIMAP_STATE_DIR: stateDir,
    KIMAP_KAFKA_PORT: String(port),
    KIMAP_KAFKA_CONTROLLER_PORT: String(controller),
    KIMAP_KAFKA_LIB_DIR: join(repoRoot, '.cache', 'kafka-lib'),
  };
  const script = join(repoRoot, 'scripts', 'services', 'kafka.sh');
  const k: OwnKafka = {
    brokers: `127.0.0.1:${port}`,
    async start() {
      await run('bash', [script, 'start'], { env, timeout: 180_000 });
    },
    async stop() {
      await run('bash', [script, 'stop'], { env, timeout: 120_000 });
    },
  };
  await k.start();
  return k;
}
