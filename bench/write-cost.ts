// What a flag write pays besides changing the message (docs/benchmarks.md).
//
// A STORE is one statement (kimap_store), which besides the message row also
// updates the mailbox row twice (the MODSEQ it allocates, and the counters
// trigger's unseen/deleted counts) and inserts the outbox row that becomes
// the change event. Timed here on the store function, one client at a time
// against PostgreSQL, toggling \Seen on a random message of a 1,000-message
// mailbox, in four modes:
//
//   as is              what runs in production
//   no counters        the counters trigger disabled (the counts go wrong: measurement only)
//   no outbox row      kimap_record_change replaced by one that inserts nothing
//   neither            both
//
// The modes run in alternating blocks (each switch is DDL, which drops the
// cached plans: the first samples after it are not counted), so a machine
// that gets busier shifts them alike; medians and p99 over all samples.
//
// Run (PostgreSQL as for the tests; the database is a fresh one, dropped after):
//   node --conditions=source --import tsx bench/write-cost.ts
// Options: BENCH_SAMPLES (400 per mode), BENCH_BLOCKS (8).
import { createTestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { createMailbox } from '@kimap/mailbox/store/mailboxes';
import { appendMessages } from '@kimap/mailbox/store/messages';
import { storeFlags } from '@kimap/mailbox/store/flags';
import { fmt, table } from './lib/report.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const BLOCKS = Math.max(1, Number(process.env.BENCH_BLOCKS ?? 8));
const MESSAGES = 1000;
/** Samples after each switch of mode that are not counted (plans made again). */
const SETTLE = 5;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main(): Promise<void> {
  const tdb = await createTestDatabase();
  const db = tdb.db;
  try {
    const owner = await addUser(db, 'owner@write-bench.test', 'bench-password', { createTenant: true });
    const mb = await db.transaction((tx) => createMailbox(tx, owner.accountId, 'Work', null));
    for (let i = 0; i < MESSAGES; i += 500)
      await appendMessages(
        db,
        owner.accountId,
        'Work',
        Array.from({ length: 500 }, (_, j) => ({
          flags: [],
          internalDateMs: 0,
          message: Buffer.from(`Subject: bench ${i + j}\r\nFrom: a@b.test\r\n\r\nbody\r\n`),
        })),
      );
    await db.query('ANALYZE messages');
    const { rows: fn } = await db.query<{ def: string }>(
      "SELECT pg_get_functiondef('kimap_record_change(bigint, bigint, bigint, text)'::regprocedure) AS def",
    );
    const recordChange = fn[0]!.def;
    const noOutbox = `CREATE OR REPLACE FUNCTION kimap_record_change(p_account bigint, p_mailbox bigint, p_modseq bigint, p_kind text) RETURNS bigint
      LANGUAGE sql AS $$ SELECT 0::bigint $$`;
    const modes = [
      { name: 'as is', setup: [recordChange, 'ALTER TABLE messages ENABLE TRIGGER messages_counted_update'] },
      { name: 'no counters', setup: [recordChange, 'ALTER TABLE messages DISABLE TRIGGER messages_counted_update'] },
      { name: 'no outbox row', setup: [noOutbox, 'ALTER TABLE messages ENABLE TRIGGER messages_counted_update'] },
      { name: 'neither', setup: [noOutbox, 'ALTER TABLE messages DISABLE TRIGGER messages_counted_update'] },
    ];
    const samples = new Map<string, number[]>(modes.map((m) => [m.name, []]));
    let seed = 20261207;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const perBlock = Math.ceil(SAMPLES / BLOCKS);
    for (let b = 0; b < BLOCKS; b++) {
      for (const m of modes) {
        for (const sql of m.setup) await db.query(sql);
        for (let i = 0; i < perBlock + SETTLE; i++) {
          const uid = 1 + rand(MESSAGES);
          const t = performance.now();
          await storeFlags(db, owner.accountId, mb.mailboxId, [{ first: uid, last: uid }], rand(2) ? 'add' : 'remove', ['\\Seen']);
          if (i >= SETTLE) samples.get(m.name)!.push(performance.now() - t);
        }
      }
    }
    await db.query(recordChange);
    await db.query('ALTER TABLE messages ENABLE TRIGGER messages_counted_update');

    const base = [...samples.get('as is')!].sort((a, b) => a - b);
    const rows = [...samples].map(([mode, v]) => {
      const s = [...v].sort((a, b) => a - b);
      return [mode, fmt(quantile(s, 0.5), 3), fmt(quantile(s, 0.99), 3), fmt(quantile(base, 0.5) - quantile(s, 0.5), 3)];
    });
    console.log(`STORE ±FLAGS (\\Seen) of one message of ${MESSAGES}, ${BLOCKS} blocks, ${perBlock} samples per mode and block, ms`);
    console.log(table(['mode', 'p50', 'p99', 'saved at p50'], rows, 1));
  } finally {
    await tdb.drop();
  }
}

await main();
