// What \Recent costs a SELECT (docs/reliability/recent.md).
//
// A read-write IMAP4rev1 SELECT claims the messages no session has seen, in
// the statement that reads the mailbox (migration 0014). Timed here, one
// client at a time against PostgreSQL, for a small and a big mailbox:
//
//   no claim        the statement without the claim (EXAMINE, IMAP4rev2; what SELECT was before)
//   claim, none new the claim asked for, nothing unclaimed (a SELECT with no new mail)
//   no claim, +1    after one new message (appended untimed), without the claim
//   claim, +1       after one new message, claiming it (lock, UPDATE of the mailbox row)
//
// Each timed on the store function (one statement) and through the mailbox
// service's Select RPC (gRPC on loopback). The modes alternate within each
// round, so a machine that gets busier shifts them alike; medians and p99
// over all samples. The statements the service sends per SELECT are counted.
//
// Run (PostgreSQL as for the tests):
//   node --conditions=source --import tsx bench/recent-cost.ts
// Options: BENCH_SAMPLES (400 per mode and mailbox), BENCH_BIG (10000 messages).
import { createLogger, createMailboxClient, InProcessBus, type MailboxServiceClient } from '@kimap/common';
import { createTestDatabase } from '@kimap/common/testing/services';
import { addUser, startMailboxService } from '@kimap/mailbox';
import { createMailbox, selectMailbox } from '@kimap/mailbox/store/mailboxes';
import { appendMessages } from '@kimap/mailbox/store/messages';
import { fmt, table } from './lib/report.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const BIG = Number(process.env.BENCH_BIG ?? 10_000);
const log = (s: string) => console.log(s);

const MODES = [
  { name: 'no claim', claim: false, append: false },
  { name: 'claim, none new', claim: true, append: false },
  { name: 'no claim, +1', claim: false, append: true },
  { name: 'claim, +1', claim: true, append: true },
] as const;

const item = (i: number) => ({
  flags: [],
  internalDateMs: 0,
  message: Buffer.from(`Subject: bench ${i}\r\nFrom: a@b.test\r\n\r\nbody ${i}\r\n`),
});

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const tdb = await createTestDatabase();
  // Statements sent, counted around each Select RPC (nothing else runs then).
  let statements = 0;
  const query = tdb.db.query.bind(tdb.db);
  tdb.db.query = (...args: Parameters<typeof query>) => {
    statements++;
    return query(...args);
  };
  const db = tdb.db;
  const svc = await startMailboxService({
    db,
    publisher: new InProcessBus(),
    address: '127.0.0.1:0',
    log: createLogger('bench', 'silent'),
  });
  const client: MailboxServiceClient = createMailboxClient(`127.0.0.1:${svc.port}`);
  try {
    const acc = await addUser(tdb.db, 'recent@bench.test', 'bench-password', { createTenant: true });
    const account = { accountId: acc.accountId, tenantId: acc.tenantId };
    const boxes = [
      { name: 'Small', messages: 50 },
      { name: 'Big', messages: BIG },
    ];
    let n = 0;
    for (const b of boxes) {
      await tdb.db.transaction((tx) => createMailbox(tx, acc.accountId, b.name, null));
      for (let i = 0; i < b.messages; i += 500) {
        await appendMessages(
          tdb.db,
          acc.accountId,
          b.name,
          Array.from({ length: Math.min(500, b.messages - i) }, () => item(n++)),
        );
      }
      // Nothing unclaimed to start with.
      await selectMailbox(tdb.db, acc.accountId, b.name, true);
    }
    const viaRpc = (name: string, claimRecent: boolean) =>
      new Promise<void>((resolve, reject) => {
        const call = client.Select({ account, name, claimRecent });
        call.on('data', () => undefined);
        call.on('end', resolve);
        call.on('error', reject);
      });

    const rows: Array<Array<string | number>> = [];
    for (const b of boxes) {
      const samples = new Map<string, { store: number[]; rpc: number[]; statements: number }>();
      for (const m of MODES) samples.set(m.name, { store: [], rpc: [], statements: 0 });
      for (let i = 0; i < SAMPLES; i++) {
        for (const m of MODES) {
          const s = samples.get(m.name)!;
          if (m.append) await appendMessages(tdb.db, acc.accountId, b.name, [item(n++)]);
          let t = performance.now();
          await selectMailbox(tdb.db, acc.accountId, b.name, m.claim);
          s.store.push(performance.now() - t);
          if (m.append) await appendMessages(tdb.db, acc.accountId, b.name, [item(n++)]);
          const before = statements;
          t = performance.now();
          await viaRpc(b.name, m.claim);
          s.rpc.push(performance.now() - t);
          s.statements += statements - before;
          // The next mode starts from a mailbox with nothing unclaimed.
          if (m.append && !m.claim) await selectMailbox(tdb.db, acc.accountId, b.name, true);
        }
      }
      for (const m of MODES) {
        const s = samples.get(m.name)!;
        const store = [...s.store].sort((x, y) => x - y);
        const rpc = [...s.rpc].sort((x, y) => x - y);
        rows.push([
          `${b.name} (${b.messages.toLocaleString('en-US')})`,
          m.name,
          fmt(quantile(store, 0.5), 3),
          fmt(quantile(store, 0.99), 3),
          fmt(quantile(rpc, 0.5), 3),
          fmt(quantile(rpc, 0.99), 3),
          fmt(s.statements / SAMPLES, 2),
        ]);
      }
    }
    log(`SELECT with and without the \\Recent claim, ${SAMPLES} samples per row, one client, ms`);
    log(table(['mailbox', 'mode', 'store p50', 'store p99', 'Select RPC p50', 'RPC p99', 'statements/SELECT'], rows, 2));
  } finally {
    client.close();
    await svc.stop();
    await tdb.drop();
  }
}

await main();
