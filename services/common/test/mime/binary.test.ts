import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { binarySize, decodeBase64, decodePart, decodeQuotedPrintable, parseMessage, UnknownCteError } from '../../src/mime/index.js';
import { crlf, fixture } from './helpers.js';

describe('decoders', () => {
  it('base64: whitespace and junk skipped, padding honoured', () => {
    assert.equal(decodeBase64(Buffer.from('SGVs\r\nbG8s IHdv\tcmxk\r\nISE=')).toString(), 'Hello, world!!');
    assert.equal(decodeBase64(Buffer.from('YQ==YQ==')).toString(), 'aa');
    assert.equal(decodeBase64(Buffer.from('')).length, 0);
  });

  it('quoted-printable: escapes, soft breaks, trailing whitespace', () => {
    const qp = (s: string) => decodeQuotedPrintable(Buffer.from(s, 'latin1')).toString('latin1');
    assert.equal(qp('a=3Db=\r\nc  \r\nd=E9'), 'a=bc\r\nd\xe9');
    assert.equal(qp('soft =\nbreak\n'), 'soft break\n');
    assert.equal(qp('bad =ZZ and =4'), 'bad =ZZ and =4');
    assert.equal(qp('='), '');
  });
});

describe('decodePart()', () => {
  it('decodes base64 and quoted-printable parts', () => {
    const raw = fixture('mixed-attachments.eml');
    const s = parseMessage(raw);
    assert.equal(decodePart(raw, s, [3])!.toString('latin1'), '%PDF-1.4\n%%EOF\n');
    assert.equal(binarySize(raw, s, [3]), 15);
    const alt = fixture('alternative.eml');
    const a = parseMessage(alt);
    assert.equal(decodePart(alt, a, [2])!.toString('utf8'), '<html><body><p>Café news this week.</p></body></html>\r\n');
  });

  it('passes 7bit/8bit/binary through, CRLF-normalised', () => {
    const raw = fixture('mixed-eol.eml');
    const s = parseMessage(raw);
    assert.equal(decodePart(raw, s, [1])!.toString(), 'lf body\r\ncrlf line');
    assert.equal(binarySize(raw, s, [1]), 18);
  });

  it('throws UnknownCteError for an encoding it cannot undo', () => {
    const raw = fixture('unknown-cte.eml');
    const s = parseMessage(raw);
    assert.throws(
      () => decodePart(raw, s, [2]),
      (e: unknown) => e instanceof UnknownCteError && e.encoding === 'x-uuencode' && e.code === 'UNKNOWN-CTE',
    );
    assert.throws(() => decodePart(raw, s, []), UnknownCteError);
    assert.throws(() => binarySize(raw, s, [2]), UnknownCteError);
    assert.equal(decodePart(raw, s, [1])!.toString(), 'plain part before');
  });

  it('is null for a part that does not exist', () => {
    const raw = fixture('simple-text.eml');
    const s = parseMessage(raw);
    assert.equal(decodePart(raw, s, [2]), null);
    assert.equal(binarySize(raw, s, [2]), null);
  });

  it('converts a whole message: encoded leaves decoded, their CTE field now "binary"', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\nContent-Type: text/plain\n\naGk=\n--b\nContent-Type: message/rfc822\n\nSubject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nA=3DB\n--b--\n',
    );
    const s = parseMessage(raw);
    const want = crlf(
      'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: binary\n\nhi\n--b\nContent-Type: message/rfc822\n\nSubject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: binary\n\nA=B\n--b--\n',
    );
    assert.equal(decodePart(raw, s, [])!.toString(), want.toString());
    assert.equal(binarySize(raw, s, []), want.length);
    assert.equal(
      decodePart(raw, s, [2])!.toString(),
      crlf('Subject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: binary\n\nA=B').toString(),
    );
    assert.equal(decodePart(raw, s, [2, 1])!.toString(), 'A=B');
  });
});
