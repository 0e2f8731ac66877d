import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findPart, headerFields, parseMessage, sectionBytes, sectionRange, toCrlf } from '../../src/mime/index.js';
import { headerFieldsGeneral } from '../../src/mime/section.js';
import { crlf, fixture } from './helpers.js';

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

describe('findPart / sectionRange', () => {
  const raw = fixture('nested-rfc822.eml');
  const s = parseMessage(raw);

  it('numbers the parts of a multipart', () => {
    assert.equal(text(sectionBytes(raw, s, [1])), 'See the forwarded message.\r\n');
    assert.equal(findPart(s, [4]), null);
    assert.equal(sectionRange(s, [4]), null);
  });

  it("goes into message/rfc822 parts: 2.1 is the embedded message's part 1", () => {
    assert.equal(text(sectionBytes(raw, s, [2, 1])), 'Original text.');
    assert.equal(text(sectionBytes(raw, s, [2, 2], 'MIME')), 'Content-Type: text/html; charset=us-ascii\r\n\r\n');
    // a non-multipart embedded message: 3.1 is its body
    assert.equal(text(sectionBytes(raw, s, [3, 1])), 'Just text, no MIME headers.\r\n');
  });

  it("HEADER and TEXT of a message/rfc822 part are the embedded message's; MIME is the part's own", () => {
    assert.match(text(sectionBytes(raw, s, [2], 'HEADER'))!, /^Date: Wed, 4 Jun 2025.*\r\n\r\n$/s);
    assert.match(text(sectionBytes(raw, s, [2], 'TEXT'))!, /^--inner\r\n.*--inner--\r\n$/s);
    assert.equal(text(sectionBytes(raw, s, [2], 'MIME')), 'Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n');
    assert.equal(sectionBytes(raw, s, [1], 'HEADER'), null, 'HEADER of a text part');
    assert.equal(sectionBytes(raw, s, [1], 'TEXT'), null);
  });

  it('top level: whole message, HEADER, TEXT; no MIME', () => {
    assert.deepEqual(sectionRange(s, []), { start: 0, end: raw.length });
    assert.equal(sectionRange(s, [], 'HEADER')!.start, 0);
    assert.equal(sectionRange(s, [], 'TEXT')!.end, raw.length);
    assert.equal(sectionRange(s, [], 'MIME'), null);
  });

  it('part 1 of a non-multipart message is its body; 1.MIME its header (as Dovecot)', () => {
    const r = fixture('simple-text.eml');
    const m = parseMessage(r);
    assert.equal(text(sectionBytes(r, m, [1])), 'Hi Bob,\r\n\r\nthis is a plain message.\r\n-- \r\nAlice\r\n');
    assert.deepEqual(sectionRange(m, [1], 'MIME'), sectionRange(m, [], 'HEADER'));
    assert.equal(sectionRange(m, [2]), null);
    assert.equal(sectionRange(m, [1, 1]), null);
  });

  it('a leaf inside a multipart is its own part 1 (Dovecot leniency)', () => {
    assert.deepEqual(sectionRange(s, [1, 1]), sectionRange(s, [1]));
    assert.equal(sectionRange(s, [1, 1, 1]), null);
  });

  it('serves CRLF for bare-LF messages', () => {
    const r = fixture('bare-lf.eml');
    const m = parseMessage(r);
    assert.equal(text(sectionBytes(r, m, [], 'HEADER')), toCrlf(r.subarray(0, m.root.headerEnd)).toString());
    assert.ok(
      !sectionBytes(r, m, [])!
        .toString('latin1')
        .match(/[^\r]\n/),
    );
  });
});

describe('headerFields()', () => {
  const header = crlf('From: a@b\nSubject: one\n two\nsubject : again\nTo: c@d\nno colon here\n\n');

  it('picks fields case-insensitively, keeping their folding', () => {
    assert.equal(headerFields(header, ['SUBJECT'], false).toString(), 'Subject: one\r\n two\r\nsubject : again\r\n\r\n');
  });

  it('NOT keeps everything else, lines without a colon too', () => {
    assert.equal(headerFields(header, ['subject', 'from'], true).toString(), 'To: c@d\r\nno colon here\r\n\r\n');
  });

  it('is just the blank line when nothing matches', () => {
    assert.equal(headerFields(header, ['x-none'], false).toString(), '\r\n');
  });

  it('ends in CRLF even for bare-LF input and a missing last line break', () => {
    assert.equal(headerFields(Buffer.from('From: a\nTo: b'), ['to', 'from'], false).toString(), 'From: a\r\nTo: b\r\n\r\n');
  });

  it('answers as the field-by-field reading does, on random headers (CRLF, odd names, folding, no blank line)', () => {
    // Deterministic pseudo-random numbers, so that a failure can be replayed.
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)]!;
    const names = ['From', 'to', 'SUBJECT', 'Date', 'X-Ümlaut', 'Cc', 'subject ', 'Reply-To'];
    const bits = ['From', 'TO', 'Subject', 'subject', 'DATE', 'X-Ümlaut', 'x-ümlaut', 'Received', 'Cc', 'no colon here', '', 'Sub\u00c4'];
    let checked = 0;
    for (let round = 0; round < 2000; round++) {
      const lines: string[] = [];
      for (let i = rnd(8); i >= 0; i--) {
        const blank = pick(['', ' ', '\t', ' \t']);
        lines.push(rnd(5) === 0 ? pick(bits) : `${pick(bits)}${blank}:${pick(['', ' ', ' value', '\tv:w'])}`);
        for (let k = rnd(3); k > 0 && rnd(2); k--) lines.push(`${pick([' ', '\t'])}${pick(['more', '', 'x: y'])}`);
      }
      if (rnd(4) === 0) lines.unshift(' leading continuation');
      const end = pick(['\r\n\r\nbody', '\r\n\r\n', '\r\n', '', '\r']);
      const header = Buffer.from(lines.join('\r\n') + end, 'latin1');
      const wanted = Array.from({ length: 1 + rnd(3) }, () => pick(names));
      for (const not of [false, true]) {
        assert.deepEqual(
          headerFields(header, wanted, not),
          headerFieldsGeneral(header, wanted, not),
          `${JSON.stringify(header.toString('latin1'))} ${JSON.stringify(wanted)} not=${not}`,
        );
        checked++;
      }
    }
    assert.equal(checked, 4000);
  });

  it('works through sectionBytes', () => {
    const raw = fixture('simple-text.eml');
    const s = parseMessage(raw);
    assert.equal(
      text(sectionBytes(raw, s, [], 'HEADER.FIELDS', ['subject', 'message-id'])),
      'Subject: Hello there\r\nMessage-ID: <msg-1@example.org>\r\n\r\n',
    );
  });
});
