// What a command handler gets, and the errors it may throw. Handlers parse
// nothing themselves: they receive typed arguments from the protocol layer.
import type { Logger } from '@kimap/common';
import type { MailboxBackend } from '../backend.js';
import type { ChangeFeed } from '../feed.js';
import type { HeaderCache } from '../header-cache.js';
import type { CommandName, ParsedCommand, ResponseEncoder } from '../protocol/index.js';
import type { Session, SessionState } from '../session.js';

export interface EdgeLimits {
  maxLineLength: number;
  appendLimit: number;
  maxBadCommands: number;
  preAuthTimeoutMs: number;
  autologoutMs: number;
}

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
}

/** Connection-level actions a few commands need. */
export interface ConnectionControl {
  startTls(): Promise<void>;
  close(): void;
  /** Resolves when the socket has room again (back-pressure for big responses). */
  drain(): Promise<void>;
  /** Reads one raw line from the client (AUTHENTICATE responses, IDLE's DONE); rejects when the connection closes. */
  readLine(): Promise<Buffer>;
}

export interface CommandContext {
  readonly session: Session;
  readonly backend: MailboxBackend;
  readonly feed: ChangeFeed;
  /** Header blocks of recently fetched messages, shared by the edge's sessions; undefined: none kept. */
  readonly headers?: HeaderCache;
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

/** The tagged OK a handler asks for. */
export interface Completion {
  code?: string;
  text?: string;
  /** The handler wrote its tagged reply itself (STARTTLS answers before the handshake). */
  answered?: boolean;
}

export interface CommandHandler<N extends CommandName = CommandName> {
  readonly names: readonly N[];
  /** States in which the command is valid; elsewhere it is refused with BAD. */
  readonly states: readonly SessionState[];
  /**
   * RFC 9051 7.5.1: no untagged EXPUNGE while answering FETCH, STORE or
   * SEARCH (with sequence numbers): the client could not match them up.
   */
  readonly expungeAllowed?: boolean;
  run(ctx: CommandContext, cmd: Extract<ParsedCommand, { name: N }>): Promise<Completion | void>;
}

/** A tagged NO with a response code, for failures the client should see. */
export class ImapNo extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A tagged BAD thrown by a handler (e.g. a sequence number out of range). */
export class ImapBad extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export const SELECTED: readonly SessionState[] = ['selected'];
export const AUTHENTICATED: readonly SessionState[] = ['authenticated', 'selected'];
export const ANY_STATE: readonly SessionState[] = ['not-authenticated', 'authenticated', 'selected'];
export const NOT_AUTHENTICATED: readonly SessionState[] = ['not-authenticated'];
