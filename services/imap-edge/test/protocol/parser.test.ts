import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandParser } from '../../src/protocol/parser.js';
import { ParseError } from '../../src/protocol/errors.js';
import { formatDateTime, parseDate, parseDateTime } from '../../src/protocol/datetime.js';
import { receiveOne } from './helpers.js';

const P = (s: string, maxListDepth?: number) => CommandParser.fromString(s, maxListDepth ? { maxListDepth } : {});

test('atoms, astrings, nstrings, quoted escapes', () => {
  const p = P('foo "a\\\\b\\"c" bar] NIL "NIL" nil');
  assert.equal(p.expectAtom(), 'foo');
  p.expectSP();
  assert.equal(p.expectAstring(), 'a\\b"c');
  p.expectSP();
  assert.equal(p.expectAstring(), 'bar]');
  p.expectSP();
  assert.equal(p.expectNstring(), null);
  p.expectSP();
  assert.equal(p.expectNstring(), 'NIL');
  p.expectSP();
  assert.equal(p.expectNstring(), null);
  p.expectEnd();
});

test('literals interleave with text parts', () => {
  const cmd = receiveOne('a X {3+}\r\nabc ("q" {0+}\r\n)\r\n');
  const p = CommandParser.forCommand(cmd);
  p.expectSP();
  assert.ok(p.atLiteral());
  assert.equal(p.expectString(), 'abc');
  p.expectSP();
  assert.deepEqual(
    p.expectList((q) => q.expectString()),
    ['q', ''],
  );
  assert.ok(p.atEnd());
});

test('numbers: number, nz-number, number64', () => {
  assert.equal(P('4294967295').expectNumber(), 4294967295);
  assert.throws(() => P('4294967296').expectNumber(), ParseError);
  assert.throws(() => P('0').expectNzNumber(), /non-zero/);
  assert.equal(P('9223372036854775807').expectNumber64(), 9223372036854775807n);
  assert.throws(() => P('9223372036854775808').expectNumber64(), /out of range/);
  assert.throws(() => P('x').expectNumber(), /Expected number/);
});

test('list nesting limit', () => {
  const nested = (n: number) => '('.repeat(n) + ')'.repeat(n);
  assert.equal(P(nested(32)).expectToken().type, 'list');
  assert.throws(() => P(nested(33)).expectToken(), /nested too deeply/);
  assert.throws(() => P(nested(4), 3).expectToken(), /nested too deeply/);
});

test('generic tokens', () => {
  const p = P(' BODY[HEADER.FIELDS (A B)]<0.5> "x" (1 NIL (a)) \\Seen');
  assert.deepEqual(p.readRemainingTokens(), [
    { type: 'atom', value: 'BODY[HEADER.FIELDS (A B)]<0.5>' },
    { type: 'string', value: Buffer.from('x'), literal: false, binary: false },
    {
      type: 'list',
      items: [
        { type: 'atom', value: '1' },
        { type: 'atom', value: 'NIL' },
        { type: 'list', items: [{ type: 'atom', value: 'a' }] },
      ],
    },
    { type: 'atom', value: '\\Seen' },
  ]);
});

test('flags and flag lists', () => {
  assert.deepEqual(P('(\\SEEN \\answered $Forwarded \\X-Ext)').expectFlagList(), ['\\Seen', '\\Answered', '$Forwarded', '\\X-Ext']);
  assert.deepEqual(P('()').expectFlagList(), []);
  assert.throws(() => P('(\\Seen').expectFlagList(), /Expected "\)"/);
});

test('list-mailbox allows wildcards, mailbox normalizes INBOX', () => {
  assert.equal(P('foo/%/*').expectListMailbox(), 'foo/%/*');
  assert.equal(P('"in box"').expectListMailbox(), 'in box');
  assert.equal(P('iNbOx').expectMailbox(), 'INBOX');
  assert.equal(P('INBOX.sub').expectMailbox(), 'INBOX.sub');
  const p = P('foo*');
  assert.equal(p.expectMailbox(), 'foo'); // `*` is not an ASTRING-CHAR
  assert.throws(() => p.expectEnd(), /extra arguments/);
  assert.throws(() => P('').expectMailbox(), ParseError);
});

test('date and date-time', () => {
  assert.deepEqual(P('1-Feb-1994').expectDate(), { year: 1994, month: 2, day: 1 });
  assert.deepEqual(P('"29-feb-2024"').expectDate(), { year: 2024, month: 2, day: 29 });
  assert.throws(() => P('29-Feb-2023').expectDate(), /day of month/);
  assert.throws(() => P('1-Foo-2023').expectDate(), /Invalid month/);
  assert.throws(() => P('2023-01-01').expectDate(), /dd-Mon-yyyy/);
  const dt = P('"17-Jul-1996 02:44:25 -0700"').expectDateTime();
  assert.equal(dt.date.toISOString(), '1996-07-17T09:44:25.000Z');
  assert.equal(dt.offsetMinutes, -420);
  assert.equal(parseDateTime(' 7-Feb-1994 21:52:25 +0130').offsetMinutes, 90);
  assert.equal(parseDateTime('7-Feb-1994 21:52:25 +0000').date.toISOString(), '1994-02-07T21:52:25.000Z');
  assert.throws(() => P('17-Jul-1996 02:44:25 -0700').expectDateTime(), /quoted/);
  assert.throws(() => parseDateTime('17-Jul-1996 02:44:25 -0760'), /Invalid time/);
  assert.deepEqual(parseDate('01-Jan-2000'), { year: 2000, month: 1, day: 1 });
});

test('formatDateTime round-trips', () => {
  const d = new Date('1996-07-17T09:44:25Z');
  assert.equal(formatDateTime(d, -420), '17-Jul-1996 02:44:25 -0700');
  assert.equal(formatDateTime(new Date('2024-03-05T00:00:00Z')), ' 5-Mar-2024 00:00:00 +0000');
  const back = parseDateTime(formatDateTime(d, 330));
  assert.equal(back.date.getTime(), d.getTime());
  assert.equal(back.offsetMinutes, 330);
});

test('sequence sets via parser', () => {
  assert.equal(P('1:3,5,*').expectSequenceSet().format(), '1:3,5,*');
  assert.throws(() => P(' 1').expectSequenceSet(), /Expected sequence set/);
});

test('a string literal holding NUL is a syntax error (CHAR8 excludes NUL); literal8 data may hold it', () => {
  // Mailbox names and credentials from such literals reached PostgreSQL, which cannot store NUL: NO [SERVERBUG].
  for (const wire of ['A EXAMINE {4+}\r\nnul\0\r\n', 'A LOGIN {2+}\r\na\0 pw\r\n', 'A SEARCH SUBJECT {1+}\r\n\0\r\n']) {
    const p = CommandParser.forCommand(receiveOne(wire));
    p.expectSP();
    if (wire.includes('SEARCH')) p.expectAtom();
    if (wire.includes('SEARCH')) p.expectSP();
    assert.throws(
      () => p.expectAstring(),
      (e) => e instanceof ParseError && /NUL/.test(e.message),
      wire,
    );
  }
  const p = CommandParser.forCommand(receiveOne('A APPEND x ~{3+}\r\nx\0y\r\n'));
  p.expectSP();
  p.expectAstring();
  p.expectSP();
  assert.deepEqual(p.expectLiteral(true).data, Buffer.from('x\0y', 'latin1'));
});
