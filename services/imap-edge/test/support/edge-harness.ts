// The IMAP edge wired for real, for the protocol tests of one test file:
// a fresh PostgreSQL database of the file's own, the mailbox service over
// gRPC, the edge on loopback ports (plaintext with STARTTLS, and implicit
// TLS), and the in-process change bus between them. Each file starts its own,
// so files can run side by side.
//
// The tests reach the edge's command modules (src/commands/) only through
// this module, so moving those modules changes the imports here alone.
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, InProcessBus, type Database, type Logger, type ProxyProtocolSettings } from '@kimap/common';
import { createTestDatabase, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, startMailboxService, type LoginThrottleSettings, type RunningMailboxService } from '@kimap/mailbox';
import { Registry } from 'prom-client';
import { GrpcBackend } from '../../src/backend.js';
import { BASE_CAPABILITIES } from '../../src/commands/registry.js';
import { startEdge, type RunningEdge } from '../../src/server.js';
import { selfSignedTls, type TlsFiles } from '../../src/tls.js';
import type { EdgeLimits, EdgeSettings } from '../../src/commands/context.js';
import { ImapClient } from './imap-client.js';

export type { EdgeSettings };

export const APPEND_LIMIT = 10_000;
export const MAX_LINE = 1024;
export const MAX_BAD = 5;
/** The pre-auth timeout of the files that test it (useEdgeServices({ preAuthTimeoutMs: PREAUTH_MS })). */
export const PREAUTH_MS = 1500;
/**
 * The pre-auth timeout of every other file: one that no login meets, however
 * busy the machine (argon2 for a fresh user, files running side by side).
 */
const PREAUTH_UNTESTED_MS = 60_000;

const settings: EdgeSettings = {
  hostname: 'test',
  allowPlaintextAuth: false,
  tlsAvailable: true,
  pollIntervalMs: 30_000,
  idleKeepaliveMs: 120_000,
  limits: {
    maxLineLength: MAX_LINE,
    appendLimit: APPEND_LIMIT,
    maxBadCommands: MAX_BAD,
    preAuthTimeoutMs: PREAUTH_UNTESTED_MS,
    autologoutMs: 60_000,
  },
};

/**
 * Settings for a file that starts its own edge on loopback without TLS (plaintext
 * LOGIN allowed), with the limits of a production edge.
 */
export const PLAINTEXT_SETTINGS: EdgeSettings = {
  hostname: 'test',
  allowPlaintextAuth: true,
  tlsAvailable: false,
  pollIntervalMs: 30_000,
  idleKeepaliveMs: 120_000,
  limits: { maxLineLength: 64 * 1024, appendLimit: 1_000_000, maxBadCommands: 20, preAuthTimeoutMs: 60_000, autologoutMs: 60_000 },
};

export const PASSWORD = 'password-1';
export const ALICE = 'alice@example.test';
export const CAPS_AUTH = `${BASE_CAPABILITIES.join(' ')} APPENDLIMIT=${APPEND_LIMIT}`;
export const CAPS_PREAUTH_TLS = `${CAPS_AUTH} AUTH=PLAIN AUTH=LOGIN`;
export const SYSTEM_FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small message with the given subject and body. */
export const msg = (subject: string, body = 'Hello world\r\n') =>
  Buffer.from(`Subject: ${subject}\r\nFrom: a@example.test\r\n\r\n${body}`, 'latin1');

/** The running services of one test file, and the helpers its tests use. */
export interface EdgeServices {
  readonly db: Database;
  readonly bus: InProcessBus;
  readonly backend: GrpcBackend;
  readonly edge: RunningEdge;
  readonly mailbox: RunningMailboxService;
  /** The metrics of the mailbox service and the edge. */
  readonly registry: Registry;
  /** Plaintext connection (greeting consumed). */
  readonly plain: () => Promise<{ c: ImapClient; greeting: string }>;
  /** A connection as the options say (a PROXY header first, TLS, a client address), greeting consumed. */
  readonly connect: (opts: { tls?: boolean; localAddress?: string; proxyHeader?: Buffer }) => Promise<{ c: ImapClient; greeting: string }>;
  /** Implicit-TLS connection (greeting consumed), from the client address given (default 127.0.0.1). */
  readonly secure: (from?: string) => Promise<{ c: ImapClient; greeting: string }>;
  /** A logged-in session over implicit TLS, from the client address given (default 127.0.0.1). */
  readonly loggedIn: (user?: string, password?: string, from?: string) => Promise<ImapClient>;
  /** A new account of its own (fresh default folders, empty INBOX). */
  readonly freshUser: () => Promise<{ user: string; accountId: number }>;
  /** A new mailbox for alice, so each test starts from an empty one. */
  readonly freshMailbox: (c: ImapClient, prefix?: string) => Promise<string>;
  readonly uidvalidity: (accountId: number, name: string) => Promise<number>;
  readonly aliceId: () => Promise<number>;
  /** Rows in messages and message_bodies, across all accounts. */
  readonly rowCounts: () => Promise<{ messages: number; bodies: number }>;
}

interface Running {
  registry: Registry;
  tdb: TestDatabase;
  bus: InProcessBus;
  mailbox: RunningMailboxService;
  backend: GrpcBackend;
  edge: RunningEdge;
  dir: string;
}

const log = createLogger('edge-test', 'silent');

/**
 * Registers, in the calling suite, hooks that start the services before its
 * first test (with alice as a user), close each test's connections after it,
 * and stop the services after the last test.
 */
export function useEdgeServices(
  opts: {
    preAuthTimeoutMs?: number;
    /** Limits beyond the harness's (login failures, connection limits). */
    limits?: Partial<EdgeLimits>;
    /** Login throttling of the mailbox service; its defaults otherwise. */
    loginThrottle?: Partial<LoginThrottleSettings>;
    /** PROXY protocol on the edge's listeners. */
    proxy?: ProxyProtocolSettings;
    /** Certificate files the edge reads (and reads again when they change), made in the harness's folder. */
    tlsFiles?: (dir: string) => Promise<TlsFiles>;
    /** The edge's logger (silent otherwise). */
    log?: Logger;
  } = {},
): EdgeServices {
  // Filled in as each service starts, so that a failed start still stops what did start.
  const running: Partial<Running> = {};
  const clients: ImapClient[] = [];
  const started = (): Running => {
    if (!running.edge) throw new Error('the edge services are not started (call useEdgeServices() inside a describe)');
    return running as Running;
  };

  before(async () => {
    running.registry = new Registry();
    running.tdb = await createTestDatabase();
    running.bus = new InProcessBus();
    running.mailbox = await startMailboxService({
      db: running.tdb.db,
      publisher: running.bus,
      address: '127.0.0.1:0',
      log,
      registry: running.registry,
      ...(opts.loginThrottle && { loginThrottle: opts.loginThrottle }),
    });
    running.backend = new GrpcBackend(`127.0.0.1:${running.mailbox.port}`);
    running.dir = mkdtempSync(join(tmpdir(), 'kimap-edge-test-'));
    running.edge = await startEdge({
      backend: running.backend,
      subscriber: running.bus,
      settings: {
        ...settings,
        limits: { ...settings.limits, preAuthTimeoutMs: opts.preAuthTimeoutMs ?? settings.limits.preAuthTimeoutMs, ...opts.limits },
      },
      registry: running.registry,
      log: opts.log ?? log,
      ...(opts.tlsFiles ? { tlsFiles: await opts.tlsFiles(running.dir) } : { tls: await selfSignedTls(running.dir, 'localhost') }),
      ...(opts.proxy && { proxy: opts.proxy }),
      host: '127.0.0.1',
      imapPort: 0,
      imapsPort: 0,
    });
    await addUser(running.tdb.db, ALICE, PASSWORD, { createTenant: true });
    // One login before the first test: a cold start (TLS, the gRPC channel,
    // argon2, the pool's connections) can take longer on a busy machine than
    // a short pre-auth timeout (PREAUTH_MS) allows a test's first login. Only
    // a warm-up: should it fail, the tests report what fails for them.
    const { client } = await ImapClient.connect(running.edge.imapsPort!, {
      tls: true,
      timeoutMs: 30_000,
      ...(opts.proxy && opts.proxy.mode !== 'off' && { proxyHeader: Buffer.from('PROXY UNKNOWN\r\n') }),
    });
    await client.command('W', `LOGIN "${ALICE}" "${PASSWORD}"`, 30_000).catch(() => undefined);
    await client.close();
  });

  // Each test gets fresh connections; whatever it left open is closed here.
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  after(async () => {
    for (const c of clients) await c.close();
    await running.edge?.stop(1000);
    running.backend?.close();
    await running.mailbox?.stop();
    await running.bus?.close();
    await running.tdb?.drop();
    if (running.dir) rmSync(running.dir, { recursive: true, force: true });
  });

  const services: EdgeServices = {
    get db() {
      return started().tdb.db;
    },
    get bus() {
      return started().bus;
    },
    get backend() {
      return started().backend;
    },
    get edge() {
      return started().edge;
    },
    get mailbox() {
      return started().mailbox;
    },
    get registry() {
      return started().registry;
    },

    plain: async () => {
      const { client, greeting } = await ImapClient.connect(started().edge.imapPort!);
      clients.push(client);
      return { c: client, greeting };
    },

    connect: async (o) => {
      const { client, greeting } = await ImapClient.connect(o.tls ? started().edge.imapsPort! : started().edge.imapPort!, o);
      clients.push(client);
      return { c: client, greeting };
    },

    secure: async (from) => {
      const { client, greeting } = await ImapClient.connect(started().edge.imapsPort!, { tls: true, ...(from && { localAddress: from }) });
      clients.push(client);
      return { c: client, greeting };
    },

    loggedIn: async (user = ALICE, password = PASSWORD, from) => {
      const { c } = await services.secure(from);
      const r = await c.command('L1', `LOGIN "${user}" "${password}"`);
      assert.equal(r.tagged, `L1 OK [CAPABILITY ${CAPS_AUTH}] Logged in`);
      return c;
    },

    freshUser: async () => {
      const user = `${uniqueName('u')}@example.test`;
      const acc = await addUser(started().tdb.db, user, PASSWORD, { createTenant: true });
      return { user, accountId: acc.accountId };
    },

    freshMailbox: async (c, prefix = 'box') => {
      const name = uniqueName(prefix);
      const r = await c.command('MK', `CREATE ${name}`);
      assert.equal(r.tagged, 'MK OK CREATE completed');
      return name;
    },

    uidvalidity: async (accountId, name) => {
      const { rows } = await started().tdb.db.query<{ uidvalidity: string | number }>(
        'SELECT uidvalidity FROM mailboxes WHERE account_id = $1 AND name = $2',
        [accountId, name],
      );
      assert.ok(rows[0], `mailbox ${name} exists`);
      return Number(rows[0].uidvalidity);
    },

    aliceId: async () => {
      const { rows } = await started().tdb.db.query<{ account_id: string | number }>(
        'SELECT account_id FROM accounts WHERE username = $1',
        [ALICE],
      );
      return Number(rows[0]!.account_id);
    },

    rowCounts: async () => {
      const db = started().tdb.db;
      const m = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
      const b = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM message_bodies');
      return { messages: Number(m.rows[0]!.n), bodies: Number(b.rows[0]!.n) };
    },
  };
  return services;
}
