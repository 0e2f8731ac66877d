import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodePart,
  findPart,
  formatBodyStructure,
  formatEnvelope,
  parseMessage,
  searchText,
  sectionBytes,
  UnknownCteError,
  type MessageStructure,
  type MimePart,
} from '../../src/mime/index.js';
import { crlf, fixture, fixtureNames } from './helpers.js';

function walk(p: MimePart, f: (p: MimePart, depth: number) => void, depth = 0): void {
  f(p, depth);
  for (const c of p.children ?? []) walk(c, f, depth + 1);
}

function countParts(s: MessageStructure): number {
  let n = 0;
  walk(s.root, () => n++);
  return n;
}

/** Offsets nest and stay inside the message. */
function assertWellFormed(s: MessageStructure): void {
  walk(s.root, (p) => {
    assert.ok(p.headerStart <= p.headerEnd && p.headerEnd <= p.bodyEnd && p.bodyEnd <= s.rawSize, JSON.stringify(p));
    for (const c of p.children ?? []) {
      assert.ok(c.headerStart >= p.headerEnd && c.bodyEnd <= p.bodyEnd, 'child inside its parent body');
    }
    if (p.kind === 'message') assert.equal(p.children?.length, 1);
  });
}

describe('parseMessage', () => {
  it('records offsets, kinds and content fields', () => {
    const raw = fixture('mixed-attachments.eml');
    const s = parseMessage(raw);
    assert.equal(s.version, 1);
    assert.equal(s.root.kind, 'multipart');
    assert.equal(s.root.subtype, 'mixed');
    const [text, png, pdf] = s.root.children!;
    assert.equal(raw.toString('latin1', text!.headerEnd, text!.bodyEnd), 'Please find the files attached.\r\n');
    assert.equal(raw.toString('latin1', text!.headerStart, text!.headerEnd), 'Content-Type: text/plain; charset=us-ascii\r\n\r\n');
    assert.deepEqual(
      { kind: png!.kind, type: png!.type, subtype: png!.subtype, id: png!.id, description: png!.description, encoding: png!.encoding },
      { kind: 'basic', type: 'image', subtype: 'png', id: '<dot@example.org>', description: 'A single dot', encoding: 'base64' },
    );
    assert.deepEqual(png!.disposition, { value: 'attachment', params: [{ name: 'filename', value: 'dot.png' }] });
    assert.deepEqual(pdf!.language, ['en-GB', 'fr']);
    assert.equal(pdf!.location, 'http://example.org/report.pdf');
    assert.equal(pdf!.md5, 'Q2hlY2sgSW50ZWdyaXR5IQ==');
    assert.equal(s.envelope.subject, 'Files');
    assertWellFormed(s);
  });

  it('keeps RFC 2231 parameters as Dovecot shows them, with a decoded value', () => {
    const s = parseMessage(fixture('rfc2231.eml'));
    const [bin, flowed, broken] = s.root.children!;
    assert.deepEqual(bin!.params, [{ name: 'name*', value: "utf-8''%E2%82%AC%20rates%20and%20more.txt", decoded: '€ rates and more.txt' }]);
    assert.deepEqual(bin!.disposition!.params, [{ name: 'filename*', value: "iso-8859-1'en'%E9t%E9.txt", decoded: 'été.txt' }]);
    assert.deepEqual(flowed!.disposition!.params, [{ name: 'filename', value: 'longname.txt' }]);
    assert.deepEqual(broken!.params, [
      { name: 'title*0', value: 'a' },
      { name: 'title*2', value: 'c' },
    ]);
    assert.deepEqual(broken!.disposition!.params, [{ name: 'filename', value: '=?UTF-8?B?w6l0w6kudHh0?=', decoded: 'été.txt' }]);
  });

  it('treats a message without MIME headers as text/plain', () => {
    const s = parseMessage(fixture('no-content-type.eml'));
    assert.equal(s.root.kind, 'text');
    assert.equal(s.root.type, null);
    assert.equal(formatBodyStructure(s, false), '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 2)');
  });

  it('gives an embedded message its envelope and its parts', () => {
    const s = parseMessage(fixture('nested-rfc822.eml'));
    const fwd = s.root.children![1]!;
    assert.equal(fwd.kind, 'message');
    assert.equal(fwd.envelope!.subject, 'Original');
    assert.deepEqual(fwd.envelope!.sender, [{ name: null, route: null, mailbox: 'secretary', host: 'example.net' }]);
    const inner = fwd.children![0]!;
    assert.equal(inner.headerStart, fwd.headerEnd);
    assert.equal(inner.kind, 'multipart');
    assert.equal(inner.children!.length, 2);
    assert.equal(findPart(s, [2, 2]), inner.children![1]);
  });

  it('counts bare LFs as CRLF and says so', () => {
    const raw = fixture('bare-lf.eml');
    const s = parseMessage(raw);
    assert.equal(s.bareLf, true);
    assert.equal(s.rawSize, raw.length);
    assert.equal(s.size, raw.length + raw.toString('latin1').split('\n').length - 1);
    assert.equal(sectionBytes(raw, s, [1])!.toString(), 'line one\r\nline two');
    assert.equal(parseMessage(fixture('simple-text.eml')).bareLf, false);
  });

  it('never throws, whatever the bytes (mutated fixtures)', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const noise = [
      '\r\n',
      '\n',
      '--',
      '\r\n--',
      ':',
      ';',
      '"',
      '=?',
      '?=',
      '(',
      ')',
      '<',
      '>',
      '\\',
      '\0',
      'Content-Type: multipart/mixed; boundary=x\r\n',
      '\r\n--x\r\n',
      '--x--',
    ];
    for (const name of fixtureNames()) {
      const base = fixture(name);
      for (let round = 0; round < 40; round++) {
        let raw = Buffer.from(base);
        const op = rnd(3);
        if (op === 0) raw = raw.subarray(0, rnd(raw.length + 1));
        else if (op === 1) for (let k = 0; k < 8; k++) raw[rnd(raw.length)] = rnd(256);
        else {
          const at = rnd(raw.length + 1);
          raw = Buffer.concat([raw.subarray(0, at), Buffer.from(noise[rnd(noise.length)]!, 'latin1'), raw.subarray(at)]);
        }
        const s = parseMessage(raw);
        assertWellFormed(s);
        formatEnvelope(s.envelope);
        formatBodyStructure(s, true);
        searchText(raw, s);
        walk(s.root, () => {});
        for (const part of [[], [1], [1, 1], [2], [1, 2], [2, 1]]) {
          for (const text of [undefined, 'HEADER', 'TEXT', 'MIME', 'HEADER.FIELDS'] as const) sectionBytes(raw, s, part, text, ['from']);
          try {
            decodePart(raw, s, part);
          } catch (e) {
            assert.ok(e instanceof UnknownCteError);
          }
        }
      }
    }
  });

  it('never throws on random bytes', () => {
    let seed = 99;
    for (let round = 0; round < 300; round++) {
      const len = (round * 37) % 600;
      const raw = Buffer.alloc(len);
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        raw[i] = '-\r\n:;"=abc \t'.charCodeAt(seed % 12) || seed % 256;
      }
      const s = parseMessage(Buffer.concat([crlf('Content-Type: multipart/mixed; boundary=a\n\n--a\n'), raw]));
      assertWellFormed(s);
      formatBodyStructure(s, true);
    }
  });
});

describe('limits', () => {
  // The two messages of Dovecot's own limit tests (test-message-parser.c),
  // with the sizes Dovecot asserts there (ours count CRLF: physical + lines).
  const nested = Buffer.from(
    'Content-Type: multipart/mixed; boundary="1"\n\n--1\nContent-Type: multipart/mixed; boundary="2"\n\n--2\nContent-Type: text/plain\n\n1\n--2\nContent-Type: text/plain\n\n22\n--1\nContent-Type: text/plain\n\n333\n',
  );

  it('stops nesting at maxDepth: the part becomes an opaque leaf', () => {
    const s = parseMessage(nested, { maxDepth: 2 });
    assert.equal(s.limited, true);
    const [demoted, last] = s.root.children!;
    assert.equal(s.root.children!.length, 2);
    assert.equal(demoted!.kind, 'basic');
    assert.equal(demoted!.children, undefined);
    assert.deepEqual([demoted!.type, demoted!.subtype], ['application', 'octet-stream']);
    assert.deepEqual([demoted!.lines, demoted!.size], [7, 64 + 7]);
    assert.deepEqual([last!.lines, last!.size], [1, 4 + 1]);
    assert.deepEqual([s.root.lines, s.root.size], [15, 148 + 15]);
    assert.equal(parseMessage(nested).limited, false);
  });

  it('stops creating parts at maxParts: the rest is the last part', () => {
    const s = parseMessage(nested, { maxParts: 4 });
    assert.equal(s.limited, true);
    assert.equal(countParts(s), 4);
    const inner = s.root.children![0]!;
    assert.equal(inner.children!.length, 2);
    assert.deepEqual([inner.children![1]!.lines, inner.children![1]!.size], [5, 37 + 5]);
    assert.deepEqual([inner.lines, inner.size], [12, 99 + 12]);
  });

  it('limits message/rfc822 nesting too', () => {
    const raw = Buffer.from('Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nContent-Type: text/plain\n\n1\n');
    const s = parseMessage(raw, { maxDepth: 2 });
    const inner = s.root.children![0]!;
    assert.equal(inner.kind, 'basic');
    assert.deepEqual([inner.type, inner.subtype], ['application', 'octet-stream']);
    assert.deepEqual([s.root.size, s.root.lines], [58 + 5, 5]);
    assert.deepEqual([inner.size, inner.lines], [28 + 3, 3]);
    assert.match(
      formatBodyStructure(s, false),
      /^\("message" "rfc822" NIL NIL NIL "7bit" 63 \(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL\) \("application" "octet-stream" NIL NIL NIL "7bit" 31\) 5\)$/,
    );
  });

  it('holds at most 10000 parts by default', () => {
    let body = 'Content-Type: multipart/mixed; boundary=p\r\n\r\n';
    for (let i = 0; i < 10010; i++) body += `--p\r\n\r\n${i}\r\n`;
    body += '--p--\r\n';
    const s = parseMessage(Buffer.from(body));
    assert.equal(countParts(s), 10000);
    assert.equal(s.limited, true);
    const last = s.root.children![9998]!;
    assert.ok(Buffer.from(body).toString('latin1', last.headerEnd, last.bodyEnd).endsWith('10009\r\n--p--\r\n'));
  });

  it('parses a large attachment quickly', () => {
    const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
    const big = line.repeat(Math.ceil((8 * 1024 * 1024) / line.length));
    const raw = Buffer.from(
      `Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}--b--\r\n`,
    );
    const t0 = performance.now();
    const s = parseMessage(raw);
    const ms = performance.now() - t0;
    assert.equal(s.root.children!.length, 2);
    assert.equal(s.root.children![1]!.lines, big.length / line.length - 1); // the last CRLF belongs to the boundary
    assert.ok(ms < 3000, `took ${ms} ms`);
    assert.equal(decodePart(raw, s, [2])!.length, (big.length / line.length) * 57);
  });
});
