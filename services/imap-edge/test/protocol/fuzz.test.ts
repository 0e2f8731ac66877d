// The receiver and the command parsers under generated and mutated input:
// every command of the registry, its arguments from the grammar, mutated
// token by token (framing included), cut into chunks at random. Seeded:
// FUZZ_SEED replays a failure, FUZZ_RUNS runs longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandReceiver, type LiteralMode, type ReceiverEvent } from '../../src/protocol/receiver.js';
import { commandNames, parseCommand } from '../../src/commands/registry.js';
import { ParseError } from '../../src/protocol/errors.js';
import {
  commandArb,
  DEFAULT_MAILBOXES,
  GRAMMAR_COMMANDS,
  mutatedCommandArb,
  serialize,
  type FuzzState,
  type FuzzWorld,
  type GeneratedCommand,
} from '../support/imap-grammar.js';

const SEED = Number(process.env.FUZZ_SEED ?? 1607);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const world: FuzzWorld = { user: 'alice@example.test', password: 'password-1', mailboxes: DEFAULT_MAILBOXES };
const STATES: FuzzState[] = ['not-authenticated', 'authenticated', 'selected', 'idle'];

/** fc.assert with the seed in the failure message, so that `FUZZ_SEED=<seed>` replays it. */
function check<T>(property: fc.IProperty<T>, runs = RUNS): void {
  try {
    fc.assert(property, { seed: SEED, numRuns: runs, includeErrorInReport: true });
  } catch (err) {
    throw new Error(`property failed; replay with FUZZ_SEED=${SEED}\n${(err as Error).message}`, { cause: err });
  }
}

const anyCommand = fc.constantFrom(...STATES).chain((s) => commandArb(world, s));
const anyInput = fc.oneof(anyCommand, mutatedCommandArb(anyCommand, { framing: true, max: 4 }));

/** The command's bytes with every literal inline, as a client sends them once invited. */
const wire = (cmd: GeneratedCommand, tag = 'T'): Buffer => Buffer.concat(serialize(cmd, tag, false));

function receive(input: Buffer, cuts: number[], mode: LiteralMode): ReceiverEvent[] {
  const r = new CommandReceiver({ maxLineLength: 300, maxLiteralSize: 400, maxCommandSize: 1000, maxDiscardSize: 2000, literalMode: mode });
  const events: ReceiverEvent[] = [];
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    r.push(input.subarray(prev, c));
    prev = c;
    events.push(...r.drain());
  }
  return events;
}

test('the grammar generates every command of the registry, and only those', () => {
  assert.deepEqual([...GRAMMAR_COMMANDS].sort(), commandNames().sort());
});

test('generated commands parse: the grammar speaks the parsers language', () => {
  // Unmutated commands with a good tag: framed as one command each; most parse (some draw invalid values on purpose).
  let parsed = 0;
  let total = 0;
  check(
    fc.property(anyCommand, (cmd) => {
      if (!GRAMMAR_COMMANDS.includes(cmd.name)) return;
      total++;
      const events = receive(wire(cmd), [], 'LITERAL+');
      const ev = events[0];
      if (events.length !== 1 || ev?.kind !== 'command') return;
      try {
        parseCommand(ev);
        parsed++;
      } catch (e) {
        assert.ok(e instanceof ParseError, String(e));
      }
    }),
  );
  assert.ok(parsed > total * 0.4, `only ${parsed} of ${total} generated commands parsed`);
});

test('generated and mutated input: the receiver never throws, the parsers throw only ParseError', () => {
  check(
    fc.property(
      fc.array(anyInput, { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.constantFrom<LiteralMode>('LITERAL+', 'LITERAL-', 'none'),
      (cmds, rawCuts, mode) => {
        const input = Buffer.concat([...cmds.map((c, i) => wire(c, `T${i}`)), Buffer.from('\r\nZ NOOP\r\n')]);
        const cuts = rawCuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b);
        for (const ev of receive(input, cuts, mode)) {
          if (ev.kind !== 'command') continue;
          try {
            parseCommand(ev);
          } catch (e) {
            assert.ok(e instanceof ParseError, `${String(e)} for ${JSON.stringify(input.toString('latin1'))}`);
          }
        }
      },
    ),
  );
});

test('chunk boundaries never change what the receiver makes of generated input', () => {
  check(
    fc.property(fc.array(anyInput, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 20 }), (cmds, rawCuts) => {
      const input = Buffer.concat(cmds.map((c, i) => wire(c, `T${i}`)));
      const cuts = rawCuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b);
      assert.deepEqual(receive(input, cuts, 'LITERAL+'), receive(input, [], 'LITERAL+'));
    }),
    Math.ceil(RUNS / 3),
  );
});

test('byte at a time: the same events as the whole input at once', () => {
  check(
    fc.property(anyInput, (cmd) => {
      const input = wire(cmd);
      const cuts = Array.from({ length: input.length }, (_, i) => i);
      assert.deepEqual(receive(input, cuts, 'LITERAL+'), receive(input, [], 'LITERAL+'));
    }),
    Math.ceil(RUNS / 5),
  );
});
