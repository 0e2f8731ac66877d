import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envelope, formatEnvelope, humanString, nstring, nstringNoLf, parseAddressList } from '../../src/mime/index.js';
import { crlf } from './helpers.js';

describe('envelope()', () => {
  it('reads the ENVELOPE fields, raw, last occurrence winning', () => {
    const env = envelope(
      crlf(
        'Date: Mon, 2 Jun 2025 12:00:00 +0200\nSubject: =?UTF-8?Q?caf=C3=A9?=\nSubject: second\nFrom: A <a@x.test>\nTo: b@y.test\nIn-Reply-To: <p@x>\nMessage-ID: <m@x>\nX-Other: ignored\n\nbody\n',
      ),
    );
    assert.equal(env.subject, 'second');
    assert.equal(env.date, 'Mon, 2 Jun 2025 12:00:00 +0200');
    assert.deepEqual(env.from, [{ name: 'A', route: null, mailbox: 'a', host: 'x.test' }]);
    assert.equal(env.sender, null, "defaulting to From is the renderer's job");
    assert.equal(
      formatEnvelope(env),
      '("Mon, 2 Jun 2025 12:00:00 +0200" "second" (("A" NIL "a" "x.test")) (("A" NIL "a" "x.test")) (("A" NIL "a" "x.test")) ((NIL NIL "b" "y.test")) NIL NIL "<p@x>" "<m@x>")',
    );
  });

  it('keeps encoded-words and folding for the renderer', () => {
    const env = envelope(crlf('Subject: =?UTF-8?B?w6k=?= and\n more\nMessage-ID:\n <x@y>\n\n'));
    assert.equal(env.subject, '=?UTF-8?B?w6k=?= and\r\n more');
    assert.equal(env.messageId, '\r\n <x@y>');
    assert.equal(formatEnvelope(env), '(NIL {25}\r\n=?UTF-8?B?w6k=?= and more NIL NIL NIL NIL NIL NIL NIL " <x@y>")');
  });

  it('is all NIL for an empty header', () => {
    assert.equal(formatEnvelope(envelope(Buffer.alloc(0))), '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');
  });
});

describe('parseAddressList()', () => {
  const TABLE: Array<[string, Array<[string | null, string | null, string | null, string | null]> | null]> = [
    ['a@b.test', [[null, null, 'a', 'b.test']]],
    ['Name <a@b.test>', [['Name', null, 'a', 'b.test']]],
    ['"Last, First" <a@b.test>', [['Last, First', null, 'a', 'b.test']]],
    ['a@b.test (Real Name)', [['Real Name', null, 'a', 'b.test']]],
    ['<@r1,@r2:a@b.test>', [[null, '@r1,@r2', 'a', 'b.test']]],
    [
      'team: a@b.test, c@d.test;',
      [
        [null, null, 'team', null],
        [null, null, 'a', 'b.test'],
        [null, null, 'c', 'd.test'],
        [null, null, null, null],
      ],
    ],
    [
      'undisclosed-recipients:;',
      [
        [null, null, 'undisclosed-recipients', null],
        [null, null, null, null],
      ],
    ],
    ['no-domain', [[null, null, 'no-domain', 'MISSING_DOMAIN']]],
    ['<>', [[null, null, 'MISSING_MAILBOX', 'MISSING_DOMAIN']]],
    ['Name <a@', [['Name', null, 'a', 'SYNTAX_ERROR']]],
    ['', null],
    ['  ', null],
  ];
  for (const [input, want] of TABLE) {
    it(JSON.stringify(input), () => {
      const got = parseAddressList(input);
      assert.deepEqual(got?.map((a) => [a.name, a.route, a.mailbox, a.host]) ?? null, want);
    });
  }
});

describe('quoting', () => {
  // Dovecot's own expectations (src/lib-imap/test-imap-quote.c).
  const HUMANS: Array<[string, string]> = [
    ['', '""'],
    [' ', '""'],
    ['  ', '""'],
    ['\t', '""'],
    [' \t', '""'],
    [' \t ', '""'],
    [' foo', '{3}\r\nfoo'],
    ['\tfoo', '{3}\r\nfoo'],
    ['\t \tfoo', '{3}\r\nfoo'],
    [' foo ', '{3}\r\nfoo'],
    [' foo  ', '{3}\r\nfoo'],
    [' foo  \t  \t', '{3}\r\nfoo'],
    ['hello"world', '{11}\r\nhello"world'],
    ['hello\\world', '{11}\r\nhello\\world'],
    ['hello\rworld', '{11}\r\nhello world'],
    ['hello\nworld', '{11}\r\nhello world'],
    ['hello\r\nworld', '{11}\r\nhello world'],
    ['hello\r\n  world', '{11}\r\nhello world'],
    ['hello  \r\n  world', '{11}\r\nhello world'],
    ['plain text', '"plain text"'],
  ];
  for (const [input, want] of HUMANS) it(`humanString(${JSON.stringify(input)})`, () => assert.equal(humanString(input), want));

  const NSTRING: Array<[string | null, string]> = [
    [null, 'NIL'],
    ['', '""'],
    ['NIL', '"NIL"'],
    ['\\', '"\\\\"'],
    ['\\\\\\\\', '"\\\\\\\\\\\\\\\\"'],
    ['\\\\\\\\\\', '{5}\r\n\\\\\\\\\\'],
    ['""""', '"\\"\\"\\"\\""'],
    ['"""""', '{5}\r\n"""""'],
    ['\r', '{1}\r\n\r'],
    ['tab\tinside', '"tab\tinside"'],
    ['é', '{2}\r\né'],
  ];
  for (const [input, want] of NSTRING) it(`nstring(${JSON.stringify(input)})`, () => assert.equal(nstring(input), want));

  it('nstringNoLf drops line breaks, adding a space only where words would join', () => {
    assert.equal(nstringNoLf('a\r\n b'), '"a b"');
    assert.equal(nstringNoLf('a\r\nb'), '"a b"');
    assert.equal(nstringNoLf('\r\n <id@x>'), '" <id@x>"');
  });

  it('quotes 8-bit text when UTF8=ACCEPT is on', () => {
    assert.equal(nstring('Grüße', { utf8: true }), '"Grüße"');
    assert.equal(humanString('Grüße', { utf8: true }), '"Grüße"');
    assert.equal(humanString('Grüße  x', { utf8: true }), '{9}\r\nGrüße x');
  });

  it('counts literal lengths in UTF-8 bytes', () => {
    assert.equal(nstring('€'), '{3}\r\n€');
  });
});
