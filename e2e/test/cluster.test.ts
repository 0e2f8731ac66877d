// The whole cluster as separate processes: PostgreSQL, Kafka, two mailbox
// services, two IMAP edges, driven by a real IMAP client library.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { ensureTopic } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { freePort, metric, startService, tempDir, waitForMetric, type ServiceProcess } from '../src/cluster.js';
import { appendSync, ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

interface Edge {
  proc: ServiceProcess;
  imapPort: number;
  imapsPort: number;
}

describe('cluster: two edges, two mailbox services, PostgreSQL and Kafka', () => {
  let tdb: TestDatabase;
  const procs: ServiceProcess[] = [];
  const edges: Edge[] = [];
  const dir = tempDir('kimap-e2e-');
  const clients: ImapFlow[] = [];

  before(async () => {
    tdb = await createTestDatabase();
    await addUser(tdb.db, 'alice@example.test', 'alice-password', { createTenant: true });
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-e2e');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'e2e-setup' });
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic };
    const mailboxPorts = [await freePort(), await freePort()];
    for (const [i, port] of mailboxPorts.entries()) {
      procs.push(await startService(`mailbox-${i}`, 'services/mailbox/src/main.ts', { ...common, GRPC_LISTEN: `127.0.0.1:${port}` }));
    }
    for (const [i, port] of mailboxPorts.entries()) {
      const imapPort = await freePort();
      const imapsPort = await freePort();
      const proc = await startService(`edge-${i}`, 'services/imap-edge/src/main.ts', {
        ...common,
        MAILBOX_ADDRESS: `127.0.0.1:${port}`,
        KAFKA_GROUP_ID: uniqueName(`e2e-edge-${i}`),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(imapPort),
        IMAPS_PORT: String(imapsPort),
        DATA_DIR: dir.path,
        IMAP_HOSTNAME: 'localhost',
        CHANGE_POLL_INTERVAL_MS: '600000',
      });
      procs.push(proc);
      await waitForMetric(proc, 'kimap_change_feed_up', (v) => v === 1);
      edges.push({ proc, imapPort, imapsPort });
    }
  });

  after(async () => {
    for (const c of clients) await c.logout().catch(() => c.close());
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop();
    dir.remove();
  });

  function client(edge: Edge): ImapFlow {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: edge.imapsPort,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'alice@example.test', pass: 'alice-password' },
      logger: false,
    });
    clients.push(c);
    return c;
  }

  test('APPEND through edge A is seen by NOOP on edge B, and FETCH returns the exact bytes', async () => {
    const a = client(edges[0]!);
    const b = client(edges[1]!);
    await a.connect();
    await b.connect();
    const lock = await b.getMailboxLock('INBOX');
    try {
      const mailbox = b.mailbox;
      assert.ok(mailbox && typeof mailbox === 'object');
      const before = mailbox.exists;
      const raw = Buffer.concat([
        Buffer.from('From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\n'),
        Buffer.from('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
        Buffer.from('Gr\u00fc\u00dfe aus dem Cluster.\r\nZeile zwei.\r\n', 'utf8'),
      ]);
      const appended = await a.append('INBOX', raw, ['\\Flagged'], new Date('2024-05-06T07:08:09Z'));
      assert.ok(appended && appended.uid, 'APPENDUID returned');

      // Edge B learns of the message only through Kafka: its poll interval is ten minutes.
      let exists = before;
      const deadline = Date.now() + 10_000;
      while (exists === before && Date.now() < deadline) {
        await b.noop();
        exists = (b.mailbox as { exists: number }).exists;
        if (exists === before) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(exists, before + 1, 'NOOP on edge B reports the new EXISTS');
      assert.ok((await metric(edges[1]!.proc, 'kimap_change_events_received_total')) > 0, 'edge B received change events from Kafka');

      const msg = await b.fetchOne(
        String(appended.uid),
        { source: true, flags: true, internalDate: true, size: true, uid: true },
        { uid: true },
      );
      assert.ok(msg);
      assert.ok(Buffer.isBuffer(msg.source) && msg.source.equals(raw), 'FETCH BODY[] returns the exact bytes');
      assert.equal(msg.size, raw.length);
      assert.ok(msg.flags?.has('\\Flagged'));
      assert.equal(new Date(msg.internalDate as Date).toISOString(), '2024-05-06T07:08:09.000Z');
    } finally {
      lock.release();
    }
  });

  test('both edges list the same folders and a folder created through one shows on the other', async () => {
    const a = client(edges[0]!);
    const b = client(edges[1]!);
    await a.connect();
    await b.connect();
    await a.mailboxCreate('Projects/Kimap');
    const names = (await b.list()).map((m) => m.path).sort();
    assert.deepEqual(names, ['Archive', 'Drafts', 'INBOX', 'Junk', 'Projects', 'Projects/Kimap', 'Sent', 'Trash']);
    const drafts = (await b.list()).find((m) => m.path === 'Drafts');
    assert.equal(drafts?.specialUse, '\\Drafts');
  });

  test('concurrent appends through both edges get distinct ascending UIDs', async () => {
    const a = client(edges[0]!);
    const b = client(edges[1]!);
    await a.connect();
    await b.connect();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append('Archive', Buffer.from(`Subject: n${i}\r\n\r\nx${i}\r\n`))),
    );
    const uids = results.map((r) => (r && r.uid) || 0).sort((x, y) => x - y);
    assert.deepEqual(
      uids,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  test('a new message is \\Recent in exactly one of four sessions that SELECT it at once through both edges', async () => {
    const raw: ImapClient[] = [];
    try {
      const open = async (edge: Edge) => {
        const { client: c } = await ImapClient.connect(edge.imapsPort, { tls: true, timeoutMs: 10_000 });
        raw.push(c);
        assert.match((await c.command('l', 'LOGIN alice@example.test alice-password')).tagged, /^l OK/);
        return c;
      };
      const writer = await open(edges[0]!);
      const box = uniqueName('Recent');
      assert.match((await writer.command('c', `CREATE ${box}`)).tagged, /^c OK/);
      const sessions = await Promise.all([0, 1, 0, 1].map((i) => open(edges[i]!)));
      for (let round = 1; round <= 5; round++) {
        assert.match((await appendSync(writer, 'a', box, Buffer.from(`Subject: r${round}\r\n\r\nx\r\n`))).tagged, /^a OK/);
        const selected = await Promise.all(sessions.map((c) => c.command('s', `SELECT ${box}`)));
        const counts = selected.map((r) => Number(/^\* (\d+) RECENT$/m.exec(r.untagged.join('\n'))?.[1]));
        assert.deepEqual([...counts].sort(), [0, 0, 0, 1], `round ${round}: ${JSON.stringify(counts)}`);
        const flags = await Promise.all(sessions.map((c) => c.command('f', `FETCH ${round} FLAGS`)));
        assert.deepEqual(
          flags.map((f) => f.untagged.some((l) => l.includes('\\Recent'))),
          counts.map((n) => n === 1),
        );
        // Nothing selected while the next message arrives: only the next SELECTs race for it.
        await Promise.all(sessions.map((c) => c.command('u', 'UNSELECT')));
      }
    } finally {
      for (const c of raw) await c.close();
    }
  });
});
