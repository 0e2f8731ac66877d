import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseEncoder, canQuote, formatAstring, quoteString } from '../../src/protocol/encoder.js';

function capture(options = {}) {
  const chunks: Array<Buffer | string> = [];
  const enc = new ResponseEncoder((c) => chunks.push(c), options);
  const out = () => {
    enc.flush();
    return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))).toString('latin1');
  };
  return { enc, chunks, out };
}

test('string(): quoted vs literal choice', () => {
  const cases: Array<[string | Buffer, string, object?]> = [
    ['hello', '"hello"'],
    ['say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
    ['', '""'],
    ['two\r\nlines', '{10}\r\ntwo\r\nlines'],
    ['nul\0', '{4}\r\nnul\0'],
    ['über', '{5}\r\n\xc3\xbcber'], // 8-bit without UTF8=ACCEPT -> literal
    ['über', '"\xc3\xbcber"', { utf8: true }], // quoted in UTF-8 mode
    ['x'.repeat(1025), `{1025}\r\n${'x'.repeat(1025)}`],
    ['x'.repeat(1024), `"${'x'.repeat(1024)}"`],
    ['x'.repeat(11), `{11}\r\n${'x'.repeat(11)}`, { maxQuotedLength: 10 }],
    [Buffer.from('abc'), '"abc"'],
    [Buffer.from([0x61, 0xff]), '{2}\r\na\xff'],
    [Buffer.from([0x61, 0xff]), '{2}\r\na\xff', { utf8: true }], // invalid UTF-8 -> literal even in UTF-8 mode
  ];
  for (const [input, expected, opts] of cases) {
    const { enc, out } = capture(opts);
    enc.string(input);
    assert.equal(out(), expected, JSON.stringify(input).slice(0, 40));
  }
});

test('full lines: untagged, tagged, continuation, lists, nstring, astring', () => {
  const { enc, out } = capture();
  enc.untagged().number(12).sp().atom('FETCH').sp().beginList();
  enc.atom('FLAGS').sp().flags(['\\Seen', '$Forwarded']).sp().atom('UID').sp().number(4827313n);
  enc.sp().raw('BODY[HEADER]').sp().literal(Buffer.from('A: b\r\n\r\n'));
  enc.sp().atom('X').sp().nstring(null).sp().nstring('v').sp().astring('INBOX').sp().astring('a b').sp().astring('NIL');
  enc.endList().crlf();
  enc.list(['a', 'b c'], (e, s) => e.astring(s)).crlf();
  enc.continuation();
  enc.status('A1', 'OK', 'FETCH completed');
  enc.status(null, 'NO', 'bad\r\nthing', 'TOOBIG');
  assert.equal(
    out(),
    '* 12 FETCH (FLAGS (\\Seen $Forwarded) UID 4827313 BODY[HEADER] {8}\r\nA: b\r\n\r\n X NIL "v" INBOX "a b" "NIL")\r\n' +
      '(a "b c")\r\n' +
      '+ Ready for literal data\r\n' +
      'A1 OK FETCH completed\r\n' +
      '* NO [TOOBIG] bad  thing\r\n',
  );
  assert.equal(enc.error, undefined);
});

test('large literal buffers reach the sink uncopied; small text is batched', () => {
  const { enc, chunks } = capture();
  const body = Buffer.alloc(100_000, 0x41);
  enc.untagged().atom('X').sp().literal(body).crlf();
  enc.flush();
  assert.ok(chunks.includes(body), 'body buffer passed through as-is');
  assert.equal(chunks.length, 3); // header text, body, trailing CRLF
  const small = capture({ flushThreshold: 100 });
  for (let i = 0; i < 50; i++) small.enc.untagged().atom('OK').crlf();
  assert.ok(small.chunks.length > 0 && small.chunks.length < 50, `batched into ${small.chunks.length} writes`);
});

test('literal8 and streamed literal header', () => {
  const { enc, out } = capture();
  enc
    .literal(Buffer.from([0, 1, 2]), true)
    .sp()
    .literalHeader(3)
    .rawBytes(Buffer.from('xyz'));
  assert.equal(out(), '~{3}\r\n\0\x01\x02 {3}\r\nxyz');
});

test('keeps the first error and stops writing', () => {
  const { enc, chunks } = capture();
  enc.untagged().atom('bad atom').sp().atom('(also bad)').crlf();
  assert.match(String(enc.flush()), /Invalid atom/);
  assert.equal(chunks.length, 0);

  let n = 0;
  const failing = new ResponseEncoder(() => {
    n++;
    throw new Error('EPIPE');
  });
  failing.status('A', 'OK', 'x');
  failing.status('B', 'OK', 'y');
  assert.equal(failing.error?.message, 'EPIPE');
  assert.equal(n, 1);
});

test('pure helpers', () => {
  assert.equal(quoteString('a"b\\c'), '"a\\"b\\\\c"');
  assert.throws(() => quoteString('a\nb'));
  assert.equal(canQuote('plain'), true);
  assert.equal(canQuote('ü'), false);
  assert.equal(canQuote('ü', true), true);
  assert.equal(canQuote('\ud800', true), false);
  assert.equal(formatAstring('INBOX'), 'INBOX');
  assert.equal(formatAstring('with space'), '"with space"');
  assert.equal(formatAstring('nil'), '"nil"');
});

test('status and continuation text that ends like a literal marker is not sent as one', () => {
  // A client reads `{3}` before CRLF as a literal's count and takes the next line for its data.
  const { enc, out } = capture();
  enc.status('A1', 'NO', 'Mailbox does not exist: {3}', 'NONEXISTENT');
  enc.status(null, 'BAD', 'Unknown command ~{12+}');
  enc.continuation('{0}');
  const lines = out().split('\r\n');
  for (const line of lines) assert.doesNotMatch(line, /~?\{\d+\+?\}$/, `${JSON.stringify(line)} ends like a literal marker`);
  assert.match(lines[0]!, /^A1 NO \[NONEXISTENT\] Mailbox does not exist: \{3\}/);
});
