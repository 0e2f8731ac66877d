import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandReceiver, type LiteralRequest, type ReceiveError, type ReceiverEvent } from '../../src/protocol/receiver.js';
import type { ReceivedCommand } from '../../src/protocol/types.js';
import { receiveAll } from './helpers.js';

const text = (s: string) => ({ type: 'text' as const, data: Buffer.from(s) });
const literal = (s: string | Buffer, sync = true, binary = false) => ({
  type: 'literal' as const,
  data: Buffer.isBuffer(s) ? s : Buffer.from(s),
  binary,
  sync,
});

function commands(events: ReceiverEvent[]): ReceivedCommand[] {
  return events.filter((e): e is ReceivedCommand => e.kind === 'command');
}

const PIPELINE =
  'a1 NOOP\r\n' +
  'a2 LOGIN {4}\r\nuser {6+}\r\nsecret\r\n' +
  'a3 APPEND INBOX (\\Seen) ~{5}\r\nhe\0lo\r\n' +
  'a4 APPEND INBOX {0}\r\n\r\n' +
  'a5 uid fetch 1:* (FLAGS)\n' + // bare LF tolerated
  'a6 LOGIN "quoted {3}" {3}\r\nabc\r\n' +
  'a7 APPEND box {2+}\r\nxy {3+}\r\nabc\r\n';

test('pipeline: whole input yields expected commands', () => {
  const events = receiveAll(PIPELINE);
  assert.equal(events.length, 7);
  const [c1, c2, c3, c4, c5, c6, c7] = commands(events);
  assert.deepEqual(c1, { kind: 'command', tag: 'a1', name: 'NOOP', parts: [text('a1 NOOP')], argsOffset: 7, size: 7 });
  assert.equal(c2!.name, 'LOGIN');
  assert.deepEqual(c2!.parts, [text('a2 LOGIN '), literal('user'), text(' '), literal('secret', false), text('')]);
  assert.equal(c2!.size, 'a2 LOGIN {4}'.length + 4 + ' {6+}'.length + 6);
  assert.deepEqual(c3!.parts, [text('a3 APPEND INBOX (\\Seen) '), literal('he\0lo', true, true), text('')]);
  assert.deepEqual(c4!.parts, [text('a4 APPEND INBOX '), literal(''), text('')]);
  assert.equal(c5!.name, 'UID FETCH');
  assert.equal(c5!.tag, 'a5');
  assert.equal(c5!.parts[0]!.data.toString().slice(c5!.argsOffset), ' 1:* (FLAGS)');
  // `{3}` inside a quoted string is not a literal marker.
  assert.deepEqual(c6!.parts, [text('a6 LOGIN "quoted {3}" '), literal('abc'), text('')]);
  assert.deepEqual(c7!.parts, [text('a7 APPEND box '), literal('xy', false), text(' '), literal('abc', false), text('')]);
});

test('pipeline: fed one byte at a time gives the same result as fed whole', () => {
  assert.deepEqual(receiveAll(PIPELINE, {}, 1), receiveAll(PIPELINE));
  assert.deepEqual(receiveAll(PIPELINE, {}, 3), receiveAll(PIPELINE));
  assert.deepEqual(receiveAll(PIPELINE, {}, 7), receiveAll(PIPELINE));
});

test('synchronizing literal: continuation requested before data arrives, with info', () => {
  const requests: LiteralRequest[] = [];
  const r = new CommandReceiver({ onContinuationNeeded: (i) => (requests.push(i), 'accept') });
  r.push(Buffer.from('A APPEND INBOX {5}\r\n'));
  assert.equal(r.next(), null);
  assert.deepEqual(requests, [{ tag: 'A', name: 'APPEND', size: 5, binary: false, literalIndex: 0, commandSize: 18, overLimit: false }]);
  r.push(Buffer.from('hel'));
  assert.equal(r.next(), null);
  r.push(Buffer.from('lo {2}\r\n'));
  assert.equal(r.next(), null);
  assert.equal(requests.length, 2);
  assert.equal(requests[1]!.literalIndex, 1);
  r.push(Buffer.from('xy\r\n'));
  const cmd = r.next() as ReceivedCommand;
  assert.equal(cmd.kind, 'command');
  assert.deepEqual(cmd.parts, [text('A APPEND INBOX '), literal('hello'), text(' '), literal('xy'), text('')]);
});

test('non-synchronizing literal never asks for continuation', () => {
  let asked = 0;
  const events = receiveAll('A LOGIN {1+}\r\nu {1+}\r\np\r\n', { onContinuationNeeded: () => (asked++, 'accept') });
  assert.equal(asked, 0);
  assert.equal(commands(events).length, 1);
});

test('refused literal: receiver drops the command and reads the next line', () => {
  const r = new CommandReceiver({ onContinuationNeeded: (i) => (i.size > 100 ? 'refuse' : 'accept') });
  // The client got our NO and will not send the data; the next command follows.
  r.push(Buffer.from('A APPEND INBOX (\\Seen) {1000}\r\nB NOOP\r\n'));
  const ev = r.next() as ReceivedCommand;
  assert.equal(ev.kind, 'command');
  assert.equal(ev.tag, 'B');
  assert.equal(r.next(), null);
  assert.equal(r.inCommand, false);
});

test('literal over maxLiteralSize: the connection is asked first and may refuse (sync)', () => {
  const asked: boolean[] = [];
  const refused = receiveAll('A APPEND INBOX {2000}\r\nB NOOP\r\n', {
    maxLiteralSize: 1000,
    onContinuationNeeded: (info) => (asked.push(info.overLimit), 'refuse'),
  });
  assert.deepEqual(asked, [true]);
  assert.equal(refused.length, 1);
  assert.equal((refused[0] as ReceivedCommand).tag, 'B');
});

test('literal over maxLiteralSize accepted by mistake is still refused before any data (sync)', () => {
  let asked = 0;
  const events = receiveAll('A APPEND INBOX {2000}\r\nB NOOP\r\n', {
    maxLiteralSize: 1000,
    onContinuationNeeded: () => (asked++, 'accept'),
  });
  assert.equal(asked, 1);
  assert.equal(events.length, 2);
  const err = events[0] as ReceiveError;
  assert.equal(err.kind, 'error');
  assert.equal(err.code, 'LITERAL_TOO_BIG');
  assert.equal(err.tag, 'A');
  assert.equal(err.name, 'APPEND');
  assert.equal(err.responseCode, 'TOOBIG');
  assert.equal(err.fatal, false);
  assert.equal((events[1] as ReceivedCommand).tag, 'B');
});

test('non-sync literal over limit: error, data and rest of line discarded, next command parses', () => {
  const big = 'x'.repeat(2000);
  const input = `A APPEND INBOX {2000+}\r\n${big} {3+}\r\nabc\r\nB NOOP\r\n`;
  for (const chunk of [Infinity, 1, 13]) {
    const events = receiveAll(input, { maxLiteralSize: 1000 }, chunk);
    assert.equal(events.length, 2, `chunk ${chunk}`);
    assert.equal((events[0] as ReceiveError).code, 'LITERAL_TOO_BIG');
    assert.equal((events[1] as ReceivedCommand).tag, 'B');
  }
});

test('non-sync literal beyond maxDiscardSize is fatal', () => {
  const events = receiveAll('A APPEND INBOX {99999999+}\r\nxxxx', { maxLiteralSize: 1000, maxDiscardSize: 10_000 });
  assert.equal(events.length, 1);
  assert.equal((events[0] as ReceiveError).fatal, true);
});

test('maxCommandSize counts all literals of a command', () => {
  const events = receiveAll('A APPEND box {50+}\r\n' + 'x'.repeat(50) + ' {60+}\r\n' + 'y'.repeat(60) + '\r\nB NOOP\r\n', {
    maxCommandSize: 100,
  });
  assert.deepEqual(
    events.map((e) => (e.kind === 'error' ? e.code : e.kind)),
    ['COMMAND_TOO_BIG', 'command'],
  );
});

test('line over limit: one error with tag, rest skipped without buffering, next command parses', () => {
  const long = 'A LOGIN ' + 'x'.repeat(5000) + '\r\nB NOOP\r\n';
  for (const chunk of [Infinity, 1, 100]) {
    const r = new CommandReceiver({ maxLineLength: 1000 });
    const events: ReceiverEvent[] = [];
    let maxPartial = 0;
    const buf = Buffer.from(long);
    for (let i = 0; i < buf.length; i += Math.min(chunk, buf.length)) {
      r.push(buf.subarray(i, i + Math.min(chunk, buf.length)));
      events.push(...r.drain());
      // internal accumulation stays bounded by the limit
      maxPartial = Math.max(maxPartial, (r as unknown as { seg: { length: number } }).seg.length);
    }
    assert.ok(maxPartial <= 1001, `buffered ${maxPartial}`);
    assert.equal(events.length, 2, `chunk ${chunk}`);
    const err = events[0] as ReceiveError;
    assert.equal(err.code, 'LINE_TOO_LONG');
    assert.equal(err.tag, 'A');
    assert.equal(err.name, 'LOGIN');
    assert.equal((events[1] as ReceivedCommand).tag, 'B');
  }
});

test('a line whose rest goes on past maxLineSkip is fatal; input after it is ignored', () => {
  for (const chunk of [Infinity, 1, 4096]) {
    const r = new CommandReceiver({ maxLineLength: 1000, maxLineSkip: 20_000 });
    const events: ReceiverEvent[] = [];
    const buf = Buffer.from('A NOOP ' + 'x'.repeat(50_000) + '\r\nB NOOP\r\n');
    for (let i = 0; i < buf.length; i += Math.min(chunk, buf.length)) {
      r.push(buf.subarray(i, i + Math.min(chunk, buf.length)));
      events.push(...r.drain());
      assert.ok(r.pendingBytes <= Math.min(chunk, buf.length), 'nothing is kept once the receiver gave up');
    }
    assert.deepEqual(
      events.map((e) => (e.kind === 'error' ? `${e.code}${e.fatal ? ' fatal' : ''}` : e.kind)),
      ['LINE_TOO_LONG', 'LINE_TOO_LONG fatal'],
      `chunk ${chunk}`,
    );
  }
  // Up to the budget, the rest of the line is skipped and the next command parses.
  const ok = receiveAll('A NOOP ' + 'x'.repeat(15_000) + '\r\nB NOOP\r\n', { maxLineLength: 1000, maxLineSkip: 20_000 });
  assert.deepEqual(
    ok.map((e) => (e.kind === 'error' ? e.code : e.kind)),
    ['LINE_TOO_LONG', 'command'],
  );
});

test('line over limit ending in a non-sync literal: the literal data is skipped too', () => {
  const input = 'A APPEND ' + 'x'.repeat(3000) + ' {10+}\r\n0123456789\r\nB NOOP\r\n';
  for (const chunk of [Infinity, 1]) {
    const events = receiveAll(input, { maxLineLength: 1000 }, chunk);
    assert.deepEqual(
      events.map((e) => (e.kind === 'error' ? e.code : e.kind)),
      ['LINE_TOO_LONG', 'command'],
    );
  }
});

test('line limit is counted across the lines of a command, literals excluded', () => {
  const ok = receiveAll('A LOGIN {300+}\r\n' + 'p'.repeat(300) + ' ' + 'x'.repeat(50) + '\r\n', { maxLineLength: 100 });
  assert.equal(ok[0]!.kind, 'command');
  const bad = receiveAll('A LOGIN {3+}\r\nabc ' + 'x'.repeat(150) + '\r\nB NOOP\r\n', { maxLineLength: 100 });
  assert.deepEqual(
    bad.map((e) => (e.kind === 'error' ? `${e.code}:${e.tag}` : e.kind)),
    ['LINE_TOO_LONG:A', 'command'],
  );
});

test('LITERAL- mode: {n+} over 4096 is an error; small ones are fine', () => {
  const big = 'x'.repeat(5000);
  const events = receiveAll(`A APPEND box {5000+}\r\n${big}\r\nB APPEND box {3+}\r\nabc\r\n`, { literalMode: 'LITERAL-' });
  assert.deepEqual(
    events.map((e) => (e.kind === 'error' ? `${e.code}:${e.tag}` : `${e.kind}:${(e as ReceivedCommand).tag}`)),
    ['NON_SYNC_LITERAL_TOO_BIG:A', 'command:B'],
  );
  // default (LITERAL+) accepts it
  assert.equal(receiveAll(`A APPEND box {5000+}\r\n${big}\r\n`)[0]!.kind, 'command');
});

test('literal mode none rejects {n+} but keeps the stream in sync', () => {
  const events = receiveAll('A LOGIN {3+}\r\nabc def\r\nB NOOP\r\n', { literalMode: 'none' });
  assert.deepEqual(
    events.map((e) => (e.kind === 'error' ? e.code : e.kind)),
    ['NON_SYNC_LITERAL_NOT_ALLOWED', 'command'],
  );
});

test('tag and name errors', () => {
  const events = receiveAll('\r\n NOOP\r\nabc\r\nx UID\r\n+ NOOP\r\nok NOOP\r\n');
  assert.deepEqual(
    events.map((e) => (e.kind === 'error' ? `${e.code}:${e.tag ?? '*'}` : `${e.kind}:${(e as ReceivedCommand).tag}`)),
    ['EMPTY_LINE:*', 'BAD_TAG:*', 'BAD_COMMAND:abc', 'BAD_COMMAND:x', 'BAD_TAG:*', 'command:ok'],
  );
});

test('bad tag with non-sync literal still skips the literal data', () => {
  const events = receiveAll('(bad {5+}\r\nA NOO\r\nB NOOP\r\n');
  assert.deepEqual(
    events.map((e) => (e.kind === 'error' ? e.code : `${e.kind}:${(e as ReceivedCommand).tag}`)),
    ['BAD_TAG', 'command:B'],
  );
});

test('raw line mode for IDLE DONE and AUTHENTICATE responses', () => {
  const r = new CommandReceiver();
  r.push(Buffer.from('A IDLE\r\nDONE\r\nB AUTHENTICATE PLAIN\r\nAGZvbwBiYXI=\r\n{5}\r\n'));
  const seen: string[] = [];
  for (const ev of r.drain()) {
    if (ev.kind === 'command') {
      seen.push(`cmd:${ev.name}`);
      r.readRawLine(); // mode switch applies to the very next line
    } else if (ev.kind === 'raw-line') {
      seen.push(`raw:${ev.line.toString()}`);
      if (ev.line.toString() !== 'DONE') r.readRawLine(); // next SASL step; literal markers mean nothing here
    }
  }
  assert.deepEqual(seen, ['cmd:IDLE', 'raw:DONE', 'cmd:AUTHENTICATE', 'raw:AGZvbwBiYXI=', 'raw:{5}']);
});

test('raw line over limit reports rawLine error and recovers', () => {
  const r = new CommandReceiver({ maxLineLength: 10 });
  r.readRawLine();
  r.push(Buffer.from('x'.repeat(50) + ' {3+}\r\nB NOOP\r\n'));
  const events = [...r.drain()];
  assert.equal(events.length, 2);
  assert.equal((events[0] as ReceiveError).rawLine, true);
  // Raw lines have no literals: `{3+}` is not treated as one.
  assert.equal((events[1] as ReceivedCommand).name, 'NOOP');
});

test('reset() drops pipelined input (STARTTLS injection)', () => {
  const r = new CommandReceiver();
  r.push(Buffer.from('A STARTTLS\r\nB LOGIN evil pass\r\n'));
  const first = r.next() as ReceivedCommand;
  assert.equal(first.name, 'STARTTLS');
  r.reset();
  assert.equal(r.next(), null);
  assert.equal(r.pendingBytes, 0);
});

test('push() reports backpressure above highWaterMark', () => {
  const r = new CommandReceiver({ highWaterMark: 10 });
  assert.equal(r.push(Buffer.from('A NOOP\r\n')), true);
  assert.equal(r.push(Buffer.from('B NOOP\r\n')), false);
  r.next();
  r.next();
  assert.equal(r.pendingBytes, 0);
});

test('literal at end of line and several literals per line', () => {
  const events = receiveAll('A LOGIN {1}\r\nu {1}\r\np\r\nB X {0}\r\n {0}\r\n\r\n');
  const [a, b] = commands(events);
  assert.deepEqual(a!.parts, [text('A LOGIN '), literal('u'), text(' '), literal('p'), text('')]);
  assert.deepEqual(b!.parts, [text('B X '), literal(''), text(' '), literal(''), text('')]);
});

test('literal data containing CRLF and {n} is taken verbatim', () => {
  const body = 'Subject: x {3}\r\n\r\nbody\r\n';
  const [c] = commands(receiveAll(`A APPEND INBOX {${body.length}+}\r\n${body}\r\n`, {}, 1));
  assert.deepEqual(c!.parts[1], literal(body, false));
});
