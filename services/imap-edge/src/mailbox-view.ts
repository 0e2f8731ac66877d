// The edge's view of the mailboxes its sessions have selected: every
// message's UID, MODSEQ, flags, size and INTERNALDATE, one view per mailbox
// shared by all the edge's sessions of it. It answers the metadata FETCHes
// (FLAGS, UID, MODSEQ, RFC822.SIZE, INTERNALDATE; with the header cache also
// header sections, ENVELOPE and BODYSTRUCTURE) without a round trip to the
// mailbox service, under the freshness rule (docs/ARCHITECTURE.md#freshness):
//
// - The view is only used while the change feed is current (every event
//   published more than FEED_CURRENT_WITHIN_MS ago has reached this edge);
//   otherwise the session asks the service, as if there were no view.
// - It is never older than what the asking session has already been shown
//   (its MODSEQ, own changes included), nor than the newest change event this
//   edge heard for the mailbox: before answering it is brought up to that
//   point with one GetChanges, which every session waiting on it shares.
//
// Another account's mailbox (a team inbox shared with RFC 4314 rights) has
// a view per reader account: each reader has its own \Seen. Its rights are
// checked by the service when the view is made and at every refresh; an ACL
// change drops the mailbox's views, so a revoked reader's next read asks the
// service, which refuses it.
//
// PostgreSQL stays the only truth: the view is a cache that events keep
// current. A view holds about 40 bytes a message; all views together hold at
// most EDGE_VIEW_MAX_MESSAGES messages, the least recently used go first.
import { flagColumn, flagLineInterner, flagLines, flagsOfLine, int64At, int64Column } from '@kimap/common/columns';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import { MAX_UID, systemFlag, uidRuns, type ChangeEvent } from '@kimap/common';
import type { Day__Output } from '@kimap/common/generated/mail/v1/Day';
import { searchKeyOf } from '@kimap/common/search-key';
import type { ChangeSet } from './selected.js';
import type { Changes, FetchBatchHandler, FetchQuery, MailboxBackend, Principal, SearchCriteria, UidRanges } from './backend.js';

/** EDGE_VIEW_MAX_MESSAGES when not set. */
export const DEFAULT_VIEW_MAX_MESSAGES = 1_000_000;
/** FEED_CURRENT_WITHIN_MS when not set. */
export const DEFAULT_FEED_CURRENT_WITHIN_MS = 1000;
/** A page of columns handed out holds at most this many messages. */
const PAGE = 5000;
/** UIDs a view's change log keeps (View.log). */
const LOG_UIDS = 10_000;
/** What a view costs at least, counted in messages (see evict). */
const VIEW_COST = 16;

/** What a view needs to know of the session asking. */
export interface ViewReader {
  readonly mailboxId: number;
  readonly uidvalidity: number;
  /** The owner of the mailbox: '' for the session's own. */
  readonly owner: string;
  /** Messages the session knows (EXISTS): a view is not made of a mailbox bigger than the views may hold. */
  readonly exists: number;
  /** The highest MODSEQ the session has been shown (its own changes included): the view must be at least as new. */
  readonly shownModseq: number;
}

/** What a session's sync from the view needs of it besides (SelectedMailbox). */
export interface SyncReader extends ViewReader {
  /** The MODSEQ the session's view of the mailbox is at: the changes after it are wanted. */
  readonly highestModseq: number;
  /** The highest UID the session knows. */
  readonly maxUid: number;
  /** The highest MODSEQ an event announced to the session. */
  readonly eventModseq: number;
}

export interface MailboxViewsOptions {
  /** The feed's liveness (ChangeSubscriber.currentAsOf). */
  currentAsOf(): number;
  /** How far behind the feed may be for a view to be used (FEED_CURRENT_WITHIN_MS). */
  currentWithinMs?: number;
  /** Messages all views together hold at most (EDGE_VIEW_MAX_MESSAGES); 0: no views. */
  maxMessages?: number;
  /** Called for each FETCH a view answered (true) or left to the service (false). */
  onAnswer?(answered: boolean): void;
}

/** Messages' metadata, a column each (index i is one message). */
interface Columns {
  uids: number[];
  modseqs: number[];
  flags: string[];
  sizes: number[];
  dates: number[];
}

interface View extends Columns {
  /** The views' key (viewKey). */
  readonly key: string;
  readonly mailboxId: number;
  /** The mailbox's owner as the readers name it ('' for their own); its view is one reader account's. */
  readonly owner: string;
  readonly uidvalidity: number;
  /** The MODSEQ the view is known to be at least as new as. */
  modseq: number;
  /** The highest MODSEQ a change event announced for the mailbox. */
  heard: number;
  // The columns: ascending UIDs, and of each message its MODSEQ, flag line (equal lines share a string), size and INTERNALDATE.
  /** UIDNEXT as last heard (at least the highest UID + 1). */
  uidnext: number;
  /**
   * The lowest UID no session has claimed as \Recent, as last heard (0: not
   * known). Claims only move it up: messages below it are nobody's to claim
   * any more, and an IMAP4rev1 session can take them from the view.
   */
  firstRecentUid: number;
  /**
   * What changed after `logFloor`, in the order applied: each batch (a
   * refresh, an own write) with the MODSEQ it brought the view to and the
   * UIDs it touched (changed, new or expunged). A session's sync is computed
   * from it (changes()); at most LOG_UIDS UIDs are kept, the oldest go first.
   */
  log: Array<{ modseq: number; uids: number[] }>;
  logUids: number;
  logFloor: number;
  /** The GetChanges under way, which every reader waiting on the view shares. */
  refreshing?: Promise<void>;
  /** Set when the view must not be used any more (the mailbox went away, an update did not fit). */
  dropped: boolean;
}

/** The metadata columns a query asks for: nothing else, or the view cannot answer it. */
function metadataOnly(q: FetchQuery): boolean {
  return Boolean(q.columns) && !q.raw && !q.header && !q.envelope && !q.bodyStructure && !q.markSeen;
}

/** A view is the owner's (shared by its sessions) or one reader account's of another account's mailbox. */
function viewKey(p: Principal, reader: { mailboxId: number; owner: string }): string {
  return reader.owner === '' ? String(reader.mailboxId) : `${reader.mailboxId}/${p.account.accountId}`;
}

export class MailboxViews {
  /** By viewKey, least recently used first. */
  private readonly views = new Map<string, View>();
  /** The views of each mailbox (the owner's and its readers'). */
  private readonly byMailbox = new Map<number, Set<View>>();
  private held = 0;
  private readonly maxMessages: number;
  private readonly within: number;
  /** Counters for the metrics and the tests. */
  readonly counts = { answered: 0, declined: 0, loads: 0, refreshes: 0 };

  constructor(
    private readonly backend: Pick<MailboxBackend, 'fetch' | 'changes'>,
    private readonly opts: MailboxViewsOptions,
  ) {
    this.maxMessages = opts.maxMessages ?? DEFAULT_VIEW_MAX_MESSAGES;
    this.within = opts.currentWithinMs ?? DEFAULT_FEED_CURRENT_WITHIN_MS;
  }

  /** Messages the views hold. */
  get heldMessages(): number {
    return this.held;
  }

  /** Whether the feed is current enough for views to be used. */
  current(): boolean {
    const asOf = this.opts.currentAsOf();
    return asOf > 0 && Date.now() - asOf <= this.within;
  }

  /** A change event: the views of its mailbox, if any, must catch up with it before their next answer. */
  noteEvent(e: ChangeEvent): void {
    const views = e.mailboxId ? this.byMailbox.get(e.mailboxId) : undefined;
    if (!views) return;
    for (const v of [...views]) {
      if (e.kind === 'mailbox' || e.kind === 'acl') {
        // Deleted, renamed or its rights changed: made again when next needed (and allowed).
        this.drop(v);
      } else if (e.modseq > v.heard) v.heard = e.modseq;
    }
  }

  /**
   * A write a session of this edge committed (STORE, EXPUNGE, APPEND): when
   * it directly follows the MODSEQ of the writer's view, nothing else
   * happened in between, and it is applied as it is instead of asked for
   * again. `changed` holds the flags as the writer sees them.
   */
  ownWrite(
    p: Principal,
    mailbox: { mailboxId: number; owner: string },
    write: {
      highestmodseq: number;
      changed: ReadonlyArray<{ uid: number; modseq: number; flags: string[] }>;
      expunged: readonly number[];
      /** APPEND: the new messages as stored (AppendResponse). */
      appended?: {
        uids: readonly number[];
        sizes: readonly number[];
        internalDatesMs: readonly number[];
        flagLines: readonly string[];
        /** The \Recent claim the APPEND made (0: none). */
        claimedLast?: number;
      };
    },
  ): void {
    const v = this.views.get(viewKey(p, mailbox));
    if (!v || v.modseq + 1 !== write.highestmodseq) return;
    const a = write.appended;
    // A service that does not say what it stored: the next refresh reads the new messages.
    if (a && (a.sizes.length !== a.uids.length || a.internalDatesMs.length !== a.uids.length || a.flagLines.length !== a.uids.length))
      return;
    const added = this.apply(v, { changed: write.changed.filter((m) => m.modseq === write.highestmodseq), expunged: [...write.expunged] });
    // A flag change of a message the view does not hold: it is behind after all.
    if (added === undefined || added.length) return this.drop(v);
    if (a?.uids.length) {
      if (a.uids[0]! <= (v.uids[v.uids.length - 1] ?? 0)) return this.drop(v);
      v.uidnext = Math.max(v.uidnext, a.uids[a.uids.length - 1]! + 1);
      // A claim takes every unclaimed message.
      if (a.claimedLast) v.firstRecentUid = Math.max(v.firstRecentUid, a.claimedLast + 1);
      const line = flagLineInterner();
      this.append(v, {
        uids: [...a.uids],
        modseqs: a.uids.map(() => write.highestmodseq),
        flags: a.flagLines.map(line),
        sizes: [...a.sizes],
        dates: [...a.internalDatesMs],
      });
    }
    v.modseq = write.highestmodseq;
    this.logBatch(v, [...write.changed.map((m) => m.uid), ...write.expunged, ...(a?.uids ?? [])]);
  }

  /** Records a batch of changes the view took (see View.log). */
  private logBatch(v: View, uids: number[]): void {
    if (uids.length === 0) return;
    v.log.push({ modseq: v.modseq, uids });
    v.logUids += uids.length;
    while (v.logUids > LOG_UIDS && v.log.length > 1) {
      const oldest = v.log.shift()!;
      v.logUids -= oldest.uids.length;
      v.logFloor = Math.max(v.logFloor, oldest.modseq);
    }
    if (v.logUids > LOG_UIDS) {
      // One batch too big to keep: only what comes after it can be told from the log.
      v.logFloor = Math.max(v.logFloor, v.log[0]!.modseq);
      v.log = [];
      v.logUids = 0;
    }
  }

  /**
   * A session's sync from the view (one GetChanges shared by the edge's
   * sessions of the mailbox instead of one each): the changes after the
   * session's MODSEQ, once the view has caught up with the events heard.
   * Undefined when the view cannot say (no view, the feed not current, the
   * session further behind than the log reaches, or, when `newFromService`,
   * new messages no session has claimed as \Recent yet: an IMAP4rev1
   * session claims them from the service).
   */
  async changes(p: Principal, reader: SyncReader, opts: { newFromService: boolean }): Promise<ChangeSet | undefined> {
    if (!this.current()) return undefined;
    const v = this.views.get(viewKey(p, reader));
    if (!v || v.uidvalidity !== reader.uidvalidity) return undefined;
    for (let tries = 0; !v.dropped && v.modseq < Math.max(reader.shownModseq, reader.eventModseq, v.heard); tries++) {
      if (tries === 3) return undefined;
      await this.refresh(p, v);
    }
    const since = reader.highestModseq;
    if (v.dropped || since < v.logFloor) return undefined;
    const out: ChangeSet = { status: { highestmodseq: v.modseq, uidnext: v.uidnext }, changed: [], expunged: [] };
    const done = new Set<number>();
    for (let b = v.log.length - 1; b >= 0 && v.log[b]!.modseq > since; b--) {
      for (const uid of v.log[b]!.uids) {
        if (done.has(uid)) continue;
        done.add(uid);
        const i = indexOf(v.uids, uid);
        if (i < 0) out.expunged.push(uid);
        else if (v.modseqs[i]! > since) out.changed.push({ uid, modseq: v.modseqs[i]!, flags: flagsOfLine(v.flags[i]!) });
      }
    }
    // New messages in ascending UID order, after the others (SelectedMailbox.apply).
    out.changed.sort((x, y) => x.uid - y.uid);
    if (opts.newFromService) {
      const newest = out.changed.length ? out.changed[out.changed.length - 1]!.uid : 0;
      if (newest > reader.maxUid) {
        // Claimed by others already (their APPEND, their sync): none of them is \Recent here.
        if (v.firstRecentUid <= newest) return undefined;
        out.status.firstRecentUid = v.firstRecentUid;
      }
    }
    return out;
  }

  /**
   * Answers a FETCH of metadata only from the view of the reader's mailbox,
   * handing `onBatch` the same column pages the service would; false when
   * the view cannot (not metadata only, the feed not current, too big):
   * the caller asks the service.
   */
  async fetch(p: Principal, reader: ViewReader, query: FetchQuery, onBatch: FetchBatchHandler): Promise<boolean> {
    const v = await this.viewAnswering(p, reader, metadataOnly(query));
    if (!v) return false;
    for (const page of this.pages(v, query.uids ?? [], Number(query.changedSince ?? 0), query)) await onBatch([], page);
    return true;
  }

  /**
   * Runs a SEARCH program of flags, UIDs, sizes, dates and MODSEQs (no
   * header or text key) on the view of the reader's mailbox, with the
   * service's semantics (services/mailbox/src/store/search.ts); undefined
   * when the view cannot: the caller asks the service.
   */
  async search(p: Principal, reader: ViewReader, criteria: SearchCriteria): Promise<{ uids: number[]; highestModseq: number } | undefined> {
    const v = await this.viewAnswering(p, reader, viewable(criteria));
    if (!v) return undefined;
    const cols = columnsNow(v);
    const matches = compile(criteria, cols, Date.now());
    const uids: number[] = [];
    let highestModseq = 0;
    for (let i = 0; i < cols.uids.length; i++) {
      if (!matches(i)) continue;
      uids.push(cols.uids[i]!);
      highestModseq = Math.max(highestModseq, cols.modseqs[i]!);
    }
    return { uids, highestModseq };
  }

  /** The view that answers a read the view can serve (`servable`) while the feed is current, counted either way. */
  private async viewAnswering(p: Principal, reader: ViewReader, servable: boolean): Promise<View | undefined> {
    const v = this.maxMessages > 0 && servable && this.current() ? await this.viewFor(p, reader) : undefined;
    if (v) this.counts.answered++;
    else this.counts.declined++;
    this.opts.onAnswer?.(v !== undefined);
    return v;
  }

  /** The reader's view, made or brought up to date; undefined when there cannot be one. */
  private async viewFor(p: Principal, reader: ViewReader): Promise<View | undefined> {
    const key = viewKey(p, reader);
    let v = this.views.get(key);
    if (v && v.uidvalidity !== reader.uidvalidity) {
      this.drop(v);
      v = undefined;
    }
    if (!v) {
      if (reader.exists > this.maxMessages / 4) return undefined;
      v = await this.load(p, reader);
      if (!v) return undefined;
    }
    // Not older than the session has seen, nor than the feed has announced.
    for (let tries = 0; !v.dropped && v.modseq < Math.max(reader.shownModseq, v.heard); tries++) {
      if (tries === 3) return undefined;
      await this.refresh(p, v);
    }
    if (v.dropped) return undefined;
    // Most recently used last.
    this.views.delete(key);
    this.views.set(key, v);
    return v;
  }

  /**
   * Reads the mailbox's metadata in full. The view is labelled with the
   * session's MODSEQ, which the rows read afterwards are at least as new as;
   * a change committed meanwhile is applied again by the next refresh, to
   * the same effect.
   */
  private async load(p: Principal, reader: ViewReader): Promise<View | undefined> {
    this.counts.loads++;
    const key = viewKey(p, reader);
    const m = await this.read(p, reader, [{ first: 1, last: 0 }]);
    // Another session made it meanwhile: theirs is used.
    const other = this.views.get(key);
    if (other) return other.uidvalidity === reader.uidvalidity ? other : undefined;
    const v: View = {
      key,
      mailboxId: reader.mailboxId,
      owner: reader.owner,
      uidvalidity: reader.uidvalidity,
      modseq: reader.shownModseq,
      heard: 0,
      ...m,
      uidnext: (m.uids[m.uids.length - 1] ?? 0) + 1,
      firstRecentUid: 0,
      log: [],
      logUids: 0,
      logFloor: reader.shownModseq,
      dropped: false,
    };
    this.views.set(key, v);
    let siblings = this.byMailbox.get(v.mailboxId);
    if (!siblings) this.byMailbox.set(v.mailboxId, (siblings = new Set()));
    siblings.add(v);
    this.held += v.uids.length;
    this.evict(v);
    return v;
  }

  /**
   * Brings the view up to date with one GetChanges, shared by every reader
   * waiting on it; new messages come with their size and date (a service
   * that does not send them: they are read with one FETCH of their UIDs).
   */
  private refresh(p: Principal, v: View): Promise<void> {
    v.refreshing ??= (async () => {
      this.counts.refreshes++;
      try {
        const changes = await this.backend.changes(p, v, v.modseq);
        // Expunges at or below the floor are forgotten: the view cannot tell which it missed.
        if (changes.status.uidvalidity !== v.uidvalidity || v.modseq < changes.status.expungedFloorModseq) return this.drop(v);
        const added = this.apply(v, changes);
        if (added === undefined) return this.drop(v);
        if (added.length) {
          const fresh = newMessages(changes.changed, added) ?? (await this.read(p, v, uidRuns(added)));
          if (fresh.uids.length === 0 || fresh.uids[0]! <= (v.uids[v.uids.length - 1] ?? 0)) return this.drop(v);
          this.append(v, fresh);
        }
        // Every message accounted for, or the view is not trusted.
        if (v.uids.length !== changes.status.messages) return this.drop(v);
        v.modseq = Math.max(v.modseq, changes.status.highestmodseq);
        v.uidnext = Math.max(v.uidnext, changes.status.uidnext);
        v.firstRecentUid = Math.max(v.firstRecentUid, changes.status.firstRecentUid);
        this.logBatch(v, [...changes.changed.map((m) => m.uid), ...changes.expunged]);
      } catch {
        // Gone, or the service unreachable: the readers ask the service themselves.
        this.drop(v);
      } finally {
        v.refreshing = undefined;
      }
    })();
    return v.refreshing;
  }

  /** The changes applied to the view's messages; returns the UIDs of new messages (ascending), undefined when they do not fit. */
  private apply(v: View, c: Pick<ChangeSet, 'changed' | 'expunged'>): number[] | undefined {
    const before = v.uids.length;
    if (c.expunged.length) {
      // New columns, not the old ones compacted: a FETCH still paging through them keeps its indexes.
      const gone = new Set(c.expunged);
      const next: Columns = { uids: [], modseqs: [], flags: [], sizes: [], dates: [] };
      for (let r = 0; r < v.uids.length; r++) {
        if (gone.has(v.uids[r]!)) continue;
        next.uids.push(v.uids[r]!);
        next.modseqs.push(v.modseqs[r]!);
        next.flags.push(v.flags[r]!);
        next.sizes.push(v.sizes[r]!);
        next.dates.push(v.dates[r]!);
      }
      Object.assign(v, next);
      this.held += v.uids.length - before;
    }
    const added: number[] = [];
    const line = flagLineInterner();
    for (const m of c.changed) {
      const i = indexOf(v.uids, m.uid);
      if (i < 0) {
        added.push(m.uid);
        continue;
      }
      v.modseqs[i] = m.modseq;
      v.flags[i] = line(m.flags.join(' '));
    }
    added.sort((a, b) => a - b);
    // UIDs only grow: a new message below the highest one known means the view missed something.
    if (added.length && added[0]! <= (v.uids[v.uids.length - 1] ?? 0)) return undefined;
    return added;
  }

  /** Adds messages read after the view's last one. */
  private append(v: View, m: Columns): void {
    v.uids.push(...m.uids);
    v.modseqs.push(...m.modseqs);
    v.flags.push(...m.flags);
    v.sizes.push(...m.sizes);
    v.dates.push(...m.dates);
    this.held += m.uids.length;
  }

  /** The metadata of the messages in `ranges`, read from the service in columns (with the flags as `p` sees them). */
  private async read(p: Principal, mailbox: { mailboxId: number; owner: string }, ranges: UidRanges): Promise<Columns> {
    const out: Columns = { uids: [], modseqs: [], flags: [], sizes: [], dates: [] };
    const line = flagLineInterner();
    const query: FetchQuery = {
      owner: mailbox.owner,
      mailboxId: mailbox.mailboxId,
      uids: ranges,
      flags: true,
      internalDate: true,
      size: true,
      columns: true,
      modseq: true,
      raw: false,
      header: false,
      bodyStructure: false,
      envelope: false,
      markSeen: false,
      changedSince: 0,
    };
    await this.backend.fetch(p, query, (messages, cols) => {
      if (!cols) {
        // The service answered in messages (it may, for a few): taken as they are.
        for (const m of messages) {
          out.uids.push(m.uid);
          out.modseqs.push(m.modseq);
          out.flags.push(line(m.flags.join(' ')));
          out.sizes.push(m.size);
          out.dates.push(m.internalDateMs);
        }
        return;
      }
      const lines = flagLines(cols.flags, cols.count);
      for (let i = 0; i < cols.count; i++) {
        out.uids.push(int64At(cols.uids, i));
        out.modseqs.push(int64At(cols.modseqs, i));
        out.flags.push(line(lines[i] ?? ''));
        out.sizes.push(int64At(cols.sizes, i));
        out.dates.push(int64At(cols.internalDatesMs, i));
      }
    });
    return out;
  }

  /** The view's messages in `ranges` (changed after `changedSince` when not 0), as column pages with what the query asks for. */
  private *pages(
    view: View,
    ranges: ReadonlyArray<{ first?: number; last?: number }>,
    changedSince: number,
    q: FetchQuery,
  ): Generator<MessageColumns__Output> {
    // An expunge meanwhile makes new columns; these stay as they are (a flag change or a new message only adds to them).
    const v = columnsNow(view);
    const picked = new Int32Array(Math.min(PAGE, v.uids.length));
    let n = 0;
    const page = (): MessageColumns__Output => {
      const these = picked.subarray(0, n);
      const lines = new Array<string>(n);
      for (let j = 0; j < n; j++) lines[j] = v.flags[these[j]!]!;
      const out: MessageColumns__Output = {
        count: n,
        uids: int64Column(v.uids, these),
        modseqs: q.modseq ? int64Column(v.modseqs, these) : EMPTY,
        internalDatesMs: q.internalDate ? int64Column(v.dates, these) : EMPTY,
        sizes: q.size ? int64Column(v.sizes, these) : EMPTY,
        flags: q.flags ? flagColumn(lines) : '',
      };
      n = 0;
      return out;
    };
    for (const r of ranges) {
      // `last` 0 is `*`: up to the highest UID.
      const a = r.first ?? 1;
      const b = r.last ?? 0;
      const [first, last] = b === 0 ? [a, Infinity] : [Math.min(a, b), Math.max(a, b)];
      for (let i = lowerBound(v.uids, first); i < v.uids.length && v.uids[i]! <= last; i++) {
        if (changedSince && v.modseqs[i]! <= changedSince) continue;
        picked[n++] = i;
        if (n === picked.length) yield page();
      }
    }
    if (n) yield page();
  }

  private drop(v: View): void {
    if (v.dropped) return;
    v.dropped = true;
    if (this.views.get(v.key) === v) {
      this.views.delete(v.key);
      this.held -= v.uids.length;
    }
    const siblings = this.byMailbox.get(v.mailboxId);
    if (siblings?.delete(v) && siblings.size === 0) this.byMailbox.delete(v.mailboxId);
  }

  /** The least recently used views go until the rest fit (never `keep`). */
  private evict(keep: View): void {
    // Views of empty mailboxes hold no message but still cost memory (and a change log): a view counts as at least VIEW_COST messages.
    const maxViews = Math.max(1, Math.floor(this.maxMessages / VIEW_COST));
    for (const v of this.views.values()) {
      if (this.held <= this.maxMessages && this.views.size <= maxViews) break;
      if (v !== keep) this.drop(v);
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** The new messages' columns from the changes that brought them, when the service sent their sizes and dates. */
function newMessages(changed: Changes['changed'], added: readonly number[]): Columns | undefined {
  const isNew = new Set(added);
  const out: Columns = { uids: [], modseqs: [], flags: [], sizes: [], dates: [] };
  const line = flagLineInterner();
  for (const m of changed) {
    if (!isNew.has(m.uid)) continue;
    // No message is empty: a size of 0 is a service that does not send them.
    if (!m.size) return undefined;
    out.uids.push(m.uid);
    out.modseqs.push(m.modseq);
    out.flags.push(line(m.flags.join(' ')));
    out.sizes.push(m.size);
    out.dates.push(m.internalDateMs);
  }
  return out.uids.length === added.length ? out : undefined;
}

/** The view's columns as they are now (apply() replaces them on an expunge: a reader paging through keeps its indexes). */
function columnsNow(v: View): Columns {
  return { uids: v.uids, modseqs: v.modseqs, flags: v.flags, sizes: v.sizes, dates: v.dates };
}

/** The first index whose UID is at least `uid`. */
function lowerBound(uids: readonly number[], uid: number): number {
  let lo = 0;
  let hi = uids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (uids[mid]! < uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexOf(uids: readonly number[], uid: number): number {
  const i = lowerBound(uids, uid);
  return uids[i] === uid ? i : -1;
}

/** The SEARCH keys a view can answer: no header, body or text key, and nothing the service would refuse. */
function viewable(k: SearchCriteria, depth = 0): boolean {
  if (depth > 50) return false;
  const key = searchKeyOf(k);
  switch (key) {
    case 'all':
    case 'none':
    case 'uids':
    case 'larger':
    case 'smaller':
    case 'modseq':
    case 'older':
    case 'younger':
    case 'before':
    case 'on':
    case 'since':
      return true;
    case 'flag':
      return Boolean(k.flag) && /^[\x21-\x7e]+$/.test(k.flag!);
    case 'and':
    case 'or':
      return k[key]!.keys.every((x) => viewable(x, depth + 1));
    case 'not':
      return viewable(k.not!, depth + 1);
    default:
      return false;
  }
}

/** The start of a day in UTC (years below 100 as written). */
function dayStart(day: Day__Output): number {
  const t = new Date(0);
  t.setUTCFullYear(day.year, day.month - 1, day.day);
  return t.getTime();
}

/** Lower-cased flags of a flag line, once per distinct line. */
function flagSets(): (line: string) => Set<string> {
  const sets = new Map<string, Set<string>>();
  return (line) => {
    let set = sets.get(line);
    if (!set) sets.set(line, (set = new Set(line ? line.toLowerCase().split(' ') : [])));
    return set;
  };
}

/** A test of message i of `c` for a SEARCH program (viewable() holds). */
function compile(k: SearchCriteria, c: Columns, now: number, flagsOf = flagSets()): (i: number) => boolean {
  switch (searchKeyOf(k)) {
    case 'all':
      return () => true;
    case 'none':
      return () => false;
    case 'and': {
      const parts = k.and!.keys.map((x) => compile(x, c, now, flagsOf));
      return (i) => parts.every((t) => t(i));
    }
    case 'or': {
      const parts = k.or!.keys.map((x) => compile(x, c, now, flagsOf));
      return (i) => parts.some((t) => t(i));
    }
    case 'not': {
      const inner = compile(k.not!, c, now, flagsOf);
      return (i) => !inner(i);
    }
    case 'uids': {
      const spans = k.uids!.ranges.map((r) => {
        const last = r.last === 0 ? MAX_UID : r.last;
        return [Math.min(r.first, last), Math.max(r.first, last)] as const;
      });
      return (i) => spans.some(([lo, hi]) => c.uids[i]! >= lo && c.uids[i]! <= hi);
    }
    case 'flag': {
      // System flags in their canonical spelling, keywords without case; \Recent is never stored.
      const want = (systemFlag(k.flag!) ?? k.flag!).toLowerCase();
      return (i) => flagsOf(c.flags[i]!).has(want);
    }
    case 'larger': {
      const n = Number(k.larger);
      return (i) => c.sizes[i]! > n;
    }
    case 'smaller': {
      const n = Number(k.smaller);
      return (i) => c.sizes[i]! < n;
    }
    case 'modseq': {
      const n = Number(k.modseq);
      return (i) => c.modseqs[i]! >= n;
    }
    case 'before': {
      const t = dayStart(k.before!);
      return (i) => c.dates[i]! < t;
    }
    case 'since': {
      const t = dayStart(k.since!);
      return (i) => c.dates[i]! >= t;
    }
    case 'on': {
      const t = dayStart(k.on!);
      return (i) => c.dates[i]! >= t && c.dates[i]! < t + 86_400_000;
    }
    case 'older': {
      const t = now - k.older! * 1000;
      return (i) => c.dates[i]! <= t;
    }
    case 'younger': {
      const t = now - k.younger! * 1000;
      return (i) => c.dates[i]! > t;
    }
    default:
      return () => false;
  }
}
