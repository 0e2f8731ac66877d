// What the UNSEEN code costs an IMAP4rev1 SELECT (docs/reliability/flags-move-condstore.md).
//
// The SELECT statement also reads the lowest UID without \Seen (migration
// 0015 indexes the unseen messages). Timed here on the store function, one
// client at a time against PostgreSQL, on a mailbox where every message but
// the last is seen (the most a walk in UID order would read):
//
//   not asked          the statement without it (IMAP4rev2; what SELECT was before)
//   owner              the owner's first unseen (the index of unseen messages)
//   grantee            another account's (its own \Seen, seen_by): a walk in UID order
//   owner, no index    the owner's, with the index dropped (why it is there),
//                      timed alternately with "not asked" again
//
// The modes alternate within each round, so a machine that gets busier
// shifts them alike; medians and p99 over all samples.
//
// Run (PostgreSQL as for the tests):
//   node --conditions=source --import tsx bench/unseen-cost.ts
// Options: BENCH_SAMPLES (200 per mode), BENCH_BIG (100000 messages).
import { createTestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { createMailbox, selectMailbox } from '@kimap/mailbox/store/mailboxes';
import { appendMessages } from '@kimap/mailbox/store/messages';
import { markSeenBy } from '@kimap/mailbox/store/shared';
import { fmt, table } from './lib/report.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const BIG = Number(process.env.BENCH_BIG ?? 100_000);

const item = (i: number, flags: string[]) => ({
  flags,
  internalDateMs: 0,
  message: Buffer.from(`Subject: bench ${i}\r\nFrom: a@b.test\r\n\r\nbody ${i}\r\n`),
});

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main(): Promise<void> {
  const tdb = await createTestDatabase();
  const db = tdb.db;
  try {
    const owner = await addUser(db, 'owner@unseen-bench.test', 'bench-password', { createTenant: true });
    const reader = await addUser(db, 'reader@unseen-bench.test', 'bench-password');
    const name = 'Big';
    const mb = await db.transaction((tx) => createMailbox(tx, owner.accountId, name, null));
    const t0 = performance.now();
    for (let i = 0; i < BIG; i += 1000) {
      const n = Math.min(1000, BIG - i);
      // Every message seen but the last one.
      await appendMessages(
        db,
        owner.accountId,
        name,
        Array.from({ length: n }, (_, j) => item(i + j, i + j === BIG - 1 ? [] : ['\\Seen'])),
      );
      await markSeenBy(
        db,
        owner.accountId,
        mb.mailboxId,
        reader.accountId,
        Array.from({ length: n }, (_, j) => i + j + 1).filter((u) => u < BIG),
      );
    }
    await db.query('ANALYZE messages; ANALYZE seen_by');
    console.log(`seeded ${BIG.toLocaleString('en-US')} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const modes: Array<{ name: string; run: () => Promise<unknown>; expect: number }> = [
      { name: 'not asked', run: () => selectMailbox(db, owner.accountId, name, false), expect: 0 },
      { name: 'owner', run: () => selectMailbox(db, owner.accountId, name, false, {}), expect: BIG },
      { name: 'grantee', run: () => selectMailbox(db, owner.accountId, name, false, { reader: reader.accountId }), expect: BIG },
    ];
    const samples = new Map<string, number[]>(modes.map((m) => [m.name, []]));
    const timeRound = async (ms: typeof modes) => {
      for (const m of ms) {
        const t = performance.now();
        const r = (await m.run()) as { status: { firstUnseenUid?: number } };
        samples.get(m.name)!.push(performance.now() - t);
        if ((r.status.firstUnseenUid ?? 0) !== m.expect) throw new Error(`${m.name}: first unseen ${r.status.firstUnseenUid}`);
      }
    };
    for (let i = 0; i < SAMPLES; i++) await timeRound(modes);
    await db.query('DROP INDEX messages_unseen');
    const noIndex = [
      { ...modes[1]!, name: 'owner, no index' },
      { ...modes[0]!, name: 'not asked, no index' },
    ];
    for (const m of noIndex) samples.set(m.name, []);
    for (let i = 0; i < SAMPLES; i++) await timeRound(noIndex);

    const rows = [...samples].map(([mode, v]) => {
      const s = [...v].sort((a, b) => a - b);
      return [mode, fmt(quantile(s, 0.5), 3), fmt(quantile(s, 0.99), 3)];
    });
    console.log(`SELECT of a ${BIG.toLocaleString('en-US')}-message mailbox (all seen but the last), ${SAMPLES} samples per mode, ms`);
    console.log(table(['mode', 'p50', 'p99'], rows, 1));
  } finally {
    await tdb.drop();
  }
}

await main();
