// The quiet collector's decisions, driven with a simulated heap; and how it
// starts with and without gc() exposed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Logger } from '@kimap/common';
import { EDGE_NODE_FLAGS, QuietCollector, startQuietGc, type HeapSample } from '../src/quiet-gc.js';

const MB = 1024 * 1024;

function rig(start: HeapSample) {
  const heap = { ...start };
  let commands = 0;
  let clock = 0;
  const gcs: number[] = [];
  /** Whether each collection was a compacting one. */
  const compacting: boolean[] = [];
  /** What each collection gives back, in turn (MB of total heap). */
  const freed: number[] = [];
  /** Dead objects each collection finds, in turn (MB of the heap in use). */
  const dead: number[] = [];
  const collector = new QuietCollector(
    { commands: () => commands },
    () => ({ ...heap }),
    (compact) => {
      gcs.push(clock);
      compacting.push(compact);
      heap.total -= (freed.shift() ?? 0) * MB;
      heap.used -= (dead.shift() ?? 0) * MB;
      clock += 100;
    },
    () => clock,
  );
  return { heap, collector, gcs, compacting, freed, dead, run: (n: number) => (commands += n) };
}

test('a busy edge is left alone, whatever its heap', () => {
  const r = rig({ total: 400 * MB, used: 100 * MB });
  r.run(500);
  assert.equal(r.collector.look(), false);
  assert.equal(r.gcs.length, 0);
});

test('a quiet edge with a fragmented heap collects until the heap stops shrinking, over several looks', () => {
  const r = rig({ total: 400 * MB, used: 100 * MB });
  r.freed.push(60, 50, 40, 30, 2);
  assert.equal(r.collector.look(), true);
  assert.equal(r.gcs.length, 3, 'at most ~300 ms per look');
  assert.deepEqual(r.compacting, [true, false, false], 'the first collection of a look compacts');
  assert.equal(r.heap.total, 250 * MB);
  // Not settled: the next look goes on although the slack did not grow.
  assert.equal(r.collector.look(), true);
  assert.equal(r.heap.total, 218 * MB);
  assert.equal(r.gcs.length, 5, 'until a collection gives back less than 4 MB');
  assert.deepEqual(r.compacting, [true, false, false, true, false]);
  // Settled (the last collection gave back less than 4 MB): nothing more until 16 MB more slack piles up.
  assert.equal(r.collector.look(), false);
  r.heap.total += 10 * MB;
  assert.equal(r.collector.look(), false);
  r.heap.total += 10 * MB;
  assert.equal(r.collector.look(), true);
});

test('a heap that is still growing, or has little slack, is left alone', () => {
  const growing = rig({ total: 400 * MB, used: 100 * MB });
  growing.heap.used += 20 * MB;
  assert.equal(growing.collector.look(), false);
  const tight = rig({ total: 110 * MB, used: 100 * MB });
  assert.equal(tight.collector.look(), false);
  assert.equal(growing.gcs.length + tight.gcs.length, 0);
});

test('dead objects that piled up in the heap in use are collected once the edge is quiet, live ones once only', () => {
  const r = rig({ total: 120 * MB, used: 100 * MB });
  // A burst: the heap in use grows by 180 MB (sessions and their garbage), with little room left.
  r.run(30_000);
  r.heap.used += 180 * MB;
  r.heap.total += 182 * MB;
  assert.equal(r.collector.look(), false, 'busy');
  // Quiet now: the heap stopped growing, and grew by far more than 16 MB since the start.
  r.dead.push(100);
  assert.equal(r.collector.look(), true);
  assert.equal(r.heap.used, 180 * MB);
  // What is left is live: no collection again until as much more piles up, slowly.
  assert.equal(r.collector.look(), false);
  for (let i = 0; i < 5; i++) {
    r.heap.used += 3 * MB;
    assert.equal(r.collector.look(), false, `${(i + 1) * 3} MB more`);
  }
  r.heap.used += 3 * MB;
  assert.equal(r.collector.look(), true, '18 MB more');
  assert.equal(r.gcs.length, 2);
});

/** A logger that keeps its warnings. */
function warnings(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = { warn: (msg: string) => lines.push(msg), info: () => undefined } as unknown as Logger;
  return { log, lines };
}

test('without gc() exposed, the edge does not collect and says once how to start it', () => {
  const { log, lines } = warnings();
  const stop = startQuietGc({ intervalMs: 1, commands: () => 0, log }, undefined);
  stop();
  startQuietGc({ intervalMs: 1, commands: () => 0, log }, undefined)();
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.includes(EDGE_NODE_FLAGS.join(' ')), lines[0]);
});

test('with gc() exposed, a quiet edge collects on its own timer', async () => {
  const { log, lines } = warnings();
  let collections = 0;
  // Any free room counts and any growth is allowed: the first look collects.
  const stop = startQuietGc(
    { intervalMs: 5, minFreeBytes: 0, maxGrowthBytes: Number.MAX_SAFE_INTEGER, commands: () => 0, log },
    () => collections++,
  );
  try {
    const deadline = Date.now() + 5_000;
    while (collections === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  } finally {
    stop();
  }
  assert.ok(collections > 0, 'collected');
  assert.deepEqual(lines, []);
});

test('this Node takes the flags the edge is started with, and they expose gc()', () => {
  const out = execFileSync(process.execPath, [...EDGE_NODE_FLAGS, '-e', 'process.stdout.write(typeof globalThis.gc)'], {
    encoding: 'utf8',
  });
  assert.equal(out, 'function');
});
