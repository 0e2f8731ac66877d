// The FETCH side of the edge's header cache (header-cache.ts): which FETCHes
// it can answer, what is then asked of the mailbox service, and what it keeps.
import { flagLines, flagsOfLine, int64At } from '@kimap/common/columns';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import type { FetchedMessage, FetchQuery, UidRanges } from '../backend.js';
import type { CachedMessage, CachedParts, HeaderCache } from '../header-cache.js';
import type { SelectedMailbox } from '../selected.js';

/** A FETCH whose messages can all be held in the header cache: at most this many UIDs wide. */
const MAX_CACHED_FETCH = 1000;

/** What the cache would have to hold: top-level header sections, ENVELOPE, BODYSTRUCTURE (see needs()); undefined: not for the cache (message text, or \Seen set). */
function cachedParts(q: FetchQuery): CachedParts | undefined {
  if (q.raw || q.markSeen || !(q.header || q.envelope || q.bodyStructure)) return undefined;
  return { header: Boolean(q.header), envelope: Boolean(q.envelope), structure: Boolean(q.bodyStructure) };
}

/** The UIDs the session knows in the ranges; undefined when they span too many to look up. */
function knownUids(mb: SelectedMailbox, ranges: ReadonlyArray<{ first: number; last: number }>): number[] | undefined {
  let width = 0;
  for (const r of ranges) width += r.last - r.first + 1;
  if (width > MAX_CACHED_FETCH) return undefined;
  return ranges.flatMap((r) => mb.uidsInRange(r.first, r.last));
}

/** The messages of a page of columns (UIDs still there, flags, MODSEQs) with what the cache held of them. */
function fromCache(cached: ReadonlyMap<number, CachedMessage>, cols: MessageColumns__Output): FetchedMessage[] {
  const lines = flagLines(cols.flags, cols.count);
  const out: FetchedMessage[] = [];
  for (let i = 0; i < cols.count; i++) {
    const uid = int64At(cols.uids, i);
    // A message the session does not know yet: not reported by this FETCH.
    const c = cached.get(uid);
    if (!c) continue;
    out.push({
      uid,
      modseq: cols.modseqs.length ? int64At(cols.modseqs, i) : 0,
      flags: flagsOfLine(lines[i] ?? ''),
      internalDateMs: c.internalDateMs,
      size: c.size,
      header: c.header ?? EMPTY,
      raw: EMPTY,
      ...(c.envelope && { envelope: c.envelope }),
      ...(c.bodyStructure && { bodyStructure: c.bodyStructure }),
    });
  }
  return out;
}

const EMPTY = Buffer.alloc(0);

/** Keeps what a batch the service sent has of each message (never message text). */
function remember(cache: HeaderCache, mailboxId: number, uidvalidity: number, batch: readonly FetchedMessage[]): void {
  for (const m of batch) {
    if (m.raw.length) continue;
    const value: CachedMessage = { size: m.size, internalDateMs: m.internalDateMs };
    if (m.header.length) value.header = m.header;
    if (m.envelope) value.envelope = m.envelope;
    if (m.bodyStructure) value.bodyStructure = m.bodyStructure;
    if (value.header || value.envelope || value.bodyStructure) cache.put(mailboxId, uidvalidity, m.uid, value);
  }
}

/** How one FETCH uses the edge's header cache. */
export interface CachedFetch {
  /** What to ask the mailbox service: the query, or only UIDs, flags and MODSEQs when the cache holds the rest. */
  readonly request: FetchQuery;
  /** Whether the cache answers the header data (the service sends columns of what can change). */
  readonly hit: boolean;
  /** The messages of a page the service sent, completed from the cache on a hit; otherwise the page, whose header data the cache keeps. */
  messagesOf(received: FetchedMessage[], columns: MessageColumns__Output | undefined): FetchedMessage[];
}

/**
 * The cache's part in a FETCH of `query` over `ranges` of the selected mailbox.
 * Only FETCHes of header sections, ENVELOPE or BODYSTRUCTURE (no message text,
 * no \\Seen set) of at most MAX_CACHED_FETCH UIDs use it; a FETCH of no message
 * the session knows is left as it is.
 */
export function planCachedFetch(cache: HeaderCache | undefined, mb: SelectedMailbox, ranges: UidRanges, query: FetchQuery): CachedFetch {
  const parts = cache ? cachedParts(query) : undefined;
  const known = cache && parts ? knownUids(mb, ranges) : undefined;
  if (!cache || !parts || !known?.length) return { request: query, hit: false, messagesOf: (received) => received };
  const cached = cache.getAll(mb.mailboxId, mb.uidvalidity, known, parts);
  cache.noteFetch(cached !== undefined);
  if (!cached) {
    return {
      request: query,
      hit: false,
      messagesOf: (received) => {
        remember(cache, mb.mailboxId, mb.uidvalidity, received);
        return received;
      },
    };
  }
  const request: FetchQuery = {
    ...query,
    header: false,
    envelope: false,
    bodyStructure: false,
    size: false,
    internalDate: false,
    columns: true,
  };
  return { request, hit: true, messagesOf: (received, columns) => (columns ? fromCache(cached, columns) : received) };
}
