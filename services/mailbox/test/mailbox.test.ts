// MailboxService against a real PostgreSQL, through real gRPC.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, createMailboxClient, InProcessBus, type ChangeEvent, type MailboxServiceClient } from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '../src/store/accounts.js';
import { storeFlags } from '../src/store/flags.js';
import { appendMessages, fetchColumnPages, type MessageColumns } from '../src/store/messages.js';
import { removeMessages } from '../src/store/expunge.js';
import { readChanges } from '../src/store/changes.js';
import { createMailbox } from '../src/store/mailboxes.js';
import { renameMailbox } from '../src/store/mailboxes.js';
import { Registry } from 'prom-client';
import { startMailboxService, type RunningMailboxService } from '../src/server.js';
import { openDatabase, type Database } from '@kimap/common';
import { collect } from './support/stream.js';

const log = createLogger('test', 'silent');

function call<Req, Res>(client: MailboxServiceClient, method: string, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (r: Req, cb: (e: Error | null, v: Res) => void) => void>)[method]!.call(client, req, (e, v) =>
      e ? reject(e) : resolve(v),
    );
  });
}

describe('mailbox service on PostgreSQL', () => {
  let tdb: TestDatabase;
  let secondDb: Database;
  let a: RunningMailboxService;
  let b: RunningMailboxService;
  let clientA: MailboxServiceClient;
  let clientB: MailboxServiceClient;
  const bus = new InProcessBus();
  const events: ChangeEvent[] = [];
  let account: { accountId: number; tenantId: number };

  before(async () => {
    tdb = await createTestDatabase();
    // Two instances with their own connection pools: concurrency is real.
    secondDb = await openDatabase(tdb.url, { max: 20 });
    a = await startMailboxService({ db: tdb.db, publisher: bus, address: '127.0.0.1:0', log });
    b = await startMailboxService({ db: secondDb, publisher: bus, address: '127.0.0.1:0', log });
    clientA = createMailboxClient(`127.0.0.1:${a.port}`);
    clientB = createMailboxClient(`127.0.0.1:${b.port}`);
    await bus.subscribe((e) => events.push(e));
    const acc = await addUser(tdb.db, 'alice@example.test', 'secret-pass', { createTenant: true });
    account = { accountId: acc.accountId, tenantId: acc.tenantId };
  });

  after(async () => {
    clientA.close();
    clientB.close();
    await a.stop();
    await b.stop();
    await secondDb.close();
    await tdb.drop();
  });

  test('authenticates with the right password only', async () => {
    const ok = await call<unknown, { account: { accountId: number }; username: string }>(clientA, 'Authenticate', {
      username: 'Alice@Example.test',
      password: 'secret-pass',
    });
    assert.equal(ok.account.accountId, account.accountId);
    assert.equal(ok.username, 'alice@example.test');
    await assert.rejects(
      call(clientA, 'Authenticate', { username: 'alice@example.test', password: 'wrong' }),
      /UNAUTHENTICATED|Authentication failed/,
    );
    await assert.rejects(call(clientA, 'Authenticate', { username: 'nobody@example.test', password: 'x' }), /Authentication failed/);
  });

  test('new accounts have the special-use folders', async () => {
    const res = await call<unknown, { mailboxes: Array<{ name: string; specialUse: string }> }>(clientA, 'ListMailboxes', { account });
    const map = Object.fromEntries(res.mailboxes.map((m) => [m.name, m.specialUse]));
    assert.deepEqual(map, { Archive: '\\Archive', Drafts: '\\Drafts', INBOX: '', Junk: '\\Junk', Sent: '\\Sent', Trash: '\\Trash' });
  });

  test('create makes parents, refuses duplicates and bad names', async () => {
    await call(clientA, 'CreateMailbox', { account, name: 'Projects/2026/Q4' });
    const res = await call<unknown, { mailboxes: Array<{ name: string; hasChildren: boolean }> }>(clientA, 'ListMailboxes', { account });
    const names = res.mailboxes.map((m) => m.name);
    assert.ok(names.includes('Projects') && names.includes('Projects/2026') && names.includes('Projects/2026/Q4'));
    assert.equal(res.mailboxes.find((m) => m.name === 'Projects')!.hasChildren, true);
    await assert.rejects(call(clientB, 'CreateMailbox', { account, name: 'Projects/2026/Q4' }), /ALREADY_EXISTS|exists/);
    await assert.rejects(call(clientB, 'CreateMailbox', { account, name: 'inbox' }), /exists/);
    await assert.rejects(call(clientB, 'CreateMailbox', { account, name: 'a//b' }), /empty hierarchy/);
    await assert.rejects(call(clientB, 'CreateMailbox', { account, name: 'bad*' }), /forbidden/);
  });

  test('50 concurrent appends through two instances get 50 distinct ascending UIDs and MODSEQs', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call<unknown, { uids: number[]; modseq: number; uidvalidity: number }>(i % 2 ? clientA : clientB, 'Append', {
          account,
          mailbox: 'INBOX',
          items: [{ flags: i % 3 === 0 ? ['\\Seen'] : [], message: Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n`) }],
        }),
      ),
    );
    const uids = results.map((r) => r.uids[0]!).sort((x, y) => x - y);
    assert.deepEqual(
      uids,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const modseqs = new Set(results.map((r) => r.modseq));
    assert.equal(modseqs.size, 50);
    // MODSEQ order follows UID order: both come from the same locked row update.
    const byUid = [...results].sort((x, y) => x.uids[0]! - y.uids[0]!);
    for (let i = 1; i < byUid.length; i++) assert.ok(byUid[i]!.modseq > byUid[i - 1]!.modseq);
    assert.equal(new Set(results.map((r) => r.uidvalidity)).size, 1);

    const sel = await collect<{
      status?: { messages: number; uidnext: number; highestmodseq: number };
      runs?: { first: number[]; last: number[] };
    }>(clientA, 'Select', { account, name: 'inbox' });
    assert.equal(sel[0]!.status!.messages, 50);
    assert.equal(sel[0]!.status!.uidnext, 51);
    assert.equal(sel[0]!.status!.highestmodseq, byUid[49]!.modseq);
    // Consecutive UIDs travel as one run.
    assert.deepEqual(
      sel.slice(1).map((c) => c.runs),
      [{ first: [1], last: [50] }],
    );
  });

  test('append to a missing mailbox is refused with TRYCREATE and writes nothing', async () => {
    const before = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM message_bodies');
    await assert.rejects(
      call(clientA, 'Append', { account, mailbox: 'Nope', items: [{ message: Buffer.from('x') }] }),
      (err: { code: number; metadata: { get(k: string): unknown[] } }) => {
        assert.equal(err.code, 5);
        assert.deepEqual(err.metadata.get('imap-code'), ['TRYCREATE']);
        return true;
      },
    );
    const after = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM message_bodies');
    assert.equal(after.rows[0]!.n, before.rows[0]!.n);
  });

  test('fetch streams exact bytes, flags and sizes; bodies are stored once', async () => {
    const body = Buffer.concat([Buffer.from('Subject: binary\r\n\r\n'), Buffer.from([0, 1, 2, 255, 13, 10])]);
    const appended = await call<unknown, { uids: number[]; mailboxId: number }>(clientA, 'Append', {
      account,
      mailbox: 'Drafts',
      items: [{ flags: ['\\Draft', 'custom'], message: body, internalDateMs: Date.UTC(2024, 0, 2, 3, 4, 5) }],
    });
    await call(clientB, 'Append', { account, mailbox: 'Sent', items: [{ message: body }] });
    const rows = (
      await collect<{ messages: Array<{ uid: number; raw: Buffer; flags: string[]; size: number; internalDateMs: number }> }>(
        clientB,
        'Fetch',
        {
          account,
          mailboxId: appended.mailboxId,
          uids: [{ first: 1, last: 0 }],
          raw: true,
          flags: true,
          size: true,
        },
      )
    ).flatMap((b) => b.messages);
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.raw.equals(body));
    assert.deepEqual(rows[0]!.flags, ['\\Draft', 'custom']);
    assert.equal(rows[0]!.size, body.length);
    assert.equal(rows[0]!.internalDateMs, Date.UTC(2024, 0, 2, 3, 4, 5));
    const bodies = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM message_bodies WHERE body_hash = sha256($1)', [
      body,
    ]);
    assert.equal(bodies.rows[0]!.n, 1);
  });

  test('fetch of many messages streams them all in UID order', async () => {
    const batches = await collect<{ messages: Array<{ uid: number; raw: Buffer }> }>(clientA, 'Fetch', {
      account,
      mailboxId: await inboxId(),
      uids: [{ first: 1, last: 0 }],
      raw: true,
    });
    assert.ok(batches.length < 50, 'several messages per stream message');
    const inbox = batches.flatMap((b) => b.messages);
    assert.equal(inbox.length, 50);
    assert.deepEqual(
      inbox.map((m) => m.uid),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.match(inbox[9]!.raw.toString(), /^Subject: m\d+\r\n\r\nbody \d+\r\n$/);
  });

  test('every change wrote an outbox event that the relay published', async () => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const { rows } = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM outbox WHERE sent_at IS NULL');
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const total = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM outbox');
    const appends = events.filter((e) => e.kind === 'append' && e.accountId === account.accountId);
    assert.equal(appends.length, 52);
    assert.ok(total.rows[0]!.n >= 52);
  });

  test('changes since a MODSEQ', async () => {
    const id = await inboxId();
    const parts = await collect<{ status: { highestmodseq: number } | null; changed: Array<{ uid: number }> }>(clientA, 'GetChanges', {
      account,
      mailboxId: id,
      sinceModseq: 40,
    });
    assert.equal(parts.length, 1);
    assert.ok(parts[0]!.status!.highestmodseq >= 51);
    assert.ok(parts[0]!.changed.length > 0);
    assert.ok(parts[0]!.changed.every((m) => m.uid >= 39));
  });

  test('changes past the read limit are read again without it: none is cut off, on either side', async () => {
    const other = await addUser(tdb.db, 'changes@example.test', 'secret-pass');
    const items = Array.from({ length: 8 }, (_, i) => ({
      flags: [],
      internalDateMs: Date.now(),
      message: Buffer.from(`Subject: c${i}\r\n\r\nbody\r\n`),
    }));
    const { mailboxId } = await appendMessages(tdb.db, other.accountId, 'INBOX', items);
    await storeFlags(tdb.db, other.accountId, mailboxId, [{ first: 5, last: 6 }], 'add', ['\\Seen']);
    await removeMessages(tdb.db, other.accountId, mailboxId, { ranges: [{ first: 1, last: 4 }], deletedOnly: false });
    const all = await readChanges(tdb.db, other.accountId, mailboxId, 0);
    assert.deepEqual(
      all!.changed.map((m) => m.uid),
      [5, 6, 7, 8],
    );
    assert.deepEqual(all!.expunged, [1, 2, 3, 4]);
    assert.deepEqual(
      all!.changed.filter((m) => m.flags.includes('\\Seen')).map((m) => m.uid),
      [5, 6],
    );
    // A limit below both sides' counts, and one below the expunged side's only.
    assert.deepEqual(await readChanges(tdb.db, other.accountId, mailboxId, 0, 3), all);
    const since = Math.max(...all!.changed.map((m) => m.modseq));
    const recent = await readChanges(tdb.db, other.accountId, mailboxId, since, 3);
    assert.deepEqual(recent!.changed, []);
    assert.deepEqual(recent!.expunged, [1, 2, 3, 4]);
    assert.equal(await readChanges(tdb.db, other.accountId, 999_999, 0), undefined);
  });

  test('fetch in columns: the n-th entry of each column is the n-th message; what was not asked for is left out', async () => {
    const id = await inboxId();
    await storeFlags(tdb.db, account.accountId, id, [{ first: 5, last: 9 }], 'add', ['\\Seen', '$Label1']);
    await storeFlags(tdb.db, account.accountId, id, [{ first: 7, last: 7 }], 'add', ['\\Flagged']);
    type Msg = { uid: number; modseq: number; flags: string[]; size: number; internalDateMs: number };
    const range = {
      account,
      mailboxId: id,
      uids: [
        { first: 3, last: 12 },
        { first: 30, last: 31 },
      ],
      flags: true,
    };
    const expected = (await collect<{ messages: Msg[] }>(clientA, 'Fetch', { ...range, size: true, internalDate: true })).flatMap(
      (b) => b.messages,
    );
    type Cols = { count: number; uids: Buffer; modseqs: Buffer; internalDatesMs: Buffer; sizes: Buffer; flags: string };
    const parts = await collect<{ messages: Msg[]; columns: Cols | null }>(clientB, 'Fetch', {
      ...range,
      columns: true,
      modseq: true,
      size: true,
    });
    assert.equal(parts.length, 1);
    assert.deepEqual(parts[0]!.messages, []);
    const c = parts[0]!.columns!;
    const num = (col: Buffer, i: number) => Number(col.readBigUInt64BE(i * 8));
    const lines = c.flags.split('\n');
    const got = Array.from({ length: c.count }, (_, i) => ({
      uid: num(c.uids, i),
      modseq: num(c.modseqs, i),
      flags: lines[i] ? lines[i].split(' ') : [],
      size: num(c.sizes, i),
    }));
    assert.deepEqual(
      got,
      expected.map((m) => ({ uid: m.uid, modseq: m.modseq, flags: m.flags, size: m.size })),
    );
    assert.equal(c.internalDatesMs.length, 0, 'INTERNALDATE was not asked for');
    assert.deepEqual(got.find((m) => m.uid === 7)!.flags.sort(), ['$Label1', '\\Flagged', '\\Seen']);
    // Page after page (keyset), with CHANGEDSINCE, and dates to the millisecond.
    const pages: MessageColumns[] = [];
    for await (const page of fetchColumnPages(tdb.db, account.accountId, id, [{ first: 1, last: 0 }], { internalDate: true, pageSize: 3 }))
      pages.push(page);
    assert.deepEqual(
      pages.map((p) => p.count),
      [...Array<number>(16).fill(3), 2],
    );
    const uids = pages.flatMap((p) => Array.from({ length: p.count }, (_, i) => num(p.uids, i)));
    assert.deepEqual(
      uids,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      pages.flatMap((p) => Array.from({ length: p.count }, (_, i) => num(p.internalDatesMs, i))).slice(2, 12),
      expected.slice(0, 10).map((m) => m.internalDateMs),
    );
    const since = Math.min(...got.filter((m) => m.uid === 7).map((m) => m.modseq)) - 1;
    const changed: number[] = [];
    for await (const page of fetchColumnPages(tdb.db, account.accountId, id, [{ first: 1, last: 0 }], {
      changedSince: since,
      pageSize: 2,
    })) {
      for (let i = 0; i < page.count; i++) changed.push(num(page.uids, i));
    }
    assert.deepEqual(changed, [7]);
  });

  async function inboxId(): Promise<number> {
    const { rows } = await tdb.db.query<{ mailbox_id: number }>(
      "SELECT mailbox_id FROM mailboxes WHERE account_id = $1 AND name = 'INBOX'",
      [account.accountId],
    );
    return rows[0]!.mailbox_id;
  }
});

describe('SELECT of a mailbox the metadata cache holds', () => {
  let tdb: TestDatabase;
  let svc: RunningMailboxService;
  let client: MailboxServiceClient;
  let account: { accountId: number; tenantId: number };
  const registry = new Registry();
  const hits = async () => (await registry.getSingleMetricAsString('kimap_metadata_cache_hits_total')).match(/ (\d+)$/m)?.[1];
  type Sel = { status?: { mailboxId: number; messages: number; uidnext: number }; runs?: { first: number[]; last: number[] } };
  const select = async (name: string) => {
    const parts = await collect<Sel>(client, 'Select', { account, name });
    return { status: parts[0]!.status!, first: parts.flatMap((p) => p.runs?.first ?? []), last: parts.flatMap((p) => p.runs?.last ?? []) };
  };
  const items = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({
      flags: [],
      internalDateMs: Date.now(),
      message: Buffer.from(`Subject: ${tag} ${i}\r\n\r\nbody\r\n`),
    }));

  before(async () => {
    tdb = await createTestDatabase();
    svc = await startMailboxService({
      db: tdb.db,
      publisher: new InProcessBus(),
      address: '127.0.0.1:0',
      log,
      registry,
      metadataCache: { minMessages: 5, maxMessages: 100_000 },
    });
    client = createMailboxClient(`127.0.0.1:${svc.port}`);
    const acc = await addUser(tdb.db, 'select@example.test', 'secret-pass', { createTenant: true });
    account = { accountId: acc.accountId, tenantId: acc.tenantId };
  });

  after(async () => {
    client.close();
    await svc.stop();
    await tdb.drop();
  });

  test('answers from memory, and a name that now names another mailbox is not answered with the old one', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, account.accountId, 'Big', null));
    const big = await appendMessages(tdb.db, account.accountId, 'Big', items(8, 'big'));
    // A whole-mailbox FETCH of the flags reads it into the cache.
    await collect(client, 'Fetch', { account, mailboxId: big.mailboxId, uids: [{ first: 1, last: 0 }], columns: true });
    const first = await select('Big');
    const second = await select('Big');
    assert.equal(second.status.mailboxId, big.mailboxId);
    assert.deepEqual([first.first, first.last], [[1], [8]]);
    assert.deepEqual([second.first, second.last], [[1], [8]]);
    const before = Number(await hits());
    assert.ok(before >= 2, `hits ${before}`);
    // The name moves to another mailbox: RENAME, then a new "Big" with other messages.
    await tdb.db.transaction((tx) => renameMailbox(tx, account.accountId, 'Big', 'Old'));
    await tdb.db.transaction((tx) => createMailbox(tx, account.accountId, 'Big', null));
    await appendMessages(tdb.db, account.accountId, 'Big', items(6, 'new'));
    await appendMessages(tdb.db, account.accountId, 'Big', items(1, 'newer'));
    const now = await select('Big');
    assert.notEqual(now.status.mailboxId, big.mailboxId);
    assert.equal(now.status.messages, 7);
    assert.deepEqual([now.first, now.last], [[1], [7]]);
    const old = await select('Old');
    assert.equal(old.status.mailboxId, big.mailboxId);
    assert.deepEqual([old.first, old.last], [[1], [8]]);
  });
});
