// Parses `.imap` files into transcripts: client lines (C:, C+:, D:) become the
// bytes each exchange sends, server lines (S:, S?:, S[server]:, S+:, D:) the lines
// it expects, and directives (@connect, @closed, @login, @ordered, @tolerate)
// steps of their own; @quota sets up the account.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  TranscriptSyntaxError,
  type AccountQuota,
  type CommandStep,
  type ConnectStep,
  type Exchange,
  type Expectation,
  type ServerName,
  type Step,
  type Transcript,
} from './model.js';

const LINE_RE = /^(C|S|D)(\?)?(?:\[(kimap|dovecot)\])?(\+)?:(?: (.*))?$/;
const CLIENT_LITERAL = /\{(\d+)(\+?)\}$/;
const SERVER_LITERAL = /\{(\d+)\}$/;

/** Parses the text of a `.imap` file. */
export function parseTranscript(text: string, file = 'transcript.imap'): Transcript {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const steps: Step[] = [];
  const description: string[] = [];
  let seenContent = false;
  let orderedNext = false;
  let quota: AccountQuota | undefined;

  let cmd: CommandStep | undefined;
  /** Where S: lines go (greeting or the current exchange). */
  let sink: Expectation[] | undefined;
  /** A client literal being collected from D: lines. */
  let clientLit: { size: number; data: string[]; line: number } | undefined;
  /** A synchronizing literal was announced: its data starts a new exchange. */
  let syncPending = false;
  /** The client data ended with literal bytes: the line still needs its CRLF. */
  let needCrlf = false;
  /** An S: line ending in a literal, collecting D: lines. */
  let serverLit: { exp: Expectation; size: number; data: string[] } | undefined;
  /** The last S: line, which S+: continues. */
  let lastExp: Expectation | undefined;
  /** Which side the D: lines after the last C:/S: line belong to. */
  let dataOwner: 'client' | 'server' | undefined;
  /** A blank line after D: lines: an error if more D: lines follow. */
  let blankInLiteral: number | undefined;
  /** `@tolerate` lines: optional in every exchange that follows, on this connection. */
  let tolerated: Expectation[] = [];
  /** Named connections (`@connect NAME`): what each tolerates; the current one's name. */
  const toleratedOf = new Map<string, Expectation[]>();
  let current: string | undefined;
  const newExchange = (send: Buffer[] = []): Exchange => ({ send, expect: [...tolerated] });

  const fail = (n: number, message: string): never => {
    throw new TranscriptSyntaxError(`${file}:${n}: ${message}`);
  };

  const literalBytes = (size: number, data: string[], n: number): Buffer => {
    const withCrlf = Buffer.from(data.map((d) => d + '\r\n').join(''), 'utf8');
    if (withCrlf.length === size) return withCrlf;
    if (withCrlf.length - 2 === size) return withCrlf.subarray(0, size);
    return fail(
      n,
      `literal announced as {${size}}, but its D: lines hold ${withCrlf.length} bytes with the last CRLF, ${withCrlf.length - 2} without`,
    );
  };

  const exchange = (): Exchange => cmd!.exchanges.at(-1)!;

  /** Ends a client literal: its bytes go out with the current exchange. */
  const closeClientLiteral = (): void => {
    if (!clientLit) return;
    exchange().send.push(literalBytes(clientLit.size, clientLit.data, clientLit.line));
    clientLit = undefined;
    needCrlf = true;
  };

  /** The client stops sending (an S: line, a new command, a directive). */
  const clientDone = (): void => {
    if (clientLit && syncPending) fail(clientLit.line, 'synchronizing literal without D: lines');
    if (clientLit) closeClientLiteral();
    if (needCrlf) {
      exchange().send.push(Buffer.from('\r\n'));
      needCrlf = false;
    }
  };

  const closeServerLiteral = (): void => {
    if (!serverLit) return;
    const bytes = literalBytes(serverLit.size, serverLit.data, serverLit.exp.line);
    serverLit.exp.parts.push({ kind: 'verbatim', text: '\r\n' + bytes.toString('latin1') });
    serverLit = undefined;
  };

  const endCommand = (): void => {
    closeServerLiteral();
    if (cmd) clientDone();
    cmd = undefined;
    sink = undefined;
    lastExp = undefined;
    dataOwner = undefined;
  };

  const hasConnect = () => steps.some((s) => s.kind === 'connect');

  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    // Trailing blanks matter only inside literal data.
    const line = raw.startsWith('D') ? raw : raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) {
      if (!seenContent && line.startsWith('#')) description.push(line.replace(/^#\s?/, ''));
      if (line === '' && (clientLit || serverLit)) blankInLiteral ??= n;
      continue;
    }
    seenContent = true;

    if (line.startsWith('@')) {
      const [directive, ...args] = line.slice(1).split(/\s+/);
      switch (directive) {
        case 'connect': {
          endCommand();
          if (current !== undefined) toleratedOf.set(current, tolerated);
          tolerated = [];
          const name = args[0];
          if (name !== undefined && toleratedOf.has(name)) fail(n, `@connect ${name}: that connection is open already`);
          current = name;
          const step: ConnectStep = { kind: 'connect', line: n, greeting: [], ...(name !== undefined && { name }) };
          steps.push(step);
          sink = step.greeting;
          break;
        }
        case 'use': {
          // `@use a`: back to the open connection `@connect a` made (with what it tolerates).
          endCommand();
          const name = args[0];
          if (name === undefined) return fail(n, '@use needs the name of a connection');
          if (current !== undefined) toleratedOf.set(current, tolerated);
          const kept = toleratedOf.get(name);
          if (!kept) return fail(n, `@use ${name}: no connection of that name (write @connect ${name} first)`);
          tolerated = kept;
          current = name;
          steps.push({ kind: 'use', line: n, name });
          break;
        }
        case 'closed':
          endCommand();
          steps.push({ kind: 'closed', line: n });
          break;
        case 'tolerate': {
          // `@tolerate * 2 FETCH (FLAGS (\Seen))`: a line the server may send with any
          // later command on this connection (unsolicited responses whose timing is
          // the server's business), as if written "S?:" everywhere.
          endCommand();
          const text = line.slice('@tolerate'.length).trim();
          if (!text) fail(n, '@tolerate needs a server line');
          tolerated = [...tolerated, { parts: [{ kind: 'pattern', text }], optional: true, line: n, source: line }];
          break;
        }
        case 'ordered':
          endCommand();
          orderedNext = true;
          break;
        case 'quota': {
          // `@quota STORAGE 2 MESSAGE 3`: the account's limits (KiB, messages), as
          // SETQUOTA would write them; before the first command.
          if (steps.length || quota) fail(n, '@quota comes once, before @connect, @login and every command');
          quota = {};
          if (args.length === 0 || args.length % 2) fail(n, '@quota needs resource/limit pairs: @quota STORAGE 2 MESSAGE 3');
          for (let k = 0; k < args.length; k += 2) {
            const limit = Number(args[k + 1]);
            if (!/^\d+$/.test(args[k + 1]!)) fail(n, `@quota: not a limit: ${args[k + 1]}`);
            const resource = args[k]!.toUpperCase();
            if (resource === 'STORAGE') quota.storageKiB = limit;
            else if (resource === 'MESSAGE') quota.messages = limit;
            else fail(n, `@quota: STORAGE or MESSAGE, not ${args[k]}`);
          }
          break;
        }
        case 'login': {
          // Shorthand: LOGIN as the transcript's user; any untagged lines, a tagged OK.
          endCommand();
          if (!hasConnect()) steps.push({ kind: 'connect', line: n, greeting: [] });
          const tag = args[0] ?? 'L1';
          const text = `${tag} LOGIN {USER} {PASS}`;
          steps.push({
            kind: 'command',
            line: n,
            tag,
            display: [`@login -> ${text}`],
            exchanges: [
              {
                send: [Buffer.from(text + '\r\n', 'utf8')],
                expect: [
                  { parts: [{ kind: 'pattern', text: '* {*}' }], optional: true, line: n, source: '@login' },
                  { parts: [{ kind: 'pattern', text: `${tag} OK {*}` }], optional: false, line: n, source: '@login' },
                ],
              },
            ],
            ordered: false,
          });
          break;
        }
        default:
          fail(n, `unknown directive @${directive}`);
      }
      continue;
    }

    const m = LINE_RE.exec(line);
    if (!m) return fail(n, `expected C:, C+:, S:, S?:, S[kimap]:, S[dovecot]:, S+: or D: — got ${JSON.stringify(line)}`);
    const [, kind, opt, server, plus, rest = ''] = m;
    const only = server as ServerName | undefined;

    if (kind !== 'D') blankInLiteral = undefined;
    if (kind === 'D') {
      if (opt || server || plus) fail(n, 'D: takes no modifiers');
      if (blankInLiteral !== undefined) fail(blankInLiteral, 'blank line inside a literal: write "D:" for an empty line of literal data');
      if (dataOwner === 'server' && serverLit) {
        serverLit.data.push(rest);
      } else if (dataOwner === 'client' && (clientLit || syncPending)) {
        if (syncPending) {
          // The server said `+`: the data goes out in the next exchange.
          syncPending = false;
          cmd!.exchanges.push(newExchange());
          sink = exchange().expect;
        }
        clientLit!.data.push(rest);
      } else {
        fail(n, 'D: line without a literal {n} ending the C: or S: line before it');
      }
      continue;
    }

    if (kind === 'C') {
      if (opt) fail(n, 'C?: is not a thing');
      closeServerLiteral();
      if (!plus) {
        endCommand();
        if (!hasConnect()) steps.push({ kind: 'connect', line: n, greeting: [] });
        const tag = rest.split(' ')[0] ?? '';
        cmd = { kind: 'command', line: n, tag, display: [], exchanges: [newExchange()], ordered: orderedNext };
        if (only) cmd.only = only;
        orderedNext = false;
        steps.push(cmd);
        sink = exchange().expect;
        exchange().send.push(Buffer.from(rest, 'utf8'));
      } else {
        if (!cmd) return fail(n, 'C+: without a command before it');
        if (only) fail(n, 'C+: takes no server annotation (annotate the C: line)');
        if (syncPending) {
          return fail(n, 'C+: right after a synchronizing literal: give its data in D: lines');
        } else if (clientLit || needCrlf) {
          // The command line goes on after the literal (a space unless it closes a list).
          closeClientLiteral();
          needCrlf = false;
          exchange().send.push(Buffer.from((rest.startsWith(')') ? '' : ' ') + rest, 'utf8'));
        } else {
          // A new line after the server's `+` (an AUTHENTICATE response).
          cmd.exchanges.push(newExchange([Buffer.from(rest, 'utf8')]));
          sink = exchange().expect;
        }
      }
      cmd.display.push(line);
      const lit = CLIENT_LITERAL.exec(rest);
      exchange().send.push(Buffer.from('\r\n'));
      if (lit) {
        clientLit = { size: Number(lit[1]), data: [], line: n };
        syncPending = lit[2] !== '+';
      }
      dataOwner = 'client';
      continue;
    }

    // S lines.
    if (plus) {
      if (!lastExp || opt || server) return fail(n, 'S+: continues the S: line before it (after its literal), and takes no modifiers');
      closeServerLiteral();
      lastExp.parts.push({ kind: 'pattern', text: (rest.startsWith(')') ? '' : ' ') + rest });
      lastExp.source += '\n' + line;
      const lit = SERVER_LITERAL.exec(rest);
      if (lit) serverLit = { exp: lastExp, size: Number(lit[1]), data: [] };
      dataOwner = 'server';
      continue;
    }
    closeServerLiteral();
    if (cmd && clientLit && !syncPending) clientDone();
    if (!sink) return fail(n, 'S: line before any C: line or @connect');
    const exp: Expectation = { parts: [{ kind: 'pattern', text: rest }], optional: opt === '?', line: n, source: line };
    if (only) exp.only = only;
    sink.push(exp);
    lastExp = exp;
    const lit = SERVER_LITERAL.exec(rest);
    if (lit) serverLit = { exp, size: Number(lit[1]), data: [] };
    dataOwner = 'server';
    // After a sync literal's `+`, further D: lines are the client's.
    if (syncPending) dataOwner = lit ? 'server' : 'client';
  }
  endCommand();
  return { name: basename(file).replace(/\.imap$/, ''), file, description: description.join('\n').trim(), steps, ...(quota && { quota }) };
}

export function loadTranscripts(dir: string): Transcript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.imap'))
    .sort()
    .map((f) => parseTranscript(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}
