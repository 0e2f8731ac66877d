// \Recent claims (migration 0014) against a real PostgreSQL: a message is
// claimed by exactly one read-write session, whatever the concurrency.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, createMailboxClient, InProcessBus, openDatabase, type Database } from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '../src/store/accounts.js';
import { readChanges } from '../src/store/changes.js';
import { createMailbox, mailboxStatus, selectMailbox } from '../src/store/mailboxes.js';
import { appendMessages } from '../src/store/messages.js';
import { startMailboxService, type RunningMailboxService } from '../src/server.js';
import { collect } from './support/stream.js';

const log = createLogger('test', 'silent');

const items = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ flags: [], internalDateMs: 0, message: Buffer.from(`Subject: ${tag} ${i}\r\n\r\nbody\r\n`) }));

/** The UIDs of a claim (claimedFirst..claimedLast), none when it took nothing. */
function claimedUids(s: { claimedFirst: number; claimedLast: number }): number[] {
  if (!s.claimedFirst) return [];
  return Array.from({ length: s.claimedLast - s.claimedFirst + 1 }, (_, i) => s.claimedFirst + i);
}

type SelectPart = { status?: { claimedFirst: number; claimedLast: number; firstRecentUid: number; mailboxId: number } };

describe('\\Recent claims on PostgreSQL', () => {
  let tdb: TestDatabase;
  let secondDb: Database;
  let accountId: number;
  let n = 0;
  /** A new mailbox of the account. */
  const mailbox = async () => {
    const name = `Box${++n}`;
    await tdb.db.transaction((tx) => createMailbox(tx, accountId, name, null));
    return name;
  };

  before(async () => {
    tdb = await createTestDatabase();
    // A second pool: the claims below race on separate connections, as two pods would.
    secondDb = await openDatabase(tdb.url, { max: 20 });
    ({ accountId } = await addUser(tdb.db, 'recent@example.test', 'secret-pass', { createTenant: true }));
  });

  after(async () => {
    await secondDb.close();
    await tdb.drop();
  });

  test('a SELECT that claims takes every unclaimed message once; STATUS counts what is left', async () => {
    const name = await mailbox();
    await appendMessages(tdb.db, accountId, name, items(3, 'a'));
    assert.equal((await mailboxStatus(tdb.db, accountId, name, { recent: true })).recent, 3);
    // Without a claim (EXAMINE, IMAP4rev2): nothing changes.
    const looked = await selectMailbox(tdb.db, accountId, name, false);
    assert.deepEqual([looked.status.firstRecentUid, looked.status.claimedFirst, looked.status.claimedLast], [1, 0, 0]);
    const first = await selectMailbox(tdb.db, accountId, name, true);
    assert.deepEqual(claimedUids(first.status), [1, 2, 3]);
    assert.equal(first.status.firstRecentUid, 1, 'as read before the claim');
    const again = await selectMailbox(tdb.db, accountId, name, true);
    assert.deepEqual(claimedUids(again.status), []);
    assert.equal(again.status.firstRecentUid, 4);
    const status = await mailboxStatus(tdb.db, accountId, name, { recent: true });
    assert.equal(status.recent, 0);
    await appendMessages(tdb.db, accountId, name, items(2, 'b'));
    assert.equal((await mailboxStatus(tdb.db, accountId, name, { recent: true })).recent, 2);
    assert.deepEqual(claimedUids((await selectMailbox(tdb.db, accountId, name, true)).status), [4, 5]);
  });

  test('the pull of a session that has the mailbox selected claims what arrived, once', async () => {
    const name = await mailbox();
    const { mailboxId, modseq } = await appendMessages(tdb.db, accountId, name, items(1, 'a'));
    await selectMailbox(tdb.db, accountId, name, true);
    await appendMessages(tdb.db, accountId, name, items(2, 'b'));
    const look = await readChanges(tdb.db, accountId, mailboxId, modseq);
    assert.deepEqual([look!.status.firstRecentUid, look!.status.claimedFirst], [2, 0]);
    const pulled = await readChanges(tdb.db, accountId, mailboxId, modseq, undefined, undefined, true);
    assert.deepEqual(
      pulled!.changed.map((c) => c.uid),
      [2, 3],
    );
    assert.deepEqual(claimedUids(pulled!.status), [2, 3]);
    const other = await readChanges(tdb.db, accountId, mailboxId, modseq, undefined, undefined, true);
    assert.deepEqual(claimedUids(other!.status), []);
    assert.equal(other!.status.firstRecentUid, 4);
  });

  test('an APPEND by the session that has the mailbox selected claims what it stored, and what came before unclaimed', async () => {
    const name = await mailbox();
    await appendMessages(tdb.db, accountId, name, items(2, 'a'));
    await selectMailbox(tdb.db, accountId, name, true);
    await appendMessages(tdb.db, accountId, name, items(1, 'other'));
    const own = await appendMessages(tdb.db, accountId, name, items(2, 'own'), { claimRecent: true });
    assert.deepEqual(own.uids, [4, 5]);
    assert.deepEqual(claimedUids(own), [3, 4, 5]);
    const plain = await appendMessages(tdb.db, accountId, name, items(1, 'plain'));
    assert.deepEqual(claimedUids(plain), []);
    assert.equal((await mailboxStatus(tdb.db, accountId, name, { recent: true })).recent, 1);
  });

  test('a pull that reads again past its limit keeps the claim of its first read', async () => {
    const name = await mailbox();
    const { mailboxId } = await appendMessages(tdb.db, accountId, name, items(5, 'a'));
    const pulled = await readChanges(tdb.db, accountId, mailboxId, 0, 2, undefined, true);
    assert.equal(pulled!.changed.length, 5);
    assert.deepEqual(claimedUids(pulled!.status), [1, 2, 3, 4, 5]);
  });

  test('concurrent claims on two connection pools: exactly one wins each message', async () => {
    const name = await mailbox();
    for (let round = 0; round < 20; round++) {
      await appendMessages(tdb.db, accountId, name, items(1 + (round % 3), `r${round}`));
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          selectMailbox(i % 2 ? secondDb : tdb.db, accountId, name, true).then((s) => claimedUids(s.status)),
        ),
      );
      const winners = claims.filter((c) => c.length > 0);
      assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(claims)}`);
    }
  });

  test('claims racing with appends: every UID is claimed exactly once', async () => {
    const name = await mailbox();
    const { mailboxId } = await appendMessages(tdb.db, accountId, name, items(1, 'first'));
    const claimed: number[] = [];
    let appending = true;
    const appends = (async () => {
      for (let i = 0; i < 40; i++) await appendMessages(i % 2 ? secondDb : tdb.db, accountId, name, items(1 + (i % 2), `s${i}`));
      appending = false;
    })();
    const claimingAppends = (async () => {
      for (let i = 0; appending; i++)
        claimed.push(...claimedUids(await appendMessages(tdb.db, accountId, name, items(1, `c${i}`), { claimRecent: true })));
    })();
    const claimer = async (db: Database, viaChanges: boolean) => {
      while (appending) {
        const s = viaChanges
          ? (await readChanges(db, accountId, mailboxId, 0, undefined, undefined, true))!.status
          : (await selectMailbox(db, accountId, name, true)).status;
        claimed.push(...claimedUids(s));
      }
    };
    await Promise.all([
      appends,
      claimingAppends,
      claimer(tdb.db, false),
      claimer(secondDb, true),
      claimer(secondDb, false),
      claimer(tdb.db, true),
    ]);
    claimed.push(...claimedUids((await selectMailbox(tdb.db, accountId, name, true)).status));
    const uidnext = (await mailboxStatus(tdb.db, accountId, name)).uidnext;
    assert.deepEqual(
      [...claimed].sort((a, b) => a - b),
      Array.from({ length: uidnext - 1 }, (_, i) => i + 1),
    );
  });

  test('through the service: two instances SELECT at once, one gets the messages as recent', async () => {
    const a: RunningMailboxService = await startMailboxService({ db: tdb.db, publisher: new InProcessBus(), address: '127.0.0.1:0', log });
    const b: RunningMailboxService = await startMailboxService({
      db: secondDb,
      publisher: new InProcessBus(),
      address: '127.0.0.1:0',
      log,
      // This one answers big mailboxes from memory: its SELECT claims in the status statement.
      metadataCache: { minMessages: 1, maxMessages: 100_000 },
    });
    const clients = [createMailboxClient(`127.0.0.1:${a.port}`), createMailboxClient(`127.0.0.1:${b.port}`)];
    try {
      const tenantId = (await tdb.db.query<{ t: number }>('SELECT tenant_id AS t FROM accounts WHERE account_id = $1', [accountId]))
        .rows[0]!.t;
      const account = { accountId, tenantId };
      const name = await mailbox();
      const { mailboxId } = await appendMessages(tdb.db, accountId, name, items(3, 'a'));
      // The second instance's cache learns the mailbox.
      await collect(clients[1]!, 'Fetch', { account, mailboxId, uids: [{ first: 1, last: 0 }], columns: true });
      for (let round = 0; round < 5; round++) {
        const parts = await Promise.all(
          [0, 1, 0, 1].map((i) => collect<SelectPart>(clients[i]!, 'Select', { account, name, claimRecent: true })),
        );
        const claims = parts.map((p) => claimedUids(p[0]!.status!));
        assert.equal(claims.filter((c) => c.length > 0).length, 1, JSON.stringify(claims));
        const examined = await collect<SelectPart>(clients[round % 2]!, 'Select', { account, name });
        assert.deepEqual(claimedUids(examined[0]!.status!), []);
        await appendMessages(tdb.db, accountId, name, items(1, `r${round}`));
        const status = await new Promise<{ recent: number }>((resolve, reject) =>
          clients[0]!.GetStatus({ account, name, recent: true }, (e, v) => (e ? reject(e) : resolve(v as { recent: number }))),
        );
        assert.equal(status.recent, 1);
      }
    } finally {
      for (const c of clients) c.close();
      await a.stop();
      await b.stop();
    }
  });
});
