// Generated and mutated commands in every state (not authenticated,
// authenticated, selected, IDLE, with synchronizing literals and LITERAL+)
// against the edge and the mailbox service over real connections: every
// reply line valid IMAP, one tagged reply per command, the connection kept
// unless a BYE the RFC allows ends it. Seeded: FUZZ_SEED replays a failure,
// FUZZ_RUNS runs longer; the long run is `make fuzz` (bench/fuzz-server.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ALICE, PASSWORD, useEdgeServices } from './support/edge-harness.js';
import { FuzzPlayer } from './support/fuzz-player.js';
import { commandArb, DEFAULT_MAILBOXES, mutatedCommandArb, type FuzzState, type FuzzWorld } from './support/imap-grammar.js';

const SEED = Number(process.env.FUZZ_SEED ?? 1607);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const world: FuzzWorld = { user: ALICE, password: PASSWORD, mailboxes: DEFAULT_MAILBOXES };

describe('fuzzed sessions', () => {
  const edge = useEdgeServices({
    // The BAD limit is the subject of its own tests; here it would only end sessions early.
    limits: { maxBadCommands: 100_000, maxLoginFailures: 0 },
    loginThrottle: { exempt: ['127.0.0.0/8'] },
  });

  for (const state of ['not-authenticated', 'authenticated', 'selected', 'idle'] as FuzzState[]) {
    test(`in the ${state} state, every reply is valid IMAP and the session goes on`, async () => {
      const player = new FuzzPlayer({ port: edge.edge.imapsPort!, tls: true, world, timeoutMs: 10_000 });
      const cmd = commandArb(world, state);
      const input = fc.array(fc.oneof(cmd, mutatedCommandArb(cmd, { framing: false })), { minLength: 1, maxLength: 8 });
      try {
        await fc.assert(
          fc.asyncProperty(input, async (cmds) => {
            for (const c of cmds) await player.play(state, c);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
        );
      } catch (err) {
        throw new Error(`property failed; replay with FUZZ_SEED=${SEED}\n${(err as Error).message}`, { cause: err });
      } finally {
        player.closeNow();
      }
      // The session was exercised, not turned away: commands ran and were answered each way.
      assert.ok(player.stats.commands >= RUNS, `${player.stats.commands} commands`);
      assert.ok(player.stats.bad > 0 && player.stats.ok > 0, JSON.stringify(player.stats));
      assert.equal(player.stats.serverBugs, 0, player.serverBugs.join('\n---\n'));
    });
  }
});
