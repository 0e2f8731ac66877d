// Gives memory back after bursts. An edge that has just opened thousands of
// sessions keeps a V8 heap about twice what they use: the garbage of opening
// them was promoted among the long-lived session objects, and V8 compacts
// those half-empty pages only at a full collection, which an edge that then
// sits on idle connections may not reach for a long time. When the heap has
// stopped growing and much of it is free, or what it holds as in use grew a
// lot since the last such collection, full collections at a quiet moment
// return it (at most ~300 ms of them per look; a big heap takes a few looks).
// The first collection of a look compacts the whole old generation: an
// ordinary full collection moves objects only off pages that are nearly empty,
// and leaves the half-empty pages a burst of sessions leaves behind committed.
// The collections need `gc()`: the edge is started with EDGE_NODE_FLAGS.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import type { Logger } from '@kimap/common';

/**
 * The Node flags every command that starts the edge gives (services/imap-edge's
 * `npm start`, bin/kimap, e2e/src/cluster.ts): `gc()` for the quiet collections.
 */
export const EDGE_NODE_FLAGS: readonly string[] = ['--expose-gc'];

export interface QuietGcOptions {
  /** How often to look, ms. */
  intervalMs?: number;
  /** Collect when this many bytes of the heap are not in use... */
  minFreeBytes?: number;
  /** ...and the heap in use grew less than this since the last look... */
  maxGrowthBytes?: number;
  /** ...and fewer commands than this ran since then. */
  maxCommands?: number;
  /** A running count of the commands the edge executed. */
  commands: () => number;
  log?: Logger;
}

export interface HeapSample {
  total: number;
  used: number;
}

/**
 * One look: decides whether to collect now and does it. Pure apart from what
 * it is given (`heap`, `gc`, `now`), so that tests can drive it.
 */
export class QuietCollector {
  private readonly minFree: number;
  private readonly maxGrowth: number;
  private readonly maxCommands: number;
  private lastUsed: number;
  private lastCommands: number;
  /** The slack a collection left: the next one waits until minFree more has piled up (a heap that simply keeps some room is left alone). */
  private slackAfterGc = 0;
  /** The last look stopped before the heap stopped shrinking. */
  private unfinished = false;
  /** The heap in use after the last collection (at the start: when made). */
  private usedAfterGc: number;

  constructor(
    private readonly opts: QuietGcOptions,
    private readonly heap: () => HeapSample,
    /** A full collection; `compact`: moving the live objects of every fragmented page together. */
    private readonly gc: (compact: boolean) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.minFree = opts.minFreeBytes ?? 16 * 1024 * 1024;
    this.maxGrowth = opts.maxGrowthBytes ?? 4 * 1024 * 1024;
    this.maxCommands = opts.maxCommands ?? 100;
    this.lastUsed = heap().used;
    this.usedAfterGc = this.lastUsed;
    this.lastCommands = opts.commands();
  }

  /** Returns whether it collected. */
  look(): boolean {
    const s = this.heap();
    const grew = s.used - this.lastUsed;
    const ran = this.opts.commands() - this.lastCommands;
    this.lastUsed = s.used;
    this.lastCommands += ran;
    if (ran >= this.maxCommands) return false;
    // Worth a collection: room piled up in the heap (fragmented, free pages), or
    // the heap in use grew by as much since the last one (dead objects of the
    // old generation count as in use until a full collection finds them).
    const slack = s.total - s.used - this.slackAfterGc >= this.minFree;
    const piled = s.used - this.usedAfterGc >= this.minFree;
    if (!this.unfinished && (grew > this.maxGrowth || (!slack && !piled))) return false;
    const t0 = this.now();
    // One compacting collection, then ordinary ones while they still give back
    // a good share (pages emptied by moving objects are released by the next
    // collection), for ~300 ms at most.
    let total = s.total;
    let settled = false;
    let compact = true;
    while (this.now() - t0 < 300) {
      this.gc(compact);
      compact = false;
      const next = this.heap().total;
      settled = total - next < 4 * 1024 * 1024;
      total = next;
      if (settled) break;
    }
    const after = this.heap();
    this.lastUsed = after.used;
    this.usedAfterGc = after.used;
    this.unfinished = !settled;
    this.slackAfterGc = after.total - after.used;
    this.opts.log?.info({ ms: Math.round(this.now() - t0), heapBefore: s.total, heapAfter: after.total }, 'quiet full collection');
    return true;
  }
}

let warned = false;

/**
 * Looks every `intervalMs` for a quiet moment to collect in. Without `gc` (the
 * edge started without --expose-gc) it does nothing and says so, once.
 */
export function startQuietGc(opts: QuietGcOptions, gc: (() => void) | undefined = globalThis.gc): () => void {
  if (typeof gc !== 'function') {
    if (!warned) opts.log?.warn(`quiet collections are off: gc() is not exposed (start the edge with ${EDGE_NODE_FLAGS.join(' ')})`);
    warned = true;
    return () => undefined;
  }
  const heap = (): HeapSample => {
    const h = getHeapStatistics();
    return { total: h.total_heap_size, used: h.used_heap_size };
  };
  const collect = (compact: boolean): void => {
    if (!compact) return gc();
    // V8 reads this flag when a collection picks the pages to evacuate: set for this
    // one only (given on the command line it would make every full collection of a
    // busy edge compact).
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
  const collector = new QuietCollector(opts, heap, collect);
  const timer = setInterval(() => collector.look(), opts.intervalMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}
