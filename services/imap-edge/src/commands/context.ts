// What a command handler gets: the session, the backend, the encoder and the
// few connection-level actions some commands need.
import type { Logger } from '@kimap/common';
import type { AccountGuard } from '../account-guard.js';
import type { MailboxBackend } from '../backend.js';
import type { ChangeFeed } from '../feed.js';
import type { BodyCache } from '../body-cache.js';
import type { HeaderCache } from '../header-cache.js';
import type { MailboxViews } from '../mailbox-view.js';
import type { EdgeMetrics } from '../metrics.js';
import type { ResponseEncoder } from '../protocol/index.js';
import type { Session } from '../session.js';
import type { SessionRegistry } from '../session-registry.js';

export interface EdgeLimits {
  maxLineLength: number;
  appendLimit: number;
  /** BAD answers in a row after which the connection is closed (any other answer resets the count). */
  maxBadCommands: number;
  preAuthTimeoutMs: number;
  autologoutMs: number;
  /** Failed logins after which a connection is closed (0: never); default DEFAULT_MAX_LOGIN_FAILURES. */
  maxLoginFailures?: number;
  /** Sessions of one account across the cluster (0: no limit); default DEFAULT_MAX_ACCOUNT_CONNECTIONS. */
  maxAccountConnections?: number;
  /** Sessions of one account from one client address (0: no limit); default DEFAULT_MAX_ACCOUNT_IP_CONNECTIONS. */
  maxAccountIpConnections?: number;
  /**
   * How long output may wait unsent without the client taking a byte of it
   * before the connection is closed (a client that stopped reading); default DEFAULT_WRITE_TIMEOUT_MS.
   */
  writeTimeoutMs?: number;
  /** Unsent output a connection may hold before it is closed; default defaultMaxOutputBytes(appendLimit). */
  maxOutputBytes?: number;
}

export const DEFAULT_WRITE_TIMEOUT_MS = 60_000;

/** Room for the largest message a FETCH sends whole, and the pages around it. */
export function defaultMaxOutputBytes(appendLimit: number): number {
  return Math.max(64 * 1024 * 1024, appendLimit + 16 * 1024 * 1024);
}

export const DEFAULT_MAX_LOGIN_FAILURES = 3;
export const DEFAULT_MAX_ACCOUNT_CONNECTIONS = 100;
export const DEFAULT_MAX_ACCOUNT_IP_CONNECTIONS = 20;

export interface EdgeSettings {
  hostname: string;
  limits: EdgeLimits;
  /** Accept LOGIN/AUTHENTICATE without TLS. */
  allowPlaintextAuth: boolean;
  /** Whether STARTTLS can be offered (a certificate is configured). */
  tlsAvailable: boolean;
  /** How often a session pulls changes by itself when no event rang. */
  pollIntervalMs: number;
  /** How often an IDLE session gets an untagged keep-alive line (NAT and load balancer timeouts). */
  idleKeepaliveMs: number;
  /** Bytes of recently fetched header blocks, envelopes and structures the edge keeps (see HeaderCache); 0: none. Default DEFAULT_HEADER_CACHE_MB. */
  headerCacheBytes?: number;
  /** Bytes of recently fetched message text the edge keeps (see BodyCache); 0: none. Default DEFAULT_BODY_CACHE_MB. */
  bodyCacheBytes?: number;
  /** Messages the edge's mailbox views hold at most (see MailboxViews); 0: no views. Default DEFAULT_VIEW_MAX_MESSAGES. */
  viewMaxMessages?: number;
  /** How far behind the change feed may be for the views to answer (FEED_CURRENT_WITHIN_MS). Default DEFAULT_FEED_CURRENT_WITHIN_MS. */
  feedCurrentWithinMs?: number;
}

/** Connection-level actions a few commands need. */
export interface ConnectionControl {
  /** Starts the TLS handshake on the connection's socket; what the client sends next is read through it. */
  startTls(): void;
  close(): void;
  /** Resolves when the socket has room again (back-pressure for big responses). */
  drain(): Promise<void>;
  /** Reads one raw line from the client (AUTHENTICATE responses, IDLE's DONE); rejects when the connection closes. */
  readLine(): Promise<Buffer>;
  /** Counts a failed login; after maxLoginFailures the connection ends with BYE after the command's reply. */
  loginFailed(): void;
  /** Whether the connection has closed (the client went away, or BYE was sent). */
  isClosed(): boolean;
}

export interface CommandContext {
  readonly session: Session;
  readonly backend: MailboxBackend;
  readonly feed: ChangeFeed;
  /** Whether accounts may still be used (disabled ones end their sessions). */
  readonly accounts: AccountGuard;
  /** The connection limits; undefined: none. */
  readonly sessions?: SessionRegistry;
  /** Header blocks of recently fetched messages, shared by the edge's sessions; undefined: none kept. */
  readonly headers?: HeaderCache;
  /** The text of recently fetched messages, shared by the edge's sessions; undefined: none kept. */
  readonly bodies?: BodyCache;
  /** The edge's views of selected mailboxes, which answer metadata FETCHes while the feed is current; undefined: none kept. */
  readonly views?: MailboxViews;
  /** The edge's metrics; undefined: none kept. */
  readonly metrics?: EdgeMetrics;
  readonly enc: ResponseEncoder;
  /** A logger bound to the session. */
  log(): Logger;
  readonly settings: EdgeSettings;
  readonly conn: ConnectionControl;
  capabilities(): string[];
  /** Whether the change feed is up (sessions are pushed changes) or down (sessions poll). */
  feedHealthy(): boolean;
  /** Pulls and reports changes to the selected mailbox (see Connection.sync). */
  sync(opts: { allowExpunge: boolean; force?: boolean }): Promise<void>;
  /** Forgets the selected mailbox (its CLOSED handling and feed registration). */
  deselect(): void;
  /** Registers (or clears, with undefined) what to call when a change event for the selected mailbox arrives. */
  onWake(fn: (() => void) | undefined): void;
}
