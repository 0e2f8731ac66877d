// LMTP deliveries per second, kimap against Dovecot's LMTP, and the IDLE push
// latency of a delivered message (docs/hosting/delivery.md).
//
// kimap: one mailbox process, one delivery process and one edge (the compiled
// JavaScript), the local PostgreSQL (fsync off) and Kafka. Dovecot:
// bench/dovecot-bench.sh with LMTP, maildir, mail_fsync = never. The same 100
// users on both.
//
//   1. Throughput: BENCH_LMTP_CONNECTIONS (4) connections, each sending
//      transactions back to back for BENCH_SECONDS (10) after a 1 s warm-up,
//      pipelined as Postfix sends them (MAIL, every RCPT and DATA in one write),
//      with 1 recipient and with 50 (50 different users), a 3 KB message.
//      Messages and recipient deliveries per second, transaction p50/p99.
//   2. Push latency: a session IDLEs on u1's INBOX; BENCH_IDLE_SAMPLES (200)
//      messages for u1 one at a time over LMTP; the time from the 250 after
//      DATA to the session's EXISTS (and from the end of DATA to EXISTS).
//
// Run: source scripts/test-env.sh && node --conditions=source --import tsx bench/lmtp-vs-dovecot.ts
// BENCH_TARGETS=kimap,dovecot chooses the servers; BENCH_FROM_SOURCE=1 runs kimap through tsx.
import { LmtpClient } from '@kimap/delivery/testing/lmtp-client';
import { ImapClient } from '../services/imap-edge/test/support/imap-client.js';
import { freePort, startService, type ServiceProcess } from '../e2e/src/cluster.js';
import { cpuMeter, type CpuGroup } from './lib/cpu.js';
import { table } from './lib/report.js';
import { PASSWORD, startDovecot, startKimap, userName, type Target } from './lib/targets.js';

const USERS = 100;
const CONNECTIONS = Number(process.env.BENCH_LMTP_CONNECTIONS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const IDLE_SAMPLES = Number(process.env.BENCH_IDLE_SAMPLES ?? 200);
const TARGETS = (process.env.BENCH_TARGETS ?? 'kimap,dovecot').split(',');
const log = (s: string) => console.error(s);

function message(n: number): string {
  const lines = Array.from({ length: 40 }, (_, i) => `Line ${i} of message ${n}: the quick brown fox jumps over the lazy dog, again.`);
  return (
    `From: Sender <sender@example.net>\r\nTo: list@bench.test\r\nSubject: bench message ${n}\r\n` +
    `Date: Thu, 1 Jan 2026 00:00:00 +0000\r\nMessage-ID: <bench-${n}-${process.pid}@example.net>\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${lines.join('\r\n')}\r\n`
  );
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** One transaction as Postfix sends it: MAIL, RCPTs and DATA pipelined; then the message. Returns the replies that are not 2xx/3xx. */
async function transaction(c: LmtpClient, recipients: string[], text: string, size: boolean): Promise<number> {
  c.write(
    `MAIL FROM:<sender@example.net>${size ? ` SIZE=${text.length}` : ''}\r\n${recipients.map((r) => `RCPT TO:<${r}>\r\n`).join('')}DATA\r\n`,
  );
  let failed = 0;
  let accepted = 0;
  if ((await c.reply()).code !== 250) failed++;
  for (let i = 0; i < recipients.length; i++) {
    if ((await c.reply()).code === 250) accepted++;
    else failed++;
  }
  const go = await c.reply();
  if (go.code !== 354) return failed + recipients.length;
  c.write(text.replace(/(^|\r\n)\./g, '$1..') + '.\r\n');
  for (let i = 0; i < accepted; i++) if ((await c.reply()).code !== 250) failed++;
  return failed;
}

interface Throughput {
  messages: number;
  /** CPU of the server's processes per message, ms (kimap: delivery, mailbox, edge; PostgreSQL and Kafka not counted). */
  cpuMsPerMessage: number;
  perSec: number;
  deliveriesPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

async function throughput(port: number, recipientsPer: number, groups: CpuGroup[]): Promise<Throughput> {
  let size = false;
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const { client } = await LmtpClient.open(port);
      const lhlo = await client.command('LHLO bench.example.net');
      if (lhlo.code !== 250) throw new Error('LHLO refused');
      // SIZE= only where offered, as Postfix does.
      size = /^SIZE\b/m.test(lhlo.text);
      return client;
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let messages = 0;
  let next = 0;
  let sent = 0;
  const cpu = cpuMeter(groups);
  const warmEnd = performance.now() + 1000;
  const end = warmEnd + SECONDS * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        const n = next++;
        const first = (n * recipientsPer) % USERS;
        const rcpts = Array.from({ length: recipientsPer }, (_, i) => userName(((first + i) % USERS) + 1));
        const t0 = performance.now();
        const failed = await transaction(c, rcpts, message(n), size);
        const t1 = performance.now();
        sent++;
        if (t0 < warmEnd) continue;
        if (t1 > end) break;
        latencies.push(t1 - t0);
        messages++;
        errors += failed;
      }
    }),
  );
  const use = cpu.done();
  log(
    `  CPU (cores) over ${use.wallSeconds.toFixed(1)} s, ${sent} messages: ${Object.entries(use.cores)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`,
  );
  const serverSeconds = groups.reduce((t, g) => t + (use.cores[g.name] ?? 0), 0) * use.wallSeconds;
  await Promise.all(clients.map((c) => c.quit().catch(() => c.close())));
  latencies.sort((a, b) => a - b);
  const perSec = messages / SECONDS;
  return {
    messages,
    cpuMsPerMessage: (serverSeconds * 1000) / sent,
    perSec,
    deliveriesPerSec: perSec * recipientsPer,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

interface PushLatency {
  fromReply: number[];
  fromData: number[];
}

async function pushLatency(imapPort: number, lmtpPort: number): Promise<PushLatency> {
  const { client: imap } = await ImapClient.connect(imapPort);
  await imap.command('l', `LOGIN ${userName(1)} ${PASSWORD}`, 30_000);
  await imap.command('s', 'SELECT INBOX', 30_000);
  imap.send('i IDLE\r\n');
  await imap.readLine(30_000);
  const { client: lmtp } = await LmtpClient.open(lmtpPort);
  await lmtp.command('LHLO bench.example.net');
  const out: PushLatency = { fromReply: [], fromData: [] };
  try {
    for (let n = 0; n < IDLE_SAMPLES; n++) {
      const text = message(n);
      lmtp.write(`MAIL FROM:<sender@example.net>\r\nRCPT TO:<${userName(1)}>\r\nDATA\r\n`);
      for (let i = 0; i < 3; i++) await lmtp.reply();
      const exists = (async () => {
        for (;;) {
          const line = await imap.readLine(10_000);
          if (line.text.endsWith(' EXISTS')) return performance.now();
        }
      })();
      lmtp.write(text + '.\r\n');
      const sent = performance.now();
      const done = await lmtp.reply();
      const replied = performance.now();
      if (done.code !== 250) throw new Error(`delivery refused: ${done.code} ${done.text}`);
      const seen = await exists;
      out.fromReply.push(Math.max(0, seen - replied));
      out.fromData.push(seen - sent);
    }
  } finally {
    imap.send('DONE\r\n');
    await imap.close();
    await lmtp.quit().catch(() => lmtp.close());
  }
  out.fromReply.sort((a, b) => a - b);
  out.fromData.sort((a, b) => a - b);
  return out;
}

async function main(): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const pushRows: Array<Array<string | number>> = [];
  for (const name of TARGETS) {
    let target: Target | undefined;
    let delivery: ServiceProcess | undefined;
    try {
      let lmtpPort: number;
      let groups: CpuGroup[];
      if (name === 'kimap') {
        const kimap = await startKimap({ users: USERS, log });
        target = kimap;
        lmtpPort = await freePort();
        delivery = await startService(
          'delivery',
          'services/delivery/src/main.ts',
          {
            ...kimap.env,
            MAILBOX_ADDRESS: kimap.mailboxAddress,
            LMTP_HOST: '127.0.0.1',
            LMTP_PORT: String(lmtpPort),
            LMTP_MAX_RECIPIENTS: '100',
          },
          { compiled: process.env.BENCH_FROM_SOURCE !== '1' },
        );
        log(`kimap: delivery pid ${delivery.child.pid} on 127.0.0.1:${lmtpPort}`);
        groups = [...kimap.cpuGroups(), { name: 'kimap delivery', pids: [delivery.child.pid!] }];
      } else {
        const dovecot = await startDovecot({ users: USERS, lmtp: true, log });
        target = dovecot;
        lmtpPort = dovecot.lmtpPort!;
        log(`dovecot: LMTP on 127.0.0.1:${lmtpPort}`);
        groups = dovecot.cpuGroups();
      }
      for (const r of [1, 50]) {
        const t = await throughput(lmtpPort, r, groups);
        log(`${name}, ${r} recipient(s): ${t.perSec.toFixed(1)} messages/s`);
        rows.push([name, String(r), t.perSec, t.deliveriesPerSec, t.p50, t.p99, t.cpuMsPerMessage, String(t.errors)]);
      }
      const p = await pushLatency(target.port, lmtpPort);
      pushRows.push([
        name,
        String(p.fromReply.length),
        percentile(p.fromReply, 50),
        percentile(p.fromReply, 99),
        percentile(p.fromData, 50),
        percentile(p.fromData, 99),
      ]);
    } finally {
      await delivery?.stop();
      await target?.stop();
    }
  }
  console.log(`\nLMTP deliveries, ${CONNECTIONS} connections, ${SECONDS} s each, a ${message(0).length}-byte message:\n`);
  console.log('(server CPU: kimap delivery + mailbox + edge processes, without PostgreSQL and Kafka; Dovecot: its whole process tree)\n');
  console.log(table(['server', 'recipients', 'messages/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'server CPU ms/message', 'errors'], rows));
  console.log(`\nIDLE push latency of a delivered message (one at a time):\n`);
  console.log(table(['server', 'samples', '250→EXISTS p50', 'p99', 'end of DATA→EXISTS p50', 'p99'], pushRows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
