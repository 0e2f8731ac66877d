// UIDs, MODSEQs and flags of big mailboxes, kept in memory between FETCHes.
//
// A client that syncs flags asks for `UID FETCH 1:* (FLAGS)` again and again;
// on a 100,000-message mailbox PostgreSQL reads 100,000 rows each time. Here a
// mailbox's metadata is read once and then brought up to date, before every
// use, from what changed since the MODSEQ it was read at: one statement (one
// snapshot) returns the mailbox's HIGHESTMODSEQ and the messages changed and
// expunged after the cached MODSEQ (usually none). Every change to a mailbox
// raises its HIGHESTMODSEQ and stamps the changed rows with it, so the result
// is what a fresh read would give, in any process, whoever made the changes.
// When the expunge tombstones the update needs have been purged, or too much
// changed, the mailbox is read again.
import type { Queryable } from '@kimap/common';
import { flagColumn, flagLineInterner, flagLines, int64At, int64Column } from '@kimap/common/columns';
import type { UidRuns__Output } from '@kimap/common/generated/mail/v1/UidRuns';
import { fetchColumnPages, type MessageColumns } from './messages.js';
import { rangeArgs, uidSpans, type UidRange } from './sql.js';

export interface MetadataCacheOptions {
  /** Mailboxes with fewer messages are not kept (their rows are cheap to read). */
  minMessages: number;
  /** All entries together hold at most this many messages; the least recently used go first. */
  maxMessages: number;
  /** Changed (or expunged) messages one update takes at most; more, and the mailbox is read again. Default 10,000. */
  maxDelta?: number;
  /** Messages per page handed out (and read). */
  pageSize?: number;
}

interface Entry {
  uidvalidity: number;
  modseq: number;
  /** Ascending. */
  uids: number[];
  modseqs: number[];
  /** The flag line of each message (see @kimap/common/columns); equal lines share one string. */
  flags: string[];
  /** The whole entry as pages with MODSEQs, made at its first whole-mailbox FETCH. */
  pages?: MessageColumns[];
  /** The UIDs as runs of consecutive UIDs, made at its first SELECT. */
  runs?: UidRuns__Output;
}

/** A mailbox to be read in full: its key, and its row when the read begins. */
interface Load {
  key: string;
  uidvalidity: number;
  modseq: number;
  uidnext: number;
}

interface DeltaRow {
  /** 'b': the mailbox (uid: UIDVALIDITY, modseq: HIGHESTMODSEQ, flags: expunge floor, count and UIDNEXT); 'm': changed; 'x': expunged. */
  k: 'b' | 'm' | 'x';
  uid: number;
  modseq: number;
  flags: string | null;
}

export class MetadataCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;
  /** Reads answered from memory, and mailboxes read in full (for the metrics and tests). */
  hits = 0;
  loads = 0;
  /** Updates whose result disagreed with the mailbox's message count (a bug if ever not 0). */
  mismatches = 0;

  /** The mailbox each name selected last ("account:name" → id), so that SELECT can run its two statements at once. */
  private readonly named = new Map<string, number>();

  constructor(private readonly opts: MetadataCacheOptions) {}

  /** The mailbox `name` (normalised) was last seen to be; a guess, to be checked. */
  mailboxIdOf(accountId: number, name: string): number | undefined {
    return this.named.get(`${accountId}:${name}`);
  }

  noteName(accountId: number, name: string, mailboxId: number): void {
    if (this.named.size >= 10_000) this.named.clear();
    this.named.set(`${accountId}:${name}`, mailboxId);
  }

  /** Worth asking: the ranges could cover enough messages. */
  covers(ranges: UidRange[]): boolean {
    if (ranges.length === 0) return false;
    const [lo, hi] = rangeArgs(ranges);
    return hi - lo + 1 >= this.opts.minMessages;
  }

  /**
   * The columns (UID, MODSEQ, flags) of the messages in `ranges` (changed
   * after `changedSince` when not 0), a page at a time; undefined when the
   * mailbox is too small to be kept (the caller reads the rows instead).
   * A whole-mailbox read of a mailbox not in memory streams the pages as
   * PostgreSQL gives them and keeps them on the way.
   */
  async pages(
    db: Queryable,
    accountId: number,
    mailboxId: number,
    ranges: UidRange[],
    opts: { changedSince?: number; modseq?: boolean } = {},
  ): Promise<Iterable<MessageColumns> | AsyncIterable<MessageColumns> | undefined> {
    const state = await this.current(db, accountId, mailboxId);
    if (!state) return undefined;
    const changedSince = opts.changedSince ?? 0;
    if ('entry' in state) {
      this.hits++;
      return this.slice(state.entry, ranges, changedSince, opts.modseq ?? true);
    }
    const [lo, hi, lows] = rangeArgs(ranges);
    if (changedSince === 0 && !lows && lo <= 1 && hi >= state.uidnext - 1) return this.load(db, accountId, mailboxId, state);
    // Read it all first, then answer from it.
    for await (const _ of this.load(db, accountId, mailboxId, state));
    const entry = this.entries.get(state.key);
    return entry ? this.slice(entry, ranges, changedSince, opts.modseq ?? true) : undefined;
  }

  /**
   * The UIDs of a mailbox that is in memory, brought up to date, as runs of
   * consecutive UIDs, with the MODSEQ they are at; undefined when it is not
   * in memory (a SELECT does not read a mailbox in full to keep it).
   */
  async uidRuns(
    db: Queryable,
    accountId: number,
    mailboxId: number,
  ): Promise<{ modseq: number; count: number; runs: UidRuns__Output } | undefined> {
    if (!this.entries.has(this.key(accountId, mailboxId))) return undefined;
    const state = await this.current(db, accountId, mailboxId);
    if (!state || !('entry' in state)) return undefined;
    this.hits++;
    const e = state.entry;
    if (!e.runs) {
      const first: number[] = [];
      const last: number[] = [];
      for (let i = 0; i < e.uids.length; i++) {
        const uid = e.uids[i]!;
        if (i === 0 || e.uids[i - 1] !== uid - 1) first.push(uid);
        if (i === e.uids.length - 1 || e.uids[i + 1] !== uid + 1) last.push(uid);
      }
      e.runs = { first, last };
    }
    return { modseq: e.modseq, count: e.uids.length, runs: e.runs };
  }

  /** Whether some mailbox of the account is in memory (a few hundred entries at most). */
  holds(accountId: number): boolean {
    const prefix = `${accountId}:`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  private key(accountId: number, mailboxId: number): string {
    return `${accountId}:${mailboxId}`;
  }

  /** The entry brought up to date, or what a load needs to know (the mailbox row), or undefined: not kept. */
  private async current(db: Queryable, accountId: number, mailboxId: number): Promise<{ entry: Entry } | Load | undefined> {
    const key = this.key(accountId, mailboxId);
    const old = this.entries.get(key);
    const since = old?.modseq ?? 0;
    // One statement: the mailbox row and the changes after `since` come from one snapshot.
    // Without an entry, only the mailbox row.
    const limit = Math.max(1, Math.floor(this.opts.maxDelta ?? 10_000));
    // In MODSEQ order with a limit: the (account, mailbox, modseq) indexes are
    // the plan whatever the statistics say (after a big import, stale ones
    // made PostgreSQL walk the whole mailbox instead). A branch that reaches
    // the limit is too much change to apply: the mailbox is read again.
    const { rows } = await db.query<DeltaRow>(
      `SELECT 'b' AS k, uidvalidity AS uid, highestmodseq AS modseq, expunged_floor_modseq || ' ' || messages || ' ' || uidnext AS flags
         FROM mailboxes WHERE account_id = $1 AND mailbox_id = $2
       UNION ALL
       (SELECT 'm', uid, modseq, array_to_string(flags, ' ') FROM messages
         WHERE $3 > 0 AND account_id = $1 AND mailbox_id = $2 AND modseq > $3 ORDER BY modseq LIMIT ${limit})
       UNION ALL
       (SELECT 'x', uid, modseq, NULL FROM expunged
         WHERE $3 > 0 AND account_id = $1 AND mailbox_id = $2 AND modseq > $3 ORDER BY modseq LIMIT ${limit})`,
      [accountId, mailboxId, since],
    );
    const box = rows.find((r) => r.k === 'b');
    if (!box) {
      this.drop(key);
      return undefined;
    }
    const [floor, count, uidnext] = (box.flags ?? '0 0 0').split(' ').map(Number) as [number, number, number];
    if (count < this.opts.minMessages || count > this.opts.maxMessages) {
      this.drop(key);
      return undefined;
    }
    const complete = rows.filter((r) => r.k === 'm').length < limit && rows.filter((r) => r.k === 'x').length < limit;
    let entry =
      old && old.uidvalidity === box.uid && since >= floor && complete && rows.length - 1 <= count / 4
        ? this.apply(old, rows, box.modseq)
        : undefined;
    // The count kept in the mailbox row, from the same snapshot, must agree; if not, read again rather than trust the entry.
    if (entry && entry.uids.length !== count) {
      this.mismatches++;
      entry = undefined;
    }
    if (!entry) {
      this.drop(key);
      return { key, uidvalidity: box.uid, modseq: box.modseq, uidnext };
    }
    this.remember(key, entry);
    return { entry };
  }

  /** The entry with the changes after its MODSEQ applied (a new entry; the old one may be in use); undefined if they do not fit it. */
  private apply(old: Entry, rows: DeltaRow[], modseq: number): Entry | undefined {
    if (rows.length === 1) {
      // Nothing changed in between: same messages, a later MODSEQ.
      old.modseq = Math.max(old.modseq, modseq);
      return old;
    }
    const gone = new Set<number>();
    const changed = new Map<number, DeltaRow>();
    for (const r of rows) {
      if (r.k === 'x') gone.add(r.uid);
      else if (r.k === 'm') changed.set(r.uid, r);
    }
    const line = flagLineInterner();
    const next: Entry = { uidvalidity: old.uidvalidity, modseq, uids: [], modseqs: [], flags: [] };
    for (let i = 0; i < old.uids.length; i++) {
      const uid = old.uids[i]!;
      if (gone.has(uid)) continue;
      const c = changed.get(uid);
      next.uids.push(uid);
      next.modseqs.push(c ? c.modseq : old.modseqs[i]!);
      next.flags.push(line(c ? (c.flags ?? '') : old.flags[i]!));
      changed.delete(uid);
    }
    // New messages: UIDs only grow, so they come after every UID kept (if
    // not, something is off: read the mailbox again).
    const added = [...changed.values()].sort((a, b) => a.uid - b.uid);
    if (added.length && next.uids.length && added[0]!.uid <= next.uids[next.uids.length - 1]!) return undefined;
    for (const c of added) {
      next.uids.push(c.uid);
      next.modseqs.push(c.modseq);
      next.flags.push(line(c.flags ?? ''));
    }
    return next;
  }

  /**
   * Reads a mailbox in full (in columns, as FETCH does), yielding the pages
   * as they come, and keeps it once every page has been read. Its MODSEQ is
   * the one read before the rows: a change committed in between is in the
   * rows and again in the next update, which applies it a second time to the
   * same effect (a changed row overrides, a known UID is not added twice, an
   * expunged one is removed).
   */
  private async *load(db: Queryable, accountId: number, mailboxId: number, at: Load): AsyncGenerator<MessageColumns> {
    this.loads++;
    const entry: Entry = { uidvalidity: at.uidvalidity, modseq: at.modseq, uids: [], modseqs: [], flags: [] };
    const line = flagLineInterner();
    for await (const page of fetchColumnPages(db, accountId, mailboxId, [{ first: 1, last: 0 }], {
      modseq: true,
      ...(this.opts.pageSize && { pageSize: this.opts.pageSize }),
    })) {
      const lines = flagLines(page.flags, page.count);
      for (let i = 0; i < page.count; i++) {
        entry.uids.push(int64At(page.uids, i));
        entry.modseqs.push(int64At(page.modseqs, i));
        entry.flags.push(line(lines[i] ?? ''));
      }
      yield page;
    }
    this.remember(at.key, entry);
  }

  private remember(key: string, entry: Entry): void {
    this.drop(key);
    this.entries.set(key, entry);
    this.held += entry.uids.length;
    for (const k of this.entries.keys()) {
      if (this.held <= this.opts.maxMessages || k === key) break;
      this.drop(k);
    }
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.held -= e.uids.length;
  }

  /** The entry's messages in the ranges, as column pages. */
  private slice(e: Entry, ranges: UidRange[], changedSince: number, withModseq: boolean): MessageColumns[] {
    const spans = uidSpans(ranges);
    // The whole mailbox (1:*, the usual flag sync): the same pages every time until it changes.
    const whole = changedSince === 0 && e.uids.length > 0 && spans.some(([lo, hi]) => lo <= e.uids[0]! && hi >= e.uids[e.uids.length - 1]!);
    if (whole) return (e.pages ??= this.cut(e, uidSpans([{ first: 1, last: 0 }]), 0, true));
    return this.cut(e, spans, changedSince, withModseq);
  }

  private cut(e: Entry, spans: Array<[number, number]>, changedSince: number, withModseq: boolean): MessageColumns[] {
    const pageSize = this.opts.pageSize ?? 20_000;
    const pages: MessageColumns[] = [];
    const picked = new Int32Array(pageSize);
    for (let from = 0; from < e.uids.length; from += pageSize) {
      const to = Math.min(from + pageSize, e.uids.length);
      let n = 0;
      for (let i = from; i < to; i++) {
        if (changedSince !== 0 && e.modseqs[i]! <= changedSince) continue;
        const uid = e.uids[i]!;
        for (const [lo, hi] of spans) {
          if (uid >= lo && uid <= hi) {
            picked[n++] = i;
            break;
          }
        }
      }
      if (n === 0) continue;
      const these = picked.subarray(0, n);
      const lines = new Array<string>(n);
      for (let j = 0; j < n; j++) lines[j] = e.flags[these[j]!]!;
      pages.push({
        count: n,
        uids: int64Column(e.uids, these),
        modseqs: withModseq ? int64Column(e.modseqs, these) : Buffer.alloc(0),
        internalDatesMs: Buffer.alloc(0),
        sizes: Buffer.alloc(0),
        flags: flagColumn(lines),
      });
    }
    return pages;
  }
}
