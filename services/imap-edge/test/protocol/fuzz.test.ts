import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandReceiver, type ReceiverEvent } from '../../src/protocol/receiver.js';
import { parseCommand } from '../../src/commands/registry.js';
import { ParseError } from '../../src/protocol/errors.js';

/** Small deterministic PRNG so failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const SAMPLES = [
  'a LOGIN {4+}\r\nuser "pa\\"ss"\r\n',
  'b APPEND INBOX (\\Seen) " 7-Feb-1994 21:52:25 -0800" {11+}\r\nhello\r\nworld ~{3+}\r\nx\0y\r\n',
  'c UID FETCH 1:*,$ (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.100>) (CHANGEDSINCE 5 VANISHED)\r\n',
  'd STORE 1,3:5 (UNCHANGEDSINCE 7) -FLAGS.SILENT (\\Deleted $Junk)\r\n',
  'e LIST (SUBSCRIBED) "" ("INBOX" "%") RETURN (STATUS (MESSAGES UIDNEXT))\r\n',
  'f SELECT INBOX (QRESYNC (1 2 1:10 (1:3 5:7)))\r\n',
  'g ID ("name" "x" "v" NIL)\r\n',
  'h CREATE x (USE (\\Sent))\r\n',
];

function collect(r: CommandReceiver, input: Buffer, cuts: number[]): ReceiverEvent[] {
  const out: ReceiverEvent[] = [];
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    r.push(input.subarray(prev, c));
    prev = c;
    out.push(...r.drain());
  }
  return out;
}

test('random chunk boundaries never change the framing', () => {
  const input = Buffer.from(SAMPLES.join(''), 'latin1');
  const whole = collect(new CommandReceiver({ maxLineLength: 200 }), input, []);
  assert.equal(whole.filter((e) => e.kind === 'command').length, SAMPLES.length);
  const rand = rng(42);
  for (let i = 0; i < 300; i++) {
    const cuts = Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * input.length)).sort((a, b) => a - b);
    assert.deepEqual(collect(new CommandReceiver({ maxLineLength: 200 }), input, cuts), whole);
  }
});

test('mutated commands: receiver never throws, parser throws only ParseError', () => {
  const rand = rng(7);
  const alphabet = Buffer.from(' ()[]{}<>"\\*%$:,.+-~0123456789AZaz\r\n\0\xff', 'latin1');
  for (let i = 0; i < 3000; i++) {
    const base = Buffer.from(SAMPLES[i % SAMPLES.length]!, 'latin1');
    const buf = Buffer.from(base);
    for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) {
      buf[Math.floor(rand() * buf.length)] = alphabet[Math.floor(rand() * alphabet.length)]!;
    }
    const r = new CommandReceiver({ maxLineLength: 100, maxLiteralSize: 50, maxDiscardSize: 1000 });
    r.push(buf);
    r.push(Buffer.from('\r\nz NOOP\r\n'));
    for (const ev of r.drain()) {
      if (ev.kind !== 'command') continue;
      try {
        parseCommand(ev);
      } catch (e) {
        assert.ok(e instanceof ParseError, `${String(e)} for ${JSON.stringify(buf.toString('latin1'))}`);
      }
    }
  }
});
