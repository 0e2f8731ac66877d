// SEARCH compiled to SQL, run against a real PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { grpc, loadMailProto, RpcError } from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { CommandParser } from '@kimap/imap-edge/protocol/parser';
import { toSearchCriteria } from '@kimap/imap-edge/commands/search-criteria';
import { parseSearch } from '@kimap/imap-edge/commands/search-keys';
import { addUser } from '../src/store/accounts.js';
import { appendMessage } from '../src/store/messages.js';
import {
  buildSearchQuery,
  compileSearch,
  escapeLike,
  searchUids,
  validateSearchCriteria,
  type SearchCriteria,
} from '../src/store/search.js';

const HOUR = 3_600_000;

/** A calendar day (the proto's Day) from YYYY-MM-DD. */
const day = (ymd: string) => {
  const [year, month, d] = ymd.split('-').map(Number) as [number, number, number];
  return { year, month, day: d };
};

/** A program as the service receives it: encoded and decoded as SearchRequest.criteria. */
function wire(criteria: SearchCriteria): SearchCriteria {
  const method = loadMailProto().mail.v1.MailboxService.service.Search;
  return method.requestDeserialize(method.requestSerialize({ account: { accountId: 1 }, mailboxId: 1, criteria })).criteria!;
}

interface TestMessage {
  headers: Array<string | Buffer>;
  body: string | Buffer;
  flags?: string[];
  internalDate: Date;
}

function raw(m: TestMessage): Buffer {
  const parts: Buffer[] = [];
  for (const h of m.headers) parts.push(typeof h === 'string' ? Buffer.from(h, 'utf8') : h, Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'), typeof m.body === 'string' ? Buffer.from(m.body, 'utf8') : m.body);
  return Buffer.concat(parts);
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** The corpus; UIDs are 1..7 in INBOX, in this order. */
const MESSAGES: TestMessage[] = [
  {
    // 1: plain ASCII
    headers: [
      'From: Alice <alice@example.com>',
      'To: bob@example.org',
      'Cc: carol@example.net',
      'Bcc: dave@example.com',
      'Subject: Meeting tomorrow',
      'Date: Tue, 01 Jul 2003 10:52:37 +0200',
      'Message-ID: <m1@x>',
    ],
    body: "Let's meet at 10am.\r\n",
    flags: ['\\Seen'],
    internalDate: new Date('2003-07-01T08:00:00Z'),
  },
  {
    // 2: 8-bit UTF-8 header and body (RFC 6532); sent on the 2nd in its zone, the 1st in UTC
    headers: [
      'From: "Jörg Müller" <joerg@example.de>',
      'To: team@example.de',
      'Subject: Grüße aus München',
      'Date: Wed, 2 Jul 2003 01:30:00 +0200',
    ],
    body: 'Привет мир, wie geht es?\r\n',
    flags: ['\\Flagged', '$Forwarded'],
    internalDate: new Date('2003-07-02T23:30:00Z'),
  },
  {
    // 3: 8-bit ISO-8859-1 header and body (not UTF-8), no Date:
    headers: ['From: francois@example.fr', latin1('Subject: Café crème'), 'To: bob@example.org'],
    body: latin1('Smörgåsbord et café.\r\n'),
    flags: ['\\Answered', '\\Deleted'],
    internalDate: new Date('2003-07-03T00:30:00Z'),
  },
  {
    // 4: LIKE metacharacters, a folded header, a two-digit year
    headers: [
      'From: shop@example.com',
      'Subject: 100% off_sale \\o/',
      'X-Long: first part',
      ' second part',
      'Date: Fri, 4 Jul 03 12:00:00 GMT',
    ],
    body: 'Now 50% discount on a_b\\c items.\r\n',
    flags: ['\\Draft', 'Junk'],
    internalDate: new Date('2003-07-04T12:00:00Z'),
  },
  {
    // 5: large, Cyrillic UTF-8 subject, recent internal date
    headers: ['From: ivan@example.ru', 'Subject: Привет от Ивана', 'Date: Sun, 31 Dec 2023 23:59:59 -0800'],
    body: 'x'.repeat(5000) + '\r\n',
    internalDate: new Date(Date.now() - HOUR),
  },
  {
    // 6: NUL bytes in header and body, a Date: that is not a date, "Subject" only in the body
    headers: [
      'From: robot@example.com',
      Buffer.from('X-Bin: a\0b'),
      'Subject: nul test',
      'Date: garbage',
      'To: a@example.com',
      'To: second@example.com',
    ],
    body: Buffer.concat([Buffer.from('bin\0ary '), Buffer.from('findme, Subject line in body\r\n')]),
    internalDate: new Date('2003-07-06T10:00:00Z'),
  },
  {
    // 7: the envelope's date wins over the header's
    headers: ['From: env@example.com', 'Subject: envelope', 'Date: Mon, 7 Jul 2003 10:00:00 +0000', 'X-Back\\slash: yes'],
    body: 'body seven\r\n',
    internalDate: new Date('2003-07-07T10:00:00Z'),
  },
];
const ALL = [1, 2, 3, 4, 5, 6, 7];
const but = (...uids: number[]) => ALL.filter((u) => !uids.includes(u));

describe('SEARCH on PostgreSQL', () => {
  let tdb: TestDatabase;
  let accountId: number;
  let inbox: number;
  const modseqs: number[] = [];

  const search = async (criteria: SearchCriteria, opts: { pageSize?: number; now?: Date } = {}): Promise<number[]> => {
    const out: number[] = [];
    for await (const page of searchUids(tdb.db, accountId, inbox, criteria, opts)) out.push(...page.uids);
    return out;
  };

  before(async () => {
    tdb = await createTestDatabase();
    const acc = await addUser(tdb.db, 'searcher@example.test', 'secret-pass', { createTenant: true });
    accountId = acc.accountId;
    await tdb.db.transaction(async (tx) => {
      for (const m of MESSAGES) {
        const r = await appendMessage(tx, {
          accountId,
          mailbox: 'INBOX',
          flags: m.flags ?? [],
          internalDateMs: m.internalDate.getTime(),
          message: raw(m),
        });
        inbox = r.mailboxId;
        modseqs.push(r.modseq);
      }
      // Another mailbox with a matching message: never returned.
      await appendMessage(tx, { accountId, mailbox: 'Archive', flags: ['\\Seen'], internalDateMs: Date.now(), message: raw(MESSAGES[0]!) });
    });
    await tdb.db.query(
      `UPDATE message_bodies b SET envelope = '{"date": "Mon, 10 Mar 2025 08:00:00 +0100"}'
         FROM messages m WHERE m.account_id = b.account_id AND m.body_hash = b.body_hash AND m.mailbox_id = $1 AND m.uid = 7`,
      [inbox],
    );
  });

  after(async () => {
    await tdb.drop();
  });

  const h = (field: string, value: string): SearchCriteria => ({ header: { field, value } });
  const flag = (f: string): SearchCriteria => ({ flag: f });
  const not = (key: SearchCriteria): SearchCriteria => ({ not: key });

  /** [name, criteria, expected UIDs] — one per key and per semantic corner. */
  const CASES: Array<[string, SearchCriteria, number[]]> = [
    ['ALL', { all: true }, ALL],
    ['none (NEW, RECENT)', { none: true }, []],
    ['SEEN', flag('\\Seen'), [1]],
    ['UNSEEN', not(flag('\\Seen')), but(1)],
    ['ANSWERED', flag('\\Answered'), [3]],
    ['DELETED', flag('\\Deleted'), [3]],
    ['UNDELETED', not(flag('\\Deleted')), but(3)],
    ['DRAFT', flag('\\Draft'), [4]],
    ['FLAGGED', flag('\\Flagged'), [2]],
    ['system flag in any case', flag('\\SEEN'), [1]],
    ['KEYWORD case-insensitive', flag('$forwarded'), [2]],
    ['KEYWORD as stored', flag('Junk'), [4]],
    ['KEYWORD other case', flag('JUNK'), [4]],
    ['UNKEYWORD', not(flag('junk')), but(4)],
    ['\\Recent is never stored', flag('\\Recent'), []],
    ['FROM', h('From', 'alice'), [1]],
    ['FROM, other case', h('FROM', 'ALICE@EXAMPLE.COM'), [1]],
    ['FROM, display name with umlauts', h('From', 'jörg'), [2]],
    ['FROM, non-ASCII case folding', h('From', 'JÖRG MÜLLER'), [2]],
    ['TO', h('To', 'bob@'), [1, 3]],
    ['TO, any of several fields', h('To', 'second@'), [6]],
    ['CC', h('Cc', 'carol'), [1]],
    ['BCC', h('Bcc', 'dave'), [1]],
    ['SUBJECT', h('Subject', 'meeting'), [1]],
    ['SUBJECT matches the value, not the field name', h('Subject', 'subject'), []],
    ['SUBJECT, UTF-8 header', h('Subject', 'grüße'), [2]],
    ['SUBJECT, Cyrillic case folding', h('Subject', 'ПРИВЕТ ОТ'), [5]],
    ['SUBJECT, ISO-8859-1 header', h('Subject', 'café'), [3]],
    ['SUBJECT, ISO-8859-1 header, ASCII folds', h('Subject', 'CAFé CRèME'), [3]],
    ['SUBJECT with %', h('Subject', '100%'), [4]],
    ['SUBJECT % alone is literal', h('Subject', '%'), [4]],
    ['SUBJECT _ is literal', h('Subject', '_'), [4]],
    ['SUBJECT _ does not match any character', h('Subject', 'off sale'), []],
    ['SUBJECT with backslash', h('Subject', '\\o/'), [4]],
    ['SUBJECT empty: has the field', h('Subject', ''), ALL],
    ['HEADER', h('Message-ID', '<m1@x>'), [1]],
    ['HEADER field name case-insensitive', h('message-id', '<M1@X>'), [1]],
    ['HEADER unfolded', h('X-Long', 'part second'), [4]],
    ['HEADER empty value: has the field', h('X-Long', ''), [4]],
    ['HEADER missing field', h('X-Missing', ''), []],
    ['HEADER with a NUL in it', h('X-Bin', 'a'), [6]],
    ['HEADER field name with LIKE metacharacters is exact', h('X-L%', ''), []],
    ['HEADER field name with a backslash', h('x-back\\SLASH', 'YES'), [7]],
    ['BODY', { body: 'MEET AT' }, [1]],
    ['BODY, UTF-8', { body: 'МИР' }, [2]],
    ['BODY, ISO-8859-1', { body: 'SMöRGåSBORD' }, [3]],
    ['BODY with % and _', { body: '50% discount on a_b\\c' }, [4]],
    ['BODY % is not a wildcard', { body: 'a%c' }, []],
    ['BODY, binary with NUL', { body: 'findme' }, [6]],
    ['BODY does not search the header', { body: 'alice' }, []],
    ['BODY empty', { body: '' }, ALL],
    ['BODY, ISO-8859-1 body found by a UTF-8 string', { body: 'café' }, [3]],
    ['TEXT header', { text: 'ALICE' }, [1]],
    ['TEXT body', { text: 'meet at' }, [1]],
    ['TEXT field name', { text: 'message-id: <m1' }, [1]],
    ['TEXT both', { text: 'subject' }, ALL],
    ['TEXT UTF-8', { text: 'MÜNCHEN' }, [2]],
    ['TEXT binary', { text: 'nul test' }, [6]],
    ['BEFORE', { before: day('2003-07-02') }, [1]],
    ['ON (UTC day)', { on: day('2003-07-02') }, [2]],
    ['ON', { on: day('2003-07-03') }, [3]],
    ['SINCE', { since: day('2003-07-04') }, [4, 5, 6, 7]],
    ['SENTBEFORE', { sentBefore: day('2003-07-02') }, [1]],
    ['SENTON, the day as written, not in UTC', { sentOn: day('2003-07-02') }, [2]],
    ['SENTON, no Date: uses the internal date', { sentOn: day('2003-07-03') }, [3]],
    ['SENTON, two-digit year', { sentOn: day('2003-07-04') }, [4]],
    ['SENTON, unusable Date: uses the internal date', { sentOn: day('2003-07-06') }, [6]],
    ['SENTON, envelope date wins', { sentOn: day('2025-03-10') }, [7]],
    ['SENTON, header date overridden by the envelope', { sentOn: day('2003-07-07') }, []],
    ['SENTSINCE', { sentSince: day('2023-12-31') }, [5, 7]],
    ['LARGER', { larger: 5000 }, [5]],
    ['SMALLER', { smaller: 5000 }, but(5)],
    [
      'UID ranges',
      {
        uids: {
          ranges: [
            { first: 2, last: 3 },
            { first: 7, last: 7 },
          ],
        },
      },
      [2, 3, 7],
    ],
    ['UID n:* (last 0)', { uids: { ranges: [{ first: 6, last: 0 }] } }, [6, 7]],
    ['UID reversed range', { uids: { ranges: [{ first: 5, last: 2 }] } }, [2, 3, 4, 5]],
    ['UID nothing', { uids: { ranges: [] } }, []],
    ['UID beyond', { uids: { ranges: [{ first: 100, last: 200 }] } }, []],
    ['YOUNGER', { younger: 2 * 3600 }, [5]],
    ['OLDER', { older: 2 * 3600 }, but(5)],
    ['OR', { or: { keys: [flag('\\Seen'), flag('\\Flagged')] } }, [1, 2]],
    ['NOT OR', not({ or: { keys: [flag('\\Seen'), flag('\\Flagged')] } }), [3, 4, 5, 6, 7]],
    ['AND', { and: { keys: [h('To', 'bob'), not(flag('\\Seen'))] } }, [3]],
    ['NOT NOT', not(not(flag('\\Seen'))), [1]],
    ['empty AND is true', { and: { keys: [] } }, ALL],
    ['empty OR is false', { or: { keys: [] } }, []],
    [
      'nested OR/NOT/AND',
      {
        or: {
          keys: [
            { and: { keys: [{ body: 'x' }, { larger: 100 }] } },
            not({ or: { keys: [{ since: day('2003-07-03') }, not(h('From', 'joerg'))] } }),
          ],
        },
      },
      [2, 5],
    ],
  ];

  for (const [name, criteria, expected] of CASES) {
    test(name, async () => {
      assert.deepEqual(await search(criteria), expected);
    });
  }

  test('From, To, Cc, Bcc and Subject are kept decoded on the message row', async () => {
    const { rows } = await tdb.db.query<{ uid: number; search_fields: string }>(
      'SELECT uid, search_fields FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid IN (1, 2) ORDER BY uid',
      [accountId, inbox],
    );
    // An address field as written, then (when it differs) its addresses in normal form.
    assert.deepEqual(rows[0]!.search_fields.split('\n'), [
      'from: alice <alice@example.com>',
      'to: bob@example.org',
      'to: <bob@example.org>',
      'cc: carol@example.net',
      'cc: <carol@example.net>',
      'bcc: dave@example.com',
      'bcc: <dave@example.com>',
      'subject: meeting tomorrow',
    ]);
    assert.match(rows[1]!.search_fields, /^from: "jörg müller" <joerg@example.de>$/m);
    const c = compileSearch(h('FROM', 'alice'), { paramIndex: 1 });
    assert.equal(c.needsBody, false, 'the row answers');
  });

  test('rows from before the kept fields, and bodies from before the decoded text, give the same answers', async () => {
    const saved = await tdb.db.query<{ body_hash: Buffer; search_header: string; search_body: string }>(
      'SELECT body_hash, search_header, search_body FROM message_bodies WHERE account_id = $1',
      [accountId],
    );
    try {
      await tdb.db.query('UPDATE messages SET search_fields = NULL WHERE account_id = $1', [accountId]);
      for (const [name, criteria, expected] of CASES)
        assert.deepEqual(await search(criteria), expected, `${name}, without the row's fields`);
      await tdb.db.query('UPDATE message_bodies SET search_header = NULL, search_body = NULL WHERE account_id = $1', [accountId]);
      const differ: string[] = [];
      for (const [name, criteria, expected] of CASES)
        if (JSON.stringify(await search(criteria)) !== JSON.stringify(expected)) differ.push(name);
      // The raw bytes are matched with ILIKE, which folds ASCII case only under the C collation.
      assert.deepEqual(
        differ,
        ['FROM, non-ASCII case folding', 'SUBJECT, Cyrillic case folding', 'BODY, UTF-8', 'TEXT UTF-8'],
        'from the raw bytes',
      );
    } finally {
      await tdb.db.query(
        `UPDATE message_bodies b SET search_header = s.h, search_body = s.b
           FROM unnest($2::bytea[], $3::text[], $4::text[]) AS s(hash, h, b) WHERE b.account_id = $1 AND b.body_hash = s.hash`,
        [accountId, saved.rows.map((r) => r.body_hash), saved.rows.map((r) => r.search_header), saved.rows.map((r) => r.search_body)],
      );
      // What migration 0008 does for the rows it finds.
      await tdb.db.query(
        `UPDATE messages m SET search_fields = kimap_search_fields(b.search_header)
           FROM message_bodies b WHERE m.account_id = $1 AND b.account_id = m.account_id AND b.body_hash = m.body_hash`,
        [accountId],
      );
    }
    for (const [name, criteria, expected] of CASES) assert.deepEqual(await search(criteria), expected, `${name}, fields filled in again`);
  });

  test('MODSEQ n matches messages with modseq >= n', async () => {
    assert.deepEqual(await search({ modseq: modseqs[5]! }), [6, 7]);
    assert.deepEqual(await search({ modseq: 0 }), ALL);
    assert.deepEqual(await search({ modseq: modseqs[6]! + 1 }), []);
    const pages = [];
    for await (const page of searchUids(tdb.db, accountId, inbox, { modseq: modseqs[3]! })) pages.push(page);
    assert.deepEqual(pages, [{ uids: [4, 5, 6, 7], highestmodseq: modseqs[6] }]);
  });

  test('NOT of every key is its exact complement (no NULLs leak)', async () => {
    for (const [name, criteria, expected] of CASES) {
      assert.deepEqual(await search(not(criteria)), but(...expected), name);
    }
  });

  test('OLDER/YOUNGER against a given now', async () => {
    const now = new Date('2003-07-04T00:00:00Z');
    assert.deepEqual(await search({ younger: 86400 }, { now }), [3, 4, 5, 6, 7]);
    assert.deepEqual(await search({ older: 86400 }, { now }), [1, 2]);
  });

  test('pagination returns every match once, in order', async () => {
    assert.deepEqual(await search({ all: true }, { pageSize: 2 }), ALL);
    assert.deepEqual(await search(not(flag('\\Seen')), { pageSize: 1 }), but(1));
    assert.deepEqual(await search({ body: 'e' }, { pageSize: 3 }), await search({ body: 'e' }));
  });

  test('user strings never reach the SQL text', async () => {
    const evil = `x'; DROP TABLE messages; -- $1 \\' %`;
    const criteria: SearchCriteria = { or: { keys: [h('Subject', evil), { body: evil }, { text: evil }, flag(evil), h('X-A', evil)] } };
    const c = compileSearch(criteria, { paramIndex: 1 });
    assert.ok(!c.sql.includes('DROP'));
    assert.ok(c.params.some((p) => typeof p === 'string' && p.includes('DROP')));
    assert.deepEqual(await search(criteria), []);
    const { rows } = await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    assert.equal(rows[0]!.n, 8);
  });

  test('parameters are numbered from paramIndex', () => {
    const c = compileSearch({ and: { keys: [flag('\\Seen'), h('X-Subject', 'a'), { larger: 1 }] } }, { paramIndex: 7 });
    const refs = [...c.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(Math.min(...refs), 7);
    assert.equal(Math.max(...refs), 7 + c.params.length - 1);
    assert.equal(new Set(refs).size, c.params.length);
    assert.equal(c.needsBody, true);
    assert.equal(compileSearch({ not: flag('x') }, { paramIndex: 1 }).needsBody, false);
    assert.equal(compileSearch({ sentOn: day('2020-01-01') }, { paramIndex: 1 }).needsBody, true);
    const q = buildSearchQuery(1, 2, flag('\\Seen'), { afterUid: 5, limit: 10 });
    assert.doesNotMatch(q.sql, /message_bodies/);
    assert.deepEqual(q.params, [1, 2, 5, '\\Seen', 10]);
  });

  test('escapeLike', () => {
    assert.equal(escapeLike('100%_a\\b'), '100\\%\\_a\\\\b');
  });

  test('invalid programs are rejected with INVALID_ARGUMENT', () => {
    const deep = (n: number): SearchCriteria => (n === 0 ? { all: true } : { not: deep(n - 1) });
    const bad: Array<SearchCriteria | null> = [
      null,
      {},
      { all: true, none: true },
      { all: false },
      { and: { keys: [{}] } },
      { not: {} },
      { uids: { ranges: [{ first: -1, last: 2 }] } },
      { uids: { ranges: [{ first: 1, last: 2 ** 32 }] } },
      { uids: { ranges: [{ first: 1.5, last: 2 }] } },
      { flag: '' },
      { header: { field: 'Sub ject', value: 'x' } },
      { header: { field: 'Subject:', value: 'x' } },
      { body: 'a\0b' },
      { on: day('2023-02-30') },
      { since: { year: 2023, month: 13, day: 1 } },
      { sentOn: { year: 10_000, month: 1, day: 1 } },
      { larger: -1 },
      { modseq: 2 ** 60 },
      { older: 1.5 },
      deep(65),
      { and: { keys: Array.from({ length: 5001 }, () => ({ all: true })) } },
    ];
    for (const v of bad) {
      assert.throws(
        () => validateSearchCriteria(v),
        (e: unknown) => e instanceof RpcError && e.code === grpc.status.INVALID_ARGUMENT && /Invalid search criteria/.test(e.message),
        JSON.stringify(v)?.slice(0, 80),
      );
      assert.throws(() => compileSearch(v as SearchCriteria, { paramIndex: 1 }), RpcError);
    }
    // Off the wire (the decoder also names the member set in `key`), a program compiles as built.
    const program = not({ or: { keys: [flag('\\Seen'), { sentOn: day('2020-01-01') }, { larger: 0 }, { uids: { ranges: [] } }] } });
    assert.deepEqual(compileSearch(validateSearchCriteria(wire(program)), { paramIndex: 1 }), compileSearch(program, { paramIndex: 1 }));
    assert.ok(validateSearchCriteria(deep(64)));
    assert.ok(validateSearchCriteria({ on: day('0050-01-01') }));
  });

  describe('edge → mailbox: parsed SEARCH commands, CHARSETs', () => {
    /** SEARCH arguments with one literal (raw bytes) spliced in where `{}` is. */
    const run = async (before: string, literal?: Buffer, afterText = ''): Promise<number[]> => {
      const parts = literal
        ? [
            { type: 'text' as const, data: Buffer.from(before) },
            { type: 'literal' as const, data: literal, binary: false, sync: false },
            { type: 'text' as const, data: Buffer.from(afterText) },
          ]
        : [{ type: 'text' as const, data: Buffer.from(before) }];
      const args = parseSearch(new CommandParser(parts), false);
      // sequence numbers are UIDs here: the view is 1..7 without gaps
      const criteria = toSearchCriteria(args.criteria, (set) => set.resolve(7).map(([first, last]) => ({ first, last })));
      return search(validateSearchCriteria(wire(criteria)));
    };

    test('ISO-8859-1 search string finds a UTF-8 header', async () => {
      assert.deepEqual(await run(' CHARSET ISO-8859-1 SUBJECT ', iconv.encode('GRÜßE', 'latin1')), [2]);
      assert.deepEqual(await run(' CHARSET ISO-8859-1 FROM ', iconv.encode('jörg', 'latin1')), [2]);
    });

    test('KOI8-R search string finds a UTF-8 header and body', async () => {
      assert.deepEqual(await run(' CHARSET KOI8-R SUBJECT ', iconv.encode('привет от', 'koi8-r')), [5]);
      assert.deepEqual(await run(' CHARSET KOI8-R TEXT ', iconv.encode('Мир', 'koi8-r')), [2]);
    });

    test('ISO-8859-1 search string finds an ISO-8859-1 header', async () => {
      assert.deepEqual(await run(' CHARSET ISO-8859-1 SUBJECT ', iconv.encode('crème', 'latin1')), [3]);
    });

    test('UTF-8 and no charset', async () => {
      assert.deepEqual(await run(' CHARSET UTF-8 BODY ', Buffer.from('wie geht')), [2]);
      assert.deepEqual(await run(' SUBJECT "Müller"'), []);
      assert.deepEqual(await run(' FROM "Müller"'), [2]);
    });

    test('a whole program', async () => {
      assert.deepEqual(await run(' OR SEEN FLAGGED NOT DELETED'), [1, 2]);
      assert.deepEqual(await run(' 2:* UNSEEN NOT (OR KEYWORD junk LARGER 1000) SENTSINCE 1-Jan-2000 NOT HEADER X-Bin ""'), [2, 3, 7]);
      assert.deepEqual(await run(' NEW'), []);
      assert.deepEqual(await run(' OLD NOT RECENT'), ALL);
      assert.deepEqual(await run(' OR FROM alice (TEXT "50% discount")'), [1, 4]);
    });
  });
});

describe('SEARCH FROM / TO / CC / BCC: an address in every form a header can hold it', () => {
  let tdb: TestDatabase;
  let accountId: number;
  let mailboxId: number;

  /** UIDs 1..10; the transcript e2e/transcripts/search-address.imap has the same messages and Dovecot's answers. */
  const HEADERS: string[][] = [
    ['From: user-from@domain.org', 'To: user-to@domain.org', 'Cc: user-cc@domain.org', 'Bcc: user-bcc@domain.org'],
    [
      'From: RealFrom <user-from@domain.org>',
      'To: RealTo <user-to@domain.org>',
      'Cc: RealCc <user-cc@domain.org>',
      'Bcc: RealBcc <user-bcc@domain.org>',
    ],
    ['From: "Real, From" <user-from@domain.org>', 'To: "Real To" <user-to@domain.org>'],
    [
      'From: <user-from (comment)@ (comment) domain.org>',
      'To: <user-to@domain.org>',
      'Cc: <user-cc@domain.org>',
      'Bcc: <user-bcc@domain.org>',
    ],
    [
      'From: user-from@domain.org (RealFrom)',
      'To: user-to@domain.org (RealTo)',
      'Cc: user-cc@domain.org (RealCc)',
      'Bcc: user-bcc@domain.org (RealBcc)',
    ],
    ['From: =?UTF-8?Q?R=C3=A9al_From?= <user-from@domain.org>', 'Cc: =?ISO-8859-1?Q?Andr=E9?= <user-cc@domain.org>'],
    ['From: "=?UTF-8?B?UsOpYWwgRnJvbQ==?=" <user-from@domain.org>'],
    [
      'From: user-from1@domain.org, user-from2@domain.org',
      'To: team: groupuser1@domain.org, user-to@domain.org;, other: groupuser3@domain.org;',
      'Cc: first@domain.org,\r\n "Folded\r\n Name" <user-cc@domain.org>',
    ],
    ['From: RealFrom <user-from@domain.org>', 'To: team:;'],
    ['From: user-from @ domain.org', 'To: user-to(x)@(y)domain.org'],
  ];

  before(async () => {
    tdb = await createTestDatabase();
    accountId = (await addUser(tdb.db, 'addresses@example.test', 'secret-pass', { createTenant: true })).accountId;
    for (const [i, headers] of HEADERS.entries()) {
      const message = Buffer.from([...headers, `Subject: m${i + 1}`, '', 'body', ''].join('\r\n'));
      mailboxId = (await appendMessage(tdb.db, { accountId, mailbox: 'INBOX', flags: [], internalDateMs: 0, message })).mailboxId;
    }
  });

  after(async () => {
    await tdb.drop();
  });

  const search = async (field: string, value: string): Promise<number[]> => {
    const out: number[] = [];
    for await (const page of searchUids(tdb.db, accountId, mailboxId, { header: { field, value } })) out.push(...page.uids);
    return out;
  };

  // What Dovecot answers for the same messages (e2e/transcripts/search-address.imap).
  const CASES: Array<[string, string, number[]]> = [
    ['From', 'user-from@domain.org', [1, 2, 3, 4, 5, 6, 7, 9, 10]],
    ['To', 'user-to@domain.org', [1, 2, 3, 4, 5, 8, 10]],
    ['Cc', 'user-cc@domain.org', [1, 2, 4, 5, 6, 8]],
    ['Bcc', 'user-bcc@domain.org', [1, 2, 4, 5]],
    ['From', 'realfrom', [2, 5, 9]],
    ['To', 'realto', [2, 5]],
    ['From', 'real, from', [3]],
    ['From', '<user-from@domain.org>', [1, 2, 3, 4, 5, 6, 7, 9, 10]],
    ['From', 'RealFrom <user-from@domain.org>', [2, 5, 9]],
    ['From', 'Réal From', [6, 7]],
    ['Cc', 'andré', [6]],
    ['From', 'user-from2', [8]],
    ['To', 'team', [8, 9]],
    ['To', 'groupuser3', [8]],
    ['Cc', 'folded name', [8]],
  ];
  for (const [field, value, expected] of CASES) {
    test(`${field.toUpperCase()} ${JSON.stringify(value)}`, async () => {
      assert.deepEqual(await search(field, value), expected);
    });
  }
});
