import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headerSearchText, parseMessage, searchText, toCrlf, withHeaderPrefix } from '../../src/mime/index.js';
import { crlf, fixture, fixtureNames } from './helpers.js';

const TRACE = crlf(
  'Return-Path: <bounce@example.net>\nReceived: from mx.example.net ([192.0.2.1])\n\tby kimap with LMTP id 1;\n\tThu, 1 Jan 2026 00:00:00 +0000\n',
);

describe('withHeaderPrefix()', () => {
  for (const name of fixtureNames()) {
    it(`equals a parse of trace + message: ${name}`, () => {
      const raw = toCrlf(fixture(name));
      const shifted = withHeaderPrefix(parseMessage(raw), TRACE.length);
      assert.deepEqual(shifted, parseMessage(Buffer.concat([TRACE, raw])));
    });
  }

  for (const [what, text] of [
    ['an empty message', ''],
    ['a message without header', '\r\nbody only\r\n'],
    ['a header without body or blank line', 'Subject: x'],
    ['a first line that is not a field', 'not a header line\r\nSubject: y\r\n\r\nbody\r\n'],
  ] as const) {
    it(`equals a parse of trace + message: ${what}`, () => {
      const raw = Buffer.from(text);
      assert.deepEqual(withHeaderPrefix(parseMessage(raw), TRACE.length), parseMessage(Buffer.concat([TRACE, raw])));
    });
  }

  it('leaves the structure it was given as it was', () => {
    const raw = toCrlf(fixture('nested-rfc822.eml'));
    const s = parseMessage(raw);
    const before = JSON.stringify(s);
    withHeaderPrefix(s, 100);
    assert.equal(JSON.stringify(s), before);
  });
});

describe('headerSearchText()', () => {
  it('is what searchText gives for the same fields at the top of a message', () => {
    const raw = toCrlf(fixture('encoded-words.eml'));
    const whole = Buffer.concat([TRACE, raw]);
    const expected = searchText(whole, parseMessage(whole)).header;
    assert.equal(headerSearchText(TRACE) + searchText(raw, parseMessage(raw)).header, expected);
  });
});
