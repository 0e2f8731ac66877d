// The edge's header cache: its LRU bound, and FETCHes answered with it against
// the real mailbox service and PostgreSQL (flags stay fresh, expunged
// messages stay out, UIDVALIDITY separates mailboxes of the same name).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createLogger, InProcessBus } from '@kimap/common';
import { createTestDatabase, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, startMailboxService, type RunningMailboxService } from '@kimap/mailbox';
import { GrpcBackend } from '../src/backend.js';
import { HeaderCache } from '../src/header-cache.js';
import type { Envelope, MessageStructure } from '@kimap/common/mime/index';
import { startEdge, type RunningEdge } from '../src/server.js';
import type { EdgeSettings } from './support/edge-harness.js';
import { appendSync, ImapClient } from './support/imap-client.js';

describe('HeaderCache', () => {
  const entry = (n: number, fill = 0x41) => ({ header: Buffer.alloc(n, fill), size: n * 2, internalDateMs: n });
  const HEADER = { header: true, envelope: false, structure: false };

  test('keeps copies, evicts the least recently used past its bytes, and says whether all of a list is held', () => {
    const cache = new HeaderCache(8 * (1000 + 400));
    const source = Buffer.alloc(8192, 0x42);
    cache.put(1, 7, 1, { header: source.subarray(0, 1000), size: 2000, internalDateMs: 5 });
    const held = cache.getAll(1, 7, [1], HEADER)!.get(1)!;
    assert.equal(held.header!.length, 1000);
    assert.notEqual(held.header!.buffer, source.buffer, 'a copy, not a view into the larger buffer');
    assert.deepEqual([held.size, held.internalDateMs], [2000, 5]);
    for (let uid = 2; uid <= 8; uid++) cache.put(1, 7, uid, entry(1000));
    assert.equal(cache.size, 8);
    assert.ok(cache.getAll(1, 7, [1, 2, 3, 4, 5, 6, 7, 8], HEADER));
    // A FETCH's snapshot: 1 becomes the most recently used, so 2 goes first.
    const snapshot = cache.getAll(1, 7, [1], HEADER)!;
    cache.put(1, 7, 9, entry(1000));
    assert.equal(cache.size, 8);
    assert.equal(cache.getAll(1, 7, [2], HEADER), undefined);
    assert.ok(cache.getAll(1, 7, [1, 3, 4, 5, 6, 7, 8, 9], HEADER));
    assert.equal(cache.getAll(1, 7, [1, 2], HEADER), undefined);
    // What the FETCH took stays with it whatever happens to the cache meanwhile.
    for (let uid = 10; uid <= 20; uid++) cache.put(1, 7, uid, entry(1000));
    assert.equal(cache.getAll(1, 7, [1], HEADER), undefined);
    assert.equal(snapshot.get(1)!.header!.length, 1000);
    assert.ok(cache.heldBytes <= cache.maxBytes);
    // Another UIDVALIDITY is another mailbox.
    assert.equal(cache.getAll(1, 8, [1], HEADER), undefined);
    // A header block bigger than an eighth of the cache is not kept.
    cache.put(1, 7, 30, entry(1200));
    assert.equal(cache.getAll(1, 7, [30], HEADER), undefined);
    assert.equal(cache.size, 8);
  });

  test('what different FETCHes brought of a message is kept together; a FETCH needing a part not held is a miss', () => {
    const cache = new HeaderCache(1 << 20);
    const envelope = { subject: 'x' } as unknown as Envelope;
    const bodyStructure = { type: 'text' } as unknown as MessageStructure;
    cache.put(2, 1, 5, { header: Buffer.from('Subject: x\r\n\r\n'), size: 40, internalDateMs: 1 });
    assert.ok(cache.getAll(2, 1, [5], { header: true, envelope: false, structure: false }));
    assert.equal(cache.getAll(2, 1, [5], { header: false, envelope: true, structure: false }), undefined);
    cache.put(2, 1, 5, { envelope, size: 40, internalDateMs: 1 });
    assert.ok(cache.getAll(2, 1, [5], { header: true, envelope: true, structure: false }));
    assert.equal(cache.getAll(2, 1, [5], { header: false, envelope: false, structure: true }), undefined);
    cache.put(2, 1, 5, { bodyStructure, size: 40, internalDateMs: 1 });
    const e = cache.getAll(2, 1, [5], { header: true, envelope: true, structure: true })!.get(5)!;
    assert.deepEqual([e.header!.toString(), e.envelope, e.bodyStructure], ['Subject: x\r\n\r\n', { subject: 'x' }, { type: 'text' }]);
    assert.equal(e.bodyStructure, bodyStructure, 'kept parsed, as given');
    // The structure carries the envelope: it answers ENVELOPE too.
    cache.put(2, 1, 6, { bodyStructure, size: 40, internalDateMs: 1 });
    assert.ok(cache.getAll(2, 1, [6], { header: false, envelope: true, structure: true }));
    // A parsed value is counted at 16 bytes an object, 8 a slot, 16 + 2 a character a string.
    const one = (chars: number) => 16 + 8 + 16 + 2 * chars;
    assert.equal(cache.heldBytes, 2 * 400 + 14 + one(1) + one(4) + one(4));
  });
});

const log = createLogger('header-cache-test', 'silent');
const settings: EdgeSettings = {
  hostname: 'test',
  allowPlaintextAuth: true,
  tlsAvailable: false,
  pollIntervalMs: 30_000,
  idleKeepaliveMs: 120_000,
  limits: { maxLineLength: 64 * 1024, appendLimit: 1_000_000, maxBadCommands: 20, preAuthTimeoutMs: 60_000, autologoutMs: 60_000 },
};

describe('FETCH of headers with the edge header cache (edge -> gRPC -> mailbox -> PostgreSQL)', () => {
  let tdb: TestDatabase;
  let bus: InProcessBus;
  let mailbox: RunningMailboxService;
  let backend: GrpcBackend;
  let edge: RunningEdge;
  const registry = new Registry();
  const clients: ImapClient[] = [];
  const user = `${uniqueName('hc')}@example.test`;

  before(async () => {
    tdb = await createTestDatabase();
    bus = new InProcessBus();
    mailbox = await startMailboxService({ db: tdb.db, publisher: bus, address: '127.0.0.1:0', log });
    backend = new GrpcBackend(`127.0.0.1:${mailbox.port}`);
    edge = await startEdge({ backend, subscriber: bus, settings, log, host: '127.0.0.1', imapPort: 0, registry });
    await addUser(tdb.db, user, 'pw', { createTenant: true });
  });

  after(async () => {
    for (const c of clients) await c.close();
    await edge?.stop(500);
    backend?.close();
    await mailbox?.stop();
    await bus?.close();
    await tdb?.drop();
  });

  async function session(): Promise<ImapClient> {
    const { client } = await ImapClient.connect(edge.imapPort!);
    clients.push(client);
    assert.match((await client.command('L', `LOGIN ${user} pw`)).tagged, /^L OK/);
    return client;
  }

  async function fetches(result: 'hit' | 'miss'): Promise<number> {
    const m = await registry.getSingleMetric('kimap_edge_header_cache_fetches_total')!.get();
    return m.values.find((v) => v.labels.result === result)?.value ?? 0;
  }

  const message = (i: number) =>
    Buffer.from(
      `From: sender${i}@example.test\r\nTo: rcpt@example.test\r\nSubject: message ${i}\r\nDate: Mon, 2 Mar 2026 10:0${i}:00 +0000\r\nX-Long: ${'x'.repeat(40 * i)}\r\n\r\nbody ${i}\r\n`,
    );

  const WINDOW = 'UID FETCH 1:5 (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (From Subject)] RFC822.HEADER)';

  test('a repeated FETCH is answered from the cache with the same bytes and the flags of the moment', async () => {
    const a = await session();
    const b = await session();
    const name = uniqueName('Hc');
    assert.match((await a.command('C', `CREATE ${name}`)).tagged, /OK/);
    for (let i = 1; i <= 5; i++) assert.match((await appendSync(a, `A${i}`, name, message(i))).tagged, /OK/);
    assert.match((await a.command('S', `SELECT ${name}`)).tagged, /OK/);
    const [hits0, misses0] = [await fetches('hit'), await fetches('miss')];

    const first = await a.command('F1', WINDOW);
    assert.equal(first.tagged, 'F1 OK UID FETCH completed');
    assert.equal(first.untagged.length, 5);
    assert.deepEqual([(await fetches('hit')) - hits0, (await fetches('miss')) - misses0], [0, 1]);
    const second = await a.command('F2', WINDOW);
    assert.deepEqual(
      second.untaggedRaw.map((l) => l.raw.toString('latin1')),
      first.untaggedRaw.map((l) => l.raw.toString('latin1')),
    );
    assert.deepEqual([(await fetches('hit')) - hits0, (await fetches('miss')) - misses0], [1, 1]);
    // By sequence numbers, the same messages, the same bytes.
    const bySeq = await a.command('F2s', WINDOW.replace('UID FETCH 1:5', 'FETCH 1:5'));
    assert.equal(bySeq.tagged, 'F2s OK FETCH completed');
    assert.deepEqual(
      bySeq.untaggedRaw.map((l) => l.raw.toString('latin1')),
      first.untaggedRaw.map((l) => l.raw.toString('latin1')),
    );
    assert.deepEqual([(await fetches('hit')) - hits0, (await fetches('miss')) - misses0], [2, 1]);
    assert.match(
      second.untagged[2]!,
      /^\* 3 FETCH \(UID 3 FLAGS \(\\Recent\) RFC822\.SIZE \d+ INTERNALDATE "[^"]+" BODY\[HEADER\.FIELDS \(From Subject\)\] \{\d+\}\r\nFrom: sender3@example\.test\r\nSubject: message 3\r\n\r\n RFC822\.HEADER \{\d+\}\r\nFrom: sender3/,
    );

    // Another session changes a flag and expunges a message; this one has not synced yet.
    assert.match((await b.command('S', `SELECT ${name}`)).tagged, /OK/);
    assert.match((await b.command('T', 'UID STORE 2 +FLAGS (\\Flagged)')).tagged, /OK/);
    assert.match((await b.command('D', 'UID STORE 4 +FLAGS.SILENT (\\Deleted)')).tagged, /OK/);
    assert.match((await b.command('E', 'EXPUNGE')).tagged, /OK/);
    const third = await a.command('F3', 'UID FETCH 1:5 (UID FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])');
    assert.equal((await fetches('hit')) - hits0, 3);
    const lines = third.untagged.filter((l) => / FETCH \(UID /.test(l) && l.includes('BODY['));
    assert.deepEqual(
      lines.map((l) =>
        l
          .match(/UID (\d+) FLAGS \(([^)]*)\)/)!
          .slice(1)
          .join(':'),
      ),
      // \Recent: this session's SELECT was the first to see them.
      ['1:\\Recent', '2:\\Flagged \\Recent', '3:\\Recent', '5:\\Recent'],
      'fresh flags, and the expunged message is not reported',
    );
    assert.match(lines[1]!, /Subject: message 2\r\n\r\n\)$/);
  });

  test('a FETCH that sets \\Seen, or one with a message not yet held, goes to the mailbox service', async () => {
    const a = await session();
    const name = uniqueName('Hs');
    assert.match((await a.command('C', `CREATE ${name}`)).tagged, /OK/);
    for (let i = 1; i <= 2; i++) assert.match((await appendSync(a, `A${i}`, name, message(i))).tagged, /OK/);
    assert.match((await a.command('S', `SELECT ${name}`)).tagged, /OK/);
    const [hits0, misses0] = [await fetches('hit'), await fetches('miss')];
    assert.match((await a.command('F1', 'UID FETCH 1 (BODY.PEEK[HEADER])')).tagged, /OK/);
    // UID 2 is not held yet: the whole FETCH goes to the service, and keeps it.
    assert.match((await a.command('F2', 'UID FETCH 1:2 (BODY.PEEK[HEADER])')).tagged, /OK/);
    assert.deepEqual([(await fetches('hit')) - hits0, (await fetches('miss')) - misses0], [0, 2]);
    // Not PEEK: sets \Seen, which the answer shows.
    const seen = await a.command('F3', 'UID FETCH 1:2 (BODY[HEADER.FIELDS (Subject)])');
    assert.deepEqual([(await fetches('hit')) - hits0, (await fetches('miss')) - misses0], [0, 2]);
    assert.ok(
      seen.untagged.every((l) => l.includes('\\Seen')),
      seen.untagged.join('\n'),
    );
    const again = await a.command('F4', 'UID FETCH 1:2 (FLAGS BODY.PEEK[HEADER])');
    assert.equal((await fetches('hit')) - hits0, 1);
    assert.ok(again.untagged.every((l) => l.includes('\\Seen')));
  });

  test('ENVELOPE and BODYSTRUCTURE fetched again are answered from the cache with the same bytes', async () => {
    const a = await session();
    const name = uniqueName('He');
    assert.match((await a.command('C', `CREATE ${name}`)).tagged, /OK/);
    for (let i = 1; i <= 3; i++) assert.match((await appendSync(a, `A${i}`, name, message(i))).tagged, /OK/);
    assert.match((await a.command('S', `SELECT ${name}`)).tagged, /OK/);
    const [hits0, misses0] = [await fetches('hit'), await fetches('miss')];
    const outlook = '1:3 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)';
    const first = await a.command('E1', `FETCH ${outlook}`);
    assert.equal(first.untagged.length, 3);
    assert.match(first.untagged[1]!, /ENVELOPE \("Mon, 2 Mar 2026 10:02:00 \+0000" "message 2" /);
    const second = await a.command('E2', `FETCH ${outlook}`);
    assert.deepEqual(second.untagged, first.untagged);
    // BODYSTRUCTURE is not held yet: a miss, which keeps it; then both come from the cache.
    const full = '1:3 (UID FLAGS ENVELOPE BODYSTRUCTURE)';
    const third = await a.command('E3', `FETCH ${full}`);
    const fourth = await a.command('E4', `FETCH ${full}`);
    assert.deepEqual(fourth.untagged, third.untagged);
    assert.match(fourth.untagged[0]!, /BODYSTRUCTURE \("TEXT" "PLAIN" /i);
    assert.deepEqual([(await fetches('hit')) - hits0, (await fetches('miss')) - misses0], [2, 2]);
  });

  test('a mailbox deleted and created again under the same name does not answer with the old headers', async () => {
    const a = await session();
    const name = uniqueName('Hr');
    assert.match((await a.command('C', `CREATE ${name}`)).tagged, /OK/);
    assert.match((await appendSync(a, 'A1', name, message(1))).tagged, /OK/);
    assert.match((await a.command('S', `SELECT ${name}`)).tagged, /OK/);
    assert.match((await a.command('F1', 'UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)])')).untagged[0]!, /message 1/);
    assert.match((await a.command('U', 'UNSELECT')).tagged, /OK/);
    assert.match((await a.command('X', `DELETE ${name}`)).tagged, /OK/);
    assert.match((await a.command('C2', `CREATE ${name}`)).tagged, /OK/);
    assert.match((await appendSync(a, 'A2', name, message(2))).tagged, /OK/);
    assert.match((await a.command('S2', `SELECT ${name}`)).tagged, /OK/);
    assert.match((await a.command('F2', 'UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)])')).untagged[0]!, /message 2/);
  });
});
