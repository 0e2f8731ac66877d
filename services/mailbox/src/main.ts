// The mailbox deployable: gRPC MailboxService over PostgreSQL, relaying its
// outbox to Kafka.
import {
  createLogger,
  createRegistry,
  envBool,
  envInt,
  envList,
  envOptional,
  envString,
  KafkaPublisher,
  migrate,
  openDatabase,
  startOpsServer,
  startTracing,
} from '@kimap/common';
import { hostname } from 'node:os';
import { loginThrottleSettingsFromEnv } from './login-throttle.js';
import { startMailboxService } from './server.js';

const log = createLogger('mailbox');

async function main(): Promise<void> {
  // Off unless OTEL_TRACES_EXPORTER names an exporter (docs/operations/tracing.md).
  const traces = await startTracing('kimap-mailbox', { log });
  const databaseUrl = envString('DATABASE_URL', '');
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const brokers = envList('KAFKA_BROKERS', []);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required');
  const db = await openDatabase(databaseUrl, { max: envInt('DATABASE_POOL_SIZE', 20), applicationName: 'kimap-mailbox' });
  if (envBool('MIGRATE_ON_START', false)) {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
  }
  const registry = createRegistry('mailbox');
  const publisher = new KafkaPublisher({
    brokers,
    topic: envString('KAFKA_TOPIC', 'kimap.mailbox-changes'),
    clientId: `mailbox-${hostname()}`,
    registry,
  });
  // The AdminService only when asked for: on loopback it is reachable with kubectl port-forward, beyond it with a token.
  const adminListen = envString('ADMIN_GRPC_LISTEN', 'off');
  const adminToken = envOptional('ADMIN_TOKEN');
  const svc = await startMailboxService({
    db,
    publisher,
    address: envString('GRPC_LISTEN', '0.0.0.0:50051'),
    log,
    registry,
    relayPollMs: envInt('OUTBOX_POLL_MS', 1000),
    tombstoneRetentionMs: envInt('EXPUNGE_RETENTION_DAYS', 30) * 86_400_000,
    metadataCache: {
      minMessages: envInt('METADATA_CACHE_MIN_MESSAGES', 10_000),
      maxMessages: envInt('METADATA_CACHE_MESSAGES', 2_000_000),
    },
    ...(adminListen !== 'off' && { admin: { address: adminListen, ...(adminToken && { token: adminToken }) } }),
    loginThrottle: loginThrottleSettingsFromEnv(),
  });
  let ready = true;
  const ops = await startOpsServer({ port: envInt('OPS_PORT', 9101), registry, ready: () => ready });
  log.info({ grpcPort: svc.port, adminGrpcPort: svc.adminPort, opsPort: ops.port }, 'mailbox service listening');

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'draining');
    ready = false;
    await svc.stop();
    await publisher.close();
    await db.close();
    await ops.close();
    await traces?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'mailbox service failed to start');
  process.exit(1);
});
