// The connection limits per account and per account and client address,
// across the cluster: each logged-in session is registered through the
// mailbox service in PostgreSQL (migration 0012) under this edge's id, and
// unregistered when it ends. The edge renews its liveness with a heartbeat;
// when it dies, its sessions stop counting once that expires, and the janitor
// deletes them. A close that fails is sent again with the next heartbeat.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@kimap/common';
import type { MailboxBackend, Principal, SessionKey } from './backend.js';

const MAX_UNCLOSED = 100_000;

export interface SessionLimits {
  /** Sessions of one account across the cluster; 0: no limit. */
  perAccount: number;
  /** Sessions of one account from one client address (an IPv6 /64); 0: no limit. */
  perAccountAddress: number;
}

/** Edge ids are unique per process start, so that a restarted pod never inherits its predecessor's sessions. */
export function newEdgeId(name = hostname()): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

export class SessionRegistry {
  private timer?: NodeJS.Timeout;
  /** Sessions whose close failed: sent again with the next heartbeat. */
  private unclosed: SessionKey[] = [];
  private stopping = false;
  private readonly heartbeatMs: number;

  constructor(
    private readonly backend: MailboxBackend,
    readonly edgeId: string,
    private readonly limits: SessionLimits,
    private readonly log: Logger,
    heartbeatMs = 15_000,
  ) {
    this.heartbeatMs = Math.max(100, heartbeatMs);
  }

  /** An edge counts as alive for four heartbeats without one. */
  get ttlMs(): number {
    return this.heartbeatMs * 4;
  }

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const closed = this.unclosed.splice(0);
    try {
      await this.backend.edgeHeartbeat(this.edgeId, this.ttlMs, closed);
    } catch (err) {
      this.unclosed.push(...closed);
      this.log.warn({ err }, 'session heartbeat failed');
    }
  }

  /** Registers a logged-in session; throws a BackendError with IMAP code LIMIT when a limit refuses it. */
  open(p: Principal, sessionId: string, remoteIp: string): Promise<void> {
    return this.backend.openSession(p, {
      edgeId: this.edgeId,
      sessionId,
      remoteIp,
      maxPerAccount: this.limits.perAccount,
      maxPerAddress: this.limits.perAccountAddress,
      edgeTtlMs: this.ttlMs,
    });
  }

  /** Unregisters a session that ended (in the background). */
  close(p: Principal, sessionId: string): void {
    if (this.stopping) return;
    const key = { accountId: p.account.accountId, sessionId };
    this.backend.closeSession(this.edgeId, key).catch((err: unknown) => {
      this.log.debug({ err, session: sessionId }, 'closing a session failed; the next heartbeat closes it');
      this.unclosed.push(key);
      // The service away for long: the oldest are given up (they count until this edge stops).
      if (this.unclosed.length > MAX_UNCLOSED) this.unclosed.splice(0, this.unclosed.length - MAX_UNCLOSED);
    });
  }

  /** The edge is shutting down: its sessions are dropped at once, not one by one. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.backend.edgeHeartbeat(this.edgeId, 0, []).catch((err: unknown) => {
      this.log.warn({ err }, 'unregistering the edge failed; its sessions expire by themselves');
    });
  }
}
