// The metadata cache against fresh reads of the rows, on a real PostgreSQL:
// after every kind of change, made by anyone, in any order, it answers what
// reading the mailbox would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '../src/store/accounts.js';
import { appendMessages, fetchColumnPages, type MessageColumns } from '../src/store/messages.js';
import type { UidRange } from '../src/store/sql.js';
import { storeFlags } from '../src/store/flags.js';
import { removeMessages } from '../src/store/expunge.js';
import { copyMessages } from '../src/store/copy.js';
import { createMailbox, findMailbox } from '../src/store/mailboxes.js';
import { MetadataCache } from '../src/store/metadata-cache.js';

interface Row {
  uid: number;
  modseq: number;
  flags: string;
}

function rows(pages: MessageColumns[], withModseq = true): Row[] {
  const out: Row[] = [];
  for (const p of pages) {
    const lines = p.count ? p.flags.split('\n') : [];
    for (let i = 0; i < p.count; i++) {
      out.push({
        uid: Number(p.uids.readBigUInt64BE(i * 8)),
        modseq: withModseq ? Number(p.modseqs.readBigUInt64BE(i * 8)) : 0,
        flags: lines[i]!,
      });
    }
  }
  return out;
}

/** All the pages a cache gives (undefined: not kept). */
async function read(cache: MetadataCache, ...args: Parameters<MetadataCache['pages']>): Promise<MessageColumns[] | undefined> {
  const pages = await cache.pages(...args);
  if (!pages) return undefined;
  const out: MessageColumns[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('metadata cache', () => {
  let tdb: TestDatabase;
  let accountId: number;

  before(async () => {
    tdb = await createTestDatabase();
    accountId = (await addUser(tdb.db, 'cache@example.test', 'cache-password', { createTenant: true })).accountId;
  });
  after(() => tdb.drop());

  const append = (mailbox: string, n: number, flags: string[] = []) =>
    appendMessages(
      tdb.db,
      accountId,
      mailbox,
      Array.from({ length: n }, (_, i) => ({
        flags,
        internalDateMs: Date.now(),
        message: Buffer.from(`Subject: ${mailbox} ${i} ${Math.random()}\r\n\r\nbody\r\n`),
      })),
    );
  const fresh = async (mailboxId: number, ranges: UidRange[], changedSince = 0) => {
    const pages: MessageColumns[] = [];
    for await (const p of fetchColumnPages(tdb.db, accountId, mailboxId, ranges, { modseq: true, changedSince })) pages.push(p);
    return rows(pages);
  };

  test('answers as fresh reads do through appends, flag changes, expunges, moves in and out, from two caches', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Big', null));
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Other', null));
    await append('Big', 40, ['\\Seen']);
    await append('Other', 10);
    const big = (await findMailbox(tdb.db, accountId, 'Big')).mailboxId;
    const other = (await findMailbox(tdb.db, accountId, 'Other')).mailboxId;
    // Two service instances: each its own cache, the changes made elsewhere.
    const caches = [
      new MetadataCache({ minMessages: 5, maxMessages: 1000, pageSize: 7 }),
      new MetadataCache({ minMessages: 5, maxMessages: 1000 }),
    ];
    const r = rng(7);
    for (let step = 0; step < 60; step++) {
      const op = Math.floor(r() * 6);
      const lo = 1 + Math.floor(r() * 60);
      const range = [{ first: lo, last: lo + Math.floor(r() * 8) }];
      if (op === 0) await append('Big', 1 + Math.floor(r() * 3), r() < 0.5 ? ['$Label1'] : []);
      else if (op === 1) await storeFlags(tdb.db, accountId, big, range, r() < 0.5 ? 'add' : 'remove', ['\\Flagged', 'Work']);
      else if (op === 2) {
        await storeFlags(tdb.db, accountId, big, range, 'add', ['\\Deleted']);
        await removeMessages(tdb.db, accountId, big, { deletedOnly: true });
      } else if (op === 3) await tdb.db.transaction((tx) => copyMessages(tx, accountId, big, range, 'Other', true));
      else if (op === 4) await tdb.db.transaction((tx) => copyMessages(tx, accountId, other, [{ first: 1, last: 0 }], 'Big', r() < 0.5));
      else await storeFlags(tdb.db, accountId, big, [{ first: 1, last: 0 }], 'replace', r() < 0.5 ? ['\\Seen'] : []);
      // Either cache, whole mailbox or ranges, with or without CHANGEDSINCE.
      const cache = caches[Math.floor(r() * 2)]!;
      const ranges =
        r() < 0.5
          ? [{ first: 1, last: 0 }]
          : [
              { first: 3, last: 20 },
              { first: 30 + Math.floor(r() * 40), last: 0 },
            ];
      const box = await findMailbox(tdb.db, accountId, 'Big');
      const since = r() < 0.3 ? Math.max(0, box.highestmodseq - 3) : 0;
      const got = await read(cache, tdb.db, accountId, big, ranges, { changedSince: since });
      if ((await fresh(big, [{ first: 1, last: 0 }])).length < 5) assert.equal(got, undefined, 'too small to be kept');
      else assert.deepEqual(rows(got!), await fresh(big, ranges, since), `step ${step}, op ${op}`);
    }
    assert.deepEqual(
      caches.map((c) => c.mismatches),
      [0, 0],
      'every update agreed with the count in the mailbox row',
    );
    assert.ok(
      caches.every((c) => c.hits + c.loads > 20),
      'both caches answered',
    );
    assert.ok(
      caches.every((c) => c.loads < c.hits),
      'mostly brought up to date, not read again',
    );
  });

  test('reads the mailbox again when the tombstones it needs are gone, and forgets what does not fit', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Purged', null));
    await append('Purged', 20);
    const id = (await findMailbox(tdb.db, accountId, 'Purged')).mailboxId;
    const cache = new MetadataCache({ minMessages: 5, maxMessages: 30 });
    await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    assert.equal(cache.loads, 1);
    await storeFlags(tdb.db, accountId, id, [{ first: 2, last: 4 }], 'add', ['\\Deleted']);
    await removeMessages(tdb.db, accountId, id, { deletedOnly: true });
    // As purgeTombstones does after the retention period.
    await tdb.db.query('DELETE FROM expunged WHERE account_id = $1 AND mailbox_id = $2', [accountId, id]);
    await tdb.db.query('UPDATE mailboxes SET expunged_floor_modseq = highestmodseq WHERE account_id = $1 AND mailbox_id = $2', [
      accountId,
      id,
    ]);
    const got = await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    assert.equal(cache.loads, 2, 'read again');
    assert.deepEqual(
      rows(got!).map((m) => m.uid),
      [1, ...Array.from({ length: 16 }, (_, i) => i + 5)],
    );
    // A second mailbox of 20 does not fit beside it (30 at most): the older one goes.
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Second', null));
    await append('Second', 20);
    const second = (await findMailbox(tdb.db, accountId, 'Second')).mailboxId;
    await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    await read(cache, tdb.db, accountId, second, [{ first: 1, last: 0 }]);
    await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    assert.equal(cache.loads, 4, 'evicted, read again');
    // A deleted mailbox is not answered from memory.
    await tdb.db.query('DELETE FROM mailboxes WHERE account_id = $1 AND mailbox_id = $2', [accountId, second]);
    assert.equal(await read(cache, tdb.db, accountId, second, [{ first: 1, last: 0 }]), undefined);
  });

  test('more changes than one update takes: the mailbox is read again', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Busy', null));
    await append('Busy', 40);
    const id = (await findMailbox(tdb.db, accountId, 'Busy')).mailboxId;
    const cache = new MetadataCache({ minMessages: 5, maxMessages: 1000, maxDelta: 3 });
    await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    await storeFlags(tdb.db, accountId, id, [{ first: 1, last: 2 }], 'add', ['\\Seen']);
    assert.deepEqual(rows((await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]))!), await fresh(id, [{ first: 1, last: 0 }]));
    assert.equal(cache.loads, 1, 'two changes: brought up to date');
    await storeFlags(tdb.db, accountId, id, [{ first: 3, last: 7 }], 'add', ['\\Flagged']);
    assert.deepEqual(rows((await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]))!), await fresh(id, [{ first: 1, last: 0 }]));
    assert.equal(cache.loads, 2, 'five changes: read again');
  });

  test('a whole-mailbox read streams while it loads; one left unfinished keeps nothing', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Streamed', null));
    await append('Streamed', 12, ['\\Answered']);
    const id = (await findMailbox(tdb.db, accountId, 'Streamed')).mailboxId;
    const cache = new MetadataCache({ minMessages: 5, maxMessages: 100, pageSize: 5 });
    const first = await cache.pages(tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    for await (const page of first!) {
      assert.equal(page.count, 5);
      break; // the client went away
    }
    const again = await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    assert.equal(cache.loads, 2, 'nothing was kept of the unfinished read');
    assert.deepEqual(
      again!.map((p) => p.count),
      [5, 5, 2],
    );
    assert.deepEqual(rows(again!), await fresh(id, [{ first: 1, last: 0 }]));
    await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    assert.deepEqual([cache.loads, cache.hits], [2, 1], 'the finished read was kept');
  });

  test('UIDs as runs for SELECT, only of a mailbox in memory, brought up to date', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Runs', null));
    await append('Runs', 40);
    const id = (await findMailbox(tdb.db, accountId, 'Runs')).mailboxId;
    const cache = new MetadataCache({ minMessages: 5, maxMessages: 100 });
    assert.equal(await cache.uidRuns(tdb.db, accountId, id), undefined, 'not read in full for a SELECT');
    assert.equal(cache.holds(accountId), false);
    await read(cache, tdb.db, accountId, id, [{ first: 1, last: 0 }]);
    assert.equal(cache.holds(accountId), true);
    const box = await findMailbox(tdb.db, accountId, 'Runs');
    assert.deepEqual(await cache.uidRuns(tdb.db, accountId, id), {
      modseq: box.highestmodseq,
      count: 40,
      runs: { first: [1], last: [40] },
    });
    await storeFlags(
      tdb.db,
      accountId,
      id,
      [
        { first: 3, last: 4 },
        { first: 8, last: 8 },
      ],
      'add',
      ['\\Deleted'],
    );
    await removeMessages(tdb.db, accountId, id, { deletedOnly: true });
    await append('Runs', 2);
    const after = await findMailbox(tdb.db, accountId, 'Runs');
    assert.deepEqual(await cache.uidRuns(tdb.db, accountId, id), {
      modseq: after.highestmodseq,
      count: 39,
      runs: { first: [1, 5, 9], last: [2, 7, 42] },
    });
  });

  test('only ranges that could hold enough messages are worth asking about', () => {
    const cache = new MetadataCache({ minMessages: 10_000, maxMessages: 1_000_000 });
    assert.equal(cache.covers([{ first: 1, last: 0 }]), true);
    assert.equal(cache.covers([{ first: 1, last: 200 }]), false);
    assert.equal(
      cache.covers([
        { first: 5, last: 3 },
        { first: 20_000, last: 20_010 },
      ]),
      true,
    );
    assert.equal(cache.covers([]), false);
  });
});
