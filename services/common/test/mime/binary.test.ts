import { describe, it } from 'node:test';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import {
  binaryPartsToBase64,
  binarySize,
  decodeBase64,
  decodePart,
  decodeQuotedPrintable,
  findPart,
  parseMessage,
  sectionBytes,
  toCrlf,
  UnknownCteError,
} from '../../src/mime/index.js';
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

describe('binaryPartsToBase64() (APPEND of a literal8)', () => {
  // imaptest's append-binary: a binary part with a NUL, an 8-bit byte and bare LFs.
  const content = Buffer.from([0x00, 0x2d, 0xe4, 0x0a, 0x0d, 0x0a, 0x0a]);
  const single = Buffer.concat([
    Buffer.from(
      'From: user@domain.org\r\nMime-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n',
    ),
    content,
  ]);

  /** As the store keeps it: CRLF line ends. */
  const stored = (raw: Buffer) => toCrlf(binaryPartsToBase64(raw));

  it('gives BINARY[1] the 7 bytes sent, BINARY.SIZE[1] 7, and BODY[1] base64 text (as Dovecot)', () => {
    const raw = stored(single);
    const m = parseMessage(raw);
    assert.deepEqual(decodePart(raw, m, [1]), content);
    assert.equal(binarySize(raw, m, [1]), 7);
    assert.equal(sectionBytes(raw, m, [1])!.toString('latin1'), 'AC3kCg0KCg==');
    assert.equal(m.root.encoding, 'base64');
    assert.ok(!raw.includes(0), 'no NUL left in the message');
  });

  it('converts only the binary parts of a multipart message, and the boundaries stay', () => {
    const big = Buffer.alloc(200, 0x0a);
    big[0] = 0;
    const raw = stored(
      Buffer.concat([
        Buffer.from(
          'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B\r\n' +
            'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: BINARY\r\nContent-Disposition: attachment\r\n\r\n',
        ),
        big,
        Buffer.from(
          '\r\n--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nsoft\r\n--B--\r\n',
        ),
      ]),
    );
    const m = parseMessage(raw);
    assert.equal(m.root.children?.length, 3);
    assert.deepEqual(decodePart(raw, m, [2]), big);
    assert.equal(findPart(m, [2])!.encoding, 'base64');
    assert.match(
      sectionBytes(raw, m, [2], 'MIME')!.toString(),
      /^Content-Type: application\/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n$/,
    );
    assert.ok(
      sectionBytes(raw, m, [2])!
        .toString()
        .split('\r\n')
        .every((l) => l.length <= 76),
    );
    assert.equal(decodePart(raw, m, [1])!.toString(), 'hello');
    assert.equal(decodePart(raw, m, [3])!.toString(), 'café soft');
  });

  it('leaves a message without binary parts as it is', () => {
    const raw = Buffer.from('Subject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\nbody\r\n');
    assert.equal(binaryPartsToBase64(raw), raw);
  });
});

describe('BINARY.SIZE[n] is the length of BINARY[n], for every part', () => {
  const fixtures = readdirSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures')).filter((f) => f.endsWith('.eml'));
  /** Every part number the message has, depth first (findPart says which exist). */
  const paths = (m: ReturnType<typeof parseMessage>, prefix: number[] = []): number[][] => {
    const out: number[][] = [];
    for (let i = 1; prefix.length < 4; i++) {
      const p = [...prefix, i];
      if (!findPart(m, p)) break;
      out.push(p, ...paths(m, p));
    }
    return out;
  };
  for (const name of fixtures) {
    it(name, () => {
      const raw = fixture(name);
      const m = parseMessage(raw);
      for (const p of [[], ...paths(m)]) {
        let data: Buffer | null;
        try {
          data = decodePart(raw, m, p);
        } catch (err) {
          if (err instanceof UnknownCteError) continue;
          throw err;
        }
        assert.equal(binarySize(raw, m, p), data?.length ?? null, `part ${p.join('.') || '(whole)'}`);
      }
    });
  }
});
