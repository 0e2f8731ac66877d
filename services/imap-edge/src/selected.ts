// The selected mailbox as one session sees it: the UID of every sequence
// number, the last MODSEQ it has reported, and the flags it knows. Sequence
// numbers live only here; the mailbox service speaks UIDs.
import type { Changes, MailboxStatus } from './backend.js';
import { UidList } from './uid-list.js';

/** What apply() needs of a change set: the service's, or one the session made itself. */
export interface ChangeSet {
  /** With the \Recent part when the service sent it (a session's own change has none). */
  status: Pick<MailboxStatus, 'highestmodseq' | 'uidnext'> & Partial<RecentStatus>;
  /** What a session is told of each (a GetChanges also carries sizes and dates, for the views). */
  changed: Array<Pick<Changes['changed'][number], 'uid' | 'modseq' | 'flags'>>;
  expunged: number[];
  /** A session's own change whose new messages it has claimed as \Recent already (its APPEND claimed them). */
  recentClaimed?: boolean;
}

export interface SyncUpdate {
  /** Sequence numbers to announce as EXPUNGEd, in the order to send them. */
  expunged: number[];
  /** The new EXISTS count, when it changed. */
  exists?: number;
  /** Messages whose flags changed: sequence number, UID, flags, MODSEQ. */
  flags: Array<{ seq: number; uid: number; flags: string[]; modseq: number }>;
  /** UIDs removed (for VANISHED under QRESYNC). */
  vanished: number[];
}

/**
 * How a session takes part in \Recent (IMAP4rev1, RFC 3501 2.3.2): `claim`,
 * read-write, claims what no session has claimed (at SELECT and whenever it
 * learns of new messages) and shows those as recent; `see`, read-only
 * (EXAMINE), shows as recent what no session had claimed when it learned of
 * it, and claims nothing; `off`, IMAP4rev2, has no \Recent at all.
 */
export type RecentMode = 'claim' | 'see' | 'off';

/** What the mailbox service says of \Recent with a mailbox's status (MailboxStatus). */
export interface RecentStatus {
  /** The lowest UID no session had claimed when the mailbox was read. */
  firstRecentUid: number;
  /** The UIDs this call claimed for the session: claimedFirst..claimedLast; 0: none. */
  claimedFirst: number;
  claimedLast: number;
}

export class SelectedMailbox {
  /** Ascending UIDs; the n-th is sequence number n. */
  private readonly uids: UidList;
  /** Flag changes this session made and already reported: UID -> MODSEQ. */
  private readonly ownChanges = new Map<number, number>();
  /** A change this session committed, not yet reported (see ownChange). */
  private own?: ChangeSet;
  /** The highest MODSEQ a change event announced for this mailbox. */
  eventModseq = 0;

  /** The keywords the session was told of (FLAGS), in the order it learned them. */
  private readonly keywordList: string[] = [];
  /** The same in lower case: keywords compare without case. */
  private readonly keywordKeys = new Set<string>();
  /** Every spelling of a keyword already looked at (the usual case: no lower-casing needed). */
  private readonly keywordSpellings = new Set<string>();

  /** How this session takes part in \Recent. */
  recentMode: RecentMode = 'off';
  /** The UIDs recent in this session, as [first, last] ranges, ascending and disjoint; they may name UIDs not yet in the view. */
  private readonly recent: Array<[number, number]> = [];
  /** The RECENT count the client was last told. */
  reportedRecent = 0;

  /** The owner's address when the mailbox is another account's (MailboxTarget.owner); '' for the session's own. */
  owner = '';
  /** The session's rights on another account's mailbox (RFC 4314 letters); every right on its own. */
  rights = 'lrswipkxtea';

  constructor(
    readonly mailboxId: number,
    /** The owner's name of the mailbox. */
    readonly name: string,
    readonly uidvalidity: number,
    uids: UidList | readonly number[],
    public highestModseq: number,
    public uidnext: number,
    readonly readOnly: boolean,
  ) {
    this.uids = uids instanceof UidList ? uids : new UidList(uids);
  }

  /** The keywords the session was told of (FLAGS), in the order it learned them. */
  get keywords(): readonly string[] {
    return this.keywordList;
  }

  /**
   * Takes in the keywords among `flags` that the session has not been told
   * of. True when there was one: FLAGS must then be sent before any FETCH
   * shows it (RFC 9051 7.3.5).
   */
  learnKeywords(flags: Iterable<string>): boolean {
    let added = false;
    for (const f of flags) {
      if (f.charCodeAt(0) === 0x5c /* \ */ || this.keywordSpellings.has(f)) continue;
      this.keywordSpellings.add(f);
      const key = f.toLowerCase();
      if (this.keywordKeys.has(key)) continue;
      this.keywordKeys.add(key);
      this.keywordList.push(f);
      added = true;
    }
    return added;
  }

  get exists(): number {
    return this.uids.length;
  }

  uidAt(seq: number): number | undefined {
    return this.uids.at(seq);
  }

  /** The sequence number of a UID, or 0 when absent. */
  seqOf(uid: number): number {
    return this.uids.seqOf(uid);
  }

  get maxUid(): number {
    return this.uids.max;
  }

  /** UIDs for a range of sequence numbers (clamped to what exists). */
  uidsForSeqRange(first: number, last: number): number[] {
    const lo = Math.max(1, Math.min(first, last));
    const hi = Math.min(this.uids.length, Math.max(first, last));
    return this.uids.slice(lo, hi);
  }

  /** UIDs the session knows within a UID range. */
  uidsInRange(first: number, last: number): number[] {
    return this.uids.inRange(Math.min(first, last), Math.max(first, last));
  }

  /**
   * Takes the \Recent part of a status the service sent when this view was
   * read (SELECT) or when it grew: the UIDs claimed for this session, or, for
   * a read-only session, the new UIDs above `knownMax` that no session had
   * claimed then.
   */
  noteRecent(status: RecentStatus, knownMax: number): void {
    if (this.recentMode === 'claim' && status.claimedFirst > 0) this.addRecent(status.claimedFirst, status.claimedLast);
    else if (this.recentMode === 'see') {
      const first = Math.max(status.firstRecentUid, knownMax + 1);
      if (first <= this.maxUid) this.addRecent(first, this.maxUid);
    }
  }

  /** UIDs recent in this session (claimed for it); ranges come in ascending order. */
  addRecent(first: number, last: number): void {
    const prev = this.recent[this.recent.length - 1];
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else this.recent.push([first, last]);
  }

  /** Whether a message is \Recent in this session. */
  isRecent(uid: number): boolean {
    for (const [first, last] of this.recent) if (uid >= first && uid <= last) return true;
    return false;
  }

  /** A message's flags as this session shows them: with \Recent when it is recent here. */
  flagsOf(uid: number, flags: string[]): string[] {
    return this.recent.length && this.isRecent(uid) ? [...flags, '\\Recent'] : flags;
  }

  /** The recent UIDs as ranges (SEARCH RECENT, NEW, OLD). */
  get recentRanges(): ReadonlyArray<{ first: number; last: number }> {
    return this.recent.map(([first, last]) => ({ first, last }));
  }

  /** How many messages of the view are \Recent in this session. */
  get recentCount(): number {
    let n = 0;
    for (const [first, last] of this.recent) n += this.uids.rank(last) - this.uids.rank(first - 1);
    return n;
  }

  /** Remembers flag changes the session reported itself, so the next sync does not echo them. */
  noteOwnChange(rows: Array<{ uid: number; modseq: number; modified?: boolean }>): void {
    for (const r of rows) {
      if (r.modified) continue;
      this.ownChanges.set(r.uid, r.modseq);
      this.noteShown(r.modseq);
    }
  }

  /** The highest MODSEQ of a message state shown to the client outside a sync (a FETCH the service answered, a STORE). */
  private shownMax = 0;

  /** A message state at `modseq` was shown to the client. */
  noteShown(modseq: number): void {
    if (modseq > this.shownMax) this.shownMax = modseq;
  }

  /** The newest state the client has been shown: the edge's view of the mailbox may answer only when at least as new. */
  get shownModseq(): number {
    return Math.max(this.highestModseq, this.shownMax);
  }

  /**
   * A change this session just committed (APPEND into it, STORE, EXPUNGE).
   * When its MODSEQ directly follows the last one this view has, nothing else
   * happened in between, and the next sync can report it without asking the
   * service; otherwise the next sync asks the service.
   */
  ownChange(change: ChangeSet): void {
    this.noteShown(change.status.highestmodseq);
    if (this.own || this.mustPull || change.status.highestmodseq !== this.highestModseq + 1) {
      this.own = undefined;
      this.mustPull = true;
      return;
    }
    this.own = change;
  }

  /** An own change that could not be taken as it is: the next sync asks the service. */
  private mustPull = false;

  /** The next sync has something to report or to ask for, because of the session's own changes. */
  get hasOwnChange(): boolean {
    return this.own !== undefined || this.mustPull;
  }

  /**
   * The own change to report instead of pulling, if it still accounts for
   * everything this view may have missed (no event announced anything newer).
   */
  takeOwnChange(): ChangeSet | undefined {
    const own = this.own;
    this.own = undefined;
    this.mustPull = false;
    if (!own || own.status.highestmodseq !== this.highestModseq + 1 || this.eventModseq > own.status.highestmodseq) return undefined;
    return own;
  }

  /**
   * Folds the changes pulled from the mailbox service into this view and says
   * what to tell the client. Expunges first (each renumbers the ones after
   * it), then the new EXISTS, then flag updates of messages already known.
   */
  apply(changes: ChangeSet, opts: { allowExpunge: boolean } = { allowExpunge: true }): SyncUpdate {
    const update: SyncUpdate = { expunged: [], flags: [], vanished: [] };
    if (opts.allowExpunge && changes.expunged.length > 0) {
      // Announce from the highest sequence number down: each EXPUNGE then
      // leaves the lower numbers untouched and the client's view stays valid.
      for (const r of this.uids.remove(changes.expunged)) {
        update.expunged.push(r.seq);
        update.vanished.push(r.uid);
      }
    }
    const before = this.uids.length;
    const knownMax = this.maxUid;
    for (const m of changes.changed) {
      if (m.uid > knownMax) {
        // New messages arrive in ascending UID order from the service.
        if (m.uid > this.maxUid) this.uids.push(m.uid);
      } else {
        const seq = this.seqOf(m.uid);
        if (seq && this.ownChanges.get(m.uid) !== m.modseq) update.flags.push({ seq, uid: m.uid, flags: m.flags, modseq: m.modseq });
      }
    }
    if (this.uids.length !== before) update.exists = this.uids.length;
    // Flags of this state are shown even when its expunges wait for a command that may report them.
    this.noteShown(changes.status.highestmodseq);
    if (opts.allowExpunge || changes.expunged.length === 0) {
      this.highestModseq = Math.max(this.highestModseq, changes.status.highestmodseq);
    }
    this.uidnext = Math.max(this.uidnext, changes.status.uidnext);
    this.ownChanges.clear();
    return update;
  }
}
