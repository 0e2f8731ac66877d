// `make run`: the whole server in one process on an embedded database.
import {
  createLogger,
  DataDirInUseError,
  SocketInUseError,
  envInt,
  envOptional,
  envString,
  proxyProtocolFromEnv,
  startTracing,
} from '@kimap/common';
import { deliverySettingsFromEnv } from '@kimap/delivery';
import { edgeSettingsFromEnv } from '@kimap/imap-edge';
import { loginThrottleSettingsFromEnv } from '@kimap/mailbox';
import { startEmbedded } from './embedded.js';

const log = createLogger('kimap');

async function main(): Promise<void> {
  // Off unless OTEL_TRACES_EXPORTER names an exporter (docs/operations/tracing.md).
  const traces = await startTracing('kimap', { log });
  const settings = edgeSettingsFromEnv();
  const host = envString('IMAP_HOST', '127.0.0.1');
  // On loopback the embedded default lets clients log in without TLS; anywhere
  // else LOGINDISABLED holds until STARTTLS unless explicitly allowed.
  if (process.env.ALLOW_PLAINTEXT_AUTH === undefined) settings.allowPlaintextAuth = host === '127.0.0.1' || host === 'localhost';
  // The AdminService only when asked for, as in the mailbox deployable (imapctl --data-dir needs the server stopped; this does not).
  const adminListen = envString('ADMIN_GRPC_LISTEN', 'off');
  const adminToken = envOptional('ADMIN_TOKEN');
  const dbThread = envString('EMBEDDED_DB_THREAD', 'worker');
  if (dbThread !== 'worker' && dbThread !== 'main') throw new Error(`EMBEDDED_DB_THREAD must be worker or main, not ${dbThread}`);
  const server = await startEmbedded({
    dataDir: envString('DATA_DIR', './data'),
    dbThread: dbThread === 'worker',
    imapPort: envInt('IMAP_PORT', 1143),
    imapsPort: envInt('IMAPS_PORT', 1993),
    host,
    opsPort: envInt('OPS_PORT', 9100),
    settings,
    loginThrottle: loginThrottleSettingsFromEnv(),
    proxy: proxyProtocolFromEnv(),
    // LMTP for the MTA, on loopback unless told otherwise.
    lmtp: { host: envString('LMTP_HOST', '127.0.0.1'), port: envInt('LMTP_PORT', 2424), settings: deliverySettingsFromEnv() },
    bootstrapUser: envOptional('BOOTSTRAP_USER'),
    bootstrapPassword: envOptional('BOOTSTRAP_PASSWORD'),
    ...(adminListen !== 'off' && { admin: { address: adminListen, ...(adminToken && { token: adminToken }) } }),
    log,
  });
  log.info(
    { imapPort: server.edge.imapPort, imapsPort: server.edge.imapsPort, lmtpPort: server.delivery?.port, host },
    'kimap is running (embedded)',
  );
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await server.stop();
    await traces?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** Exit status when the data folder or a socket in it is held by a running process (sysexits' EX_TEMPFAIL). */
const EXIT_IN_USE = 75;

main().catch((err: unknown) => {
  if (err instanceof DataDirInUseError || err instanceof SocketInUseError) {
    log.fatal({ err: { message: err.message } }, 'kimap failed to start: ' + err.message);
    process.exit(EXIT_IN_USE);
  }
  log.fatal({ err }, 'kimap failed to start');
  process.exit(1);
});
