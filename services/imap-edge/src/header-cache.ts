// The header blocks (and envelopes and body structures) of recently fetched
// messages, per edge process.
//
// A message list (a webmail page, a client scrolling) FETCHes the same
// headers again and again: `UID FETCH x:y (UID FLAGS RFC822.SIZE
// BODY.PEEK[HEADER.FIELDS (From To Subject Date)])`, or ENVELOPE and
// BODYSTRUCTURE. What such a FETCH needs of a message besides its flags never
// changes: a UID names one message for as long as the mailbox keeps its
// UIDVALIDITY, and a stored message is never rewritten. So the header block,
// the envelope and structure (parsed, as the FETCH that brought them used
// them), the size and the internal date are kept here, and a FETCH whose
// messages are all known asks the mailbox service only for what can change
// (UIDs still there, flags, MODSEQs), which it answers without reading the
// bodies. The least recently used entries go first once `maxBytes` is reached
// (lru-cache, sized by cost()).
//
// Entries are shared by every session of the process: what they hold is
// never modified.
import type { Envelope, MessageStructure } from '@kimap/common/mime/index';
import { LRUCache } from 'lru-cache';

export interface CachedMessage {
  /** The message's header block (up to and including the empty line), when it was fetched. */
  header?: Buffer;
  /** The envelope, when it was fetched alone. */
  envelope?: Envelope;
  /** The MIME structure (with the envelope), when it was fetched. */
  bodyStructure?: MessageStructure;
  size: number;
  internalDateMs: number;
}

/** What a FETCH needs of each message. */
export interface CachedParts {
  header: boolean;
  envelope: boolean;
  structure: boolean;
}

/** EDGE_HEADER_CACHE_MB when not set. */
export const DEFAULT_HEADER_CACHE_MB = 32;

/** Bytes an entry costs besides its data (key, object, the cache's slots, the header's own ArrayBuffer), roughly. */
const ENTRY_OVERHEAD = 400;

/**
 * What a parsed envelope or structure takes, roughly: 16 bytes an object or
 * array and a string, 8 a slot, and strings at 2 bytes a character (what a
 * string with any non-Latin-1 character takes in V8). Above the heap V8
 * actually uses for them, about as much as their JSON counted the same way.
 */
function parsedBytes(v: unknown): number {
  if (typeof v === 'string') return 16 + 2 * v.length;
  if (typeof v !== 'object' || v === null) return 8;
  let n = 16;
  if (Array.isArray(v)) for (const x of v) n += 8 + parsedBytes(x);
  else for (const k in v) n += 8 + parsedBytes((v as Record<string, unknown>)[k]);
  return n;
}

function cost(e: CachedMessage): number {
  return (
    ENTRY_OVERHEAD +
    (e.header?.length ?? 0) +
    (e.envelope ? parsedBytes(e.envelope) : 0) +
    (e.bodyStructure ? parsedBytes(e.bodyStructure) : 0)
  );
}

function has(e: CachedMessage, parts: CachedParts): boolean {
  return (
    (!parts.header || e.header !== undefined) &&
    (!parts.structure || e.bodyStructure !== undefined) &&
    (!parts.envelope || e.envelope !== undefined || e.bodyStructure !== undefined)
  );
}

/** The key of a message in the edge's caches: a UID names one message for as long as its mailbox keeps its UIDVALIDITY. */
export function messageKey(mailboxId: number, uidvalidity: number, uid: number): string {
  return `${mailboxId}/${uidvalidity}/${uid}`;
}

/**
 * What the edge's caches of immutable message data have in common: entries
 * by messageKey, least recently used first out past `maxBytes` (lru-cache,
 * sized by `cost`), an entry bigger than `maxBytes / entryShare` not kept,
 * and a FETCH served only when every message it names is held.
 */
export abstract class MessageLru<V extends object> {
  protected readonly entries: LRUCache<string, V>;

  /** `observe` hears of each FETCH that could use the cache: answered from it (true) or not. */
  constructor(
    readonly maxBytes: number,
    entryShare: number,
    cost: (v: V) => number,
    private readonly observe?: (hit: boolean) => void,
  ) {
    this.entries = new LRUCache<string, V>({
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / entryShare)),
      sizeCalculation: cost,
    });
  }

  /** Counts a FETCH that could use the cache. */
  noteFetch(hit: boolean): void {
    this.observe?.(hit);
  }

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.entries.calculatedSize;
  }

  /**
   * The entries of all the UIDs that `usable` accepts, now the most recently
   * used; undefined when one is missing (nothing is moved then). The FETCH
   * answers from this snapshot: entries evicted or replaced by other sessions
   * while it waits for the flags do not matter to it.
   */
  protected takeAll(
    mailboxId: number,
    uidvalidity: number,
    uids: readonly number[],
    usable: (v: V) => boolean,
  ): Map<number, V> | undefined {
    const found = new Map<number, V>();
    const keys: string[] = [];
    for (const uid of uids) {
      const key = messageKey(mailboxId, uidvalidity, uid);
      const e = this.entries.peek(key);
      if (!e || !usable(e)) return undefined;
      found.set(uid, e);
      keys.push(key);
    }
    for (const key of keys) this.entries.get(key);
    return found;
  }
}

export class HeaderCache extends MessageLru<CachedMessage> {
  /** An entry bigger than an eighth of the cache is not kept. */
  constructor(maxBytes: number, observe?: (hit: boolean) => void) {
    super(maxBytes, 8, cost, observe);
  }

  /** The entries of all the UIDs, each with the parts asked for (see takeAll). */
  getAll(mailboxId: number, uidvalidity: number, uids: readonly number[], parts: CachedParts): Map<number, CachedMessage> | undefined {
    return this.takeAll(mailboxId, uidvalidity, uids, (e) => has(e, parts));
  }

  /**
   * Keeps what `value` has of a message, added to what is held of it already.
   * Header blocks are copied (never kept as a view into a larger buffer, which
   * they would keep alive).
   */
  put(mailboxId: number, uidvalidity: number, uid: number, value: CachedMessage): void {
    const key = messageKey(mailboxId, uidvalidity, uid);
    const old = this.entries.peek(key);
    let header = value.header ?? old?.header;
    if (value.header) {
      header = Buffer.allocUnsafeSlow(value.header.length);
      value.header.copy(header);
    }
    const entry: CachedMessage = { size: value.size, internalDateMs: value.internalDateMs };
    if (header) entry.header = header;
    const envelope = value.envelope ?? old?.envelope;
    if (envelope !== undefined) entry.envelope = envelope;
    const bodyStructure = value.bodyStructure ?? old?.bodyStructure;
    if (bodyStructure !== undefined) entry.bodyStructure = bodyStructure;
    this.entries.set(key, entry);
  }
}
