// Routes change events to the sessions of their account on this pod. Events
// for accounts with no session here cost one map lookup.
import type { ChangeEvent } from '@kimap/common';

export interface ChangeListener {
  onChange(event: ChangeEvent): void;
}

export class ChangeFeed {
  private readonly byAccount = new Map<number, Set<ChangeListener>>();
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

  dispatch = (event: ChangeEvent): void => {
    this.received++;
    const set = this.byAccount.get(event.accountId);
    if (!set) return;
    for (const l of set) {
      this.delivered++;
      l.onChange(event);
    }
  };

  get sessions(): number {
    let n = 0;
    for (const s of this.byAccount.values()) n += s.size;
    return n;
  }
}
