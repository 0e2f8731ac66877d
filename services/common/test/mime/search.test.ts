import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressSearchText, decodeEncodedWords, decodeRfc2231, htmlToText, parseMessage, searchText } from '../../src/mime/index.js';
import { crlf, fixture } from './helpers.js';

describe('decodeEncodedWords()', () => {
  const TABLE: Array<[string, string]> = [
    ['=?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?= and\r\n =?ISO-8859-1?Q?caf=E9?=', '日本語の件名 and café'],
    ['=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=', 'ab'],
    ['=?ISO-8859-1?Q?a?=\r\n =?ISO-8859-1?Q?_b?=', 'a b'],
    ['(=?ISO-8859-1?Q?a?=) x', '(a) x'],
    // a character split over two words: the bytes are joined before decoding (C3 90)
    ['=?UTF-8?B?ww==?= =?UTF-8?B?kA==?=', 'Ð'],
    ['=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=', 'é'],
    ['=?utf-8*en?q?lang?=', 'lang'],
    ['=?x-unknown?q?caf=C3=A9?=', 'café'],
    ['plain =?broken', 'plain =?broken'],
  ];
  for (const [input, want] of TABLE) it(JSON.stringify(input), () => assert.equal(decodeEncodedWords(input), want));
});

describe('decodeRfc2231()', () => {
  it('decodes charset and percent escapes', () => {
    assert.equal(decodeRfc2231("utf-8''%E2%82%AC%20rates"), '€ rates');
    assert.equal(decodeRfc2231("iso-8859-1'en'%E9t%E9.txt"), 'été.txt');
    assert.equal(decodeRfc2231("''plain%2"), 'plain%2');
  });
});

describe('searchText()', () => {
  it('decodes headers and converts text parts from their charset', () => {
    const raw = fixture('alternative.eml');
    const t = searchText(raw, parseMessage(raw));
    assert.match(t.header, /^Subject: Weekly news$/m);
    assert.match(t.body, /Café news this week\.\r\nA soft line break here\./);
    assert.match(t.body, /Café news this week\.\s*\n/, 'HTML reduced to text');
    assert.doesNotMatch(t.body, /<p>/);
    assert.equal(t.truncated, false);
  });

  it('reads ISO-2022-JP and encoded-word headers', () => {
    const raw = fixture('iso2022.eml');
    const t = searchText(raw, parseMessage(raw));
    assert.match(t.header, /^From: 山田太郎 <yamada@example.jp>$/m);
    assert.match(t.body, /こんにちは/);
  });

  it('includes embedded messages and skips attachments', () => {
    const raw = fixture('nested-rfc822.eml');
    const t = searchText(raw, parseMessage(raw));
    assert.match(t.body, /Subject: Original/);
    assert.match(t.body, /Original text\./);
    assert.match(t.body, /Just text, no MIME headers\./);
    const mixed = fixture('mixed-attachments.eml');
    assert.doesNotMatch(searchText(mixed, parseMessage(mixed)).body, /PDF/);
  });

  it('stops at the limit', () => {
    const raw = crlf(`Subject: big\n\n${'x'.repeat(5000)}\n`);
    const t = searchText(raw, parseMessage(raw), { maxChars: 1000 });
    assert.equal(t.truncated, true);
    assert.equal(t.header.length + t.body.length, 1000);
  });
});

describe('addressSearchText()', () => {
  // What SEARCH FROM/TO/CC/BCC finds besides the header as written: every address as
  // `Name <mailbox@host>`, names decoded, comments and CFWS gone, groups kept.
  const cases: Array<[string, string]> = [
    ['user@domain.org', '<user@domain.org>'],
    ['Real <user@domain.org>', 'Real <user@domain.org>'],
    ['"Real, Name" <user@domain.org>', 'Real, Name <user@domain.org>'],
    ['<user (comment)@ (comment) domain.org>', '<user@domain.org>'],
    ['user@domain.org (Real)', 'Real <user@domain.org>'],
    ['user @ domain.org', '<user@domain.org>'],
    ['=?UTF-8?Q?R=C3=A9al_Name?= <user@domain.org>', 'Réal Name <user@domain.org>'],
    ['"=?UTF-8?B?UsOpYWw=?=" <user@domain.org>', 'Réal <user@domain.org>'],
    ['a@x.org, B <b@y.org>', '<a@x.org>, B <b@y.org>'],
    ['team: a@x.org, b@y.org;, c@z.org', 'team: <a@x.org>, <b@y.org>;, <c@z.org>'],
    ['team:;', 'team: ;'],
    ['"Folded\r\n Name" <user@domain.org>', 'Folded Name <user@domain.org>'],
    ['', ''],
  ];
  for (const [value, text] of cases) {
    it(`${JSON.stringify(value)} -> ${JSON.stringify(text)}`, () => assert.equal(addressSearchText(value), text));
  }

  it('adds the normal form to the address fields of the search text, after the field as written', () => {
    const raw = crlf(
      'From: <user (comment)@ (comment) domain.org>\nTo: user@domain.org\nSubject: a@b.c (x)\nX-Other: <o (c)@ d.org>\n\nbody\n',
    );
    const t = searchText(raw, parseMessage(raw));
    assert.equal(
      t.header,
      'From: <user (comment)@ (comment) domain.org>\nFrom: <user@domain.org>\nTo: user@domain.org\nTo: <user@domain.org>\n' +
        'Subject: a@b.c (x)\nX-Other: <o (c)@ d.org>\n',
    );
  });
});

describe('htmlToText()', () => {
  it('drops markup, scripts and styles; decodes entities', () => {
    assert.equal(htmlToText('<style>p{}</style><p>a&amp;b &#233;&#x20AC;&nbsp;c</p><script>x()</script>').trim(), 'a&b é€ c');
  });
});
