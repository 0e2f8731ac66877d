// The header blocks of recently fetched messages, per edge process.
//
// A message list (a webmail page, a client scrolling) FETCHes the same
// headers again and again: `UID FETCH x:y (UID FLAGS RFC822.SIZE
// BODY.PEEK[HEADER.FIELDS (From To Subject Date)])`. What such a FETCH needs
// of a message besides its flags never changes: a UID names one message for
// as long as the mailbox keeps its UIDVALIDITY, and a stored message is never
// rewritten. So the header block, the size and the internal date are kept
// here, and a FETCH whose messages are all known asks the mailbox service
// only for what can change (UIDs still there, flags, MODSEQs), which it
// answers without reading the bodies. The least recently used entries go
// first once `maxBytes` is reached.

export interface CachedHeader {
  /** The message's header block (up to and including the empty line). */
  header: Buffer;
  size: number;
  internalDateMs: number;
}

/** Bytes an entry costs besides its header block (key, object, Map slot), roughly. */
const ENTRY_OVERHEAD = 160;

export class HeaderCache {
  private readonly entries = new Map<string, CachedHeader>();
  private bytes = 0;

  /** `observe` hears of each FETCH that could use the cache: answered from it (true) or not. */
  constructor(
    readonly maxBytes: number,
    private readonly observe?: (hit: boolean) => void,
  ) {}

  /** Counts a FETCH that could use the cache. */
  noteFetch(hit: boolean): void {
    this.observe?.(hit);
  }

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  private static key(mailboxId: number, uidvalidity: number, uid: number): string {
    return `${mailboxId}/${uidvalidity}/${uid}`;
  }

  /** Whether every UID is held (the entries keep their place in the LRU order). */
  holdsAll(mailboxId: number, uidvalidity: number, uids: readonly number[]): boolean {
    for (const uid of uids) if (!this.entries.has(HeaderCache.key(mailboxId, uidvalidity, uid))) return false;
    return true;
  }

  /** The entry, now the most recently used; undefined when not held. */
  get(mailboxId: number, uidvalidity: number, uid: number): CachedHeader | undefined {
    const key = HeaderCache.key(mailboxId, uidvalidity, uid);
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  /** Keeps a copy of the header block (never a view into a larger buffer, which it would keep alive). */
  put(mailboxId: number, uidvalidity: number, uid: number, value: CachedHeader): void {
    const cost = value.header.length + ENTRY_OVERHEAD;
    if (cost > this.maxBytes / 8) return;
    const key = HeaderCache.key(mailboxId, uidvalidity, uid);
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.header.length + ENTRY_OVERHEAD;
    }
    const header = Buffer.allocUnsafeSlow(value.header.length);
    value.header.copy(header);
    this.entries.set(key, { header, size: value.size, internalDateMs: value.internalDateMs });
    this.bytes += cost;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.header.length + ENTRY_OVERHEAD;
    }
  }
}
