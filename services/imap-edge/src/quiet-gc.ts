// Gives memory back after bursts. An edge that has just opened thousands of
// sessions keeps a V8 heap about twice what they use: the garbage of opening
// them was promoted among the long-lived session objects, and V8 compacts
// those half-empty pages only at a full collection, which an edge that then
// sits on idle connections may not reach for a long time. When the heap has
// stopped growing and much of it is free, full collections at a quiet moment
// return it (at most ~300 ms of them per look; a big heap takes a few looks).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@kimap/common';

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

export function startQuietGc(opts: QuietGcOptions): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const minFree = opts.minFreeBytes ?? 16 * 1024 * 1024;
  const maxGrowth = opts.maxGrowthBytes ?? 4 * 1024 * 1024;
  const maxCommands = opts.maxCommands ?? 100;
  let lastUsed = getHeapStatistics().used_heap_size;
  let lastCommands = opts.commands();
  // The slack a collection left: the next one waits until minFree more has
  // piled up on top of it (a heap that simply keeps some room is left alone).
  let slackAfterGc = 0;
  /** The last look stopped before the heap stopped shrinking. */
  let unfinished = false;
  const timer = setInterval(() => {
    const s = getHeapStatistics();
    const grew = s.used_heap_size - lastUsed;
    const ran = opts.commands() - lastCommands;
    lastUsed = s.used_heap_size;
    lastCommands += ran;
    if (ran >= maxCommands) return;
    if (!unfinished && (s.total_heap_size - s.used_heap_size - slackAfterGc < minFree || grew > maxGrowth)) return;
    const t0 = performance.now();
    // Each full collection compacts only some of the fragmented pages: repeat
    // while it still gives back a good share (bounded).
    let total = s.total_heap_size;
    let settled = false;
    while (performance.now() - t0 < 300) {
      gc();
      const now = getHeapStatistics().total_heap_size;
      settled = total - now < 4 * 1024 * 1024;
      total = now;
      if (settled) break;
    }
    const after = getHeapStatistics();
    lastUsed = after.used_heap_size;
    // Not settled yet: the next look goes on.
    unfinished = !settled;
    slackAfterGc = after.total_heap_size - after.used_heap_size;
    opts.log?.info({ ms: Math.round(performance.now() - t0), heapBefore: s.total_heap_size, heapAfter: after.total_heap_size }, 'quiet full collection');
  }, opts.intervalMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}
