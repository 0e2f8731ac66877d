// The edge's header and body caches: their LRU bounds, and FETCHes answered
// with them against the real mailbox service and PostgreSQL (flags stay fresh,
// expunged messages stay out, UIDVALIDITY separates mailboxes of the same name,
// a FETCH that sets \Seen still stores it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createLogger, InProcessBus } from '@kimap/common';
import { createTestDatabase, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, startMailboxService, type RunningMailboxService } from '@kimap/mailbox';
import { GrpcBackend } from '../src/backend.js';
import { BodyCache } from '../src/body-cache.js';
import { HeaderCache } from '../src/header-cache.js';
import type { Envelope, MessageStructure } from '@kimap/common/mime/index';
import { startEdge, type RunningEdge } from '../src/server.js';
import { PLAINTEXT_SETTINGS } from './support/edge-harness.js';
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

describe('BodyCache', () => {
  test('keeps copies, evicts the least recently used past its bytes, and leaves out messages too big for it', () => {
    // 16,000 bytes, a message costing its length and 300 more; at most a sixteenth of it (1,000) per message.
    const cache = new BodyCache(16_000);
    const frame = Buffer.alloc(8192, 0x42);
    cache.put(3, 9, 1, frame.subarray(0, 600));
    const held = cache.getAll(3, 9, [1])!.get(1)!;
    assert.equal(held.length, 600);
    assert.notEqual(held.buffer, frame.buffer, 'a copy, not a view into the frame it came in');
    cache.put(3, 9, 2, Buffer.alloc(400, 0x43));
    cache.put(3, 9, 3, Buffer.alloc(400, 0x44));
    assert.equal(cache.getAll(3, 9, [2, 3])!.get(3)!.toString(), 'D'.repeat(400));
    cache.put(3, 9, 4, Buffer.alloc(701));
    assert.equal(cache.getAll(3, 9, [4]), undefined, 'over a sixteenth of the cache: not kept');
    cache.put(3, 9, 4, Buffer.alloc(0));
    assert.equal(cache.getAll(3, 9, [4]), undefined, 'no message is empty: nothing to keep');
    // 900 + 2 x 700 held; 20 more of 700 overflow it by 300: the least recently used (1) goes.
    for (let uid = 10; uid < 30; uid++) cache.put(3, 9, uid, Buffer.alloc(400));
    assert.ok(cache.heldBytes <= cache.maxBytes);
    assert.equal(cache.getAll(3, 9, [1]), undefined);
    assert.equal(cache.size, 22);
    assert.ok(cache.getAll(3, 9, [2, 3, 10, 29]));
    // A list with one message missing is a miss; another UIDVALIDITY is another mailbox.
    assert.equal(cache.getAll(3, 9, [2, 4]), undefined);
    assert.equal(cache.getAll(3, 10, [2]), undefined);
  });
});

const log = createLogger('edge-caches-test', 'silent');
const settings = PLAINTEXT_SETTINGS;

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

  async function counted(metric: string, label: string): Promise<number> {
    const m = await registry.getSingleMetric(metric)!.get();
    return m.values.find((v) => v.labels.result === label)?.value ?? 0;
  }
  /** From now on, the [hits, misses] a cache's metric counts (the header cache's, or the body cache's). */
  async function tally(cache: 'header' | 'body'): Promise<() => Promise<[number, number]>> {
    const metric = `kimap_edge_${cache}_cache_fetches_total`;
    const [hits0, misses0] = [await counted(metric, 'hit'), await counted(metric, 'miss')];
    return async () => [(await counted(metric, 'hit')) - hits0, (await counted(metric, 'miss')) - misses0];
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
    const fetches = await tally('header');

    const first = await a.command('F1', WINDOW);
    assert.equal(first.tagged, 'F1 OK UID FETCH completed');
    assert.equal(first.untagged.length, 5);
    assert.deepEqual(await fetches(), [0, 1]);
    const second = await a.command('F2', WINDOW);
    assert.deepEqual(
      second.untaggedRaw.map((l) => l.raw.toString('latin1')),
      first.untaggedRaw.map((l) => l.raw.toString('latin1')),
    );
    assert.deepEqual(await fetches(), [1, 1]);
    // By sequence numbers, the same messages, the same bytes.
    const bySeq = await a.command('F2s', WINDOW.replace('UID FETCH 1:5', 'FETCH 1:5'));
    assert.equal(bySeq.tagged, 'F2s OK FETCH completed');
    assert.deepEqual(
      bySeq.untaggedRaw.map((l) => l.raw.toString('latin1')),
      first.untaggedRaw.map((l) => l.raw.toString('latin1')),
    );
    assert.deepEqual(await fetches(), [2, 1]);
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
    assert.equal((await fetches())[0], 3);
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
    const fetches = await tally('header');
    assert.match((await a.command('F1', 'UID FETCH 1 (BODY.PEEK[HEADER])')).tagged, /OK/);
    // UID 2 is not held yet: the whole FETCH goes to the service, and keeps it.
    assert.match((await a.command('F2', 'UID FETCH 1:2 (BODY.PEEK[HEADER])')).tagged, /OK/);
    assert.deepEqual(await fetches(), [0, 2]);
    // Not PEEK: sets \Seen, which the answer shows.
    const seen = await a.command('F3', 'UID FETCH 1:2 (BODY[HEADER.FIELDS (Subject)])');
    assert.deepEqual(await fetches(), [0, 2]);
    assert.ok(
      seen.untagged.every((l) => l.includes('\\Seen')),
      seen.untagged.join('\n'),
    );
    const again = await a.command('F4', 'UID FETCH 1:2 (FLAGS BODY.PEEK[HEADER])');
    assert.equal((await fetches())[0], 1);
    assert.ok(again.untagged.every((l) => l.includes('\\Seen')));
  });

  test('ENVELOPE and BODYSTRUCTURE fetched again are answered from the cache with the same bytes', async () => {
    const a = await session();
    const name = uniqueName('He');
    assert.match((await a.command('C', `CREATE ${name}`)).tagged, /OK/);
    for (let i = 1; i <= 3; i++) assert.match((await appendSync(a, `A${i}`, name, message(i))).tagged, /OK/);
    assert.match((await a.command('S', `SELECT ${name}`)).tagged, /OK/);
    const fetches = await tally('header');
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
    assert.deepEqual(await fetches(), [2, 2]);
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

  test('message text fetched again comes from the body cache with the flags of the moment; \\Seen set still reaches the service', async () => {
    const a = await session();
    const b = await session();
    const name = uniqueName('Hb');
    assert.match((await a.command('C', `CREATE ${name}`)).tagged, /OK/);
    const multipart = (i: number) =>
      Buffer.from(
        `From: sender${i}@example.test\r\nSubject: parts ${i}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n` +
          `--b\r\nContent-Type: text/plain\r\n\r\nfirst part ${i}\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n`,
      );
    for (let i = 1; i <= 3; i++) assert.match((await appendSync(a, `A${i}`, name, multipart(i))).tagged, /OK/);
    assert.match((await a.command('S', `SELECT ${name}`)).tagged, /OK/);
    assert.match((await b.command('S', `SELECT ${name}`)).tagged, /OK/);
    const bodyFetches = await tally('body');
    const answeredByView = () => counted('kimap_edge_view_fetches_total', 'view');

    const open = 'UID FETCH 2 (UID FLAGS BODY.PEEK[])';
    const first = await a.command('B1', open);
    assert.equal(first.untagged.length, 1);
    assert.ok(first.untaggedRaw[0]!.raw.includes(multipart(2)), 'the message as stored');
    assert.deepEqual(await bodyFetches(), [0, 1]);
    // Another session of the edge opens it: the same bytes, without the service.
    const view0 = await answeredByView();
    const second = await b.command('B2', open);
    // The same line but for \Recent, which is the first session's.
    const withoutFlags = (r: { untaggedRaw: Array<{ raw: Buffer }> }) =>
      r.untaggedRaw.map((l) => l.raw.toString('latin1').replace(/FLAGS \([^)]*\)/, ''));
    assert.deepEqual(withoutFlags(second), withoutFlags(first));
    assert.deepEqual(await bodyFetches(), [1, 1]);
    assert.equal((await answeredByView()) - view0, 1, "the flags came from the edge's view");

    // A part and its decoded form need the structure: the header cache has none yet (a miss), then it does.
    const part = 'UID FETCH 2 (BODY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[2] RFC822.TEXT)';
    const p1 = await a.command('B3', part.replace('RFC822.TEXT', 'BODYSTRUCTURE'));
    assert.deepEqual(await bodyFetches(), [1, 2]);
    const p2 = await a.command('B4', part.replace('RFC822.TEXT', 'BODYSTRUCTURE'));
    assert.deepEqual(await bodyFetches(), [2, 2]);
    assert.deepEqual(
      p2.untaggedRaw.map((l) => l.raw.toString('latin1')),
      p1.untaggedRaw.map((l) => l.raw.toString('latin1')),
    );
    const text = p2.untaggedRaw[0]!.raw.toString('latin1');
    assert.match(text, /BODY\[1\] \{12\}\r\nfirst part 2 BINARY/);
    assert.ok(text.includes('BINARY[2] ~{3}\r\n\x00\x01\x02'), text);
    assert.match(text, /BINARY\.SIZE\[2\] 3/);

    // Flags changed and a message expunged by the other session: the cached text comes with today's flags.
    assert.match((await b.command('T', 'UID STORE 2 +FLAGS (\\Flagged)')).tagged, /OK/);
    assert.match((await a.command('B5', 'UID FETCH 3 (BODY.PEEK[])')).tagged, /OK/);
    assert.match((await b.command('D', 'UID STORE 3 +FLAGS.SILENT (\\Deleted)')).tagged, /OK/);
    assert.match((await b.command('E', 'EXPUNGE')).tagged, /OK/);
    const third = await a.command('B6', 'UID FETCH 2:3 (UID FLAGS BODY.PEEK[])');
    const lines = third.untagged.filter((l) => / FETCH \(UID /.test(l));
    assert.equal(lines.length, 1, 'the expunged message is not reported: ' + third.untagged.join('\n'));
    assert.match(lines[0]!, /^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Recent\) BODY\[\] \{/);
    assert.deepEqual(await bodyFetches(), [3, 3]);

    // Not PEEK: the service sets \Seen and says so; the other session learns of it.
    const seen = await a.command('B7', 'UID FETCH 1 (BODY[])');
    assert.match(seen.untagged[0]!, /FLAGS \([^)]*\\Seen/);
    assert.deepEqual(await bodyFetches(), [3, 3], 'not for the cache');
    const flags = await b.command('N', 'UID FETCH 1 (FLAGS)');
    assert.ok(
      flags.untagged.some((l) => /UID 1 .*\\Seen/.test(l) || /FLAGS \([^)]*\\Seen/.test(l)),
      flags.untagged.join('\n'),
    );
  });
});
