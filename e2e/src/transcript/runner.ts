// IMAP transcripts: `.imap` files of client lines and the server lines expected
// in answer, run over a raw connection against any IMAP server. The same files
// run against kimap and against Dovecot, so what is correct is settled by a
// reference implementation. The format is described in e2e/transcripts/README.md.
//
// The runner: each step's exchanges go out (exchange-io.ts), and what the server
// answers is matched against what the transcript expects (block-matcher.ts), or,
// when recording, only logged in transcript syntax (report.ts).
import { ImapClient } from '../../../services/imap-edge/test/support/imap-client.js';
import { matchBlock } from './block-matcher.js';
import { exchange } from './exchange-io.js';
import type { Account, Expectation, ServerName, Transcript, TranscriptRun } from './model.js';
import { substitute, variables } from './patterns.js';
import { asTranscriptLines } from './report.js';

export interface RunOptions {
  server: ServerName;
  port: number;
  host?: string;
  account: Account;
  /** Per command (default 5000 ms). */
  timeoutMs?: number;
  /** Record only: nothing is compared; `log` holds what the server answered. */
  record?: boolean;
}

/** Runs one transcript against one server. Never throws for a server's answers. */
export async function runTranscript(t: Transcript, opts: RunOptions): Promise<TranscriptRun> {
  const vars = variables(opts.account);
  const timeout = opts.timeoutMs ?? 5000;
  const run: TranscriptRun = { server: opts.server, transcript: t, mismatches: [], log: [] };
  const forServer = (es: Expectation[]) => es.filter((e) => !e.only || e.only === opts.server);
  let client: ImapClient | undefined;
  /** Connections opened with a name (`@connect NAME`), kept open for `@use NAME`. */
  const named = new Map<string, ImapClient>();
  /** Every connection opened, closed at the end. */
  const opened: ImapClient[] = [];
  const logLines = (lines: string[]) => {
    for (const l of lines) run.log.push(...asTranscriptLines(l));
  };
  try {
    for (const step of t.steps) {
      if (step.kind === 'use') {
        client = named.get(step.name);
        run.log.push(`@use ${step.name}`);
        continue;
      }
      if (step.kind === 'connect') {
        // An unnamed @connect replaces the connection in use (unless that one has a name).
        if (step.name === undefined && client && ![...named.values()].includes(client)) await client.close();
        const { client: c, greeting } = await ImapClient.connect(opts.port, { host: opts.host ?? '127.0.0.1', timeoutMs: timeout });
        client = c;
        opened.push(c);
        if (step.name !== undefined) named.set(step.name, c);
        run.log.push(step.name === undefined ? '@connect' : `@connect ${step.name}`);
        logLines([greeting]);
        const exp = forServer(step.greeting);
        if (!opts.record && exp.length) {
          const problems = matchBlock(exp, [greeting], { tag: '', ordered: false, vars });
          if (problems.length)
            run.mismatches.push({
              line: step.line,
              command: '(greeting)',
              problems,
              expected: exp.map((e) => e.source),
              received: [greeting],
            });
        }
        continue;
      }
      if (!client) throw new Error(`${t.file}:${step.line}: no connection (missing @connect?)`);
      if (step.kind === 'closed') {
        run.log.push('@closed');
        if (!(await client.waitClosed(2000)) && !opts.record) {
          run.mismatches.push({
            line: step.line,
            command: '@closed',
            problems: ['the server did not close the connection within 2 s'],
            expected: [],
            received: [client.unread],
          });
        }
        continue;
      }
      if (step.only && step.only !== opts.server) continue;
      for (const d of step.display) run.log.push(d.replace(/^C\[\w+\]:/, 'C:'));
      for (const [i, ex] of step.exchanges.entries()) {
        const last = i === step.exchanges.length - 1;
        const exp = forServer(ex.expect);
        const hasTagged = step.tag !== '' && exp.some((e) => !e.optional && e.parts[0]!.text.startsWith(step.tag + ' '));
        const {
          lines: received,
          tagged: done,
          error,
        } = await exchange(client, Buffer.concat(ex.send.map((b) => substitute(b, vars))), {
          tag: step.tag,
          last,
          untilTagged: !last || hasTagged || opts.record === true,
          expectedLines: exp.filter((e) => !e.optional).length,
          timeoutMs: timeout,
        });
        logLines(received);
        if (!opts.record) {
          // Refused early (a tagged reply instead of "+"): the rest of the command is
          // not sent, and its expectations count here.
          if (done && !last) exp.push(...step.exchanges.slice(i + 1).flatMap((x) => forServer(x.expect)));
          const problems = matchBlock(exp, received, { tag: step.tag, ordered: step.ordered, vars });
          if (error) problems.unshift(error);
          if (problems.length) {
            run.mismatches.push({
              line: step.line,
              command: step.display.join(' ⏎ '),
              problems,
              expected: exp.map((e) => e.source),
              received,
            });
          }
        } else if (error && !/timed out/.test(error)) {
          run.log.push(`# ${error}`);
        }
        if (error && /timed out/.test(error) && !opts.record) {
          // Out of step with the server: the rest of the transcript would only
          // repeat this (each after a timeout of its own).
          run.mismatches.push({
            line: step.line,
            command: '(run)',
            problems: ['transcript stopped after the timeout above'],
            expected: [],
            received: [],
          });
          return run;
        }
        if (done || error) break;
      }
    }
  } catch (err) {
    run.mismatches.push({ line: 0, command: '(run)', problems: [(err as Error).message], expected: [], received: [] });
  } finally {
    for (const c of opened) await c.close();
  }
  return run;
}
