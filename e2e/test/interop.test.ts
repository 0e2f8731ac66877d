// Real sync tools against the cluster (one mailbox service, one edge, PostgreSQL,
// Kafka): mbsync (isync) and offlineimap3 each sync a Maildir of 500 messages
// both ways, over IMAPS with the edge's self-signed certificate.
//
//   1. push: a local Maildir (500 messages in INBOX, 5 in a folder the server
//      lacks) goes to the server;
//   2. new mail, flag changes and deletions made on the server (imaplib) arrive
//      in the Maildir;
//   3. a new file, renamed info suffixes and deleted files in the Maildir arrive
//      on the server;
//   4. one more sync changes nothing;
//   5. a second, empty Maildir pulls the whole account (mbsync: over STARTTLS).
// After every step both sides are compared with the expected state: counts,
// flags per Message-ID, no Message-ID twice.
//
// The tools come from Debian (e2e/interop/install.sh runs when one is missing);
// without them the tests skip, except under CI=true, where they fail.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../src/cluster.js';
import { ensureSyncTools, isCI, startInteropCluster, tail, type Account, type InteropCluster, type RunResult } from '../src/interop.js';
import { deliver, imapToLetters, makeMessage, readMaildir, removeMessage, setLetters, type MaildirEntry } from '../src/interop-maildir.js';
import {
  describeDifference,
  maildirOf,
  mbsync,
  offlineimap,
  serverBodies,
  serverOps,
  serverState,
  type ServerOp,
  type SyncTool,
  withoutToolHeaders,
} from '../src/interop-sync.js';

// The clone step (5) goes over STARTTLS with mbsync only. offlineimap's imaplib2
// (3.05, Debian bookworm) hangs now and then (about 1 connection in 20) right after
// STARTTLS: a TCP proxy shows the handshake complete (client Finished, then the
// server's TLS 1.3 session tickets) and then no byte from the client, whose
// CAPABILITY never leaves; the edge waits until the client gives up. Its reader
// thread had just woken up for the tickets. Python's imaplib (300 of 300) and
// mbsync do not hang; over IMAPS offlineimap does not either.
const TOOLS = {
  mbsync: { account: { user: 'mbsync@example.test', pass: 'mbsync-password-1' }, make: mbsync, cloneStarttls: true },
  offlineimap: { account: { user: 'offlineimap@example.test', pass: 'offlineimap-password-1' }, make: offlineimap, cloneStarttls: false },
} as const;

const INBOX_COUNT = 500;
const PROJECTS = 'Projects';

describe('sync tools against the cluster', () => {
  let cluster: InteropCluster | undefined;
  let unavailable = new Map<string, string>();
  const dirs: Array<{ remove(): void }> = [];

  before(async () => {
    unavailable = await ensureSyncTools();
    if (unavailable.size === Object.keys(TOOLS).length && !isCI()) return;
    cluster = await startInteropCluster({ accounts: Object.values(TOOLS).map((t) => t.account) });
  });

  after(async () => {
    await cluster?.stop();
    if (!process.env.INTEROP_KEEP) for (const d of dirs) d.remove();
  });

  /** false (after skipping) when the tool is missing outside CI; under CI=true a missing tool fails. */
  function available(t: TestContext, program: string): boolean {
    const why = unavailable.get(program);
    if (!why) return true;
    if (isCI()) assert.fail(`CI=true and ${why}`);
    t.skip(why);
    return false;
  }

  for (const [name, spec] of Object.entries(TOOLS)) {
    describe(`${name}: a Maildir of ${INBOX_COUNT} messages, both ways`, () => {
      const account: Account = spec.account;
      let tool: SyncTool | undefined;
      let last: RunResult | undefined;
      const log: string[] = [];
      /** Expected state per folder: Message-ID -> Maildir info letters (DFRS). */
      const expected = new Map<string, Map<string, string>>([
        ['INBOX', new Map()],
        [PROJECTS, new Map()],
      ]);
      const mid = (n: number) => `<interop-${name}-${n}@kimap.test>`;

      async function sync(label: string, t: SyncTool = tool!): Promise<RunResult> {
        const r = await t.sync();
        last = r;
        log.push(`${label}: ${name} exited with ${r.code}${r.timedOut ? ' (timed out)' : ''} in ${r.ms} ms`);
        process.stderr.write(`# ${name} ${label}: exit ${r.code} in ${r.ms} ms\n`);
        const output = r.stdout + r.stderr;
        if (process.env.E2E_VERBOSE) process.stderr.write(tail(output, 20_000) + '\n');
        // Warnings and errors the tool printed (an exit code of 0 can hide them).
        const noisy = output.split('\n').filter((l) => /warn|error|fail/i.test(l));
        if (noisy.length) {
          log.push(`${label}: ${name} printed:\n  ${noisy.slice(0, 20).join('\n  ')}`);
          process.stderr.write(`# ${name} ${label} printed:\n#   ${noisy.slice(0, 20).join('\n#   ')}\n`);
        }
        return r;
      }

      /** Compares both sides of every folder with the expected state; fails with every difference. */
      async function compare(label: string, t: SyncTool = tool!): Promise<void> {
        const problems: string[] = [];
        if (last && last.code !== 0) problems.push(`${name} exited with ${last.code}${last.timedOut ? ' (timed out)' : ''}`);
        const errors = last ? (last.stdout + last.stderr).split('\n').filter((l) => /^\s*(ERROR|Error)\b/.test(l)) : [];
        if (errors.length) problems.push(`${name} reported errors: ${errors.slice(0, 5).join(' | ')}`);
        for (const [folder, want] of expected) {
          const server = await serverState(cluster!, account, folder).catch((e: Error) => {
            problems.push(`[${folder}] server state unavailable: ${e.message}`);
            return [];
          });
          const local = readMaildir(maildirOf(t, folder));
          const sides: Array<[string, Array<{ messageId: string; letters: string }>]> = [
            ['server', server.map((m) => ({ messageId: m.messageId, letters: imapToLetters(m.flags) }))],
            ['maildir', local.map((m) => ({ messageId: m.messageId, letters: m.letters.replace(/[^DFRS]/g, '') }))],
          ];
          for (const [side, msgs] of sides) {
            const counts = new Map<string, number>();
            for (const m of msgs) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
            const dups = [...counts].filter(([, c]) => c > 1);
            if (dups.length)
              problems.push(
                `[${folder}] ${side}: ${dups.length} Message-IDs more than once, e.g. ${dups
                  .slice(0, 5)
                  .map(([m, c]) => `${m} x${c}`)
                  .join(', ')}`,
              );
            if (msgs.length !== want.size) problems.push(`[${folder}] ${side}: ${msgs.length} messages, expected ${want.size}`);
            const missing = [...want.keys()].filter((m) => !counts.has(m));
            if (missing.length) problems.push(`[${folder}] ${side}: ${missing.length} missing, e.g. ${missing.slice(0, 8).join(', ')}`);
            const extra = [...counts.keys()].filter((m) => !want.has(m));
            if (extra.length) problems.push(`[${folder}] ${side}: ${extra.length} unexpected, e.g. ${extra.slice(0, 8).join(', ')}`);
            const wrong = msgs.filter((m) => want.has(m.messageId) && want.get(m.messageId) !== m.letters);
            if (wrong.length) {
              problems.push(
                `[${folder}] ${side}: ${wrong.length} with other flags than expected, e.g. ` +
                  wrong
                    .slice(0, 8)
                    .map((m) => `${m.messageId} has "${m.letters}" expected "${want.get(m.messageId)}"`)
                    .join('; '),
              );
            }
          }
          const sizes = server.filter((m) => m.size <= 0);
          if (sizes.length) problems.push(`[${folder}] server: ${sizes.length} messages with RFC822.SIZE <= 0`);
        }
        if (problems.length) {
          assert.fail(
            `${name}, ${label}:\n  ${problems.join('\n  ')}\n---- ${name} runs ----\n${log.join('\n')}\n` +
              `---- last ${name} output ----\n${tail((last?.stdout ?? '') + (last?.stderr ?? ''), 15_000)}\n` +
              `---- services ----\n${tail(cluster!.logs(), 3_000)}`,
          );
        }
      }

      function localEntries(folder: string): Map<string, MaildirEntry> {
        return new Map(readMaildir(maildirOf(tool!, folder)).map((e) => [e.messageId, e]));
      }

      test(`push: ${INBOX_COUNT} messages and a new folder go to the server`, { timeout: 180_000 }, async (t) => {
        if (!available(t, name)) return;
        const dir = tempDir(`kimap-${name}-`);
        dirs.push(dir);
        tool = spec.make(cluster!, account, dir.path, ['INBOX', PROJECTS]);
        log.push(tool.describe);
        let bytes = 0;
        for (let n = 1; n <= INBOX_COUNT; n++) {
          const m = makeMessage(name, n);
          deliver(maildirOf(tool, 'INBOX'), m);
          expected.get('INBOX')!.set(m.messageId, m.letters);
          bytes += m.raw.length;
        }
        for (let n = 1; n <= 5; n++) {
          const m = makeMessage(`${name}-p`, n);
          deliver(maildirOf(tool, PROJECTS), m);
          expected.get(PROJECTS)!.set(m.messageId, m.letters);
        }
        log.push(`generated ${INBOX_COUNT} messages, ${bytes} bytes`);
        await sync('push');
        await compare('after pushing the Maildir');
        // The server keeps the exact bytes: plain, 8-bit, with attachments, large.
        const sample = [1, 5, 7, 14, 49, 50, 100, 250, 343, 500];
        const bodies = await serverBodies(cluster!, account, 'INBOX', sample.map(mid));
        const differ = sample
          .map((n) => {
            const got = bodies.get(mid(n));
            const d = got ? describeDifference(withoutToolHeaders(got), makeMessage(name, n).raw) : 'missing';
            return d && `${mid(n)}: ${d}`;
          })
          .filter(Boolean);
        assert.deepEqual(differ, [], `${name}: BODY[] on the server differs from the Maildir file`);
      });

      test('server side: new mail, flag changes and deletions arrive in the Maildir', { timeout: 120_000 }, async (t) => {
        if (!available(t, name)) return;
        assert.ok(tool, 'the push step ran');
        const inbox = expected.get('INBOX')!;
        const ops: ServerOp[] = [];
        const files = tempDir(`kimap-${name}-new-`);
        dirs.push(files);
        for (const [n, flags] of [
          [1001, ['\\Flagged']],
          [1002, ['\\Seen']],
          [1003, []],
        ] as const) {
          const m = makeMessage(name, n, { letters: imapToLetters(flags), subject: `new on the server ${n}` });
          const file = join(files.path, `${n}.eml`);
          writeFileSync(file, m.raw);
          ops.push({ op: 'append', mailbox: 'INBOX', file, flags: [...flags], date: m.date.toISOString() });
          inbox.set(m.messageId, m.letters);
        }
        const change = (ns: number[], mode: '+FLAGS' | '-FLAGS', flag: string) => {
          ops.push({ op: 'store', mailbox: 'INBOX', messageIds: ns.map(mid), mode, flags: [flag] });
          const letter = imapToLetters([flag]);
          for (const n of ns) {
            const cur = inbox.get(mid(n))!;
            assert.equal(cur.includes(letter), mode === '-FLAGS', `test data: ${mid(n)} "${cur}" ${mode} ${flag}`);
            inbox.set(mid(n), [...(mode === '+FLAGS' ? cur + letter : cur.replace(letter, ''))].sort().join(''));
          }
        };
        change([3, 6, 9, 12, 15, 18, 21, 24, 27, 33], '+FLAGS', '\\Seen');
        change([1, 2, 4, 5, 7], '+FLAGS', '\\Flagged');
        change([8, 11, 13, 14, 16], '-FLAGS', '\\Seen');
        change([10, 20], '-FLAGS', '\\Flagged');
        const deleted = [100, 101, 102, 103, 104, 105, 106];
        ops.push({ op: 'delete', mailbox: 'INBOX', messageIds: deleted.map(mid) });
        for (const n of deleted) inbox.delete(mid(n));
        await serverOps(cluster!, account, ops);
        await sync('pull server changes');
        await compare('after syncing the server-side changes');
        // The new messages arrive with their bytes (line ends as the tool stores them).
        const local = localEntries('INBOX');
        const differ = [1001, 1002, 1003]
          .map((n) => {
            const e = local.get(mid(n));
            const lf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
            const d = e
              ? describeDifference(
                  lf(withoutToolHeaders(readFileSync(e.path))),
                  lf(makeMessage(name, n, { subject: `new on the server ${n}` }).raw),
                )
              : 'missing';
            return d && `${mid(n)}: ${d}`;
          })
          .filter(Boolean);
        assert.deepEqual(differ, [], `${name}: the Maildir copy of a message appended on the server differs`);
      });

      test('Maildir side: a new file, renamed info suffixes and deletions arrive on the server', { timeout: 120_000 }, async (t) => {
        if (!available(t, name)) return;
        assert.ok(tool, 'the push step ran');
        const inbox = expected.get('INBOX')!;
        const local = localEntries('INBOX');
        const entry = (n: number) => {
          const e = local.get(mid(n));
          assert.ok(e, `${mid(n)} is in the Maildir`);
          return e;
        };
        for (const [n, letters] of [
          [2001, ''],
          [2002, 'F'],
        ] as const) {
          const m = makeMessage(name, n, { letters, subject: `new in the Maildir ${n}` });
          deliver(maildirOf(tool, 'INBOX'), m);
          inbox.set(m.messageId, m.letters);
        }
        const relabel = (ns: number[], edit: (letters: string) => string) => {
          for (const n of ns) {
            const e = entry(n);
            const letters = [...new Set(edit(e.letters))].sort().join('');
            assert.notEqual(letters, e.letters, `test data: ${mid(n)} "${e.letters}" changes`);
            setLetters(e, letters);
            inbox.set(mid(n), letters.replace(/[^DFRS]/g, ''));
          }
        };
        relabel([31, 32, 34, 41], (l) => l + 'F');
        relabel([35, 37, 38], (l) => l.replace('S', ''));
        relabel([39, 42], (l) => l + 'S'); // unseen, in new/: moved to cur/ with :2,S
        relabel([40], (l) => l + 'R');
        const deleted = [200, 201, 202, 203, 204];
        for (const n of deleted) {
          removeMessage(entry(n));
          inbox.delete(mid(n));
        }
        await sync('push Maildir changes');
        await compare('after syncing the Maildir changes');
      });

      test('one more sync changes nothing', { timeout: 120_000 }, async (t) => {
        if (!available(t, name)) return;
        assert.ok(tool, 'the push step ran');
        await sync('idle');
        await compare('after a sync without changes');
      });

      test(
        `a second, empty Maildir pulls the whole account${spec.cloneStarttls ? ', over STARTTLS' : ''}`,
        { timeout: 150_000 },
        async (t) => {
          if (!available(t, name)) return;
          assert.ok(tool, 'the push step ran');
          const dir = tempDir(`kimap-${name}-clone-`);
          dirs.push(dir);
          const clone = spec.make(cluster!, account, dir.path, ['INBOX', PROJECTS], { starttls: spec.cloneStarttls });
          log.push(clone.describe);
          await sync('clone', clone);
          await compare('after pulling into an empty Maildir', clone);
          const local = new Map(readMaildir(maildirOf(clone, 'INBOX')).map((e) => [e.messageId, e]));
          const lf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
          const differ = [1, 5, 7, 49, 50, 250, 343, 500, 1001, 2002]
            .map((n) => {
              const e = local.get(mid(n));
              const subject = n > 2000 ? `new in the Maildir ${n}` : n > 1000 ? `new on the server ${n}` : undefined;
              const want = makeMessage(name, n, subject ? { subject } : {}).raw;
              const d = e ? describeDifference(lf(withoutToolHeaders(readFileSync(e.path))), lf(want)) : 'missing';
              return d && `${mid(n)}: ${d}`;
            })
            .filter(Boolean);
          assert.deepEqual(differ, [], `${name}: messages pulled into the empty Maildir differ from the originals`);
        },
      );
    });
  }
});
