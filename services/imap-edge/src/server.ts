// The edge's listeners: plaintext IMAP with STARTTLS and implicit TLS, both
// feeding connections that share one backend client and one change feed.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import {
  PROXY_PROTOCOL_OFF,
  ProxyGate,
  type ChangeSubscriber,
  type ClientAddress,
  type Logger,
  type ProxyProtocolSettings,
} from '@kimap/common';
import type { Registry } from 'prom-client';
import { AccountGuard } from './account-guard.js';
import type { MailboxBackend } from './backend.js';
import { DEFAULT_MAX_ACCOUNT_CONNECTIONS, DEFAULT_MAX_ACCOUNT_IP_CONNECTIONS, type EdgeSettings } from './commands/context.js';
import { Connection } from './connection.js';
import { ChangeFeed } from './feed.js';
import { BodyCache, DEFAULT_BODY_CACHE_MB } from './body-cache.js';
import { DEFAULT_HEADER_CACHE_MB, HeaderCache } from './header-cache.js';
import { DEFAULT_VIEW_MAX_MESSAGES, MailboxViews } from './mailbox-view.js';
import { createEdgeMetrics } from './metrics.js';
import { newEdgeId, SessionRegistry } from './session-registry.js';
import { TlsCredentials, type TlsFiles, type TlsMaterial } from './tls.js';

export interface EdgeOptions {
  backend: MailboxBackend;
  subscriber: ChangeSubscriber;
  settings: EdgeSettings;
  log: Logger;
  tls?: TlsMaterial;
  /** Certificate and key files, read again when they change; instead of tls. */
  tlsFiles?: TlsFiles;
  /** PROXY protocol on both listeners; off when left out. */
  proxy?: ProxyProtocolSettings;
  host?: string;
  /** Plaintext port (STARTTLS); undefined: not listening. 0: any free port. */
  imapPort?: number;
  /** Implicit-TLS port; needs tls. */
  imapsPort?: number;
  registry?: Registry;
  /** Connections per edge process; further ones get BYE at once. */
  maxConnections?: number;
  /** How long start-up waits for the change feed before serving in polling mode. */
  feedWaitMs?: number;
  /** This process's name among the edges, for the connection limits; unique per start (see newEdgeId). */
  edgeId?: string;
  /** How often the edge tells that its sessions are still open (the connection limits). */
  sessionHeartbeatMs?: number;
}

export interface RunningEdge {
  imapPort?: number;
  imapsPort?: number;
  feed: ChangeFeed;
  /** The edge's mailbox views; undefined when off (EDGE_VIEW_MAX_MESSAGES 0). */
  views?: MailboxViews;
  readonly connections: number;
  /** Output the edge holds that its clients have not taken yet, over all connections. */
  unsentBytes(): number;
  /** Listening and accepting connections (the change feed may be down: sessions then poll). */
  ready(): boolean;
  /** The change feed delivers events. */
  feedHealthy(): boolean;
  /** Graceful drain: stop accepting, let running commands finish, BYE the rest. */
  stop(graceMs?: number): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

export async function startEdge(opts: EdgeOptions): Promise<RunningEdge> {
  const feed = new ChangeFeed();
  const metrics = opts.registry ? createEdgeMetrics(opts.registry) : undefined;
  const credentials = opts.tlsFiles
    ? TlsCredentials.fromFiles(opts.tlsFiles, opts.log)
    : opts.tls
      ? new TlsCredentials(opts.tls)
      : undefined;
  const settings: EdgeSettings = { ...opts.settings, tlsAvailable: credentials !== undefined };
  const headerBytes = settings.headerCacheBytes ?? DEFAULT_HEADER_CACHE_MB * 1024 * 1024;
  const headers =
    headerBytes > 0 ? new HeaderCache(headerBytes, (hit) => metrics?.headerCacheFetches.inc({ result: hit ? 'hit' : 'miss' })) : undefined;
  if (headers) metrics?.watchHeaderCache(headers);
  const bodyBytes = settings.bodyCacheBytes ?? DEFAULT_BODY_CACHE_MB * 1024 * 1024;
  const bodies =
    bodyBytes > 0 ? new BodyCache(bodyBytes, (hit) => metrics?.bodyCacheFetches.inc({ result: hit ? 'hit' : 'miss' })) : undefined;
  if (bodies) metrics?.watchBodyCache(bodies);
  const viewMessages = settings.viewMaxMessages ?? DEFAULT_VIEW_MAX_MESSAGES;
  const views =
    viewMessages > 0
      ? new MailboxViews(opts.backend, {
          currentAsOf: () => opts.subscriber.currentAsOf(),
          maxMessages: viewMessages,
          ...(settings.feedCurrentWithinMs !== undefined && { currentWithinMs: settings.feedCurrentWithinMs }),
          ...(metrics && { onAnswer: (answered: boolean) => metrics.viewFetches.inc({ result: answered ? 'view' : 'service' }) }),
        })
      : undefined;
  if (views) metrics?.watchViews(views);
  const accounts = new AccountGuard(opts.backend, opts.log);
  const perAccount = settings.limits.maxAccountConnections ?? DEFAULT_MAX_ACCOUNT_CONNECTIONS;
  const perAccountAddress = settings.limits.maxAccountIpConnections ?? DEFAULT_MAX_ACCOUNT_IP_CONNECTIONS;
  const sessions =
    perAccount > 0 || perAccountAddress > 0
      ? new SessionRegistry(opts.backend, opts.edgeId ?? newEdgeId(), { perAccount, perAccountAddress }, opts.log, opts.sessionHeartbeatMs)
      : undefined;
  sessions?.start();
  const open = new Set<Connection>();
  const maxConnections = opts.maxConnections ?? 50_000;
  let accepting = true;

  // Without the bus the edge still serves: sessions poll until it is back.
  const subscribed = opts.subscriber.subscribe((event) => {
    metrics?.events.inc();
    if (event.kind === 'account') accounts.changed(event.accountId);
    // The view first: a session the event wakes finds it marked behind.
    views?.noteEvent(event);
    feed.dispatch(event);
  });
  const joined = await Promise.race([
    subscribed.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), opts.feedWaitMs ?? 20_000).unref()),
  ]);
  if (!joined) opts.log.warn('change feed not joined yet; starting anyway, sessions poll until it is');

  const accept = (socket: Socket, tls: boolean, client: ClientAddress) => {
    socket.setNoDelay(true);
    if (!accepting || open.size >= maxConnections) {
      if (accepting) metrics?.limitHit('max_connections');
      socket.end('* BYE Server busy, try again later\r\n');
      return;
    }
    const conn = new Connection(
      socket,
      {
        backend: opts.backend,
        feed,
        accounts,
        ...(sessions ? { sessions } : {}),
        log: opts.log,
        settings,
        ...(credentials ? { secureContext: credentials.context } : {}),
        ...(metrics ? { metrics } : {}),
        ...(headers ? { headers } : {}),
        ...(bodies ? { bodies } : {}),
        ...(views ? { views } : {}),
        feedHealthy: () => opts.subscriber.healthy,
      },
      tls,
      client.address,
    );
    open.add(conn);
    conn.onClosed = () => open.delete(conn);
    conn.start();
  };

  const unsentBytes = () => {
    let n = 0;
    for (const c of open) n += c.unsentBytes;
    return n;
  };
  metrics?.watchUnsent(unsentBytes);

  const feedGauge = setInterval(() => metrics?.feedUp.set(opts.subscriber.healthy ? 1 : 0), 1000);
  feedGauge.unref();

  const host = opts.host ?? '0.0.0.0';
  const servers: Server[] = [];
  const gates: ProxyGate[] = [];
  let imapPort: number | undefined;
  let imapsPort: number | undefined;
  // Both listeners take plain TCP: a PROXY header, when on, comes before the TLS handshake.
  const gated = (listener: string, handOn: (socket: Socket, client: ClientAddress) => void) => {
    const gate = new ProxyGate(opts.proxy ?? PROXY_PROTOCOL_OFF, {
      listener,
      log: opts.log,
      ...(opts.registry && { registry: opts.registry }),
    });
    gates.push(gate);
    return createServer((s) => gate.admit(s, (client) => handOn(s, client)));
  };
  if (opts.imapPort !== undefined) {
    const plain = gated('imap', (s, client) => accept(s, false, client));
    imapPort = await listen(plain, opts.imapPort, host);
    servers.push(plain);
  }
  if (opts.imapsPort !== undefined) {
    if (!credentials) throw new Error('implicit TLS needs a certificate');
    // The TLS server does not listen itself: it is handed each connection once its client is known.
    // Clients in the handshake, by their TCP peer (which the TLS socket shares with the plain one).
    const handshaking = new Map<string, { client: ClientAddress; socket: Socket; forget: () => void }>();
    const peerKey = (s: Socket) => `${s.remoteAddress}|${s.remotePort}`;
    const secure = createTlsServer({ ...credentials.material, minVersion: 'TLSv1.2' }, (s: TLSSocket) => {
      const waiting = handshaking.get(peerKey(s));
      if (waiting) {
        handshaking.delete(peerKey(s));
        waiting.socket.off('close', waiting.forget);
      }
      accept(s, true, waiting?.client ?? { address: s.remoteAddress ?? 'unknown', port: s.remotePort ?? 0 });
    });
    secure.on('tlsClientError', (err) => opts.log.debug({ err }, 'TLS handshake failed'));
    credentials.onChange((m) => secure.setSecureContext({ ...m, minVersion: 'TLSv1.2' }));
    const tcp = gated('imaps', (s, client) => {
      const key = peerKey(s);
      const forget = () => handshaking.delete(key);
      handshaking.set(key, { client, socket: s, forget });
      s.once('close', forget);
      secure.emit('connection', s);
    });
    imapsPort = await listen(tcp, opts.imapsPort, host);
    servers.push(tcp);
  }
  opts.log.info({ imapPort, imapsPort }, 'IMAP edge listening');

  return {
    ...(imapPort !== undefined ? { imapPort } : {}),
    ...(imapsPort !== undefined ? { imapsPort } : {}),
    feed,
    ...(views && { views }),
    get connections() {
      return open.size;
    },
    unsentBytes,
    ready: () => accepting,
    feedHealthy: () => opts.subscriber.healthy,
    async stop(graceMs = 10_000) {
      // Once is enough: a second call (a second signal) does not wait for the drain.
      if (!accepting) return;
      accepting = false;
      clearInterval(feedGauge);
      for (const s of servers) s.close();
      for (const g of gates) g.close();
      credentials?.close();
      const deadline = Date.now() + graceMs;
      // Sessions between commands or in IDLE get BYE now; busy ones when their command ends or the grace runs out.
      while (open.size > 0 && Date.now() < deadline) {
        for (const c of open) if (c.interruptible) c.shutdown('Server shutting down, please reconnect');
        if (open.size > 0) await new Promise((r) => setTimeout(r, 50));
      }
      for (const c of open) c.shutdown('Server shutting down, please reconnect');
      await sessions?.stop();
      await opts.subscriber.close();
    },
  };
}
