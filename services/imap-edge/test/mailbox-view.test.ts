// The edge's mailbox views (src/mailbox-view.ts) against the real mailbox
// service and PostgreSQL, with two edges on one change bus: metadata FETCHes
// answered without a round trip while the feed is current, a session's own
// changes at once, another session's once the feed tells, never a MODSEQ
// older than one already shown, one GetChanges per event for all sessions of
// a mailbox, and every read going to the service while the feed is not
// current.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, InProcessBus, type ChangeHandler, type ChangeSubscriber } from '@kimap/common';
import { createTestDatabase, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser, startMailboxService, type RunningMailboxService } from '@kimap/mailbox';
import { GrpcBackend, type Changes, type FetchBatchHandler, type FetchQuery, type MailboxRef, type Principal } from '../src/backend.js';
import { MailboxViews, type ViewReader } from '../src/mailbox-view.js';
import { startEdge, type RunningEdge } from '../src/server.js';
import { PLAINTEXT_SETTINGS, type EdgeSettings } from './support/edge-harness.js';
import { appendSync, ImapClient } from './support/imap-client.js';

const log = createLogger('mailbox-view-test', 'silent');
const settings: EdgeSettings = {
  ...PLAINTEXT_SETTINGS,
  feedCurrentWithinMs: 1000,
  limits: { ...PLAINTEXT_SETTINGS.limits, maxAccountConnections: 1000, maxAccountIpConnections: 1000 },
};

/** The bus as one edge hears it: its liveness can be taken away (a consumer stuck behind). */
class Feed implements ChangeSubscriber {
  current = true;
  readonly healthy = true;
  constructor(private readonly bus: InProcessBus) {}
  subscribe(handler: ChangeHandler): Promise<void> {
    return this.bus.subscribe(handler);
  }
  currentAsOf(): number {
    return this.current ? Date.now() : 0;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The backend, counting what reaches the mailbox service. */
class CountingBackend extends GrpcBackend {
  fetches = 0;
  changeCalls = 0;
  override changes(p: Principal, mb: MailboxRef, sinceModseq: number, opts?: { claimRecent?: boolean }): Promise<Changes> {
    this.changeCalls++;
    return super.changes(p, mb, sinceModseq, opts);
  }
  override fetch(p: Principal, query: FetchQuery, onBatch: FetchBatchHandler): Promise<void> {
    this.fetches++;
    return super.fetch(p, query, onBatch);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** UID -> { flags, modseq } from FETCH lines; without \Recent, which is the session's own. */
function parse(lines: string[]): Map<number, { flags: string; modseq: number }> {
  const out = new Map<number, { flags: string; modseq: number }>();
  for (const l of lines) {
    const uid = /\bUID (\d+)/.exec(l);
    const flags = /\bFLAGS \(([^)]*)\)/.exec(l);
    const modseq = /\bMODSEQ \((\d+)\)/.exec(l);
    if (uid && flags && modseq)
      out.set(Number(uid[1]), {
        flags: flags[1]!
          .split(' ')
          .filter((f) => f && f !== '\\Recent')
          .sort()
          .join(' '),
        modseq: Number(modseq[1]),
      });
  }
  return out;
}

describe('mailbox views on two edges (edge -> gRPC -> mailbox -> PostgreSQL)', () => {
  let tdb: TestDatabase;
  let bus: InProcessBus;
  let mailbox: RunningMailboxService;
  const backends: CountingBackend[] = [];
  const feeds: Feed[] = [];
  const edges: RunningEdge[] = [];
  const clients: ImapClient[] = [];
  const user = `${uniqueName('view')}@example.test`;

  before(async () => {
    tdb = await createTestDatabase();
    bus = new InProcessBus();
    mailbox = await startMailboxService({ db: tdb.db, publisher: bus, address: '127.0.0.1:0', log });
    for (let i = 0; i < 2; i++) {
      const backend = new CountingBackend(`127.0.0.1:${mailbox.port}`);
      const feed = new Feed(bus);
      backends.push(backend);
      feeds.push(feed);
      edges.push(await startEdge({ backend, subscriber: feed, settings, log, host: '127.0.0.1', imapPort: 0 }));
    }
    await addUser(tdb.db, user, 'pw', { createTenant: true });
  });

  after(async () => {
    for (const c of clients) await c.close();
    for (const e of edges) await e.stop(500);
    for (const b of backends) b.close();
    await mailbox?.stop();
    await bus?.close();
    await tdb?.drop();
  });

  /** A session of `as` (the owner by default) on edge `e` with CONDSTORE on and `name` selected. */
  async function session(e: number, name: string, as = user): Promise<ImapClient> {
    const { client } = await ImapClient.connect(edges[e]!.imapPort!);
    clients.push(client);
    assert.match((await client.command('L', `LOGIN ${as} pw`)).tagged, /^L OK/);
    assert.match((await client.command('E', 'ENABLE CONDSTORE')).tagged, /^E OK/);
    assert.match((await client.command('S', `SELECT ${name}`)).tagged, /^S OK/);
    return client;
  }

  async function freshMailbox(messages: number): Promise<string> {
    const name = uniqueName('View');
    const { client } = await ImapClient.connect(edges[0]!.imapPort!);
    assert.match((await client.command('L', `LOGIN ${user} pw`)).tagged, /^L OK/);
    assert.match((await client.command('C', `CREATE ${name}`)).tagged, /OK/);
    for (let i = 1; i <= messages; i++) {
      const m = Buffer.from(`Subject: m${i}\r\nFrom: a@example.test\r\n\r\nbody ${i}\r\n`);
      assert.match((await appendSync(client, `A${i}`, name, m, i % 2 ? { flags: '\\Seen' } : {})).tagged, /OK/);
    }
    await client.close();
    return name;
  }

  const FLAGS = 'UID FETCH 1:* (UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE)';

  test('a metadata FETCH is answered by the view, byte for byte what the service answers', async () => {
    const name = await freshMailbox(6);
    const a = await session(0, name);
    const first = await a.command('F1', FLAGS);
    assert.equal(first.untagged.length, 6);
    const views = edges[0]!.views!;
    const answered = views.counts.answered;
    const fetches = backends[0]!.fetches;
    const second = await a.command('F2', FLAGS);
    assert.deepEqual(second.untagged, first.untagged);
    assert.equal(views.counts.answered, answered + 1, 'the view answered');
    assert.equal(backends[0]!.fetches, fetches, 'no FETCH reached the mailbox service');
    // The same FETCH with the feed not current goes to the service, with the same answer.
    feeds[0]!.current = false;
    try {
      const third = await a.command('F3', FLAGS);
      assert.deepEqual(third.untagged, first.untagged);
      assert.equal(backends[0]!.fetches, fetches + 1, 'the service answered');
    } finally {
      feeds[0]!.current = true;
    }
    // Sequence numbers, ranges, CHANGEDSINCE.
    const some = await a.command('F4', 'FETCH 2:3,5 (FLAGS)');
    assert.deepEqual(
      some.untagged.map((l) => /^\* (\d+) FETCH/.exec(l)![1]),
      ['2', '3', '5'],
    );
    const modseqs = [...parse(first.untagged).values()].map((m) => m.modseq).sort((x, y) => x - y);
    const since = await a.command('F5', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseqs[3]})`);
    assert.equal(since.untagged.length, 2);
  });

  test('SEARCH of flags, sizes, dates and MODSEQs: the view finds what the service finds', async () => {
    const name = await freshMailbox(0);
    const a = await session(0, name);
    const dates = ['01-Mar-2026 10:00:00 +0000', '02-Mar-2026 23:30:00 -0500', '03-Mar-2026 00:10:00 +0200', '03-Mar-2026 12:00:00 +0000'];
    for (let i = 0; i < 8; i++) {
      const m = Buffer.from(`Subject: s${i}\r\nFrom: a@example.test\r\n\r\n${'x'.repeat(100 * i)}\r\n`);
      const flags = [
        ['\\Seen'],
        ['\\Flagged', '$Work'],
        ['\\Seen', '\\Answered'],
        ['$work'],
        [],
        ['\\Deleted', '\\Seen'],
        ['\\Draft'],
        ['Junk'],
      ][i]!;
      const r = await appendSync(a, `A${i}`, name, m, { flags: flags.join(' '), date: dates[i % dates.length]! });
      assert.match(r.tagged, /OK/);
    }
    await a.command('N', 'NOOP');
    const modseqs = [...parse((await a.command('F', FLAGS)).untagged).values()].map((m) => m.modseq).sort((x, y) => x - y);
    const programs = [
      'UNSEEN',
      'SEEN FLAGGED',
      'OR ANSWERED DRAFT',
      'NOT SEEN',
      'KEYWORD $WORK',
      'UNKEYWORD $Work',
      'KEYWORD junk',
      'LARGER 300 SMALLER 600',
      'SINCE 3-Mar-2026',
      'BEFORE 2-Mar-2026',
      'ON 3-Mar-2026',
      'UID 2:4,7',
      '3:*',
      `MODSEQ ${modseqs[4]}`,
      'OLDER 60',
      'YOUNGER 3600',
      'RECENT',
      'NEW',
      'OLD',
      'DELETED UNDELETED',
      'NOT (OR SEEN KEYWORD $Work) UNDRAFT',
      'ALL',
    ];
    const answer = async (tag: string, program: string) =>
      (await a.command(tag, `UID SEARCH ${program}`)).untagged.filter((l) => l.startsWith('* SEARCH'));
    const views = edges[0]!.views!;
    for (const [i, program] of programs.entries()) {
      const answered = views.counts.answered;
      const fromView = await answer(`V${i}`, program);
      assert.equal(views.counts.answered, answered + 1, `the view answered ${program}`);
      feeds[0]!.current = false;
      try {
        assert.deepEqual(fromView, await answer(`S${i}`, program), program);
      } finally {
        feeds[0]!.current = true;
      }
    }
    // A text key goes to the service.
    const answered = views.counts.answered;
    await answer('T', 'SUBJECT s1 UNSEEN');
    assert.equal(views.counts.answered, answered);
  });

  test("a session's own STORE shows at once; another session's once the feed tells, on either edge", async () => {
    const name = await freshMailbox(4);
    const a = await session(0, name);
    const b = await session(1, name);
    const c = await session(0, name);
    await a.command('W', FLAGS);
    await b.command('W', FLAGS);
    await c.command('W', FLAGS);
    // Nothing else happened: the view takes the write as it is, with no GetChanges.
    const views = edges[0]!.views!;
    const refreshes = views.counts.refreshes;
    assert.match((await a.command('S1', 'UID STORE 1 +FLAGS.SILENT (\\Flagged)')).tagged, /OK/);
    const own = parse((await a.command('F1', FLAGS)).untagged);
    assert.match(own.get(1)!.flags, /\\Flagged/, 'own change at once');
    assert.equal(views.counts.refreshes, refreshes, 'the own write applied to the view');
    // An APPEND too, with the flags, size and date as the service stored them.
    const m = Buffer.from('Subject: appended\r\n\r\nthe body\r\n');
    assert.match((await appendSync(a, 'A1', name, m, { flags: '\\seen $Work \\SEEN $work \\Recent' })).tagged, /OK/);
    assert.match((await appendSync(a, 'A2', name, m, { date: '07-Dec-2026 10:11:12 +0100' })).tagged, /OK/);
    await a.command('N', 'NOOP');
    const viewed = await a.command('F2', FLAGS);
    assert.equal(views.counts.refreshes, refreshes, 'the appended messages applied to the view');
    feeds[0]!.current = false;
    try {
      assert.deepEqual(viewed.untagged, (await a.command('F3', FLAGS)).untagged, 'as the service has them');
    } finally {
      feeds[0]!.current = true;
    }
    for (const [who, s] of [
      ['a session on the other edge', b],
      ['another session on the same edge', c],
    ] as const) {
      let seen = false;
      for (let i = 0; i < 40 && !seen; i++) {
        seen = /\\Flagged/.test(parse((await s.command(`P${i}`, FLAGS)).untagged).get(1)?.flags ?? '');
        if (!seen) await sleep(50);
      }
      assert.ok(seen, `${who} sees the change within 2 s`);
    }
  });

  test('sessions of one mailbox on an edge share one GetChanges per event', async () => {
    const name = await freshMailbox(3);
    const readers = await Promise.all([0, 1, 2, 3, 4].map(() => session(0, name)));
    const writer = await session(1, name);
    for (const r of readers) await r.command('W', FLAGS);
    const views = edges[0]!.views!;
    const refreshes = views.counts.refreshes;
    assert.match((await writer.command('S', 'UID STORE 2 +FLAGS.SILENT (\\Answered)')).tagged, /OK/);
    await sleep(200);
    const fetches = backends[0]!.fetches;
    const results = await Promise.all(readers.map((r, i) => r.command(`F${i}`, FLAGS)));
    for (const r of results) assert.match(parse(r.untagged).get(2)!.flags, /\\Answered/);
    assert.equal(views.counts.refreshes, refreshes + 1, 'one GetChanges for the five sessions');
    assert.equal(backends[0]!.fetches, fetches, 'the view brought up to date answered them all');
    // A new message comes with its size and date in the changes: nothing read again.
    const m = Buffer.from('Subject: new\r\n\r\nnew body\r\n');
    assert.match((await appendSync(writer, 'A', name, m, { date: '01-Feb-2026 08:00:00 +0000' })).tagged, /OK/);
    await sleep(200);
    const after = await Promise.all(readers.map((r, i) => r.command(`G${i}`, 'NOOP').then(() => r.command(`H${i}`, FLAGS))));
    for (const r of after) assert.equal(r.untagged.length, 4);
    assert.equal(views.counts.refreshes, refreshes + 2, 'one more GetChanges');
    assert.equal(backends[0]!.fetches, fetches, 'no FETCH for the new message');
    feeds[0]!.current = false;
    try {
      assert.deepEqual((await readers[0]!.command('T', FLAGS)).untagged, after[0]!.untagged, 'its size and date as the service has them');
    } finally {
      feeds[0]!.current = true;
    }
  });

  test('new mail another session claimed as \\Recent: IMAP4rev1 sessions take it from the view; unclaimed, one of them gets it', async () => {
    const name = await freshMailbox(2);
    const readers = await Promise.all([0, 1, 2, 3, 4].map(() => session(0, name)));
    const writer = await session(1, name);
    for (const r of readers) await r.command('W', FLAGS);
    const calls = backends[0]!.changeCalls;
    // The writer has the mailbox selected read-write: its APPEND claims the message.
    assert.match((await appendSync(writer, 'A', name, Buffer.from('Subject: 3\r\n\r\nthree\r\n'))).tagged, /OK/);
    await sleep(200);
    for (const [i, r] of readers.entries()) {
      const n = await r.command(`N${i}`, 'NOOP');
      assert.ok(n.untagged.includes('* 3 EXISTS'), n.untagged.join(' | '));
      assert.ok(!n.untagged.some((l) => /RECENT/.test(l)), 'not recent here');
      assert.doesNotMatch((await r.command(`F${i}`, 'UID FETCH 3 (FLAGS)')).untagged[0]!, /\\Recent/);
    }
    assert.equal(backends[0]!.changeCalls - calls, 1, 'one GetChanges for the five sessions');
    // Appended by a session that has not selected the mailbox: nobody's yet; exactly one session claims it.
    const { client: other } = await ImapClient.connect(edges[1]!.imapPort!);
    clients.push(other);
    assert.match((await other.command('L', `LOGIN ${user} pw`)).tagged, /OK/);
    assert.match((await appendSync(other, 'B', name, Buffer.from('Subject: 4\r\n\r\nfour\r\n'))).tagged, /OK/);
    await sleep(200);
    let recent = 0;
    for (const [i, r] of readers.entries()) {
      const n = await r.command(`M${i}`, 'NOOP');
      assert.ok(n.untagged.includes('* 4 EXISTS'), n.untagged.join(' | '));
      if (/\\Recent/.test((await r.command(`G${i}`, 'UID FETCH 4 (FLAGS)')).untagged[0]!)) recent++;
    }
    assert.equal(recent, 1, 'one session has it as \\Recent');
  });

  test('an event wakes ten IDLE sessions of one mailbox: one GetChanges for all of them, each told the change', async () => {
    const name = await freshMailbox(3);
    const idlers = await Promise.all(Array.from({ length: 10 }, () => session(0, name)));
    const writer = await session(1, name);
    // The view exists once a session has read from it.
    await idlers[0]!.command('W', FLAGS);
    for (const c of idlers) {
      c.send('I IDLE\r\n');
      assert.match((await c.readLine()).text, /^\+ /);
    }
    const calls = backends[0]!.changeCalls;
    assert.match((await writer.command('S', 'UID STORE 2 +FLAGS.SILENT (\\Flagged)')).tagged, /OK/);
    for (const c of idlers) assert.match((await c.readLine(5000)).text, /^\* 2 FETCH \(FLAGS \(.*\\Flagged.*\) MODSEQ \(\d+\)\)$/);
    assert.equal(backends[0]!.changeCalls - calls, 1, 'one GetChanges on the edge for the ten sessions');
    // An expunge too.
    await writer.command('D', 'UID STORE 3 +FLAGS.SILENT (\\Deleted)');
    for (const c of idlers) assert.match((await c.readLine(5000)).text, /^\* 3 FETCH/);
    assert.match((await writer.command('X', 'EXPUNGE')).tagged, /OK/);
    for (const c of idlers) assert.equal((await c.readLine(5000)).text, '* 3 EXPUNGE');
    assert.equal(backends[0]!.changeCalls - calls, 3, 'one GetChanges per event');
    for (const c of idlers) {
      c.send('DONE\r\n');
      assert.match((await c.readTagged('I')).tagged, /^I OK/);
    }
  });

  test('the views stay within EDGE_VIEW_MAX_MESSAGES (a view counting 16 at least); the least recently used go first', async () => {
    const names = [await freshMailbox(8), await freshMailbox(8), await freshMailbox(8)];
    const p = (await backends[0]!.authenticate(user, 'pw', '127.0.0.1'))!;
    // 32 messages: views of at most 8 messages each (a quarter), at most 2 views (16 messages a view at least).
    const views = new MailboxViews(backends[0]!, { currentAsOf: () => Date.now(), maxMessages: 32 });
    const readers: ViewReader[] = [];
    for (const name of names) {
      const { rows } = await tdb.db.query<{ id: number; uidvalidity: number; modseq: number }>(
        'SELECT mailbox_id AS id, uidvalidity, highestmodseq AS modseq FROM mailboxes WHERE account_id = $1 AND name = $2',
        [p.account.accountId, name],
      );
      const r = rows[0]!;
      readers.push({ mailboxId: Number(r.id), uidvalidity: Number(r.uidvalidity), owner: '', exists: 8, shownModseq: Number(r.modseq) });
    }
    const query = (mailboxId: number): FetchQuery => ({
      owner: '',
      mailboxId,
      uids: [{ first: 1, last: 0 }],
      flags: true,
      columns: true,
      modseq: true,
    });
    const read = async (k: number) => {
      let n = 0;
      assert.ok(await views.fetch(p, readers[k]!, query(readers[k]!.mailboxId), (_m, cols) => void (n += cols?.count ?? 0)));
      return n;
    };
    assert.equal(await read(0), 8);
    assert.equal(await read(1), 8);
    assert.equal(views.heldMessages, 16);
    assert.equal(await read(2), 8);
    assert.equal(views.heldMessages, 16, 'the first view went');
    const loads = views.counts.loads;
    await read(1);
    assert.equal(views.counts.loads, loads, 'the second is still held');
    await read(0);
    assert.equal(views.counts.loads, loads + 1, 'the first is read again');
    assert.ok(views.heldMessages <= 32);
  });

  test("another account's mailbox: a view per reader, each with its own \\Seen; a revoked reader is refused", async () => {
    const name = await freshMailbox(4);
    const readers = [`${uniqueName('reader')}@example.test`, `${uniqueName('reader')}@example.test`];
    for (const r of readers) await addUser(tdb.db, r, 'pw', { createTenant: true });
    const owner = await session(0, name);
    for (const [i, r] of readers.entries()) assert.match((await owner.command(`G${i}`, `SETACL ${name} ${r} lrsw`)).tagged, /OK/);
    const shared = `"Other Users/${user}/${name}"`;
    const one = await session(0, shared, readers[0]);
    const oneAgain = await session(1, shared, readers[0]);
    const two = await session(0, shared, readers[1]);
    const views = edges[0]!.views!;
    const first = await one.command('F1', FLAGS);
    assert.equal(first.untagged.length, 4);
    const answered = views.counts.answered;
    const fetches = backends[0]!.fetches;
    assert.deepEqual((await one.command('F2', FLAGS)).untagged, first.untagged);
    assert.equal(views.counts.answered, answered + 1, 'the view answered');
    assert.equal(backends[0]!.fetches, fetches, 'no FETCH reached the mailbox service');
    // The first reader's \Seen is its own: at once for it, never for the other reader or the owner.
    assert.match((await one.command('S1', 'UID STORE 2 +FLAGS.SILENT (\\Seen)')).tagged, /OK/);
    assert.match(parse((await one.command('F3', FLAGS)).untagged).get(2)!.flags, /\\Seen/, 'own \\Seen at once');
    assert.deepEqual(
      parse((await one.command('F7', FLAGS)).untagged),
      await (async () => {
        feeds[0]!.current = false;
        try {
          return parse((await one.command('F8', FLAGS)).untagged);
        } finally {
          feeds[0]!.current = true;
        }
      })(),
      "the reader's view is what the service says to the reader",
    );
    await sleep(200);
    assert.doesNotMatch(parse((await two.command('T1', FLAGS)).untagged).get(2)!.flags, /\\Seen/, "not the other reader's");
    assert.doesNotMatch(parse((await owner.command('O1', FLAGS)).untagged).get(2)!.flags, /\\Seen/, "not the owner's");
    // The owner's change reaches every reader, on either edge.
    assert.match((await owner.command('O2', 'UID STORE 1 +FLAGS.SILENT (\\Flagged)')).tagged, /OK/);
    for (const [who, s] of [
      ['the first reader', one],
      ['the first reader on the other edge', oneAgain],
      ['the second reader', two],
    ] as const) {
      let seen = false;
      for (let i = 0; i < 40 && !seen; i++) {
        seen = /\\Flagged/.test(parse((await s.command(`P${i}`, FLAGS)).untagged).get(1)?.flags ?? '');
        if (!seen) await sleep(50);
      }
      assert.ok(seen, `${who} sees the owner's change within 2 s`);
    }
    // The second reader's grant goes: its session ends once the feed told the edge; the first reader reads on.
    assert.match((await owner.command('O3', `DELETEACL ${name} ${readers[1]}`)).tagged, /OK/);
    let ended = false;
    for (let i = 0; i < 40 && !ended; i++) {
      ended = await two.command(`R${i}`, FLAGS).then(
        () => false,
        () => true,
      );
      if (!ended) await sleep(50);
    }
    assert.ok(ended, `the revoked reader is refused within 2 s: ${two.transcript.slice(-600)}`);
    assert.match(two.transcript, /\* BYE Access to the selected mailbox was revoked/);
    assert.match((await one.command('F9', FLAGS)).tagged, /^F9 OK/);
  });

  test('random STORE, APPEND and EXPUNGE on both edges: no session is shown a MODSEQ going back, and all end at the truth', async () => {
    const name = await freshMailbox(8);
    const sessions = await Promise.all([0, 1, 0, 1].map((e) => session(e, name)));
    const shown = sessions.map(() => new Map<number, number>());
    let seed = 20261207;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const check = (k: number, lines: string[]) => {
      for (const [uid, m] of parse(lines)) {
        const before = shown[k]!.get(uid) ?? 0;
        assert.ok(m.modseq >= before, `session ${k}: UID ${uid} shown at MODSEQ ${m.modseq} after ${before}`);
        shown[k]!.set(uid, m.modseq);
      }
    };
    const FLAG = ['\\Seen', '\\Flagged', '\\Answered', '$Work', '\\Draft'];
    for (let step = 0; step < 120; step++) {
      const k = rand(sessions.length);
      const s = sessions[k]!;
      const op = rand(10);
      let r;
      if (op < 5) r = await s.command(`X${step}`, FLAGS);
      else if (op < 8) r = await s.command(`X${step}`, `STORE ${1 + rand(6)}:* ${rand(2) ? '+' : '-'}FLAGS (${FLAG[rand(FLAG.length)]})`);
      else if (op < 9) r = await appendSync(s, `X${step}`, name, Buffer.from(`Subject: r${step}\r\n\r\nx\r\n`));
      else {
        await s.command(`D${step}`, `STORE ${1 + rand(8)} +FLAGS.SILENT (\\Deleted)`);
        r = await s.command(`X${step}`, 'EXPUNGE');
      }
      assert.match(r.tagged, /OK/, `step ${step}: ${r.tagged}`);
      check(k, r.untagged);
    }
    // Quiet, then each session converges on what the service says.
    await sleep(300);
    feeds[0]!.current = false;
    const { client: truthClient } = await ImapClient.connect(edges[0]!.imapPort!);
    clients.push(truthClient);
    await truthClient.command('L', `LOGIN ${user} pw`);
    await truthClient.command('S', `SELECT ${name} (CONDSTORE)`);
    const truth = parse((await truthClient.command('T', FLAGS)).untagged);
    feeds[0]!.current = true;
    for (const [k, s] of sessions.entries()) {
      await s.command('N', 'NOOP');
      const mine = parse((await s.command('Z', FLAGS)).untagged);
      check(k, (await s.command('Z2', FLAGS)).untagged);
      assert.deepEqual([...mine.entries()].sort(), [...truth.entries()].sort(), `session ${k} at the truth`);
    }
  });
});
