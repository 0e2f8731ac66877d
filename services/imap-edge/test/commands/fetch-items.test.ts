import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandParser } from '../../src/protocol/parser.js';
import { fetchResponseName, fetchSetsSeen, formatSection, parseFetchAttributes, type FetchItem } from '../../src/commands/fetch-items.js';

const items = (s: string) => {
  const p = CommandParser.fromString(s);
  const r = parseFetchAttributes(p);
  p.expectEnd();
  return r;
};

const TABLE: Array<[string, FetchItem[]]> = [
  ['FLAGS', [{ kind: 'flags' }]],
  ['uid', [{ kind: 'uid' }]],
  ['(INTERNALDATE RFC822.SIZE ENVELOPE)', [{ kind: 'internaldate' }, { kind: 'rfc822.size' }, { kind: 'envelope' }]],
  ['(RFC822 RFC822.HEADER RFC822.TEXT)', [{ kind: 'rfc822' }, { kind: 'rfc822.header' }, { kind: 'rfc822.text' }]],
  ['(BODY BODYSTRUCTURE MODSEQ)', [{ kind: 'bodystructure-basic' }, { kind: 'bodystructure' }, { kind: 'modseq' }]],
  ['BODY[]', [{ kind: 'body', peek: false, section: { part: [] } }]],
  ['BODY.PEEK[]<0.1024>', [{ kind: 'body', peek: true, section: { part: [] }, partial: { offset: 0, length: 1024 } }]],
  ['BODY[HEADER]', [{ kind: 'body', peek: false, section: { part: [], text: 'HEADER' } }]],
  ['body[text]', [{ kind: 'body', peek: false, section: { part: [], text: 'TEXT' } }]],
  ['BODY[1.2.3]', [{ kind: 'body', peek: false, section: { part: [1, 2, 3] } }]],
  ['BODY[1.2.HEADER]', [{ kind: 'body', peek: false, section: { part: [1, 2], text: 'HEADER' } }]],
  ['BODY[4.2.MIME]', [{ kind: 'body', peek: false, section: { part: [4, 2], text: 'MIME' } }]],
  ['BODY[3.TEXT]<10.20>', [{ kind: 'body', peek: false, section: { part: [3], text: 'TEXT' }, partial: { offset: 10, length: 20 } }]],
  [
    'BODY.PEEK[HEADER.FIELDS (DATE "X-Odd Name" "{3}")]',
    [{ kind: 'body', peek: true, section: { part: [], text: 'HEADER.FIELDS', fields: ['DATE', 'X-Odd Name', '{3}'] } }],
  ],
  [
    'BODY[2.HEADER.FIELDS.NOT (Received)]',
    [{ kind: 'body', peek: false, section: { part: [2], text: 'HEADER.FIELDS.NOT', fields: ['Received'] } }],
  ],
  ['BINARY[1]', [{ kind: 'binary', peek: false, part: [1] }]],
  ['BINARY.PEEK[1.2]<0.100>', [{ kind: 'binary', peek: true, part: [1, 2], partial: { offset: 0, length: 100 } }]],
  ['BINARY.SIZE[]', [{ kind: 'binary.size', part: [] }]],
];

for (const [input, expected] of TABLE) {
  test(`fetch att ${input}`, () => assert.deepEqual(items(input).items, expected));
}

test('macros expand and are reported', () => {
  assert.deepEqual(items('ALL'), {
    items: [{ kind: 'flags' }, { kind: 'internaldate' }, { kind: 'rfc822.size' }, { kind: 'envelope' }],
    macro: 'ALL',
  });
  assert.equal(items('full').items.length, 5);
  assert.equal(items('FAST').macro, 'FAST');
  // macros are not fetch-atts: not allowed inside a list
  assert.throws(() => items('(ALL)'), /Unknown fetch attribute/);
});

test('response names', () => {
  const one = (s: string) => fetchResponseName(items(s).items[0]!);
  assert.equal(one('BODY.PEEK[1.2.HEADER.FIELDS (From "A B")]<5.10>'), 'BODY[1.2.HEADER.FIELDS (From "A B")]<5>');
  assert.equal(one('BODY[]'), 'BODY[]');
  assert.equal(one('BINARY.PEEK[2]'), 'BINARY[2]');
  assert.equal(one('BINARY.SIZE[1.1]'), 'BINARY.SIZE[1.1]');
  assert.equal(one('RFC822.SIZE'), 'RFC822.SIZE');
  assert.equal(one('BODY'), 'BODY');
  assert.equal(formatSection({ part: [1], text: 'MIME' }), '1.MIME');
});

test('which items set \\Seen', () => {
  const seen = (s: string) => fetchSetsSeen(items(s).items[0]!);
  assert.equal(seen('BODY[]'), true);
  assert.equal(seen('BODY.PEEK[]'), false);
  assert.equal(seen('BINARY[1]'), true);
  assert.equal(seen('RFC822'), true);
  assert.equal(seen('RFC822.HEADER'), false);
  assert.equal(seen('FLAGS'), false);
});
