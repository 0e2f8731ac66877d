// Whether the accounts of this edge's sessions may still be used. An
// `account` change event (disabled, enabled, removed, password changed) makes
// the sessions of that account ask the mailbox service again; one question
// per account at a time, however many sessions it has here. While the change
// feed is down, sessions ask at most every few seconds instead (the feed is a
// doorbell; PostgreSQL is the truth).
import type { Logger } from '@kimap/common';
import type { MailboxBackend, Principal } from './backend.js';

/** How long an `account` event is remembered, for logins that were under way when it rang. */
const EVENT_MEMORY_MS = 60_000;
const MAX_REMEMBERED = 10_000;

export class AccountGuard {
  /** Account -> when its last `account` event arrived. */
  private readonly events = new Map<number, number>();
  /** Account -> the verdict and when it was asked for. */
  private readonly verdicts = new Map<number, { active: boolean; at: number }>();
  private readonly asking = new Map<number, Promise<boolean>>();

  constructor(
    private readonly backend: MailboxBackend,
    private readonly log: Logger,
  ) {}

  /** An `account` event arrived: earlier verdicts no longer hold. */
  changed(accountId: number): void {
    const now = Date.now();
    this.events.delete(accountId);
    this.events.set(accountId, now);
    this.verdicts.delete(accountId);
    // A question under way may have been answered before the change: later callers ask again.
    this.asking.delete(accountId);
    // Oldest first: Map iteration follows insertion order.
    for (const [id, at] of this.events) {
      if (at > now - EVENT_MEMORY_MS && this.events.size <= MAX_REMEMBERED) break;
      this.events.delete(id);
    }
  }

  /** Whether an `account` event for the account arrived at or after `since` (a login under way then must ask again). */
  changedSince(accountId: number, since: number): boolean {
    const at = this.events.get(accountId);
    return at !== undefined && at >= since;
  }

  /**
   * Whether the account may still be used, as the mailbox service says, or as
   * it said less than maxAgeMs ago. When the service cannot be asked, the
   * session goes on (true): an outage must not end every session.
   */
  async active(p: Principal, maxAgeMs = 0): Promise<boolean> {
    const id = p.account.accountId;
    const known = this.verdicts.get(id);
    if (known && Date.now() - known.at < maxAgeMs) return known.active;
    let asking = this.asking.get(id);
    if (!asking) {
      const at = Date.now();
      asking = this.backend.accountActive(p).then(
        (active) => {
          // An event that arrived while asking may have made the answer old.
          if (!this.changedSince(id, at)) this.remember(id, active, at);
          return active;
        },
        (err: unknown) => {
          this.log.warn({ err, account: id }, 'account state check failed; the sessions go on');
          return true;
        },
      );
      const mine = asking;
      this.asking.set(id, mine);
      void mine.finally(() => {
        if (this.asking.get(id) === mine) this.asking.delete(id);
      });
    }
    return asking;
  }

  private remember(accountId: number, active: boolean, at: number): void {
    this.verdicts.delete(accountId);
    this.verdicts.set(accountId, { active, at });
    while (this.verdicts.size > MAX_REMEMBERED) this.verdicts.delete(this.verdicts.keys().next().value!);
  }
}
