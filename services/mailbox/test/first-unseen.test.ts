// The first message without \Seen (the UNSEEN code of an IMAP4rev1 SELECT)
// against a real PostgreSQL: the owner's flags, a grantee's own \Seen, and
// the plan that finds it without reading the seen messages before it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '../src/store/accounts.js';
import { removeMessages } from '../src/store/expunge.js';
import { storeFlags } from '../src/store/flags.js';
import { createMailbox, mailboxStatus, selectMailbox } from '../src/store/mailboxes.js';
import { appendMessages } from '../src/store/messages.js';
import { markSeenBy } from '../src/store/shared.js';

const items = (n: number, flags: string[] = []) =>
  Array.from({ length: n }, (_, i) => ({ flags, internalDateMs: 0, message: Buffer.from(`Subject: m ${i}\r\n\r\nbody\r\n`) }));

describe('the first unseen UID of SELECT on PostgreSQL', () => {
  let tdb: TestDatabase;
  let owner: number;
  let reader: number;
  let n = 0;
  const mailbox = async () => {
    const name = `Box${++n}`;
    const mb = await tdb.db.transaction((tx) => createMailbox(tx, owner, name, null));
    return { name, id: mb.mailboxId };
  };
  /** What SELECT and the status statement of the cached path say, which must agree. */
  const firstUnseen = async (name: string, readerId?: number) => {
    const opts = { reader: readerId };
    const selected = await selectMailbox(tdb.db, owner, name, false, opts);
    const status = await mailboxStatus(tdb.db, owner, name, { firstUnseen: opts });
    assert.equal(status.firstUnseenUid, selected.status.firstUnseenUid, 'both statements agree');
    return selected.status.firstUnseenUid;
  };

  before(async () => {
    tdb = await createTestDatabase();
    ({ accountId: owner } = await addUser(tdb.db, 'owner@unseen.test', 'secret-pass', { createTenant: true }));
    ({ accountId: reader } = await addUser(tdb.db, 'reader@unseen.test', 'secret-pass'));
  });

  after(async () => {
    await tdb.drop();
  });

  test('the lowest UID without \\Seen, 0 when every message is seen or there is none', async () => {
    const { name, id } = await mailbox();
    assert.equal(await firstUnseen(name), 0, 'empty');
    await appendMessages(tdb.db, owner, name, items(3, ['\\Seen']));
    await appendMessages(tdb.db, owner, name, items(2));
    assert.equal(await firstUnseen(name), 4);
    await storeFlags(tdb.db, owner, id, [{ first: 2, last: 2 }], 'remove', ['\\Seen']);
    assert.equal(await firstUnseen(name), 2);
    await storeFlags(tdb.db, owner, id, [{ first: 1, last: 5 }], 'add', ['\\Seen']);
    assert.equal(await firstUnseen(name), 0, 'all seen');
    await storeFlags(tdb.db, owner, id, [{ first: 5, last: 5 }], 'replace', ['\\Flagged']);
    assert.equal(await firstUnseen(name), 5);
    await removeMessages(tdb.db, owner, id, { ranges: [{ first: 5, last: 5 }], deletedOnly: false });
    assert.equal(await firstUnseen(name), 0, 'the unseen one expunged');
  });

  test('not asked for (IMAP4rev2): not computed', async () => {
    const { name } = await mailbox();
    await appendMessages(tdb.db, owner, name, items(2));
    assert.equal((await selectMailbox(tdb.db, owner, name)).status.firstUnseenUid ?? 0, 0);
    assert.equal((await mailboxStatus(tdb.db, owner, name)).firstUnseenUid ?? 0, 0);
  });

  test("a grantee's is its own \\Seen, whatever the owner's flags say", async () => {
    const { name, id } = await mailbox();
    await appendMessages(tdb.db, owner, name, items(2, ['\\Seen']));
    await appendMessages(tdb.db, owner, name, items(2));
    assert.equal(await firstUnseen(name), 3, 'the owner');
    assert.equal(await firstUnseen(name, reader), 1, 'the reader has seen nothing');
    await markSeenBy(tdb.db, owner, id, reader, [1, 2, 3]);
    assert.equal(await firstUnseen(name, reader), 4);
    assert.equal(await firstUnseen(name), 3, "the reader's \\Seen is not the owner's");
    await markSeenBy(tdb.db, owner, id, reader, [4]);
    assert.equal(await firstUnseen(name, reader), 0);
    await storeFlags(tdb.db, owner, id, [{ first: 1, last: 4 }], 'add', ['\\Seen']);
    assert.equal(await firstUnseen(name), 0);
  });

  test("the owner's is found through the index of unseen messages, not by reading the seen ones", async () => {
    const { name } = await mailbox();
    await appendMessages(tdb.db, owner, name, items(2000, ['\\Seen']));
    await appendMessages(tdb.db, owner, name, items(1));
    await tdb.db.query('ANALYZE messages');
    assert.equal(await firstUnseen(name), 2001);
    // The same column as selectMailbox's, explained: an index scan of messages_unseen.
    const { rows } = await tdb.db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT (SELECT m.uid FROM messages m WHERE m.account_id = b.account_id AND m.mailbox_id = b.mailbox_id
                          AND NOT ('\\Seen' = ANY (m.flags)) ORDER BY m.uid LIMIT 1)
         FROM mailboxes b WHERE b.account_id = $1 AND b.name = $2`,
      [owner, name],
    );
    assert.match(rows.map((r) => r['QUERY PLAN']).join('\n'), /messages_unseen/);
  });
});
