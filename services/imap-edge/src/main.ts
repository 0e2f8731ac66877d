// The IMAP edge deployable: TLS and IMAP parsing, the mailbox service over
// gRPC, change events from Kafka.
import {
  createLogger,
  createRegistry,
  envBool,
  envInt,
  envList,
  envOptional,
  envString,
  grpcClientMetrics,
  KafkaSubscriber,
  proxyProtocolFromEnv,
  startOpsServer,
  startTracing,
} from '@kimap/common';
import { hostname } from 'node:os';
import { GrpcBackend } from './backend.js';
import { commandsExecuted } from './connection.js';
import { startEdge } from './server.js';
import { newEdgeId } from './session-registry.js';
import { startQuietGc } from './quiet-gc.js';
import { edgeSettingsFromEnv } from './settings.js';
import { selfSignedTls } from './tls.js';

const log = createLogger('imap-edge');

async function main(): Promise<void> {
  // Off unless OTEL_TRACES_EXPORTER names an exporter (docs/operations/tracing.md).
  const traces = await startTracing('kimap-edge', { log });
  const settings = edgeSettingsFromEnv();
  const brokers = envList('KAFKA_BROKERS', []);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required');
  const certFile = envOptional('TLS_CERT_FILE');
  const keyFile = envOptional('TLS_KEY_FILE');
  // Files are read again when they change (a renewal); without them, a self-signed pair.
  const tlsFiles =
    certFile && keyFile ? { cert: certFile, key: keyFile, reloadIntervalMs: envInt('TLS_RELOAD_INTERVAL_MS', 10_000) } : undefined;
  const tls = tlsFiles ? undefined : await selfSignedTls(envString('DATA_DIR', './data'), settings.hostname);
  const registry = createRegistry('imap-edge');
  const backend = new GrpcBackend(
    envString('MAILBOX_ADDRESS', '127.0.0.1:50051'),
    envInt('MAILBOX_DEADLINE_MS', 30_000),
    envBool('MAILBOX_MULTIPLEX', true),
    grpcClientMetrics(registry),
  );
  const podName = envString('POD_NAME', hostname());
  const subscriber = new KafkaSubscriber({
    brokers,
    topic: envString('KAFKA_TOPIC', 'kimap.mailbox-changes'),
    clientId: `edge-${podName}`,
    // Every edge pod is its own consumer group, so every pod sees every event.
    groupId: envString('KAFKA_GROUP_ID', `kimap-edge-${podName}`),
    log,
    registry,
  });
  const edge = await startEdge({
    backend,
    subscriber,
    settings,
    log,
    ...(tlsFiles ? { tlsFiles } : { tls }),
    proxy: proxyProtocolFromEnv(),
    host: envString('IMAP_HOST', '0.0.0.0'),
    imapPort: envInt('IMAP_PORT', 1143),
    imapsPort: envInt('IMAPS_PORT', 1993),
    registry,
    maxConnections: envInt('IMAP_MAX_CONNECTIONS', 50_000),
    edgeId: newEdgeId(podName),
    sessionHeartbeatMs: envInt('IMAP_SESSION_HEARTBEAT_MS', 15_000),
  });
  const ops = await startOpsServer({ port: envInt('OPS_PORT', 9102), registry, ready: () => edge.ready() });
  const quietGcMs = envInt('EDGE_QUIET_GC_MS', 10_000);
  if (quietGcMs > 0) startQuietGc({ intervalMs: quietGcMs, commands: () => commandsExecuted.count, log });
  log.info({ opsPort: ops.port }, 'imap edge ready');

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'draining');
    await edge.stop(envInt('DRAIN_GRACE_MS', 10_000));
    backend.close();
    await ops.close();
    await traces?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'imap edge failed to start');
  process.exit(1);
});
