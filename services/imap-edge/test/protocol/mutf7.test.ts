import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMutf7, encodeMutf7, isValidMutf7 } from '../../src/protocol/mutf7.js';

const PAIRS: Array<[string, string]> = [
  ['INBOX', 'INBOX'],
  ['&', '&-'],
  ['Tom & Jerry', 'Tom &- Jerry'],
  ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
  ['Entwürfe', 'Entw&APw-rfe'],
  ['Gesendete Objekte', 'Gesendete Objekte'],
  ['Корзина', '&BBoEPgRABDcEOAQ9BDA-'],
  ['😀 mail', '&2D3eAA- mail'],
  ['a\tb', 'a&AAk-b'],
  ['', ''],
];

for (const [plain, wire] of PAIRS) {
  test(`mutf7 ${JSON.stringify(plain)} <-> ${wire}`, () => {
    assert.equal(encodeMutf7(plain), wire);
    assert.equal(decodeMutf7(wire), plain);
  });
}

test('round trip of assorted strings', () => {
  const samples = ['&&&', 'x&y-z', '日本&語', 'é&é', '\u0001\u007f', 'A-B&-C', 'テスト-テスト', '𝄞𝄞x𝄞'];
  for (const s of samples) assert.equal(decodeMutf7(encodeMutf7(s)), s, s);
});

test('strict decode rejects non-canonical or malformed input', () => {
  const bad = [
    '&', // unterminated
    '&U,BTFw', // unterminated
    'Entwürfe', // raw 8-bit
    'a\tb', // raw control char
    '&AGE-', // encodes printable ASCII "a"
    '&U,BTFw-&ZeVnLIqe-', // adjacent shift sequences
    '&U,BTF-', // leftover non-zero bits / odd length
    '&U,BTFx-', // non-zero padding bits
    '&2D0-', // lone high surrogate
    '&3gA-', // lone low surrogate
    '&U/BTFw-', // '/' is not modified base64
    '&U,BTFw=-', // padding not allowed
  ];
  for (const s of bad) assert.equal(isValidMutf7(s), false, s);
  assert.throws(() => encodeMutf7('\ud800x'), /surrogate/);
});
