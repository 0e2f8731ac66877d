// The FETCH side of the edge's caches (header-cache.ts, body-cache.ts): which
// FETCHes they can answer, what is then asked of the mailbox service, and what
// they keep.
import { flagLines, flagsOfLine, int64At } from '@kimap/common/columns';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import type { FetchedMessage, FetchQuery, UidRanges } from '../backend.js';
import type { BodyCache } from '../body-cache.js';
import type { CachedMessage, CachedParts, HeaderCache } from '../header-cache.js';
import type { SelectedMailbox } from '../selected.js';

/** The caches of the edge a FETCH may use; either may be off. */
export interface FetchCaches {
  readonly headers?: HeaderCache | undefined;
  readonly bodies?: BodyCache | undefined;
}

/** A FETCH whose messages can all be held in the header cache: at most this many UIDs wide. */
const MAX_CACHED_FETCH = 1000;

/**
 * What the header cache would have to hold: top-level header sections,
 * ENVELOPE, BODYSTRUCTURE; with message text (which the body cache holds) only
 * the envelope and structure, the header being part of the text. Undefined: not
 * for the caches (\Seen set, or only what can change asked for).
 */
function cachedParts(q: FetchQuery): CachedParts | undefined {
  if (q.markSeen || !(q.raw || q.header || q.envelope || q.bodyStructure)) return undefined;
  return { header: Boolean(q.header) && !q.raw, envelope: Boolean(q.envelope), structure: Boolean(q.bodyStructure) };
}

/** The UIDs the session knows in the ranges; undefined when they span too many to look up. */
function knownUids(mb: SelectedMailbox, ranges: ReadonlyArray<{ first: number; last: number }>): number[] | undefined {
  let width = 0;
  for (const r of ranges) width += r.last - r.first + 1;
  if (width > MAX_CACHED_FETCH) return undefined;
  return ranges.flatMap((r) => mb.uidsInRange(r.first, r.last));
}

/**
 * The messages of a page of columns (UIDs still there, flags, MODSEQs, and
 * with message text their sizes and dates) with what the caches held of them.
 */
function fromCache(
  cached: ReadonlyMap<number, CachedMessage> | undefined,
  bodies: ReadonlyMap<number, Buffer> | undefined,
  cols: MessageColumns__Output,
): FetchedMessage[] {
  const lines = flagLines(cols.flags, cols.count);
  const out: FetchedMessage[] = [];
  for (let i = 0; i < cols.count; i++) {
    const uid = int64At(cols.uids, i);
    // A message the session does not know yet: not reported by this FETCH.
    const c = cached?.get(uid);
    const raw = bodies?.get(uid);
    if (cached ? !c : !raw) continue;
    out.push({
      uid,
      modseq: cols.modseqs.length ? int64At(cols.modseqs, i) : 0,
      flags: flagsOfLine(lines[i] ?? ''),
      internalDateMs: c ? c.internalDateMs : int64At(cols.internalDatesMs, i),
      size: c ? c.size : int64At(cols.sizes, i),
      header: c?.header ?? EMPTY,
      raw: raw ?? EMPTY,
      ...(c?.envelope && { envelope: c.envelope }),
      ...(c?.bodyStructure && { bodyStructure: c.bodyStructure }),
    });
  }
  return out;
}

const EMPTY = Buffer.alloc(0);

/** Keeps what a batch the service sent has of each message: its text in the body cache, the rest in the header cache. */
function remember(caches: FetchCaches, mailboxId: number, uidvalidity: number, batch: readonly FetchedMessage[]): void {
  const cache = caches.headers;
  for (const m of batch) {
    if (m.raw.length) caches.bodies?.put(mailboxId, uidvalidity, m.uid, m.raw);
    if (!cache) continue;
    const value: CachedMessage = { size: m.size, internalDateMs: m.internalDateMs };
    if (m.header.length) value.header = m.header;
    if (m.envelope) value.envelope = m.envelope;
    if (m.bodyStructure) value.bodyStructure = m.bodyStructure;
    if (value.header || value.envelope || value.bodyStructure) cache.put(mailboxId, uidvalidity, m.uid, value);
  }
}

/** How one FETCH uses the edge's caches. */
export interface CachedFetch {
  /** What to ask the mailbox service: the query, or only what can change when the caches hold the rest. */
  readonly request: FetchQuery;
  /** Whether the caches answer the header data and message text (the service sends columns of what can change). */
  readonly hit: boolean;
  /** The messages of a page the service sent, completed from the caches on a hit; otherwise the page, which the caches keep. */
  messagesOf(received: FetchedMessage[], columns: MessageColumns__Output | undefined): FetchedMessage[];
}

/**
 * The caches' part in a FETCH of `query` over `ranges` of the selected
 * mailbox. Only FETCHes of header sections, ENVELOPE, BODYSTRUCTURE or message
 * text (no \\Seen set) of at most MAX_CACHED_FETCH UIDs use them; a FETCH of
 * no message the session knows is left as it is. Message text needs the body
 * cache, and then the header cache only for envelopes and structures.
 */
export function planCachedFetch(caches: FetchCaches, mb: SelectedMailbox, ranges: UidRanges, query: FetchQuery): CachedFetch {
  const { headers, bodies } = caches;
  const parts = cachedParts(query);
  const usable = parts && (query.raw ? bodies && (headers || !(parts.envelope || parts.structure)) : headers);
  const known = usable ? knownUids(mb, ranges) : undefined;
  if (!parts || !known?.length) return { request: query, hit: false, messagesOf: (received) => received };
  const needsHeaders = parts.header || parts.envelope || parts.structure;
  const held = needsHeaders ? headers!.getAll(mb.mailboxId, mb.uidvalidity, known, parts) : undefined;
  const texts = query.raw && (held || !needsHeaders) ? bodies!.getAll(mb.mailboxId, mb.uidvalidity, known) : undefined;
  const hit = query.raw ? texts !== undefined : held !== undefined;
  if (needsHeaders) headers!.noteFetch(held !== undefined);
  if (query.raw) bodies!.noteFetch(hit);
  if (!hit) {
    return {
      request: query,
      hit: false,
      messagesOf: (received) => {
        remember(caches, mb.mailboxId, mb.uidvalidity, received);
        return received;
      },
    };
  }
  const request: FetchQuery = {
    ...query,
    raw: false,
    header: false,
    envelope: false,
    bodyStructure: false,
    // Held with the header data; of message text alone, asked for with the flags.
    size: !held,
    internalDate: !held,
    columns: true,
  };
  return { request, hit: true, messagesOf: (received, columns) => (columns ? fromCache(held, texts, columns) : received) };
}
