// The embedded default: edge, mailbox service, delivery listener (LMTP) and
// change bus in one process, PGlite in DATA_DIR, still talking gRPC between
// edge or delivery and mailbox (over a Unix socket) so the code that runs
// here is the code that runs in the cluster.
import {
  createLogger,
  createRegistry,
  grpcClientMetrics,
  InProcessBus,
  lockDataDir,
  migrate,
  PgliteDatabase,
  startOpsServer,
  type Logger,
  type ProxyProtocolSettings,
} from '@kimap/common';
import { GrpcDeliveryBackend, startDeliveryListener, type DeliverySettings, type RunningDeliveryListener } from '@kimap/delivery';
import { GrpcBackend, selfSignedTls, startEdge, type EdgeSettings, type RunningEdge } from '@kimap/imap-edge';
import { addUser, startMailboxService, userExists, type LoginThrottleSettings } from '@kimap/mailbox';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface EmbeddedOptions {
  dataDir: string;
  /** PGlite in a worker thread of its own (EMBEDDED_DB_THREAD=worker, the default) or on the main thread (main). */
  dbThread?: boolean;
  imapPort: number;
  imapsPort: number;
  host: string;
  opsPort?: number;
  settings: EdgeSettings;
  /** Login throttling; defaults to DEFAULT_LOGIN_THROTTLE. */
  loginThrottle?: Partial<LoginThrottleSettings>;
  /** PROXY protocol on the IMAP and LMTP listeners; off when left out. */
  proxy?: ProxyProtocolSettings;
  /** The LMTP delivery listener; none when left out. */
  lmtp?: { host: string; port: number; settings: DeliverySettings };
  bootstrapUser?: string;
  bootstrapPassword?: string;
  log?: Logger;
  /** The AdminService's listener and token (see startMailboxService); none when absent. */
  admin?: { address: string; token?: string };
  /** Where to print the one-time demo password (stdout by default). */
  announce?: (line: string) => void;
}

export interface RunningEmbedded {
  edge: RunningEdge;
  delivery?: RunningDeliveryListener;
  /** The bound port of /metrics, /healthz and /readyz, when served. */
  opsPort?: number;
  stop(): Promise<void>;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<RunningEmbedded> {
  const log = opts.log ?? createLogger('kimap');
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Before anything touches the folder: one process at a time (DataDirInUseError otherwise).
  const lock = lockDataDir(dataDir, 'kimap');
  try {
    return await startOn(dataDir, opts, log, () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startOn(dataDir: string, opts: EmbeddedOptions, log: Logger, unlock: () => void): Promise<RunningEmbedded> {
  const db = await PgliteDatabase.open(join(dataDir, 'db'), { thread: opts.dbThread ?? true });
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'migrations applied');

  await bootstrap(db, opts, log);

  const bus = new InProcessBus();
  const registry = createRegistry('kimap');
  // Unix socket paths are limited to ~107 bytes; fall back to loopback TCP.
  const socketPath = join(dataDir, 'mailbox.sock');
  const address = socketPath.length < 100 ? `unix:${socketPath}` : '127.0.0.1:0';
  const mailbox = await startMailboxService({
    db,
    publisher: bus,
    address,
    log,
    registry,
    relayPollMs: 1000,
    ...(opts.admin && { admin: opts.admin }),
    ...(opts.loginThrottle && { loginThrottle: opts.loginThrottle }),
  });
  const backend = new GrpcBackend(
    address.startsWith('unix:') ? address : `127.0.0.1:${mailbox.port}`,
    undefined,
    undefined,
    grpcClientMetrics(registry),
  );
  const tls = await selfSignedTls(dataDir, opts.settings.hostname);
  const edge = await startEdge({
    backend,
    subscriber: bus,
    settings: opts.settings,
    log,
    tls,
    host: opts.host,
    imapPort: opts.imapPort,
    imapsPort: opts.imapsPort,
    registry,
    ...(opts.proxy && { proxy: opts.proxy }),
  });
  const mailboxAddress = address.startsWith('unix:') ? address : `127.0.0.1:${mailbox.port}`;
  const deliveryBackend = opts.lmtp
    ? new GrpcDeliveryBackend(mailboxAddress, opts.lmtp.settings.mailboxDeadlineMs, grpcClientMetrics(registry))
    : undefined;
  const delivery =
    opts.lmtp && deliveryBackend
      ? await startDeliveryListener({
          backend: deliveryBackend,
          settings: opts.lmtp.settings,
          log,
          host: opts.lmtp.host,
          port: opts.lmtp.port,
          registry,
          ...(opts.proxy && { proxy: opts.proxy }),
        })
      : undefined;
  const ready = () => edge.ready() && (delivery?.ready() ?? true);
  const ops = opts.opsPort !== undefined ? await startOpsServer({ port: opts.opsPort, host: opts.host, registry, ready }) : undefined;
  return {
    edge,
    ...(delivery && { delivery }),
    ...(ops && { opsPort: ops.port }),
    async stop() {
      await Promise.all([edge.stop(5000), delivery?.stop(5000)]);
      deliveryBackend?.close();
      backend.close();
      await mailbox.stop();
      await bus.close();
      await ops?.close();
      await db.close();
      unlock();
    },
  };
}

/** The first account: BOOTSTRAP_USER/PASSWORD, or a demo account whose password is printed once. */
async function bootstrap(db: PgliteDatabase, opts: EmbeddedOptions, log: Logger): Promise<void> {
  const announce = opts.announce ?? ((line: string) => console.log(line));
  if (opts.bootstrapUser) {
    if (await userExists(db, opts.bootstrapUser)) return;
    if (!opts.bootstrapPassword) throw new Error('BOOTSTRAP_PASSWORD is required with BOOTSTRAP_USER');
    await addUser(db, opts.bootstrapUser, opts.bootstrapPassword, { createTenant: true });
    log.info({ user: opts.bootstrapUser.toLowerCase() }, 'bootstrap account created');
    return;
  }
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM accounts');
  if (rows[0]!.n > 0) return;
  const user = 'demo@example.com';
  const password = randomBytes(12).toString('base64url');
  await addUser(db, user, password, { createTenant: true });
  announce(`Created the demo account ${user} with password ${password} (shown once; change it with imapctl user passwd).`);
}
