// The delivery deployable: LMTP from the MTA, Deliver calls to the mailbox
// service over gRPC. Stateless: scale it like the edge.
import {
  createLogger,
  createRegistry,
  envInt,
  envString,
  grpcClientMetrics,
  proxyProtocolFromEnv,
  startOpsServer,
  startTracing,
} from '@kimap/common';
import { GrpcDeliveryBackend } from './backend.js';
import { startDeliveryListener } from './listener.js';
import { deliverySettingsFromEnv } from './settings.js';

const log = createLogger('delivery');

async function main(): Promise<void> {
  // Off unless OTEL_TRACES_EXPORTER names an exporter (docs/operations/tracing.md).
  const traces = await startTracing('kimap-delivery', { log });
  const settings = deliverySettingsFromEnv();
  const registry = createRegistry('delivery');
  const backend = new GrpcDeliveryBackend(
    envString('MAILBOX_ADDRESS', '127.0.0.1:50051'),
    settings.mailboxDeadlineMs,
    grpcClientMetrics(registry),
  );
  const listener = await startDeliveryListener({
    backend,
    settings,
    log,
    host: envString('LMTP_HOST', '0.0.0.0'),
    port: envInt('LMTP_PORT', 2424),
    registry,
    proxy: proxyProtocolFromEnv(),
  });
  const ops = await startOpsServer({ port: envInt('OPS_PORT', 9103), registry, ready: () => listener.ready() });
  log.info({ lmtpPort: listener.port, opsPort: ops.port }, 'delivery listener ready');

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'draining');
    await listener.stop(envInt('DRAIN_GRACE_MS', 10_000));
    backend.close();
    await ops.close();
    await traces?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'delivery listener failed to start');
  process.exit(1);
});
