// Push latency of IDLE across edges, and how many foreign events one edge
// absorbs per second.
//
//   1. 1,000 IDLE sessions (100 accounts x 10 sessions), spread over two edge
//      processes; one mailbox process; PostgreSQL and Kafka.
//   2. 1,000 APPENDs, one at a time, through writer sessions on edge A; for
//      each, the time from the writer's tagged OK (the commit is acknowledged)
//      to each IDLE session's untagged EXISTS.
//   3. 200,000 change events for accounts with no session on the edge,
//      produced straight into the topic: events per second one edge consumes.
//
// Run: source scripts/test-env.sh && node --conditions=source --import tsx bench/idle-latency.ts
// Options (environment): BENCH_ACCOUNTS (100), BENCH_SESSIONS_PER_ACCOUNT (10),
// BENCH_CHANGES (1000), BENCH_FOREIGN_EVENTS (200000).
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopic, encodeEvent } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName } from '@kimap/common/testing/services';
import { hashPassword } from '@kimap/mailbox';
import { freePort, metric, startService, tempDir, waitForMetric, type ServiceProcess } from '../e2e/src/cluster.js';
import { ImapClient } from '../services/imap-edge/test/support/imap-client.js';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100);
const PER_ACCOUNT = Number(process.env.BENCH_SESSIONS_PER_ACCOUNT ?? 10);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 1000);
const FOREIGN = Number(process.env.BENCH_FOREIGN_EVENTS ?? 200_000);
const PASSWORD = 'bench-password';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const tdb = await createTestDatabase('kimap_bench');
  const dir = tempDir('kimap-bench-');
  const procs: ServiceProcess[] = [];
  const clients: ImapClient[] = [];
  try {
    // Accounts share one password hash: the bench measures sync, not argon2.
    const hash = await hashPassword(PASSWORD);
    await tdb.db.query("INSERT INTO tenants (domain) VALUES ('bench.test')");
    await tdb.db.query(
      `INSERT INTO accounts (tenant_id, username, password_hash)
       SELECT (SELECT tenant_id FROM tenants WHERE domain = 'bench.test'), 'u' || g || '@bench.test', $1 FROM generate_series(1, $2) g`,
      [hash, ACCOUNTS],
    );
    await tdb.db.query(
      `INSERT INTO mailboxes (account_id, mailbox_id, name, uidvalidity)
       SELECT account_id, v, 'INBOX', (v % 4294967295) + 1 FROM (SELECT account_id, nextval('mailbox_id_seq') AS v FROM accounts) s`,
    );
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-bench');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'bench' });
    const env = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic, LOG_LEVEL: 'warn' };
    const mailboxPort = await freePort();
    procs.push(await startService('mailbox', 'services/mailbox/src/main.ts', { ...env, GRPC_LISTEN: `127.0.0.1:${mailboxPort}` }));
    const edges: Array<{ proc: ServiceProcess; port: number }> = [];
    for (const name of ['edge-a', 'edge-b']) {
      const port = await freePort();
      const proc = await startService(name, 'services/imap-edge/src/main.ts', {
        ...env,
        MAILBOX_ADDRESS: `127.0.0.1:${mailboxPort}`,
        KAFKA_GROUP_ID: uniqueName(name),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(port),
        IMAPS_PORT: String(await freePort()),
        DATA_DIR: dir.path,
        ALLOW_PLAINTEXT_AUTH: 'true',
        CHANGE_POLL_INTERVAL_MS: '600000',
      });
      await waitForMetric(proc, 'kimap_change_feed_up', (v) => v === 1);
      procs.push(proc);
      edges.push({ proc, port });
    }

    // 1. The IDLE sessions.
    const idlers: ImapClient[][] = Array.from({ length: ACCOUNTS }, () => []);
    const t0 = Date.now();
    for (let a = 1; a <= ACCOUNTS; a++) {
      await Promise.all(
        Array.from({ length: PER_ACCOUNT }, async (_, i) => {
          const { client } = await ImapClient.connect(edges[i % 2]!.port);
          await client.command('l', `LOGIN u${a}@bench.test ${PASSWORD}`, 30_000);
          await client.command('s', 'SELECT INBOX', 30_000);
          client.send('i IDLE\r\n');
          await client.readLine(30_000);
          idlers[a - 1]!.push(client);
          clients.push(client);
        }),
      );
    }
    console.log(`${ACCOUNTS * PER_ACCOUNT} IDLE sessions on 2 edges in ${Date.now() - t0} ms`);

    // 2. The changes, one at a time, through writer sessions on edge A.
    const writers: ImapClient[] = [];
    for (let a = 1; a <= ACCOUNTS; a++) {
      const { client } = await ImapClient.connect(edges[0]!.port);
      await client.command('l', `LOGIN u${a}@bench.test ${PASSWORD}`);
      writers.push(client);
      clients.push(client);
    }
    const latencies: number[] = [];
    const exists = new Array<number>(ACCOUNTS).fill(0);
    const body = Buffer.from('From: bench@bench.test\r\nSubject: bench\r\n\r\nhello\r\n');
    for (let n = 0; n < CHANGES; n++) {
      const a = n % ACCOUNTS;
      const w = writers[a]!;
      w.send(Buffer.concat([Buffer.from(`a APPEND INBOX {${body.length}+}\r\n`), body, Buffer.from('\r\n')]));
      const waits = idlers[a]!.map(async (c) => {
        for (;;) {
          const line = await c.readLine(10_000);
          if (line.text.endsWith(' EXISTS')) return process.hrtime.bigint();
        }
      });
      const ok = await w.readTagged('a');
      const committed = process.hrtime.bigint();
      if (!ok.tagged.startsWith('a OK')) throw new Error(ok.tagged);
      for (const t of await Promise.all(waits)) latencies.push(Math.max(0, Number(t - committed) / 1e6));
      exists[a]!++;
    }
    latencies.sort((x, y) => x - y);
    console.log(
      `push latency over ${latencies.length} deliveries (${CHANGES} changes x ${PER_ACCOUNT} sessions): ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`,
    );

    // 3. Foreign events: accounts with no session anywhere.
    const before = await metric(edges[1]!.proc, 'kimap_change_events_received_total');
    const producer = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const start = Date.now();
    const batch = 5000;
    for (let sent = 0; sent < FOREIGN; sent += batch) {
      const messages = Array.from({ length: Math.min(batch, FOREIGN - sent) }, (_, i) => {
        const accountId = 1_000_000 + ((sent + i) % 50_000);
        return { key: String(accountId), value: encodeEvent({ accountId, mailboxId: accountId, modseq: sent + i + 1, kind: 'append' }) };
      });
      await producer.send({ topic, messages });
    }
    const produced = Date.now();
    await waitForMetric(edges[1]!.proc, 'kimap_change_events_received_total', (v) => v >= before + FOREIGN, 300_000);
    const done = Date.now();
    await producer.disconnect();
    console.log(
      `foreign events: ${FOREIGN} produced in ${produced - start} ms; one edge consumed them all in ${done - start} ms ` +
        `= ${Math.round(FOREIGN / ((done - start) / 1000))} events/s`,
    );
  } finally {
    for (const c of clients) c.send('DONE\r\n');
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(procs.map((p) => p.stop()));
    await tdb.drop();
    dir.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
