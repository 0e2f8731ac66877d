// Real services for integration tests. DATABASE_URL / KAFKA_BROKERS (exported
// by `make test`, which starts local PostgreSQL and Kafka when no Docker engine
// answers) win; with KIMAP_USE_TESTCONTAINERS=1 containers are started instead.
// A missing service is an error, never a skip.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../db.js';
import { migrate } from '../migrate.js';

const useContainers = () => process.env.KIMAP_USE_TESTCONTAINERS === '1';

let pgContainerUrl: Promise<string> | undefined;
let kafkaContainerBrokers: Promise<string[]> | undefined;

function missing(what: string, variable: string): Error {
  return new Error(
    `${what} is not available: set ${variable}, or run the tests through \`make test\`, which starts a local one` +
      (process.env.CI === 'true' ? ' (CI=true: a missing service fails the run)' : ''),
  );
}

export async function postgresBaseUrl(): Promise<string> {
  const url = process.env.DATABASE_URL;
  if (url) return url;
  if (useContainers()) {
    pgContainerUrl ??= (async () => {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const c = await new PostgreSqlContainer('postgres:15').start();
      return c.getConnectionUri();
    })();
    return pgContainerUrl;
  }
  throw missing('PostgreSQL', 'DATABASE_URL');
}

export async function kafkaBrokers(): Promise<string[]> {
  const brokers = process.env.KAFKA_BROKERS;
  if (brokers) return brokers.split(',');
  if (useContainers()) {
    kafkaContainerBrokers ??= (async () => {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const c = await new KafkaContainer('confluentinc/cp-kafka:7.6.1').withKraft().start();
      return [`${c.getHost()}:${c.getMappedPort(9093)}`];
    })();
    return kafkaContainerBrokers;
  }
  throw missing('Kafka', 'KAFKA_BROKERS');
}

export interface TestDatabase {
  url: string;
  db: Database;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(prefix = 'kimap_t'): Promise<TestDatabase> {
  const base = await postgresBaseUrl();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = await openDatabase(url, { max: 20 });
  await migrate(db);
  return {
    url,
    db,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;
