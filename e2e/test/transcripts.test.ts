// Every transcript in e2e/transcripts/ against kimap (one mailbox service and one
// edge, as processes, on PostgreSQL and Kafka) and against Dovecot, the reference
// (e2e/dovecot/dovecot.sh). Each transcript runs on a fresh account on each server;
// what a transcript says is right holds for both, except where a line is marked for
// one server (and a comment says why the RFC allows both answers).
//
//   . scripts/test-env.sh && cd e2e && node ../scripts/test.mjs test/transcripts.test.ts
//
// TRANSCRIPTS=fetch,store runs some only; TRANSCRIPT_VERBOSE=1 prints every exchange.
// Without Dovecot (not installable, not startable) its half is skipped, unless CI=true.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/cluster.js';
import { matchBlock } from '../src/transcript/block-matcher.js';
import { SERVERS, type CommandStep, type ServerName, type Transcript, type TranscriptRun } from '../src/transcript/model.js';
import { parseTranscript } from '../src/transcript/parser.js';
import { formatMismatches } from '../src/transcript/report.js';
import { runTranscript } from '../src/transcript/runner.js';
import { DovecotUnavailable, startDovecot, startKimap, type TranscriptServer } from '../src/transcript-servers.js';

/**
 * kimap's known gaps: these transcripts show as `todo` for kimap (never as
 * failures) until the feature is there. Dovecot must pass them all the same.
 */
const KNOWN_GAPS: Record<string, string> = {};

const dir = join(repoRoot, 'e2e/transcripts');
const only = process.env.TRANSCRIPTS?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.imap'))
  .filter((f) => !only || only.includes(f.replace(/\.imap$/, '')))
  .sort();

/** Parsed at load time; a syntax error fails that transcript's tests. */
const parsed = new Map<string, Transcript | Error>();
for (const f of files) {
  try {
    parsed.set(f, parseTranscript(readFileSync(join(dir, f), 'utf8'), `e2e/transcripts/${f}`));
  } catch (err) {
    parsed.set(f, err as Error);
  }
}

const isCi = process.env.CI === 'true' || process.env.CI === '1';
const CONCURRENCY = 4;
/** Per command; generous, for loaded CI machines. */
const COMMAND_TIMEOUT_MS = 10_000;

describe('IMAP transcripts: kimap and Dovecot give the same answers', () => {
  const servers = new Map<ServerName, TranscriptServer>();
  let dovecotUnavailable: string | undefined;
  const runs = new Map<string, Promise<TranscriptRun>>();
  const results: Array<{ file: string; server: ServerName; outcome: string }> = [];

  before(async () => {
    if (parsed.size === 0) return;
    const [kimap, dovecot] = await Promise.allSettled([startKimap(), startDovecot()]);
    if (kimap.status === 'fulfilled') servers.set('kimap', kimap.value);
    if (dovecot.status === 'fulfilled') servers.set('dovecot', dovecot.value);
    else if (dovecot.reason instanceof DovecotUnavailable && !isCi) dovecotUnavailable = dovecot.reason.message;
    else {
      if (kimap.status === 'fulfilled') await kimap.value.stop();
      throw dovecot.reason;
    }
    if (kimap.status === 'rejected') throw kimap.reason;

    // Every transcript on both servers at once (a few at a time); the tests below
    // report the results.
    const jobs: Array<() => Promise<void>> = [];
    for (const [file, t] of parsed) {
      if (t instanceof Error) continue;
      for (const name of SERVERS) {
        const server = servers.get(name);
        if (!server) continue;
        let resolve!: (r: TranscriptRun) => void;
        let reject!: (e: unknown) => void;
        const run = new Promise<TranscriptRun>((res, rej) => ((resolve = res), (reject = rej)));
        run.catch(() => undefined); // reported by the test that awaits it
        runs.set(`${file}/${name}`, run);
        jobs.push(async () => {
          try {
            const account = await server.newAccount(t.name, t.quota);
            resolve(await runTranscript(t, { server: name, port: server.port, account, timeoutMs: COMMAND_TIMEOUT_MS }));
          } catch (err) {
            reject(err);
          }
        });
      }
    }
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    };
    void Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });

  after(async () => {
    await Promise.allSettled([...runs.values()]);
    await Promise.all([...servers.values()].map((s) => s.stop()));
    if (results.length) {
      const byFile = new Map<string, Record<string, string>>();
      for (const r of results) byFile.set(r.file, { ...byFile.get(r.file), [r.server]: r.outcome });
      const width = Math.max(...[...byFile.keys()].map((f) => f.length));
      const lines = [...byFile].map(([f, o]) => `  ${f.padEnd(width)}  kimap: ${(o.kimap ?? '-').padEnd(22)} dovecot: ${o.dovecot ?? '-'}`);
      console.log(`\ntranscripts (kimap vs Dovecot):\n${lines.join('\n')}\n`);
    }
  });

  for (const [file, t] of parsed) {
    describe(file, () => {
      for (const name of SERVERS) {
        const gap = name === 'kimap' ? KNOWN_GAPS[file.replace(/\.imap$/, '')] : undefined;
        test(name, gap ? { todo: gap } : {}, async (ctx) => {
          if (t instanceof Error) throw t;
          if (name === 'dovecot' && dovecotUnavailable) {
            results.push({ file, server: name, outcome: 'skipped' });
            ctx.skip(`Dovecot is not available: ${dovecotUnavailable.split('\n')[0]}`);
            return;
          }
          const run = await runs.get(`${file}/${name}`)!;
          if (process.env.TRANSCRIPT_VERBOSE) console.log(`--- ${file} [${name}]\n${run.log.join('\n')}`);
          const outcome =
            run.mismatches.length === 0
              ? 'pass'
              : gap
                ? `todo (${run.mismatches.length} mismatches)`
                : `FAIL (${run.mismatches.length} mismatches)`;
          results.push({ file, server: name, outcome });
          if (run.mismatches.length) throw new Error(`${name} answers differently from ${file}:\n${formatMismatches(run)}`);
        });
      }
    });
  }
});

// The matcher itself, so that a transcript can never pass by accident.
describe('transcript matching', () => {
  const vars = { USER: 'u@example.test', PASS: 'p', PLAIN64: 'x' };
  const block = (text: string) => {
    const t = parseTranscript(`@connect\nC: a1 X\n${text}\n`);
    return (t.steps[1] as CommandStep).exchanges[0]!.expect;
  };
  const check = (expected: string, received: string[], ordered = false) =>
    matchBlock(block(expected), received, { tag: 'a1', ordered, vars });

  test('status responses: tag, status and code count, the text does not', () => {
    assert.deepEqual(check('S: a1 OK [READ-WRITE]', ['a1 OK [READ-WRITE] Select completed (0.001 secs).']), []);
    assert.notDeepEqual(check('S: a1 OK [READ-WRITE]', ['a1 OK [READ-ONLY] done']), []);
    assert.notDeepEqual(check('S: a1 OK', ['a1 OK [CLIENTBUG] done']), []);
    assert.deepEqual(check('S: a1 NO {*}', ['a1 NO [NONEXISTENT] no such mailbox']), []);
    assert.notDeepEqual(check('S: a1 NO {*}', ['a1 BAD what']), []);
  });

  test('untagged lines are a set: none missing, none extra, optional ones optional', () => {
    assert.deepEqual(check('S: * 2 EXISTS\nS: * 0 RECENT\nS: a1 OK', ['* 0 RECENT', '* 2 EXISTS', 'a1 OK x']), []);
    assert.notDeepEqual(check('S: * 2 EXISTS\nS: a1 OK', ['* 2 EXISTS', '* 3 EXISTS', 'a1 OK x']), []);
    assert.notDeepEqual(check('S: * 2 EXISTS\nS: * 0 RECENT\nS: a1 OK', ['* 2 EXISTS', 'a1 OK x']), []);
    assert.deepEqual(check('S: * 2 EXISTS\nS?: * {N} RECENT\nS: a1 OK', ['* 2 EXISTS', 'a1 OK x']), []);
    assert.notDeepEqual(check('S: * 2 EXISTS\nS: * 0 RECENT\nS: a1 OK', ['* 0 RECENT', '* 2 EXISTS', 'a1 OK x'], true), []);
    assert.deepEqual(check('S: * 2 EXISTS\nS: * 0 RECENT\nS: a1 OK', ['* 2 EXISTS', '* 0 RECENT', 'a1 OK x'], true), []);
  });

  test('FETCH items in any order, flags as sets, literals compared byte for byte', () => {
    const exp = 'S: * 1 FETCH (FLAGS (\\Seen \\Recent?) BODY[] {5}\nD: hello\nS+: UID 3)\nS: a1 OK';
    assert.deepEqual(check(exp, ['* 1 FETCH (UID 3 BODY[] {5}\r\nhello FLAGS (\\Recent \\Seen))', 'a1 OK']), []);
    assert.deepEqual(check(exp, ['* 1 FETCH (BODY[] {5}\r\nhello UID 3 FLAGS (\\Seen))', 'a1 OK']), []);
    assert.notDeepEqual(check(exp, ['* 1 FETCH (BODY[] {5}\r\nhellO UID 3 FLAGS (\\Seen))', 'a1 OK']), []);
    assert.notDeepEqual(check(exp, ['* 1 FETCH (BODY[] {5}\r\nhello UID 3 FLAGS (\\Seen \\Flagged))', 'a1 OK']), []);
    assert.notDeepEqual(check(exp, ['* 1 FETCH (BODY[] {5}\r\nhello UID 3 FLAGS (\\Seen) RFC822.SIZE 5)', 'a1 OK']), []);
  });

  test('{EXPUNGED 2,4} takes either valid order of EXPUNGE responses, nothing else', () => {
    assert.deepEqual(check('S: {EXPUNGED 2,4}\nS: a1 OK', ['* 4 EXPUNGE', '* 2 EXPUNGE', 'a1 OK']), []);
    assert.deepEqual(check('S: {EXPUNGED 2,4}\nS: a1 OK', ['* 2 EXPUNGE', '* 3 EXPUNGE', 'a1 OK']), []);
    assert.notDeepEqual(check('S: {EXPUNGED 2,4}\nS: a1 OK', ['* 2 EXPUNGE', '* 4 EXPUNGE', 'a1 OK']), []);
    assert.notDeepEqual(check('S: {EXPUNGED 2,4}\nS: a1 OK', ['* 2 EXPUNGE', 'a1 OK']), []);
  });

  test('dates are instants; a literal announced with the wrong size is a syntax error', () => {
    assert.deepEqual(
      check('S: * 1 FETCH (INTERNALDATE {DATE 06-May-2024 07:08:09 +0200})\nS: a1 OK', [
        '* 1 FETCH (INTERNALDATE " 6-May-2024 05:08:09 +0000")',
        'a1 OK',
      ]),
      [],
    );
    assert.notDeepEqual(
      check('S: * 1 FETCH (INTERNALDATE {DATE 06-May-2024 07:08:09 +0200})\nS: a1 OK', [
        '* 1 FETCH (INTERNALDATE "06-May-2024 07:08:09 +0000")',
        'a1 OK',
      ]),
      [],
    );
    assert.throws(() => parseTranscript('C: a1 APPEND INBOX {4+}\nD: hello\nS: a1 OK\n'), /literal announced as \{4\}/);
  });

  test('@quota gives the account limits: once, before everything else, STORAGE and MESSAGE only', () => {
    assert.deepEqual(parseTranscript('# q\n@quota STORAGE 2 message 3\n@login\n').quota, { storageKiB: 2, messages: 3 });
    assert.deepEqual(parseTranscript('@quota MESSAGE 0\n@login\n').quota, { messages: 0 });
    assert.equal(parseTranscript('@login\n').quota, undefined);
    assert.throws(() => parseTranscript('@login\n@quota STORAGE 2\n'), /before @connect/);
    assert.throws(() => parseTranscript('@quota STORAGE 2\n@quota MESSAGE 2\n'), /comes once/);
    assert.throws(() => parseTranscript('@quota STORAGE\n'), /pairs/);
    assert.throws(() => parseTranscript('@quota STORAGE -1\n'), /not a limit/);
    assert.throws(() => parseTranscript('@quota MAILBOX 2\n'), /STORAGE or MESSAGE/);
  });
});
