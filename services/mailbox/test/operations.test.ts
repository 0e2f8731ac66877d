// Flag changes, expunge, copy, move, delete, rename and subscriptions on a real PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgDatabase } from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '../src/store/accounts.js';
import { storeFlags } from '../src/store/flags.js';
import { removeMessages } from '../src/store/expunge.js';
import { copyMessages } from '../src/store/copy.js';
import { deleteMailbox, renameMailbox } from '../src/store/mailboxes.js';
import { orphanSubscriptions, setSubscribed } from '../src/store/subscriptions.js';
import { createMailbox, findMailbox, listMailboxes, selectMailbox } from '../src/store/mailboxes.js';
import { sweepOrphanBodies } from '../src/store/bodies.js';
import { readChanges } from '../src/store/changes.js';
import { appendMessage, appendMessages, fetchColumnPages, fetchMessagePages } from '../src/store/messages.js';
import { searchUids } from '../src/store/search.js';

const ALL = [{ first: 1, last: 0 }];

describe('mailbox operations', () => {
  let tdb: TestDatabase;
  let accountId: number;

  before(async () => {
    tdb = await createTestDatabase();
    accountId = (await addUser(tdb.db, 'ops@example.test', 'ops-password', { createTenant: true, quotaBytes: 10_000 })).accountId;
  });
  after(() => tdb.drop());

  const append = (mailbox: string, body: string, flags: string[] = []) =>
    tdb.db.transaction((tx) => appendMessage(tx, { accountId, mailbox, flags, internalDateMs: Date.now(), message: Buffer.from(body) }));
  const box = (name: string) => findMailbox(tdb.db, accountId, name);
  const used = async () =>
    (await tdb.db.query<{ used_bytes: number }>('SELECT used_bytes FROM accounts WHERE account_id = $1', [accountId])).rows[0]!.used_bytes;

  test('STORE: add, remove, replace; case-insensitive; one new MODSEQ; unchanged rows keep theirs', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Flags', null));
    await append('Flags', 'Subject: a\r\n\r\na\r\n', ['\\Seen']);
    await append('Flags', 'Subject: b\r\n\r\nb\r\n', []);
    const mb = await box('Flags');
    const added = (await storeFlags(tdb.db, accountId, mb.mailboxId, ALL, 'add', ['\\seen', 'Work'])).rows;
    assert.deepEqual(
      added.map((r) => r.flags),
      [
        ['\\Seen', 'Work'],
        ['\\Seen', 'Work'],
      ],
    );
    assert.equal(new Set(added.map((r) => r.modseq)).size, 1);
    assert.equal(added[0]!.modseq, mb.highestmodseq + 1);
    const again = (await storeFlags(tdb.db, accountId, mb.mailboxId, ALL, 'add', ['work'])).rows;
    assert.equal(again[0]!.modseq, mb.highestmodseq + 1, 'no change, no new MODSEQ');
    const removed = (await storeFlags(tdb.db, accountId, mb.mailboxId, [{ first: 2, last: 2 }], 'remove', ['WORK'])).rows;
    assert.deepEqual(
      removed.map((r) => [r.uid, r.flags]),
      [[2, ['\\Seen']]],
    );
    const replaced = (await storeFlags(tdb.db, accountId, mb.mailboxId, [{ first: 1, last: 1 }], 'replace', ['\\Flagged', '\\Recent']))
      .rows;
    assert.deepEqual(replaced[0]!.flags, ['\\Flagged']);
    const after = await box('Flags');
    assert.equal(after.highestmodseq, replaced[0]!.modseq);
  });

  test('the flag functions the writes use: add, remove, replace and compare without case, order kept', async () => {
    const apply = async (current: string[], mode: string, wanted: string[]) =>
      (await tdb.db.query<{ f: string[] }>('SELECT kimap_flags_apply($1::text[], $2, $3::text[]) AS f', [current, mode, wanted])).rows[0]!
        .f;
    const same = async (a: string[], b: string[]) =>
      (await tdb.db.query<{ s: boolean }>('SELECT kimap_flags_same($1::text[], $2::text[]) AS s', [a, b])).rows[0]!.s;
    assert.deepEqual(await apply(['\\Seen', 'Work'], 'add', ['\\Flagged']), ['\\Seen', 'Work', '\\Flagged']);
    assert.deepEqual(await apply(['\\Seen', 'Work'], 'add', ['work', 'New']), ['\\Seen', 'Work', 'New']);
    assert.deepEqual(await apply([], 'add', ['\\Seen']), ['\\Seen']);
    assert.deepEqual(await apply(['\\Seen', 'Work'], 'remove', ['work']), ['\\Seen']);
    assert.deepEqual(await apply(['x', 'y', 'z'], 'remove', ['Y', 'q']), ['x', 'z']);
    assert.deepEqual(await apply(['A'], 'remove', []), ['A']);
    assert.deepEqual(await apply(['A', 'b'], 'replace', ['c']), ['c']);
    assert.equal(await same(['A', 'b', 'C'], ['c', 'B', 'a']), true);
    assert.equal(await same(['A', 'b'], ['a', 'b', 'c']), false);
    assert.equal(await same(['a', 'a'], ['a', 'b']), false);
    assert.equal(await same([], []), true);
  });

  test('STORE UNCHANGEDSINCE leaves newer messages alone and reports them', async () => {
    const mb = await box('Flags');
    const res = (await storeFlags(tdb.db, accountId, mb.mailboxId, ALL, 'add', ['\\Answered'], mb.highestmodseq - 1)).rows;
    const byUid = Object.fromEntries(res.map((r) => [r.uid, r]));
    assert.equal(byUid[1]!.modified, true, 'uid 1 was changed at the highest MODSEQ');
    assert.equal(byUid[2]!.modified, false);
    assert.ok(byUid[2]!.flags.includes('\\Answered'));
  });

  test('EXPUNGE removes \\Deleted messages, records tombstones, frees quota', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Trashy', null));
    for (let i = 0; i < 4; i++) await append('Trashy', `Subject: ${i}\r\n\r\n${i}\r\n`, i % 2 ? ['\\Deleted'] : []);
    const mb = await box('Trashy');
    const before = await used();
    const res = await tdb.db.transaction((tx) => removeMessages(tx, accountId, mb.mailboxId, { deletedOnly: true }));
    assert.deepEqual(res.uids, [2, 4]);
    assert.equal(res.highestmodseq, mb.highestmodseq + 1);
    assert.ok((await used()) < before);
    const changes = await readChanges(tdb.db, accountId, mb.mailboxId, mb.highestmodseq);
    assert.deepEqual(changes?.expunged, [2, 4]);
    // UID EXPUNGE only touches its range.
    await storeFlags(tdb.db, accountId, mb.mailboxId, ALL, 'add', ['\\Deleted']);
    const ranged = await tdb.db.transaction((tx) =>
      removeMessages(tx, accountId, mb.mailboxId, { deletedOnly: true, ranges: [{ first: 3, last: 3 }] }),
    );
    assert.deepEqual(ranged.uids, [3]);
  });

  test('statements are prepared and PostgreSQL may reuse their plans; searches and CHANGEDSINCE fetches are planned for each call', async () => {
    const mb = await box('Flags');
    const one = new PgDatabase(tdb.url, { max: 1 });
    try {
      for (let i = 0; i < 8; i++) {
        for await (const _ of fetchColumnPages(one, accountId, mb.mailboxId, ALL, {}));
        for await (const _ of searchUids(one, accountId, mb.mailboxId, { header: { field: 'subject', value: 'a' } }));
        for await (const _ of fetchColumnPages(one, accountId, mb.mailboxId, ALL, { changedSince: 1 }));
        for await (const _ of fetchMessagePages(one, accountId, mb.mailboxId, ALL, { header: true, changedSince: 1 }));
      }
      const { rows } = await one.query<{ statement: string; generic_plans: number; custom_plans: number }>(
        'SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements',
      );
      const fetch = rows.find((r) => r.statement.includes('count(*)::int AS n'));
      assert.ok(fetch, 'the FETCH statement is prepared');
      assert.ok(
        fetch.generic_plans > 0,
        `the FETCH statement keeps a generic plan (${fetch.generic_plans} generic, ${fetch.custom_plans} custom)`,
      );
      assert.ok(!rows.some((r) => r.statement.includes('LIKE')), 'no search statement is prepared');
      // CHANGEDSINCE: the MODSEQ index or the UID order depends on the values.
      assert.ok(!rows.some((r) => r.statement.includes('m.modseq >')), 'no CHANGEDSINCE statement is prepared');
    } finally {
      await one.close();
    }
  });

  test('statements are prepared with the plan cache in auto mode by default; a pooler-friendly connection sends neither', async () => {
    const settings = (db: PgDatabase) =>
      db.query<{ jit: string; mode: string }>(
        "SELECT current_setting('jit') AS jit, current_setting('plan_cache_mode') AS mode WHERE $1::int = 1",
        [1],
      );
    const plain = new PgDatabase(tdb.url, { prepare: false, sessionOptions: '' });
    const tuned = new PgDatabase(tdb.url);
    try {
      assert.deepEqual((await settings(tuned)).rows, [{ jit: 'off', mode: 'auto' }]);
      assert.deepEqual((await settings(plain)).rows, [{ jit: 'on', mode: 'auto' }]);
      // The write functions work either way.
      const mb = await box('Flags');
      for (const db of [plain, tuned])
        assert.equal((await storeFlags(db, accountId, mb.mailboxId, ALL, 'add', ['\\Answered'])).rows.length, 2);
    } finally {
      await plain.close();
      await tuned.close();
    }
  });

  test('SELECT reads the UIDs as runs of consecutive UIDs, holes and all', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Runs', null));
    assert.deepEqual(await selectMailbox(tdb.db, accountId, 'Runs').then((s) => [s.runs.first, s.runs.last, s.status.messages]), [
      [],
      [],
      0,
    ]);
    for (let i = 1; i <= 9; i++) await append('Runs', `Subject: r${i}\r\n\r\n${i}\r\n`, [2, 3, 7, 9].includes(i) ? ['\\Deleted'] : []);
    const mb = await box('Runs');
    await removeMessages(tdb.db, accountId, mb.mailboxId, { deletedOnly: true });
    const sel = await selectMailbox(tdb.db, accountId, 'Runs');
    assert.deepEqual(
      [sel.runs.first, sel.runs.last],
      [
        [1, 4, 8],
        [1, 6, 8],
      ],
    );
    assert.equal(sel.status.messages, 5);
  });

  test('COPY gives ascending destination UIDs, shares bodies and counts quota; TRYCREATE for a missing target', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Copies', null));
    const src = await box('Flags');
    const before = await used();
    const res = await tdb.db.transaction((tx) => copyMessages(tx, accountId, src.mailboxId, ALL, 'Copies', false));
    assert.deepEqual(res.sourceUids, [1, 2]);
    assert.deepEqual(res.destinationUids, [1, 2]);
    assert.equal(res.uidvalidity, (await box('Copies')).uidvalidity);
    assert.ok((await used()) > before);
    const bodies = await tdb.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM message_bodies WHERE account_id = $1', [accountId]);
    const rows = await tdb.db.query<{ n: number }>('SELECT count(DISTINCT body_hash)::bigint AS n FROM messages WHERE account_id = $1', [
      accountId,
    ]);
    assert.ok(bodies.rows[0]!.n >= rows.rows[0]!.n);
    await assert.rejects(
      tdb.db.transaction((tx) => copyMessages(tx, accountId, src.mailboxId, ALL, 'Missing', false)),
      /TRYCREATE|does not exist/,
    );
  });

  test('MOVE removes the originals atomically and keeps quota unchanged', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Moved', null));
    const src = await box('Copies');
    const before = await used();
    const res = await tdb.db.transaction((tx) => copyMessages(tx, accountId, src.mailboxId, [{ first: 2, last: 2 }], 'Moved', true));
    assert.deepEqual(res.destinationUids, [1]);
    assert.equal(await used(), before);
    const left = await tdb.db.query<{ uid: number }>('SELECT uid FROM messages WHERE account_id = $1 AND mailbox_id = $2', [
      accountId,
      src.mailboxId,
    ]);
    assert.deepEqual(
      left.rows.map((r) => r.uid),
      [1],
    );
    const changes = await readChanges(tdb.db, accountId, src.mailboxId, src.highestmodseq);
    assert.deepEqual(changes?.expunged, [2]);
  });

  test('MOVE into the same mailbox gives the messages new UIDs, removes the originals, keeps quota unchanged', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Self', null));
    await append('Self', 'Subject: s1\r\n\r\none\r\n', ['\\Flagged']);
    await append('Self', 'Subject: s2\r\n\r\ntwo\r\n', ['Work']);
    const mb = await box('Self');
    const before = await used();
    // An open range (1:*) must not take the new copies with it.
    const res = await tdb.db.transaction((tx) => copyMessages(tx, accountId, mb.mailboxId, ALL, 'Self', true));
    assert.deepEqual(res.sourceUids, [1, 2]);
    assert.deepEqual(res.destinationUids, [3, 4]);
    assert.equal(await used(), before);
    const left = await tdb.db.query<{ uid: number; flags: string[] }>(
      'SELECT uid, flags FROM messages WHERE account_id = $1 AND mailbox_id = $2 ORDER BY uid',
      [accountId, mb.mailboxId],
    );
    assert.deepEqual(
      left.rows.map((r) => [r.uid, r.flags]),
      [
        [3, ['\\Flagged']],
        [4, ['Work']],
      ],
    );
    const changes = await readChanges(tdb.db, accountId, mb.mailboxId, mb.highestmodseq);
    assert.deepEqual(changes?.expunged, [1, 2]);
    assert.deepEqual(
      changes?.changed.map((c) => c.uid),
      [3, 4],
    );
  });

  test('quota: an APPEND or COPY beyond it is refused and nothing is written', async () => {
    const big = 'x'.repeat(9990);
    await assert.rejects(append('INBOX', `Subject: big\r\n\r\n${big}\r\n`), /Quota/);
    const n = await tdb.db.query<{ n: number }>(
      "SELECT count(*)::bigint AS n FROM messages m JOIN mailboxes b USING (account_id, mailbox_id) WHERE b.name = 'INBOX' AND m.account_id = $1",
      [accountId],
    );
    assert.equal(n.rows[0]!.n, 0);
  });

  test('DELETE: refuses INBOX and mailboxes with children; deletes messages; bodies are swept later', async () => {
    await assert.rejects(
      tdb.db.transaction((tx) => deleteMailbox(tx, accountId, 'inbox')),
      /INBOX cannot be deleted/,
    );
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Parent/Child', null));
    await assert.rejects(
      tdb.db.transaction((tx) => deleteMailbox(tx, accountId, 'Parent')),
      /children/,
    );
    await append('Parent/Child', 'Subject: gone\r\n\r\nunique body 1234\r\n');
    const before = await used();
    await tdb.db.transaction((tx) => deleteMailbox(tx, accountId, 'Parent/Child'));
    assert.ok((await used()) < before);
    await tdb.db.transaction((tx) => deleteMailbox(tx, accountId, 'Parent'));
    const names = (await listMailboxes(tdb.db, accountId)).map((m) => m.name);
    assert.ok(!names.includes('Parent') && !names.includes('Parent/Child'));
    await assert.rejects(
      tdb.db.transaction((tx) => deleteMailbox(tx, accountId, 'Parent')),
      /does not exist/,
    );
    assert.ok((await sweepOrphanBodies(tdb.db, 0)) >= 1);
    const orphans = await tdb.db.query<{ n: number }>(
      'SELECT count(*)::bigint AS n FROM message_bodies b WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.body_hash = b.body_hash)',
    );
    assert.equal(orphans.rows[0]!.n, 0);
  });

  test('RENAME moves children; refuses existing targets; keeps UIDVALIDITY', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Old/Sub/Deep', null));
    const old = await box('Old');
    await tdb.db.transaction((tx) => renameMailbox(tx, accountId, 'Old', 'New/Name'));
    const names = (await listMailboxes(tdb.db, accountId)).map((m) => m.name);
    assert.ok(
      ['New', 'New/Name', 'New/Name/Sub', 'New/Name/Sub/Deep'].every((n) => names.includes(n)),
      names.join(','),
    );
    assert.ok(!names.some((n) => n.startsWith('Old')));
    assert.equal((await box('New/Name')).uidvalidity, old.uidvalidity);
    await assert.rejects(
      tdb.db.transaction((tx) => renameMailbox(tx, accountId, 'New/Name', 'Moved')),
      /exists/,
    );
    await assert.rejects(
      tdb.db.transaction((tx) => renameMailbox(tx, accountId, 'Nope', 'Other')),
      /does not exist/,
    );
  });

  test('RENAME INBOX moves its messages into a new mailbox and leaves INBOX empty', async () => {
    await append('INBOX', 'Subject: one\r\n\r\n1\r\n', ['\\Seen']);
    await append('INBOX', 'Subject: two\r\n\r\n2\r\n');
    const inbox = await box('INBOX');
    await tdb.db.transaction((tx) => renameMailbox(tx, accountId, 'INBOX', 'Old Inbox'));
    const moved = await box('Old Inbox');
    assert.equal(moved.uidnext, 3);
    const rows = await tdb.db.query<{ uid: number; flags: string[] }>(
      'SELECT uid, flags FROM messages WHERE account_id = $1 AND mailbox_id = $2 ORDER BY uid',
      [accountId, moved.mailboxId],
    );
    assert.deepEqual(
      rows.rows.map((r) => [r.uid, r.flags]),
      [
        [1, ['\\Seen']],
        [2, []],
      ],
    );
    const after = await box('INBOX');
    assert.equal(after.mailboxId, inbox.mailboxId);
    const count = await tdb.db.query<{ n: number }>(
      'SELECT count(*)::bigint AS n FROM messages WHERE account_id = $1 AND mailbox_id = $2',
      [accountId, inbox.mailboxId],
    );
    assert.equal(count.rows[0]!.n, 0);
  });

  test('subscriptions outlive their mailbox', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Sub', null));
    await tdb.db.transaction((tx) => setSubscribed(tx, accountId, 'Sub', true));
    assert.equal((await box('Sub')).subscribed, true);
    await tdb.db.transaction((tx) => deleteMailbox(tx, accountId, 'Sub'));
    assert.deepEqual(await orphanSubscriptions(tdb.db, accountId), ['Sub']);
    await tdb.db.transaction((tx) => setSubscribed(tx, accountId, 'Sub', false));
    assert.deepEqual(await orphanSubscriptions(tdb.db, accountId), []);
    await assert.rejects(
      tdb.db.transaction((tx) => setSubscribed(tx, accountId, 'Nope', true)),
      /does not exist/,
    );
  });

  test('the counters after a MULTIAPPEND of mixed flags and keywords, one refused for quota, and a plain INSERT in the same transaction', async () => {
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, 'Counted', null));
    const status = async () =>
      (
        await tdb.db.query<{ messages: number; unseen: number; deleted: number; total_size: number; keywords: string[] }>(
          "SELECT messages, unseen, deleted, total_size, keywords FROM mailboxes WHERE account_id = $1 AND name = 'Counted'",
          [accountId],
        )
      ).rows[0];
    const flags = [[], ['\\Seen'], ['\\Deleted', 'Later'], ['\\Seen', '\\Deleted', 'Work', 'Later']];
    const items = flags.map((f, i) => ({ message: Buffer.from(`Subject: c${i}\r\n\r\n${i}\r\n`), flags: f, internalDateMs: Date.now() }));
    await tdb.db.transaction((tx) => appendMessages(tx, accountId, 'Counted', items));
    const size = items.reduce((t, i) => t + i.message.length, 0);
    assert.deepEqual(await status(), { messages: 4, unseen: 2, deleted: 2, total_size: size, keywords: ['Later', 'Work'] });
    // Over the quota: the whole APPEND is undone, counters included.
    await assert.rejects(append('Counted', `Subject: big\r\n\r\n${'x'.repeat(20_000)}\r\n`, ['Huge']), /[Qq]uota/);
    assert.deepEqual(await status(), { messages: 4, unseen: 2, deleted: 2, total_size: size, keywords: ['Later', 'Work'] });
    // Any INSERT is counted, also one after an APPEND in the same transaction.
    await tdb.db.transaction(async (tx) => {
      await appendMessages(tx, accountId, 'Counted', [
        { message: Buffer.from('Subject: d\r\n\r\nd\r\n'), flags: [], internalDateMs: Date.now() },
      ]);
      await tx.query(
        `INSERT INTO messages (account_id, mailbox_id, uid, modseq, body_hash, size, internal_date, flags)
         SELECT account_id, mailbox_id, uid + 1000, modseq, body_hash, size, internal_date, flags FROM messages
          WHERE account_id = $1 AND mailbox_id = (SELECT mailbox_id FROM mailboxes WHERE account_id = $1 AND name = 'Counted') AND uid = 1`,
        [accountId],
      );
    });
    assert.equal((await status())!.messages, 6);
    assert.equal((await status())!.unseen, 4);
  });

  test('the counters kept in the mailbox rows match a fresh count after all of the above', async () => {
    const { rows } = await tdb.db.query<{ name: string; kept: string; counted: string }>(
      `SELECT b.name,
              concat_ws(',', b.messages, b.unseen, b.deleted, b.total_size) AS kept,
              concat_ws(',', count(m.uid), count(m.uid) FILTER (WHERE NOT ('\\Seen' = ANY (m.flags))),
                        count(m.uid) FILTER (WHERE '\\Deleted' = ANY (m.flags)), coalesce(sum(m.size), 0)) AS counted
         FROM mailboxes b LEFT JOIN messages m ON m.account_id = b.account_id AND m.mailbox_id = b.mailbox_id
        WHERE b.account_id = $1 GROUP BY b.account_id, b.mailbox_id, b.name`,
      [accountId],
    );
    assert.ok(rows.length > 5);
    for (const r of rows) assert.equal(r.kept, r.counted, r.name);
    const kw = await tdb.db.query<{ keywords: string[] }>("SELECT keywords FROM mailboxes WHERE account_id = $1 AND name = 'Flags'", [
      accountId,
    ]);
    assert.deepEqual(kw.rows[0]!.keywords, ['Work']);
  });
});
