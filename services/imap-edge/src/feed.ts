// Routes change events to the sessions of their account on this pod, and to
// the sessions that have a mailbox of another account selected (shared
// through an ACL grant), by the mailbox's id (unique across accounts).
// Events for accounts and mailboxes with no session here cost two lookups.
import type { ChangeEvent } from '@kimap/common';

export interface ChangeListener {
  onChange(event: ChangeEvent): void;
}

export class ChangeFeed {
  private readonly byAccount = new Map<number, Set<ChangeListener>>();
  private readonly byMailbox = new Map<number, Set<ChangeListener>>();
  received = 0;
  delivered = 0;

  add(accountId: number, listener: ChangeListener): void {
    let set = this.byAccount.get(accountId);
    if (!set) this.byAccount.set(accountId, (set = new Set()));
    set.add(listener);
  }

  remove(accountId: number, listener: ChangeListener): void {
    const set = this.byAccount.get(accountId);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) this.byAccount.delete(accountId);
  }

  /** Also delivers the events of a mailbox of another account (a shared mailbox a session selected). */
  watch(mailboxId: number, listener: ChangeListener): void {
    let set = this.byMailbox.get(mailboxId);
    if (!set) this.byMailbox.set(mailboxId, (set = new Set()));
    set.add(listener);
  }

  unwatch(mailboxId: number, listener: ChangeListener): void {
    const set = this.byMailbox.get(mailboxId);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) this.byMailbox.delete(mailboxId);
  }

  dispatch = (event: ChangeEvent): void => {
    this.received++;
    const own = this.byAccount.get(event.accountId);
    if (own) {
      for (const l of own) {
        this.delivered++;
        l.onChange(event);
      }
    }
    // A session never watches a mailbox of its own account: no event reaches it twice.
    const watching = event.mailboxId ? this.byMailbox.get(event.mailboxId) : undefined;
    if (watching) {
      for (const l of watching) {
        this.delivered++;
        l.onChange(event);
      }
    }
  };

  get sessions(): number {
    let n = 0;
    for (const s of this.byAccount.values()) n += s.size;
    return n;
  }

  /** Sessions that have another account's mailbox selected. */
  get watchers(): number {
    let n = 0;
    for (const s of this.byMailbox.values()) n += s.size;
    return n;
  }
}
