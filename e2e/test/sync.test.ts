// Two-way sync across pods: IDLE on one edge sees changes made through
// another, Kafka outages degrade to polling, and the outbox survives a
// mailbox process killed between commit and publish. Real PostgreSQL, a real
// Kafka broker of the test's own, separate processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { freePort, metric, startService, tempDir, waitForMetric, type ServiceProcess } from '../src/cluster.js';
import { ownKafka, type OwnKafka } from '../src/kafka.js';
import { appendSync, ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

// While the change feed is up a session polls only every 10 minutes, so a
// notification within a test's timeout is a push; while it is down the edge
// polls every 5 s at most (connection.ts).
const POLL_MS = 600_000;
const OUTAGE_POLL_MS = 5000;
/** How long a push may take on a loaded machine; figures are for bench/, not for tests. */
const PUSH_TIMEOUT_MS = 15_000;
const USER = 'sync@example.test';
const PASS = 'sync-password';

const msg = (subject: string) => Buffer.from(`From: a@example.test\r\nSubject: ${subject}\r\n\r\n${subject}\r\n`);

describe('sync across edges (PostgreSQL, Kafka, separate processes)', () => {
  let tdb: TestDatabase;
  let kafka: OwnKafka;
  const dir = tempDir('kimap-sync-');
  let mailboxPort: number;
  let mailbox: ServiceProcess;
  const edges: Array<{ proc: ServiceProcess; port: number }> = [];
  const clients: ImapClient[] = [];
  let env: Record<string, string>;

  before(async () => {
    tdb = await createTestDatabase();
    await addUser(tdb.db, USER, PASS, { createTenant: true });
    kafka = await ownKafka(join(dir.path, 'kafka'));
    env = { DATABASE_URL: tdb.url, KAFKA_BROKERS: kafka.brokers, KAFKA_TOPIC: 'kimap.sync-test', OUTBOX_POLL_MS: '500' };
    mailboxPort = await freePort();
    mailbox = await startService('mailbox', 'services/mailbox/src/main.ts', { ...env, GRPC_LISTEN: `127.0.0.1:${mailboxPort}` });
    for (const name of ['edge-a', 'edge-b']) {
      const port = await freePort();
      const proc = await startService(name, 'services/imap-edge/src/main.ts', {
        ...env,
        MAILBOX_ADDRESS: `127.0.0.1:${mailboxPort}`,
        KAFKA_GROUP_ID: `${name}-${Date.now()}`,
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(port),
        IMAPS_PORT: String(await freePort()),
        DATA_DIR: dir.path,
        ALLOW_PLAINTEXT_AUTH: 'true',
        CHANGE_POLL_INTERVAL_MS: String(POLL_MS),
      });
      await waitForMetric(proc, 'kimap_change_feed_up', (v) => v === 1);
      edges.push({ proc, port });
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    for (const e of edges) await e.proc.stop();
    await mailbox?.stop();
    await kafka?.stop().catch(() => undefined);
    await tdb?.drop();
    dir.remove();
  });

  async function login(edge: number): Promise<ImapClient> {
    const { client } = await ImapClient.connect(edges[edge]!.port);
    clients.push(client);
    const r = await client.command('l', `LOGIN ${USER} ${PASS}`);
    assert.match(r.tagged, /^l OK/);
    return client;
  }

  async function idle(c: ImapClient, mailbox = 'INBOX'): Promise<void> {
    await c.command('s', `SELECT ${mailbox}`);
    c.send('i IDLE\r\n');
    assert.equal((await c.readLine()).text, '+ idling');
  }

  /** The next untagged line, skipping keep-alives, and how long it took. */
  async function next(c: ImapClient, timeoutMs: number): Promise<{ text: string; ms: number }> {
    const t0 = Date.now();
    for (;;) {
      const line = await c.readLine(timeoutMs - (Date.now() - t0));
      if (!line.text.startsWith('* OK Still here')) return { text: line.text, ms: Date.now() - t0 };
    }
  }

  test('IDLE on edge A sees APPEND, STORE, EXPUNGE and MOVE made through edge B, pushed', async () => {
    const a = await login(0);
    const b = await login(1);
    await appendSync(b, 'p1', 'INBOX', msg('one'));
    await appendSync(b, 'p2', 'INBOX', msg('two'));
    await idle(a);
    await b.command('s', 'SELECT INBOX');

    await appendSync(b, 'p3', 'INBOX', msg('three'));
    const exists = await next(a, PUSH_TIMEOUT_MS);
    assert.equal(exists.text, '* 3 EXISTS');

    await b.command('f', 'STORE 2 +FLAGS (\\Flagged)');
    const flags = await next(a, PUSH_TIMEOUT_MS);
    // A selected first, so the two messages already there are \Recent in its session
    // (IMAP4rev1); the third arrived while B had the mailbox selected, and is B's.
    assert.equal(flags.text, '* 2 FETCH (FLAGS (\\Flagged \\Recent))');

    await b.command('d', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.equal((await next(a, PUSH_TIMEOUT_MS)).text, '* 1 FETCH (FLAGS (\\Deleted \\Recent))');
    await b.command('x', 'EXPUNGE');
    const expunge = await next(a, PUSH_TIMEOUT_MS);
    assert.equal(expunge.text, '* 1 EXPUNGE');
    // The expunged message was one of A's two recent ones.
    assert.equal((await next(a, PUSH_TIMEOUT_MS)).text, '* 1 RECENT');

    const mv = await b.command('m', 'MOVE 2 Archive');
    assert.match(mv.tagged, /^m OK/);
    assert.equal((await next(a, PUSH_TIMEOUT_MS)).text, '* 2 EXPUNGE');

    // RENAME of a mailbox that is not selected shows nothing in IDLE; the next LIST on edge A has it.
    await b.command('c', 'CREATE Projects');
    await b.command('r', 'RENAME Projects Archive/Projects');
    await assert.rejects(a.readLine(1000), /timed out|Timeout|timeout/i);
    a.send('DONE\r\n');
    assert.equal((await a.readTagged('i')).tagged, 'i OK IDLE terminated');
    const list = await a.command('l', 'LIST "" "Archive/*"');
    assert.deepEqual(list.untagged, ['* LIST (\\HasNoChildren) "/" Archive/Projects']);
    const f = await a.command('f', 'FETCH 1:* (UID FLAGS)');
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 2 FLAGS (\\Flagged \\Recent))']);
    console.log(`push latency: EXISTS ${exists.ms} ms, FETCH ${flags.ms} ms, EXPUNGE ${expunge.ms} ms`);
  });

  test('Kafka stopped: IDLE is still told within the poll interval; after restart, push again', async () => {
    const a = await login(0);
    const b = await login(1);
    await idle(a, 'Drafts');
    await kafka.stop();
    await waitForMetric(edges[0]!.proc, 'kimap_change_feed_up', (v) => v === 0, 30_000);
    await appendSync(b, 'k1', 'Drafts', msg('during outage'));
    const polled = await next(a, OUTAGE_POLL_MS + PUSH_TIMEOUT_MS);
    assert.equal(polled.text, '* 1 EXISTS');
    // Nobody had Drafts selected when it arrived: A, which learns of it first, has it as \Recent.
    assert.equal((await next(a, PUSH_TIMEOUT_MS)).text, '* 1 RECENT');
    console.log(`notified by polling after ${polled.ms} ms (poll interval ${OUTAGE_POLL_MS} ms while the feed is down)`);

    await kafka.start();
    await waitForMetric(edges[0]!.proc, 'kimap_change_feed_up', (v) => v === 1, 90_000);
    // Let the relay publish what it held back during the outage.
    await new Promise((r) => setTimeout(r, 1500));
    const received = await metric(edges[0]!.proc, 'kimap_change_events_received_total');
    await appendSync(b, 'k2', 'Drafts', msg('after restart'));
    const pushed = await next(a, OUTAGE_POLL_MS + PUSH_TIMEOUT_MS);
    assert.equal(pushed.text, '* 2 EXISTS');
    assert.equal((await next(a, PUSH_TIMEOUT_MS)).text, '* 2 RECENT');
    console.log(`after the restart: notified after ${pushed.ms} ms`);
    // Pushed again: the edge had the event from Kafka (a poll left over from the outage may have raced it).
    await waitForMetric(edges[0]!.proc, 'kimap_change_events_received_total', (v) => v > received, 30_000);
    a.send('DONE\r\n');
    await a.readTagged('i');
  });

  test('a mailbox process killed after commit and before publish: its event still arrives', async () => {
    const b = await login(1);
    await kafka.stop();
    await waitForMetric(edges[0]!.proc, 'kimap_change_feed_up', (v) => v === 0, 30_000);
    const before = await metric(edges[0]!.proc, 'kimap_change_events_received_total');
    await appendSync(b, 'z1', 'Junk', msg('committed, not published'));
    const unsent = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM outbox WHERE sent_at IS NULL');
    assert.ok(unsent.rows[0]!.n >= 1, 'the event waits in the outbox');
    await mailbox.stop('SIGKILL');
    await kafka.start();
    // The edge's consumer back first, so that the 30 s below measure the relay
    // and the delivery, not the consumer's reconnection (a consumer started
    // again goes on from where it was: services/common/test/events.test.ts).
    await waitForMetric(edges[0]!.proc, 'kimap_change_feed_up', (v) => v === 1, 90_000);
    mailbox = await startService('mailbox-2', 'services/mailbox/src/main.ts', { ...env, GRPC_LISTEN: `127.0.0.1:${mailboxPort}` });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const left = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM outbox WHERE sent_at IS NULL');
      if (left.rows[0]!.n === 0) break;
      assert.ok(Date.now() < deadline, 'the new mailbox process relays the leftover events');
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitForMetric(edges[0]!.proc, 'kimap_change_events_received_total', (v) => v > before, 30_000);
  });

  test('QRESYNC through another edge after a disconnect: exactly the flags changed and UIDs vanished', async () => {
    const a = await login(0);
    await a.command('e', 'ENABLE QRESYNC');
    const sel = await a.command('s', 'SELECT Sent');
    const v = Number(/UIDVALIDITY (\d+)/.exec(sel.untagged.join('\n'))![1]);
    for (const n of ['1', '2', '3', '4']) await appendSync(a, 'q' + n, 'Sent', msg('sent ' + n));
    const hms = Number(/HIGHESTMODSEQ (\d+)/.exec((await a.command('t', 'STATUS Sent (HIGHESTMODSEQ)')).untagged[0]!)![1]);
    await a.close();
    const b = await login(1);
    await b.command('s', 'SELECT Sent');
    await b.command('f', 'STORE 3 +FLAGS (\\Answered)');
    await b.command('d', 'STORE 1 +FLAGS (\\Deleted)');
    await b.command('x', 'EXPUNGE');
    const c = await login(1);
    await c.command('e', 'ENABLE QRESYNC');
    const r = await c.command('s', `SELECT Sent (QRESYNC (${v} ${hms} 1:4))`);
    const resync = r.untagged.filter((l) => l.startsWith('* VANISHED') || / FETCH /.test(l));
    assert.equal(resync.length, 2, r.untagged.join('\n'));
    assert.equal(resync[0], '* VANISHED (EARLIER) 1');
    assert.match(resync[1]!, /^\* 2 FETCH \(UID 3 FLAGS \(\\Answered\) MODSEQ \(\d+\)\)$/);
  });
});
