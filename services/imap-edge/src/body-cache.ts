// The contents of recently fetched messages, per edge process.
//
// A message is read more than once: the phone and the desktop of one person
// both download it, a client opens it again after a restart, every member of
// a team inbox reads the same mail. Like its header block (header-cache.ts),
// a message's bytes never change for a UID under one UIDVALIDITY, so the edge
// keeps them, and a FETCH of message text (BODY.PEEK[], RFC822.TEXT, BINARY,
// a part) whose messages are all held asks the mailbox service (or the edge's
// view of the mailbox) only for what can change: UIDs still there, flags and
// MODSEQs. A FETCH that sets \Seen still goes to the service, which stores the
// flag. The least recently used messages go first once `maxBytes` is reached;
// a message bigger than a sixteenth of it is not kept.
//
// Entries are shared by every session of the process and never modified.
import { MessageLru, messageKey } from './header-cache.js';

/** EDGE_BODY_CACHE_MB when not set. */
export const DEFAULT_BODY_CACHE_MB = 64;

/** Bytes an entry costs besides the message (key, object, the cache's slots, the buffer's own ArrayBuffer), roughly. */
const ENTRY_OVERHEAD = 300;
/** A message costing more than this share of the cache is not kept. */
const ENTRY_SHARE = 16;

const cost = (raw: Buffer) => ENTRY_OVERHEAD + raw.length;

export class BodyCache extends MessageLru<Buffer> {
  /** A message bigger than a sixteenth of the cache is not kept. */
  constructor(maxBytes: number, observe?: (hit: boolean) => void) {
    super(maxBytes, ENTRY_SHARE, cost, observe);
  }

  /** The messages of all the UIDs (see takeAll). */
  getAll(mailboxId: number, uidvalidity: number, uids: readonly number[]): Map<number, Buffer> | undefined {
    return this.takeAll(mailboxId, uidvalidity, uids, () => true);
  }

  /**
   * Keeps a message's bytes, copied: the buffer a message arrives in is a
   * view into the larger frame it came with, which it would keep alive.
   */
  put(mailboxId: number, uidvalidity: number, uid: number, raw: Buffer): void {
    // Not copied only to be refused by the cache.
    if (raw.length === 0 || cost(raw) > this.maxBytes / ENTRY_SHARE) return;
    const key = messageKey(mailboxId, uidvalidity, uid);
    if (this.entries.has(key)) return;
    const copy = Buffer.allocUnsafeSlow(raw.length);
    raw.copy(copy);
    this.entries.set(key, copy);
  }
}
