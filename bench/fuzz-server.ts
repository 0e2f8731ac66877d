// `make fuzz`: the long fuzz run. Starts the embedded server (services/server,
// PGlite) as a process of its own and plays generated and mutated commands
// (the grammar of services/imap-edge/test/support/imap-grammar.ts) over many
// connections at once, in every state, holding every reply line to the reply
// validator. Counts crashes, unhandled rejections, internal errors, invalid
// replies and hangs, and samples the server's RSS. Exits non-zero when any
// of them is not 0.
//
// Settings (environment): FUZZ_COMMANDS (1000000), FUZZ_CONNECTIONS (16),
// FUZZ_SEED (a fresh one, printed), FUZZ_TIMEOUT_MS (30000, one command's
// deadline), FUZZ_MAX_VIOLATIONS (20: stop after that many), FUZZ_DURATION_S
// (no limit: stop after that many seconds).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { freePort, startService, tempDir } from '../e2e/src/cluster.js';
import { FuzzPlayer, FuzzViolation, type FuzzStats } from '../services/imap-edge/test/support/fuzz-player.js';
import {
  commandArb,
  DEFAULT_MAILBOXES,
  mutatedCommandArb,
  type FuzzState,
  type FuzzWorld,
  type GeneratedCommand,
} from '../services/imap-edge/test/support/imap-grammar.js';
import { fmt, table } from './lib/report.js';

const COMMANDS = Number(process.env.FUZZ_COMMANDS ?? 1_000_000);
const CONNECTIONS = Number(process.env.FUZZ_CONNECTIONS ?? 16);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 30_000);
const MAX_VIOLATIONS = Number(process.env.FUZZ_MAX_VIOLATIONS ?? 20);
/** Stop after this long even if fewer commands were played (the figures say how many). */
const DURATION_S = Number(process.env.FUZZ_DURATION_S ?? Infinity);
const BATCH = 10;

const world: FuzzWorld = { user: 'fuzz@example.test', password: 'fuzz-password-1', mailboxes: DEFAULT_MAILBOXES };

/** The states commands are played in, by weight: most of the grammar lives in the selected and authenticated ones. */
const STATE_WEIGHTS: Array<[FuzzState, number]> = [
  ['not-authenticated', 1],
  ['authenticated', 4],
  ['selected', 8],
  ['idle', 1],
];

/** Commands played in one state before the next is drawn (a state change costs a new connection or a LOGIN). */
const STRETCH = 50;

const stateArb = fc.oneof(...STATE_WEIGHTS.map(([s, weight]) => ({ weight, arbitrary: fc.constant(s) })));
const stretchArb = stateArb.chain((state) => {
  const cmd = commandArb(world, state);
  const any = fc.oneof({ weight: 3, arbitrary: cmd }, { weight: 2, arbitrary: mutatedCommandArb(cmd, { framing: false }) });
  return fc
    .array(any, { minLength: STRETCH, maxLength: STRETCH })
    .map((cmds) => cmds.map((c): [FuzzState, GeneratedCommand] => [state, c]));
});

function rssKiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const dir = tempDir('kimap-fuzz-');
  const [imapPort, imapsPort, lmtpPort] = [await freePort(), await freePort(), await freePort()];
  console.log(`fuzz: ${COMMANDS} commands over ${CONNECTIONS} connections, seed ${SEED} (FUZZ_SEED=${SEED} replays the command streams)`);
  const server = await startService(
    'kimap',
    'services/server/src/main.ts',
    {
      DATA_DIR: dir.path,
      IMAP_PORT: String(imapPort),
      IMAPS_PORT: String(imapsPort),
      LMTP_PORT: String(lmtpPort),
      BOOTSTRAP_USER: world.user,
      BOOTSTRAP_PASSWORD: world.password,
      // The BAD and login-failure limits would end most fuzzed sessions early; their own tests cover them.
      IMAP_MAX_BAD_COMMANDS: '1000000',
      IMAP_MAX_LOGIN_FAILURES: '0',
      LOGIN_THROTTLE_EXEMPT: '127.0.0.0/8',
      IMAP_MAX_ACCOUNT_CONNECTIONS: '10000',
      IMAP_MAX_ACCOUNT_IP_CONNECTIONS: '10000',
      IMAP_APPEND_LIMIT: String(1024 * 1024),
      LOG_LEVEL: 'warn',
    },
    { compiled: true },
  );
  const pid = server.child.pid!;
  // Everything the server logs at error or worse, and whatever mentions an unhandled rejection.
  const problems: string[] = [];
  let errorLines = 0;
  let unhandled = 0;
  const scan = (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      if (!line.trim()) continue;
      if (/unhandled/i.test(line)) unhandled++;
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level === undefined ? /error/i.test(line) : Number(level) >= 50) {
        errorLines++;
        if (problems.length < 10) problems.push(line.slice(0, 500));
      }
    }
  };
  server.child.stdout?.on('data', scan);
  server.child.stderr?.on('data', scan);
  let crashed: string | undefined;
  server.child.once('exit', (code, signal) => {
    if (!stopping) crashed = `exited with ${code ?? signal}`;
  });
  let stopping = false;

  const rss: number[] = [];
  const sample = () => {
    const v = rssKiB(pid);
    if (v !== undefined) rss.push(v);
  };
  sample();
  const sampler = setInterval(sample, 1000);

  const started = Date.now();
  const stopAt = started + DURATION_S * 1000;
  let issued = 0;
  const violations: string[] = [];
  const players: FuzzPlayer[] = [];
  let lastReport = Date.now();

  const worker = async (w: number) => {
    const player = new FuzzPlayer({ port: imapPort, world, timeoutMs: TIMEOUT_MS, maxMessages: 100, selectMailbox: `fz1` });
    players.push(player);
    let batchNo = 0;
    let queue: Array<[FuzzState, GeneratedCommand]> = [];
    while (issued < COMMANDS && !crashed && violations.length < MAX_VIOLATIONS && Date.now() < stopAt) {
      if (!queue.length) queue = fc.sample(stretchArb, { seed: SEED + w * 1_000_003 + batchNo++ * 7919, numRuns: BATCH }).flat();
      const [state, cmd] = queue.shift()!;
      issued++;
      try {
        await player.play(state, cmd);
      } catch (err) {
        if (crashed) break;
        const what = err instanceof FuzzViolation ? err.message : `the player failed: ${String(err)}`;
        violations.push(`[connection ${w}, command ${player.stats.commands}] ${what}`);
        console.error(`VIOLATION ${violations.length}: ${what}`);
        player.closeNow();
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const s = (Date.now() - started) / 1000;
        console.log(
          `  ${issued} commands, ${fmt(issued / s)}/s, RSS ${Math.round(rss[rss.length - 1]! / 1024)} MiB, violations ${violations.length}`,
        );
      }
    }
    player.closeNow();
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  stopping = true;
  const exitCode = crashed ? undefined : await server.stop();
  dir.remove();

  const total: FuzzStats = { commands: 0, ok: 0, no: 0, bad: 0, bye: 0, lines: 0, connections: 0, serverBugs: 0 };
  for (const p of players) for (const k of Object.keys(total) as Array<keyof FuzzStats>) total[k] += p.stats[k];
  const mib = (k: number) => `${(k / 1024).toFixed(0)} MiB`;
  const steady = rss.slice(Math.floor(rss.length / 10));
  console.log(
    table(
      ['figure', 'value'],
      [
        ['commands played', String(total.commands)],
        ['concurrent connections', String(CONNECTIONS)],
        ['connections opened', String(total.connections)],
        ['duration', `${seconds.toFixed(0)} s (${fmt(total.commands / seconds)} commands/s)`],
        ['tagged OK / NO / BAD', `${total.ok} / ${total.no} / ${total.bad}`],
        ['sessions ended by BYE', String(total.bye)],
        ['reply lines validated', String(total.lines)],
        ['RSS min / max (sampled each second)', `${mib(Math.min(...rss))} / ${mib(Math.max(...rss))}`],
        ['RSS min / max after the first tenth', `${mib(Math.min(...steady))} / ${mib(Math.max(...steady))}`],
        ['crashes', crashed ? `1 (${crashed})` : '0'],
        ['unhandled rejections (log lines)', String(unhandled)],
        ['NO [SERVERBUG] replies', String(total.serverBugs)],
        ['server log lines at error or worse', String(errorLines)],
        ['protocol violations (invalid reply, hang, close without BYE)', String(violations.length)],
        ['server exit on SIGTERM', String(exitCode)],
      ],
    ),
  );
  for (const p of problems) console.log(`server log: ${p}`);
  for (const v of violations.slice(0, 5)) console.log(`\n${v}`);
  for (const t of players.flatMap((p) => p.serverBugs).slice(0, 5)) console.log(`\nNO [SERVERBUG] after:\n${t}`);
  const failed = crashed || unhandled || total.serverBugs || errorLines || violations.length || exitCode !== 0;
  if (failed) {
    console.log(`\nFAILED (seed ${SEED})`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
