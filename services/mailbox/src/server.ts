// Starts a mailbox service instance: the gRPC server and the outbox relay.
import {
  bindServer,
  createGrpcServer,
  grpcServerMetrics,
  instrumentDatabase,
  rpcTimingInterceptor,
  type ChangePublisher,
  type Database,
  type grpc,
  type Logger,
} from '@kimap/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { checkAdminListener } from './admin/auth.js';
import { addAdminService } from './admin/service.js';
import type { MailboxContext } from './context.js';
import { addMailboxService } from './service.js';
import { OutboxRelay, outboxBacklog } from './store/outbox.js';
import { purgeTombstones, sweepOrphanBodies } from './store/bodies.js';
import { MetadataCache, type MetadataCacheOptions } from './store/metadata-cache.js';
import { createLoginMetrics, LoginThrottle, type LoginThrottleSettings } from './login-throttle.js';
import { purgeExpiredEdges } from './store/sessions.js';

export interface MailboxServiceOptions {
  db: Database;
  publisher: ChangePublisher;
  /** "host:port" or "unix:/path". */
  address: string;
  log: Logger;
  registry?: Registry;
  relayPollMs?: number;
  /** How long expunged UIDs are remembered for QRESYNC. */
  tombstoneRetentionMs?: number;
  /** Metadata of big mailboxes kept in memory (see MetadataCache); maxMessages 0: none. */
  metadataCache?: MetadataCacheOptions;
  /**
   * The AdminService's listener, "host:port" or "unix:/path"; none when
   * absent. Beyond loopback it needs a token, which callers then present as
   * `authorization: Bearer <token>`.
   */
  admin?: { address: string; token?: string };
  /** Login throttling (see LoginThrottle); defaults to DEFAULT_LOGIN_THROTTLE. */
  loginThrottle?: Partial<LoginThrottleSettings>;
}

export interface RunningMailboxService {
  /** The bound TCP port (0 for a Unix socket). */
  port: number;
  /** The AdminService's bound TCP port (0 for a Unix socket), when it is served. */
  adminPort?: number;
  relay: OutboxRelay;
  stop(): Promise<void>;
}

export async function startMailboxService(opts: MailboxServiceOptions): Promise<RunningMailboxService> {
  if (opts.admin) checkAdminListener(opts.admin.address, opts.admin.token);
  const published = opts.registry
    ? new Counter({
        name: 'kimap_outbox_events_published_total',
        help: 'Change events relayed from the outbox to the bus',
        registers: [opts.registry],
      })
    : undefined;
  const relay = new OutboxRelay(opts.db, opts.publisher, {
    log: opts.log,
    pollIntervalMs: opts.relayPollMs ?? 1000,
    onPublished: (n) => published?.inc(n),
  });
  const cacheOpts = opts.metadataCache ?? { minMessages: 10_000, maxMessages: 2_000_000 };
  const metadata = cacheOpts.maxMessages > 0 ? new MetadataCache(cacheOpts) : undefined;
  if (metadata && opts.registry) {
    const uses = {
      hits: 'answered from memory',
      loads: 'read in full',
      mismatches: 'updated wrongly and read again (0 unless there is a bug)',
    } as const;
    for (const [field, help] of Object.entries(uses) as Array<[keyof typeof uses, string]>) {
      new Counter({
        name: `kimap_metadata_cache_${field}_total`,
        help: `FETCHes of big mailboxes' UIDs and flags: ${help}`,
        registers: [opts.registry],
        collect() {
          this.reset();
          this.inc(metadata[field]);
        },
      });
    }
  }
  const logins = new LoginThrottle(opts.db, opts.log, opts.loginThrottle, opts.registry && createLoginMetrics(opts.registry));
  const sessionLimitRefusals =
    opts.registry &&
    new Counter({
      name: 'kimap_session_limit_refusals_total',
      help: 'Logins refused by a connection limit, by limit: account, or address (account and client address)',
      labelNames: ['limit'],
      registers: [opts.registry],
    });
  const ctx: MailboxContext = {
    db: opts.db,
    log: opts.log,
    changed: () => relay.kick(),
    committed: (events) => relay.publishCommitted(events),
    ...(metadata && { metadata }),
    logins,
    ...(sessionLimitRefusals && { sessionLimitRefusals }),
  };
  const rpcMetrics = opts.registry && grpcServerMetrics(opts.registry);
  const interceptors = rpcMetrics ? [rpcTimingInterceptor(rpcMetrics)] : [];
  if (opts.registry) {
    instrumentDatabase(opts.db, opts.registry);
    watchOutbox(opts.db, opts.registry, opts.log);
  }
  const server = createGrpcServer({ interceptors });
  const service = addMailboxService(server, ctx, rpcMetrics);
  const port = await bindServer(server, opts.address);
  // Its own server, so that its port can stay closed to what reaches the mailbox service.
  const adminServer = opts.admin ? createGrpcServer({ interceptors }) : undefined;
  let adminPort: number | undefined;
  if (adminServer && opts.admin) {
    addAdminService(adminServer, ctx, opts.admin.token);
    try {
      adminPort = await bindServer(adminServer, opts.admin.address);
    } catch (err) {
      server.forceShutdown();
      throw err;
    }
  }
  relay.start();
  // Bodies no message uses any more are removed after a grace period.
  const janitor = setInterval(() => {
    sweepOrphanBodies(opts.db, 10 * 60_000).catch((err: unknown) => opts.log.warn({ err }, 'body sweep failed'));
    purgeTombstones(opts.db, opts.tombstoneRetentionMs ?? 30 * 86_400_000).catch((err: unknown) =>
      opts.log.warn({ err }, 'tombstone purge failed'),
    );
    logins.purge().catch((err: unknown) => opts.log.warn({ err }, 'login failure purge failed'));
    // Edges gone for a while (their sessions stopped counting at expiry) are forgotten with their sessions.
    purgeExpiredEdges(opts.db, 5 * 60_000).catch((err: unknown) => opts.log.warn({ err }, 'edge purge failed'));
  }, 5 * 60_000);
  janitor.unref();
  return {
    port,
    ...(adminPort !== undefined && { adminPort }),
    relay,
    async stop() {
      clearInterval(janitor);
      // Multiplexed streams end once their calls are done, as plain calls do.
      service.goaway();
      const shutdown = (s: grpc.Server) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()));
      await Promise.all([shutdown(server), adminServer && shutdown(adminServer)]);
      await relay.stop();
      if (opts.registry) opts.db.observeQueries(undefined);
    },
  };
}

/**
 * The outbox's backlog at each scrape: rows not marked sent and the age of
 * the oldest. A scrape waits at most a second for the answer; without one it
 * reports what it last knew.
 */
function watchOutbox(db: Database, registry: Registry, log: Logger): void {
  let last = { unsent: 0, oldestSeconds: 0 };
  let asking: Promise<void> | undefined;
  const ask = (): Promise<void> => {
    asking ??= outboxBacklog(db)
      .then(
        (b) => void (last = b),
        (err: unknown) => log.debug({ err }, 'outbox backlog query failed'),
      )
      .finally(() => (asking = undefined));
    return Promise.race([asking, new Promise<void>((r) => setTimeout(r, 1000).unref())]);
  };
  new Gauge({
    name: 'kimap_outbox_unsent_events',
    help: 'Outbox rows not yet marked sent (the same for every mailbox pod: one outbox)',
    registers: [registry],
    async collect() {
      await ask();
      this.set(last.unsent);
    },
  });
  new Gauge({
    name: 'kimap_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest outbox row not yet marked sent; 0 when none is',
    registers: [registry],
    async collect() {
      await ask();
      this.set(last.oldestSeconds);
    },
  });
}
