import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { loadMailProto } from '@kimap/common';
import { ParseError } from '../../src/protocol/errors.js';
import { CommandParser } from '../../src/protocol/parser.js';
import { SequenceSet } from '../../src/protocol/seqset.js';
import { canonicalSearchCharset, decodeSearchString, SEARCH_CHARSETS, SearchCharsetError } from '../../src/commands/search-charsets.js';
import { toSearchCriteria } from '../../src/commands/search-criteria.js';
import { parseSearch, usesModseq, usesSearchResult, type SearchArgs, type SearchKey } from '../../src/commands/search-keys.js';
import { lit, receiveOne } from '../protocol/helpers.js';

const seq = (s: string) => SequenceSet.parse(s);
const d = (day: number, month: number, year: number) => ({ year, month, day });

/** Raw wire command (string or bytes; CRLF added) -> SearchArgs. */
function search(input: string | Buffer): SearchArgs {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const cmd = receiveOne(buf.subarray(-2).toString() === '\r\n' ? buf : Buffer.concat([buf, Buffer.from('\r\n')]));
  return parseSearch(CommandParser.forCommand(cmd), cmd.name === 'UID SEARCH');
}

/** A `{n+}` literal of raw bytes. */
const blit = (bytes: Buffer): Buffer => Buffer.concat([Buffer.from(`{${bytes.length}+}\r\n`), bytes]);

const args = (criteria: SearchKey, extra: Partial<SearchArgs> = {}): SearchArgs => ({ uid: false, ...extra, criteria });

const OK: Array<[string, SearchArgs]> = [
  ['a SEARCH ALL', args({ type: 'all' })],
  ['a search all', args({ type: 'all' })],
  ['a UID SEARCH ALL', args({ type: 'all' }, { uid: true })],
  // every flag key
  ['a SEARCH ANSWERED', args({ type: 'flag', flag: '\\Answered', set: true })],
  ['a SEARCH DELETED', args({ type: 'flag', flag: '\\Deleted', set: true })],
  ['a SEARCH DRAFT', args({ type: 'flag', flag: '\\Draft', set: true })],
  ['a SEARCH FLAGGED', args({ type: 'flag', flag: '\\Flagged', set: true })],
  ['a SEARCH SEEN', args({ type: 'flag', flag: '\\Seen', set: true })],
  ['a SEARCH UNANSWERED', args({ type: 'flag', flag: '\\Answered', set: false })],
  ['a SEARCH UNDELETED', args({ type: 'flag', flag: '\\Deleted', set: false })],
  ['a SEARCH UNDRAFT', args({ type: 'flag', flag: '\\Draft', set: false })],
  ['a SEARCH UNFLAGGED', args({ type: 'flag', flag: '\\Flagged', set: false })],
  ['a SEARCH unseen', args({ type: 'flag', flag: '\\Seen', set: false })],
  ['a SEARCH KEYWORD $Forwarded', args({ type: 'flag', flag: '$Forwarded', set: true })],
  ['a SEARCH UNKEYWORD Junk', args({ type: 'flag', flag: 'Junk', set: false })],
  ['a SEARCH KEYWORD \\seen', args({ type: 'flag', flag: '\\Seen', set: true })],
  ['a SEARCH NEW', args({ type: 'new' })],
  ['a SEARCH OLD', args({ type: 'old' })],
  ['a SEARCH RECENT', args({ type: 'recent' })],
  // strings: atom, quoted, literal
  ['a SEARCH BCC boss', args({ type: 'bcc', value: 'boss' })],
  ['a SEARCH BODY "hello world"', args({ type: 'body', value: 'hello world' })],
  ['a SEARCH CC ' + lit('x y'), args({ type: 'cc', value: 'x y' })],
  ['a SEARCH FROM "Smith \\"J\\""', args({ type: 'from', value: 'Smith "J"' })],
  ['a SEARCH SUBJECT "Grüße"', args({ type: 'subject', value: 'Grüße' })],
  ['a SEARCH TEXT "100%_\\\\x"', args({ type: 'text', value: '100%_\\x' })],
  ['a SEARCH TO ""', args({ type: 'to', value: '' })],
  ['a SEARCH TO foo]', args({ type: 'to', value: 'foo]' })],
  ['a SEARCH HEADER Message-ID "<x@y>"', args({ type: 'header', field: 'Message-ID', value: '<x@y>' })],
  ['a SEARCH HEADER "X-Spam_Flag%" ""', args({ type: 'header', field: 'X-Spam_Flag%', value: '' })],
  // dates
  ['a SEARCH BEFORE 1-Feb-1994', args({ type: 'before', date: d(1, 2, 1994) })],
  ['a SEARCH ON "01-feb-1994"', args({ type: 'on', date: d(1, 2, 1994) })],
  ['a SEARCH SINCE 29-Feb-2024', args({ type: 'since', date: d(29, 2, 2024) })],
  ['a SEARCH SENTBEFORE 31-Dec-1999', args({ type: 'sentbefore', date: d(31, 12, 1999) })],
  ['a SEARCH SENTON 5-Jan-2024', args({ type: 'senton', date: d(5, 1, 2024) })],
  ['a SEARCH SENTSINCE 5-Jan-2024', args({ type: 'sentsince', date: d(5, 1, 2024) })],
  // sizes (number64)
  ['a SEARCH LARGER 1024', args({ type: 'larger', size: 1024n })],
  ['a SEARCH SMALLER 9223372036854775807', args({ type: 'smaller', size: 9223372036854775807n })],
  // sets
  ['a SEARCH 1:5,7', args({ type: 'seq', set: seq('1:5,7') })],
  ['a SEARCH 2:*', args({ type: 'seq', set: seq('2:*') })],
  ['a SEARCH *', args({ type: 'seq', set: seq('*') })],
  ['a SEARCH $', args({ type: 'seq', set: seq('$') })],
  ['a UID SEARCH UID 100:200', args({ type: 'uid', set: seq('100:200') }, { uid: true })],
  ['a SEARCH UID $', args({ type: 'uid', set: seq('$') })],
  // logic
  ['a SEARCH NOT SEEN', args({ type: 'not', key: { type: 'flag', flag: '\\Seen', set: true } })],
  ['a SEARCH OR FROM a TO b', args({ type: 'or', left: { type: 'from', value: 'a' }, right: { type: 'to', value: 'b' } })],
  [
    'a SEARCH OR (FROM a SEEN) NOT (DELETED)',
    args({
      type: 'or',
      left: {
        type: 'and',
        keys: [
          { type: 'from', value: 'a' },
          { type: 'flag', flag: '\\Seen', set: true },
        ],
      },
      right: { type: 'not', key: { type: 'flag', flag: '\\Deleted', set: true } },
    }),
  ],
  [
    'a SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"',
    args({
      type: 'and',
      keys: [
        { type: 'flag', flag: '\\Flagged', set: true },
        { type: 'since', date: d(1, 2, 1994) },
        { type: 'not', key: { type: 'from', value: 'Smith' } },
      ],
    }),
  ],
  ['a SEARCH ((ALL))', args({ type: 'all' })],
  [
    'a SEARCH (1:3 UID 5) OR 4 (6)',
    args({
      type: 'and',
      keys: [
        {
          type: 'and',
          keys: [
            { type: 'seq', set: seq('1:3') },
            { type: 'uid', set: seq('5') },
          ],
        },
        { type: 'or', left: { type: 'seq', set: seq('4') }, right: { type: 'seq', set: seq('6') } },
      ],
    }),
  ],
  // CONDSTORE, WITHIN
  ['a SEARCH MODSEQ 620162338', args({ type: 'modseq', modseq: 620162338n })],
  ['a SEARCH MODSEQ 0', args({ type: 'modseq', modseq: 0n })],
  [
    'a SEARCH MODSEQ "/flags/\\\\draft" all 620162338',
    args({ type: 'modseq', modseq: 620162338n, entry: { flag: '\\Draft', entryType: 'all' } }),
  ],
  [
    'a SEARCH MODSEQ "/FLAGS/$Junk" PRIV 5 SEEN',
    args({
      type: 'and',
      keys: [
        { type: 'modseq', modseq: 5n, entry: { flag: '$Junk', entryType: 'priv' } },
        { type: 'flag', flag: '\\Seen', set: true },
      ],
    }),
  ],
  ['a SEARCH OLDER 3600', args({ type: 'older', seconds: 3600 })],
  ['a SEARCH YOUNGER 1', args({ type: 'younger', seconds: 1 })],
  // RETURN and CHARSET
  ['a SEARCH RETURN (MIN MAX) ALL', args({ type: 'all' }, { returnOptions: ['MIN', 'MAX'] })],
  ['a SEARCH RETURN () ALL', args({ type: 'all' }, { returnOptions: ['ALL'] })],
  ['a SEARCH RETURN (count all count save) ALL', args({ type: 'all' }, { returnOptions: ['COUNT', 'ALL', 'SAVE'] })],
  ['a SEARCH RETURN (SAVE) ALL', args({ type: 'all' }, { returnOptions: ['SAVE'] })],
  ['a UID SEARCH RETURN (ALL) CHARSET UTF-8 ALL', args({ type: 'all' }, { uid: true, returnOptions: ['ALL'], charset: 'UTF-8' })],
  ['a SEARCH CHARSET utf-8 SUBJECT "€"', args({ type: 'subject', value: '€' }, { charset: 'UTF-8' })],
  ['a SEARCH CHARSET "US-ASCII" TEXT x', args({ type: 'text', value: 'x' }, { charset: 'US-ASCII' })],
  ['a SEARCH CHARSET latin1 TEXT x', args({ type: 'text', value: 'x' }, { charset: 'ISO-8859-1' })],
  ['a SEARCH CHARSET cp1251 TEXT x', args({ type: 'text', value: 'x' }, { charset: 'WINDOWS-1251' })],
  ['a SEARCH CHARSET iso_8859-15:1998 TEXT x', args({ type: 'text', value: 'x' }, { charset: 'ISO-8859-15' })],
  ['a SEARCH RETURN (MIN) 1', args({ type: 'seq', set: seq('1') }, { returnOptions: ['MIN'] })],
];

for (const [line, expected] of OK) {
  test(`parses: ${JSON.stringify(line).slice(0, 90)}`, () => {
    assert.deepEqual(search(line), expected);
  });
}

/** [raw line, substring of the BAD message] */
const BAD: Array<[string, string | RegExp]> = [
  ['a SEARCH', 'Missing argument'],
  ['a SEARCH ', 'Expected search key'],
  ['a SEARCH ALL ', 'Expected search key'],
  ['a SEARCH  ALL', 'Expected search key'],
  ['a SEARCH FOO', 'Unknown search key FOO'],
  ['a SEARCH ALL)', 'extra arguments'],
  ['a SEARCH ()', 'Empty list'],
  ['a SEARCH (ALL', 'Expected ")"'],
  ['a SEARCH (ALL SEEN))', 'extra arguments'],
  ['a SEARCH FROM', 'Missing argument'],
  ['a SEARCH FROM "x', 'Unterminated'],
  ['a SEARCH HEADER Subject', 'Missing argument'],
  ['a SEARCH HEADER "Sub ject" x', 'Invalid header field name'],
  ['a SEARCH HEADER "Subject:" x', 'Invalid header field name'],
  ['a SEARCH HEADER "" x', 'Invalid header field name'],
  ['a SEARCH BEFORE 32-Jan-2024', 'Invalid day'],
  ['a SEARCH SINCE 2024-01-01', 'Invalid date'],
  ['a SEARCH ON "1-Foo-2024"', 'Invalid'],
  ['a SEARCH LARGER x', 'Expected number'],
  ['a SEARCH LARGER 9223372036854775808', 'out of range'],
  ['a SEARCH UID', 'Missing argument'],
  ['a SEARCH UID x', 'Expected sequence set'],
  ['a SEARCH 0', 'Invalid sequence set'],
  ['a SEARCH 1:', 'Invalid sequence set'],
  ['a SEARCH 1x', 'extra arguments'],
  ['a SEARCH NOT', 'Missing argument'],
  ['a SEARCH OR SEEN', 'Missing argument'],
  ['a SEARCH KEYWORD', 'Missing argument'],
  ['a SEARCH KEYWORD (x)', 'Expected flag'],
  ['a SEARCH MODSEQ', 'Missing argument'],
  ['a SEARCH MODSEQ x', 'Expected number'],
  ['a SEARCH MODSEQ "/flags/\\\\Seen" 5', 'Invalid MODSEQ entry type'],
  ['a SEARCH MODSEQ "/flags/\\\\Seen" none 5', 'Invalid MODSEQ entry type'],
  ['a SEARCH MODSEQ "/other/x" all 5', 'Invalid MODSEQ entry name'],
  ['a SEARCH MODSEQ "/flags/" all 5', 'Invalid MODSEQ entry name'],
  ['a SEARCH MODSEQ 9223372036854775808', 'out of range'],
  ['a SEARCH OLDER 0', 'non-zero'],
  ['a SEARCH YOUNGER', 'Missing argument'],
  ['a SEARCH RETURN ALL', 'Expected "("'],
  ['a SEARCH RETURN (PARTIAL 1:10) ALL', 'Unsupported SEARCH result option PARTIAL'],
  ['a SEARCH RETURN (MIN)', 'Missing argument'],
  ['a SEARCH CHARSET', 'Missing argument'],
  ['a SEARCH CHARSET UTF-8', 'Missing argument'],
  ['a SEARCH CHARSET UTF-8 ', 'Expected search key'],
];

for (const [line, message] of BAD) {
  test(`rejects: ${JSON.stringify(line).slice(0, 90)}`, () => {
    assert.throws(
      () => search(line),
      (e: unknown) =>
        e instanceof ParseError &&
        !(e instanceof SearchCharsetError) &&
        (typeof message === 'string' ? e.message.includes(message) : message.test(e.message)),
    );
  });
}

test('error messages never echo unbounded client input', () => {
  const long = 'X'.repeat(5000);
  for (const line of [`a SEARCH ${long}`, `a SEARCH CHARSET ${long} ALL`, `a SEARCH RETURN (${long}) ALL`]) {
    assert.throws(
      () => search(line),
      (e: unknown) => e instanceof ParseError && e.message.length < 100,
    );
  }
});

test('nesting: 32 levels of NOT / OR / parentheses are fine, 33 are BAD', () => {
  const shapes: Record<string, (n: number) => string> = {
    NOT: (n) => `${'NOT '.repeat(n)}ALL`,
    parentheses: (n) => `${'('.repeat(n)}ALL${')'.repeat(n)}`,
    'OR, nested right': (n) => `${'OR ALL '.repeat(n)}ALL`,
    'OR, nested left': (n) => `${'OR '.repeat(n)}ALL${' ALL'.repeat(n)}`,
    'NOT (...), two levels each': (n) => `${'NOT ('.repeat(n / 2)}ALL${')'.repeat(n / 2)}`,
  };
  for (const [name, make] of Object.entries(shapes)) {
    assert.ok(search(`a SEARCH ${make(32)}`).criteria, name);
    assert.throws(
      () => search(`a SEARCH ${make(34)}`),
      (e: unknown) => e instanceof ParseError && /nested too deeply/.test(e.message),
      name,
    );
  }
  assert.throws(() => search(`a SEARCH ${shapes.NOT!(33)}`), /nested too deeply/);
  // the limit is configurable
  assert.throws(() => parseSearch(CommandParser.fromString(' NOT NOT ALL'), false, { maxDepth: 1 }), /nested too deeply/);
  assert.ok(parseSearch(CommandParser.fromString(' NOT ALL'), false, { maxDepth: 1 }));
  // a very long chain fails cleanly (no stack overflow)
  assert.throws(() => parseSearch(CommandParser.fromString(` ${'NOT '.repeat(100000)}ALL`), false), /nested too deeply/);
  assert.throws(() => parseSearch(CommandParser.fromString(` ${'('.repeat(100000)}`), false), /nested too deeply/);
});

test('many keys side by side are not nesting', () => {
  const r = search(`a SEARCH ${'SEEN '.repeat(1000)}ALL`);
  assert.ok(r.criteria.type === 'and');
  assert.equal(r.criteria.keys.length, 1001);
});

test('unknown charset: SearchCharsetError with BADCHARSET listing what is supported', () => {
  for (const line of [
    'a SEARCH CHARSET X-UNKNOWN SUBJECT x',
    'a SEARCH CHARSET "UTF-7" ALL',
    'a SEARCH RETURN (COUNT) CHARSET ebcdic ALL',
  ]) {
    assert.throws(
      () => search(line),
      (e: unknown) => {
        assert.ok(e instanceof SearchCharsetError);
        assert.ok(e instanceof ParseError, 'still a client error for generic handlers');
        assert.equal(e.status, 'NO');
        assert.match(e.responseCode, /^BADCHARSET \(UTF-8 US-ASCII ISO-8859-1 .* BIG5\)$/);
        assert.match(e.message, /^Unsupported charset /);
        return true;
      },
    );
  }
  // a hostile quoted charset name is sanitized
  assert.throws(
    () => search('a SEARCH CHARSET "a b\u00ff" ALL'),
    (e: unknown) => e instanceof SearchCharsetError && e.message === 'Unsupported charset a?b??',
  );
});

test('every advertised charset is supported and has a name clients use', () => {
  for (const cs of SEARCH_CHARSETS) {
    assert.equal(canonicalSearchCharset(cs), cs);
    assert.equal(canonicalSearchCharset(cs.toLowerCase()), cs);
    assert.equal(decodeSearchString(Buffer.from('abc'), cs), 'abc');
  }
  assert.equal(canonicalSearchCharset('utf8'), 'UTF-8');
  assert.equal(canonicalSearchCharset('ISO8859-2'), 'ISO-8859-2');
  assert.equal(canonicalSearchCharset('windows1252'), 'WINDOWS-1252');
  assert.equal(canonicalSearchCharset('cp-1252'), 'WINDOWS-1252');
  assert.equal(canonicalSearchCharset('Shift-JIS'), 'SHIFT_JIS');
  assert.equal(canonicalSearchCharset('ks_c_5601-1987'), 'EUC-KR');
  assert.equal(canonicalSearchCharset('ISO-8859-12'), undefined);
  assert.equal(canonicalSearchCharset('UTF-16'), undefined);
});

/** [charset, text]: the text encoded in the charset, sent as a literal, decodes back. */
const CHARSET_SAMPLES: Array<[string, string]> = [
  ['ISO-8859-1', 'Grüße à Paris'],
  ['ISO-8859-2', 'Zażółć gęślą'],
  ['ISO-8859-5', 'Привет'],
  ['ISO-8859-7', 'Καλημέρα'],
  ['ISO-8859-15', 'prix 5€'],
  ['WINDOWS-1250', 'Příliš žluťoučký'],
  ['WINDOWS-1251', 'Привет мир'],
  ['WINDOWS-1252', '“quotes” – 5€'],
  ['KOI8-R', 'Привет мир'],
  ['KOI8-U', 'Привіт'],
  ['SHIFT_JIS', 'こんにちは世界'],
  ['EUC-JP', 'こんにちは世界'],
  ['EUC-KR', '안녕하세요'],
  ['GB2312', '你好世界'],
  ['GBK', '你好世界'],
  ['GB18030', '你好世界'],
  ['BIG5', '你好世界'],
];

for (const [cs, text] of CHARSET_SAMPLES) {
  test(`CHARSET ${cs}: literal bytes are decoded`, () => {
    const bytes = iconv.encode(text, cs.toLowerCase());
    assert.notDeepEqual(bytes, Buffer.from(text, 'utf8'));
    const r = search(
      Buffer.concat([Buffer.from(`a SEARCH CHARSET ${cs} SUBJECT `), blit(bytes), Buffer.from(' HEADER X-Y '), blit(bytes)]),
    );
    assert.deepEqual(
      r,
      args(
        {
          type: 'and',
          keys: [
            { type: 'subject', value: text },
            { type: 'header', field: 'X-Y', value: text },
          ],
        },
        { charset: cs },
      ),
    );
  });
}

test('CHARSET ISO-2022-JP (escape sequences, JIS X 0208, Roman and half-width katakana)', () => {
  // "こんにちは" in JIS X 0208, then ASCII, then JIS X 0201 Roman yen, then katakana "ｱ"
  const bytes = Buffer.concat([
    Buffer.from([0x1b, 0x24, 0x42]),
    Buffer.from('$3$s$K$A$O', 'latin1'),
    Buffer.from([0x1b, 0x28, 0x42]),
    Buffer.from(' abc '),
    Buffer.from([0x1b, 0x28, 0x4a, 0x5c, 0x1b, 0x28, 0x49, 0x31, 0x1b, 0x28, 0x42]),
  ]);
  assert.equal(decodeSearchString(bytes, 'ISO-2022-JP'), 'こんにちは abc ¥ｱ');
  const r = search(Buffer.concat([Buffer.from('a SEARCH CHARSET ISO-2022-JP TEXT '), blit(bytes)]));
  assert.deepEqual(r, args({ type: 'text', value: 'こんにちは abc ¥ｱ' }, { charset: 'ISO-2022-JP' }));
  for (const bad of [
    [0x1b, 0x24, 0x41],
    [0x1b, 0x24, 0x42, 0x24],
    [0xa4, 0xb3],
    [0x1b, 0x28, 0x49, 0x7e],
  ]) {
    assert.throws(() => decodeSearchString(Buffer.from(bad), 'ISO-2022-JP'), /not valid ISO-2022-JP/);
  }
});

test('strings that are not valid in their charset are BAD', () => {
  const cases: Array<[string, Buffer]> = [
    ['', Buffer.from([0x47, 0x72, 0xfc])], // latin1 without CHARSET: not UTF-8
    ['CHARSET UTF-8 ', Buffer.from([0xc3])],
    ['CHARSET US-ASCII ', Buffer.from([0xff])],
    ['CHARSET SHIFT_JIS ', Buffer.from([0x82])],
    ['CHARSET WINDOWS-1252 ', Buffer.from([0x81])], // unmapped in 1252
    ['', Buffer.from('a\0b')],
  ];
  for (const [cs, bytes] of cases) {
    assert.throws(
      () => search(Buffer.concat([Buffer.from(`a SEARCH ${cs}BODY `), blit(bytes)])),
      (e: unknown) => e instanceof ParseError && !(e instanceof SearchCharsetError) && /not valid|NUL/.test(e.message),
      `${cs} ${bytes.toString('hex')}`,
    );
  }
  // 8-bit UTF-8 under US-ASCII (a common client mistake) is accepted
  assert.deepEqual(search(Buffer.concat([Buffer.from('a SEARCH CHARSET US-ASCII BODY '), blit(Buffer.from('é'))])).criteria, {
    type: 'body',
    value: 'é',
  });
  // UTF-8 quoted strings without CHARSET (RFC 9051 / UTF8=ACCEPT)
  assert.deepEqual(search('a SEARCH FROM "José"').criteria, { type: 'from', value: 'José' });
});

test('the charset does not apply to atoms that are not strings', () => {
  const r = search('a SEARCH CHARSET KOI8-R KEYWORD $Label1 HEADER X-A b SINCE 1-Jan-2020 UID 1:*');
  assert.equal(r.charset, 'KOI8-R');
  assert.deepEqual(r.criteria, {
    type: 'and',
    keys: [
      { type: 'flag', flag: '$Label1', set: true },
      { type: 'header', field: 'X-A', value: 'b' },
      { type: 'since', date: d(1, 1, 2020) },
      { type: 'uid', set: seq('1:*') },
    ],
  });
});

test('usesSearchResult / usesModseq', () => {
  assert.equal(usesSearchResult(search('a SEARCH OR SEEN NOT (UID $)').criteria), true);
  assert.equal(usesSearchResult(search('a SEARCH OR SEEN NOT ($)').criteria), true);
  assert.equal(usesSearchResult(search('a SEARCH OR SEEN NOT (UID 1:*)').criteria), false);
  assert.equal(usesModseq(search('a SEARCH (SEEN (OR ALL MODSEQ 5))').criteria), true);
  assert.equal(usesModseq(search('a SEARCH SEEN').criteria), false);
});

test('toSearchCriteria: the program for the mailbox service', () => {
  const calls: Array<[string, boolean]> = [];
  const resolve = (set: SequenceSet, isUid: boolean) => {
    calls.push([set.format(), isUid]);
    return isUid ? [{ first: 10, last: 20 }] : [{ first: 3, last: 3 }];
  };
  const line =
    'a SEARCH CHARSET UTF-8 ALL NEW OLD RECENT SEEN UNSEEN KEYWORD $X BCC a CC b FROM c SUBJECT d TO e BODY f TEXT g HEADER X-H h ' +
    'BEFORE 1-Feb-1994 ON 2-Feb-1994 SINCE 3-Feb-1994 SENTBEFORE 4-Mar-2001 SENTON 5-Mar-2001 SENTSINCE 6-Mar-2001 ' +
    'LARGER 10 SMALLER 9223372036854775807 1:2 UID 5:* MODSEQ "/flags/\\\\Seen" all 7 OLDER 60 YOUNGER 30 OR NOT DRAFT (ANSWERED)';
  const criteria = toSearchCriteria(search(line).criteria, resolve);
  assert.deepEqual(calls, [
    ['1:2', false],
    ['5:*', true],
  ]);
  assert.deepEqual(criteria, {
    and: {
      keys: [
        { all: true },
        { none: true },
        { all: true },
        { none: true },
        { flag: '\\Seen' },
        { not: { flag: '\\Seen' } },
        { flag: '$X' },
        { header: { field: 'Bcc', value: 'a' } },
        { header: { field: 'Cc', value: 'b' } },
        { header: { field: 'From', value: 'c' } },
        { header: { field: 'Subject', value: 'd' } },
        { header: { field: 'To', value: 'e' } },
        { body: 'f' },
        { text: 'g' },
        { header: { field: 'X-H', value: 'h' } },
        { before: { year: 1994, month: 2, day: 1 } },
        { on: { year: 1994, month: 2, day: 2 } },
        { since: { year: 1994, month: 2, day: 3 } },
        { sentBefore: { year: 2001, month: 3, day: 4 } },
        { sentOn: { year: 2001, month: 3, day: 5 } },
        { sentSince: { year: 2001, month: 3, day: 6 } },
        { larger: 10 },
        { smaller: Number.MAX_SAFE_INTEGER },
        { uids: { ranges: [{ first: 3, last: 3 }] } },
        { uids: { ranges: [{ first: 10, last: 20 }] } },
        { modseq: 7 },
        { older: 60 },
        { younger: 30 },
        { or: { keys: [{ not: { flag: '\\Draft' } }, { flag: '\\Answered' }] } },
      ],
    },
  });
  // it is what SearchRequest carries (decoded, each key also names its member in `key`)
  const method = loadMailProto().mail.v1.MailboxService.service.Search;
  const decoded = method.requestDeserialize(method.requestSerialize({ account: { accountId: 1 }, mailboxId: 1, criteria })).criteria;
  assert.deepEqual(JSON.parse(JSON.stringify(decoded, (k: string, v: unknown) => (k === 'key' ? undefined : v))), criteria);
});

test('toSearchCriteria: RECENT, NEW and OLD are the UIDs recent in the session', () => {
  const resolve = () => [];
  const recent = [
    { first: 4, last: 6 },
    { first: 9, last: 9 },
  ];
  const program = (line: string, r = recent) => toSearchCriteria(search(line).criteria, resolve, r);
  assert.deepEqual(program('a SEARCH RECENT'), { uids: { ranges: recent } });
  assert.deepEqual(program('a SEARCH NEW'), { and: { keys: [{ uids: { ranges: recent } }, { not: { flag: '\\Seen' } }] } });
  assert.deepEqual(program('a SEARCH OLD'), { not: { uids: { ranges: recent } } });
  assert.deepEqual(program('a SEARCH NOT RECENT'), { not: { uids: { ranges: recent } } });
  // No recent message (IMAP4rev2, or none claimed): nothing is recent or new, everything is old.
  assert.deepEqual(program('a SEARCH RECENT', []), { none: true });
  assert.deepEqual(program('a SEARCH NEW', []), { none: true });
  assert.deepEqual(program('a SEARCH OLD', []), { all: true });
});
