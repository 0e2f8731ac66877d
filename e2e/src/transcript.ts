// IMAP transcripts: `.imap` files of client lines and the server lines expected
// in answer, run over a raw connection against any IMAP server. The same files
// run against kimap and against Dovecot, so what is correct is settled by a
// reference implementation. The format is described in e2e/transcripts/README.md.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

export type ServerName = 'kimap' | 'dovecot';
export const SERVERS: readonly ServerName[] = ['kimap', 'dovecot'];

/** One expected server line (a logical line: literals included). */
export interface Expectation {
  /** Pattern text (placeholders allowed) and verbatim literal bytes, in order. */
  parts: Array<{ kind: 'pattern' | 'verbatim'; text: string }>;
  /** Expected from this server only (`S[kimap]:`, `S[dovecot]:`). */
  only?: ServerName;
  /** `S?:` — may match any number of lines, none included. */
  optional: boolean;
  line: number;
  /** The line(s) as written, for messages. */
  source: string;
}

/** Client bytes sent at once, then the server lines expected up to a `+` or the tagged reply. */
export interface Exchange {
  send: Buffer[];
  expect: Expectation[];
}

export interface ConnectStep {
  kind: 'connect';
  line: number;
  greeting: Expectation[];
}
export interface CommandStep {
  kind: 'command';
  line: number;
  tag: string;
  /** The client lines as written. */
  display: string[];
  exchanges: Exchange[];
  ordered: boolean;
  /** `C[kimap]:` / `C[dovecot]:`: a command for one server only. */
  only?: ServerName;
}
export interface ClosedStep {
  kind: 'closed';
  line: number;
}
export type Step = ConnectStep | CommandStep | ClosedStep;

export interface Transcript {
  name: string;
  file: string;
  /** The leading comment block. */
  description: string;
  steps: Step[];
}

export interface Account {
  user: string;
  password: string;
}

// ---------------------------------------------------------------- parsing

const LINE_RE = /^(C|S|D)(\?)?(?:\[(kimap|dovecot)\])?(\+)?:(?: (.*))?$/;
const CLIENT_LITERAL = /\{(\d+)(\+?)\}$/;
const SERVER_LITERAL = /\{(\d+)\}$/;

export class TranscriptSyntaxError extends Error {}

/** Parses the text of a `.imap` file. */
export function parseTranscript(text: string, file = 'transcript.imap'): Transcript {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const steps: Step[] = [];
  const description: string[] = [];
  let seenContent = false;
  let orderedNext = false;

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
  const newExchange = (send: Buffer[] = []): Exchange => ({ send, expect: [...tolerated] });

  const fail = (n: number, message: string): never => {
    throw new TranscriptSyntaxError(`${file}:${n}: ${message}`);
  };

  const literalBytes = (size: number, data: string[], n: number): Buffer => {
    const withCrlf = Buffer.from(data.map((d) => d + '\r\n').join(''), 'utf8');
    if (withCrlf.length === size) return withCrlf;
    if (withCrlf.length - 2 === size) return withCrlf.subarray(0, size);
    return fail(n, `literal announced as {${size}}, but its D: lines hold ${withCrlf.length} bytes with the last CRLF, ${withCrlf.length - 2} without`);
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
          tolerated = [];
          const step: ConnectStep = { kind: 'connect', line: n, greeting: [] };
          steps.push(step);
          sink = step.greeting;
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
      cmd!.display.push(line);
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
  return { name: basename(file).replace(/\.imap$/, ''), file, description: description.join('\n').trim(), steps };
}

export function loadTranscripts(dir: string): Transcript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.imap'))
    .sort()
    .map((f) => parseTranscript(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

// ---------------------------------------------------------------- matching

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Text substituted for `{USER}`, `{PASS}`, `{PLAIN64}` in client and server lines. */
export function variables(account: Account): Record<string, string> {
  return {
    USER: account.user,
    PASS: account.password,
    PLAIN64: Buffer.from(`\0${account.user}\0${account.password}`).toString('base64'),
  };
}

/** Substitutes the account variables in client data. */
export function substitute(data: Buffer, vars: Record<string, string>): Buffer {
  const s = data.toString('latin1');
  if (!s.includes('{')) return data;
  return Buffer.from(
    s.replace(/\{(USER|PASS|PLAIN64)\}/g, (_, k: string) => latin1(vars[k]!)),
    'latin1',
  );
}

/** A pattern (latin1, variables already latin1) as a regular expression source. */
function patternSource(text: string, vars: Record<string, string>): string {
  let out = '';
  let pos = 0;
  const re = /\{([A-Z0-9*]+)(?: ([^}]*))?\}/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [whole, name, arg] = m;
    let src: string | undefined;
    switch (name) {
      case '*':
        src = '[\\s\\S]*?';
        break;
      case 'N':
        src = '\\d+';
        break;
      case 'UIDVALIDITY':
        src = '[1-9]\\d*';
        break;
      case 'DATE': {
        if (arg) {
          // A given date-time; a one-digit day may be written "05-" or " 5-".
          const d = /^0?(\d{1,2})(-.*)$/.exec(arg.trim());
          if (!d) throw new TranscriptSyntaxError(`{DATE ${arg}}: expected dd-Mon-yyyy hh:mm:ss +zzzz`);
          const day = d[1]!.length === 1 ? `(?:0| )${d[1]}` : d[1]!;
          src = `"${day}${escapeRe(d[2]!)}"`;
        } else {
          src = `"[ 0-3]\\d-(?:${MONTHS})-\\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}"`;
        }
        break;
      }
      case 'USER':
      case 'PASS':
      case 'PLAIN64':
        src = escapeRe(vars[name]!);
        break;
      default:
        src = undefined; // not a placeholder: `{5}` and the like match themselves
    }
    if (src === undefined) continue;
    out += escapeRe(text.slice(pos, m.index)) + src;
    pos = m.index + whole.length;
  }
  return out + escapeRe(text.slice(pos));
}

const regexCache = new Map<string, RegExp>();
function patternRe(text: string, vars: Record<string, string>, flags = ''): RegExp {
  const key = `${flags}\u0000${text}\u0000${vars.USER ?? ''}`;
  let re = regexCache.get(key);
  if (!re) {
    re = new RegExp(`^${patternSource(text, vars)}$`, flags);
    regexCache.set(key, re);
  }
  return re;
}

// --- structural comparison: IMAP tokens, with flag lists as sets and FETCH/STATUS
// attribute lists as unordered pairs (the RFCs fix neither order).

interface Tok {
  kind: 'atom' | 'string' | 'list';
  /** Atom text, or the value of a string (quoted or literal). */
  text: string;
  raw: string;
  items?: Tok[];
}

/** IMAP tokens of a line; in a pattern, `{...}` placeholders are part of atoms. Undefined when malformed. */
function tokenize(s: string, pattern: boolean): Tok[] | undefined {
  let pos = 0;
  const seq = (inList: boolean): Tok[] | undefined => {
    const out: Tok[] = [];
    for (;;) {
      while (s[pos] === ' ') pos++;
      if (pos >= s.length) return inList ? undefined : out;
      const c = s[pos];
      const start = pos;
      if (c === ')') {
        if (!inList) return undefined;
        pos++;
        return out;
      }
      if (c === '(') {
        pos++;
        const items = seq(true);
        if (!items) return undefined;
        out.push({ kind: 'list', text: '', raw: s.slice(start, pos), items });
        continue;
      }
      if (c === '"') {
        pos++;
        let v = '';
        while (pos < s.length && s[pos] !== '"') {
          if (s[pos] === '\\' && pos + 1 < s.length) pos++;
          v += s[pos];
          pos++;
        }
        if (pos >= s.length) return undefined;
        pos++;
        out.push({ kind: 'string', text: v, raw: s.slice(start, pos) });
        continue;
      }
      const lit = /^~?\{(\d+)\+?\}\r\n/.exec(s.slice(pos, pos + 32)); // literal or literal8 (RFC 3516)
      if (lit) {
        pos += lit[0].length;
        const n = Number(lit[1]);
        if (pos + n > s.length) return undefined;
        pos += n;
        out.push({ kind: 'string', text: s.slice(pos - n, pos), raw: s.slice(start, pos) });
        continue;
      }
      let depth = 0;
      while (pos < s.length) {
        const ch = s[pos];
        if (ch === '[') depth++;
        else if (ch === ']') depth = Math.max(0, depth - 1);
        else if (pattern && ch === '{') {
          const close = s.indexOf('}', pos);
          if (close < 0) return undefined;
          pos = close + 1;
          continue;
        } else if (depth === 0 && (ch === ' ' || ch === '(' || ch === ')')) break;
        pos++;
      }
      out.push({ kind: 'atom', text: s.slice(start, pos), raw: s.slice(start, pos) });
    }
  };
  return seq(false);
}

type ListKind = 'seq' | 'set' | 'pairs';
const upper = (t: Tok | undefined) => (t?.kind === 'atom' ? t.text.toUpperCase() : '');
const isAny = (t: Tok | undefined) => t?.kind === 'atom' && t.text === '{*}';
const withOf = (t: Tok | undefined) => (t?.kind === 'atom' ? /^\{WITH ([^}]*)\}$/.exec(t.text)?.[1] : undefined);

/** What kind of list the list at `i` of a sequence is. */
function listKind(seq: Tok[], i: number, top: boolean): ListKind {
  const prev = upper(seq[i - 1]);
  if (prev === 'FLAGS' || prev === 'PERMANENTFLAGS') return 'set';
  if (prev === 'FETCH') return 'pairs';
  if (top) {
    const head = upper(seq[1]);
    if (head === 'STATUS' && i === 3) return 'pairs';
    if ((head === 'LIST' || head === 'LSUB') && i === 2) return 'set';
  }
  return 'seq';
}

/** An IMAP date-time ("dd-Mon-yyyy hh:mm:ss +zzzz", day maybe space-padded) in ms. */
function parseDateTime(s: string): number | undefined {
  const m = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(s);
  if (!m) return undefined;
  const month = MONTHS.split('|').indexOf(m[2]!.charAt(0).toUpperCase() + m[2]!.slice(1).toLowerCase());
  if (month < 0) return undefined;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '-' ? -1 : 1);
  return utc - offset;
}

/**
 * `{DATE 06-May-2024 07:08:09 +0200}` matches the same instant in any zone: servers
 * may keep INTERNALDATE in UTC (both kimap and Dovecot's maildir do).
 */
function sameInstant(expected: string, actual: string): boolean {
  const e = parseDateTime(expected);
  return e !== undefined && e === parseDateTime(actual);
}

class Comparer {
  constructor(private readonly vars: Record<string, string>) {}

  tok(e: Tok, a: Tok, kind: ListKind): boolean {
    // An atom and a string (quoted or literal) with the same text are the same
    // astring, as mailbox names are: `INBOX`, `"INBOX"`, `{5}\r\nINBOX`.
    if (e.kind === 'atom') {
      const date = /^\{DATE (.+)\}$/.exec(e.text);
      if (date) return a.kind === 'string' && sameInstant(date[1]!, a.text);
      return patternRe(e.text, this.vars, 'i').test(a.raw) || (a.kind === 'string' && patternRe(e.text, this.vars).test(a.text));
    }
    if (e.kind === 'string') return (a.kind === 'string' || a.kind === 'atom') && patternRe(e.text, this.vars).test(a.text);
    if (a.kind !== 'list') return false;
    if (kind === 'set') return this.set(e.items!, a.items!);
    if (kind === 'pairs') return this.pairs(e.items!, a.items!);
    return this.seq(e.items!, a.items!, false);
  }

  /** In order; `{*}` takes any run of tokens, `{WITH a b}` the rest if it holds a and b. */
  seq(e: Tok[], a: Tok[], top: boolean, i = 0, j = 0): boolean {
    if (i === e.length) return j === a.length;
    const et = e[i]!;
    if (isAny(et)) {
      for (let k = j; k <= a.length; k++) if (this.seq(e, a, top, i + 1, k)) return true;
      return false;
    }
    const w = withOf(et);
    if (w !== undefined) {
      const have = new Set(a.slice(j).map((t) => t.raw.toUpperCase()));
      return i === e.length - 1 && w.split(/\s+/).filter(Boolean).every((x) => have.has(x.toUpperCase()));
    }
    if (j >= a.length) return false;
    return this.tok(et, a[j]!, listKind(e, i, top)) && this.seq(e, a, top, i + 1, j + 1);
  }

  /** Unordered; `x?` may be absent, `{*}` allows others. */
  set(e: Tok[], a: Tok[]): boolean {
    const any = e.some(isAny);
    const members = e.filter((t) => !isAny(t)).map((t) => {
      const optional = t.kind === 'atom' && t.text.length > 1 && t.text.endsWith('?');
      return { tok: optional ? { ...t, text: t.text.slice(0, -1), raw: t.raw.slice(0, -1) } : t, optional };
    });
    // \Marked and \Unmarked are advisory (RFC 3501 7.2.2, RFC 9051 7.3.1): ignored
    // unless the transcript names them (Dovecot's maildir sends them as it likes).
    const advisory = (t: Tok) => /^\\(un)?marked$/i.test(t.text) && !e.some((x) => x.text.toLowerCase().startsWith(t.text.toLowerCase()));
    const used = new Set<number>();
    const place = (k: number): boolean => {
      if (k === members.length) return any || a.every((t, j) => used.has(j) || advisory(t));
      const m = members[k]!;
      for (const [j, at] of a.entries()) {
        if (used.has(j) || !this.tok(m.tok, at, 'seq')) continue;
        used.add(j);
        if (place(k + 1)) return true;
        used.delete(j);
      }
      return m.optional && place(k + 1);
    };
    return place(0);
  }

  /**
   * Name/value pairs in any order (FETCH, STATUS); `{*}` in a name's place allows
   * others, a name written `NAME?` may be absent (`FLAGS? (\Seen)`).
   */
  pairs(e: Tok[], a: Tok[]): boolean {
    let any = false;
    const want: Array<[Tok, Tok, boolean]> = [];
    for (let i = 0; i < e.length; i++) {
      if (isAny(e[i])) {
        any = true;
        continue;
      }
      if (i + 1 >= e.length) return false;
      const k = e[i]!;
      const optional = k.kind === 'atom' && k.text.length > 1 && k.text.endsWith('?');
      want.push([optional ? { ...k, text: k.text.slice(0, -1), raw: k.raw.slice(0, -1) } : k, e[i + 1]!, optional]);
      i++;
    }
    if (a.length % 2) return false;
    const have: Array<[Tok, Tok]> = [];
    for (let i = 0; i < a.length; i += 2) have.push([a[i]!, a[i + 1]!]);
    const used = new Set<number>();
    for (const [k, v, optional] of want) {
      const kind: ListKind = upper(k) === 'FLAGS' ? 'set' : 'seq';
      const j = have.findIndex(([hk, hv], idx) => !used.has(idx) && this.key(k, hk) && this.tok(v, hv, kind));
      if (j < 0 && optional && !have.some(([hk], idx) => !used.has(idx) && this.key(k, hk))) continue;
      if (j < 0) return false;
      used.add(j);
    }
    return any || used.size === have.length;
  }

  /** Attribute names: case and spacing do not matter (`BODY[HEADER.FIELDS (Subject)]`). */
  private key(e: Tok, a: Tok): boolean {
    const norm = (s: string) => s.replace(/\s+/g, ' ');
    return a.kind === 'atom' && patternRe(norm(e.text), this.vars, 'i').test(norm(a.text));
  }
}

const STATUS_RE = /^(\S+) (OK|NO|BAD|BYE|PREAUTH)(?=$| )(.*)$/s;

/** Splits `[code] text` into the code (without brackets) and the text. */
function splitCode(rest: string): { code?: string; text: string } {
  const r = rest.replace(/^ /, '');
  if (!r.startsWith('[')) return { text: r };
  const close = r.indexOf(']');
  if (close < 0) return { text: r };
  return { code: r.slice(1, close), text: r.slice(close + 1) };
}

/** A matcher for one expectation against one received logical line. */
function compile(exp: Expectation, vars: Record<string, string>): (line: string) => boolean {
  const lvars = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, latin1(v)]));
  const text = exp.parts.map((p) => (p.kind === 'pattern' ? latin1(p.text) : p.text)).join('');
  const cmp = new Comparer(lvars);
  const regexFallback = (line: string) => {
    let src = '';
    for (const p of exp.parts) src += p.kind === 'verbatim' ? escapeRe(p.text) : patternSource(latin1(p.text), lvars);
    return new RegExp(`^${src}$`).test(line);
  };

  // Status responses: tag, status and response code; the free text never matters.
  // Without a code in the expectation the server must send none; `{*}` right after
  // the status allows anything.
  const status = exp.parts.length === 1 ? STATUS_RE.exec(text) : null;
  if (status) {
    const [, etag, eword, erest] = status as unknown as [string, string, string, string];
    const ec = splitCode(erest);
    const anything = erest.trim().startsWith('{*}');
    const ecodeToks = ec.code === undefined ? undefined : tokenize(ec.code, true);
    return (line) => {
      const m = STATUS_RE.exec(line);
      if (!m || m[2] !== eword || !patternRe(etag, lvars).test(m[1]!)) return false;
      if (anything) return true;
      const ac = splitCode(m[3]!);
      if (ec.code === undefined) return ac.code === undefined;
      if (ac.code === undefined) return false;
      const atoks = tokenize(ac.code, false);
      if (ecodeToks && atoks) return cmp.seq(ecodeToks, atoks, false);
      return patternRe(ec.code, lvars).test(ac.code);
    };
  }
  // Continuation requests: their text, as written.
  if (text.startsWith('+')) return regexFallback;
  const etoks = tokenize(text, true);
  if (!etoks) return regexFallback;
  return (line) => {
    const atoks = tokenize(line, false);
    return atoks ? cmp.seq(etoks, atoks, true) : regexFallback(line);
  };
}

const EXPUNGED_RE = /^\{EXPUNGED ([\d,\s]+)\}$/;
const EXPUNGE_LINE = /^\* (\d+) EXPUNGE$/;

/**
 * `{EXPUNGED 2,4}`: the command's `* n EXPUNGE` lines, taken in the order they came,
 * remove exactly the messages numbered 2 and 4 before it (`* 4 EXPUNGE` `* 2 EXPUNGE`
 * and `* 2 EXPUNGE` `* 3 EXPUNGE` are both right).
 */
function checkExpunged(spec: string, lines: string[]): string | undefined {
  const want = spec.split(/[,\s]+/).filter(Boolean).map(Number).sort((a, b) => a - b);
  const max = Math.max(...want, 0) + lines.length + 1;
  const current = Array.from({ length: max }, (_, i) => i + 1);
  const removed: number[] = [];
  for (const l of lines) {
    const n = Number(EXPUNGE_LINE.exec(l)![1]);
    const orig = current[n - 1];
    if (orig === undefined) return `"${l}" names no message`;
    current.splice(n - 1, 1);
    removed.push(orig);
  }
  removed.sort((a, b) => a - b);
  if (removed.join(',') !== want.join(',')) {
    return `the EXPUNGE responses [${lines.join(' | ')}] remove messages ${removed.join(',') || 'none'}, expected ${want.join(',')}`;
  }
  return undefined;
}

/** Problems of one block of received lines against its expectations (empty: it matched). */
export function matchBlock(
  expect: Expectation[],
  received: string[],
  opts: { tag: string; ordered: boolean; vars: Record<string, string> },
): string[] {
  const problems: string[] = [];
  let pool = [...received];
  let exps = [...expect];

  // {EXPUNGED ...} takes every EXPUNGE line.
  const expunged = exps.find((e) => e.parts.length === 1 && EXPUNGED_RE.test(e.parts[0]!.text));
  const EXPUNGED_MARK = '\u0000EXPUNGED';
  if (expunged) {
    const lines = pool.filter((l) => EXPUNGE_LINE.test(l));
    const p = checkExpunged(EXPUNGED_RE.exec(expunged.parts[0]!.text)![1]!, lines);
    if (p) problems.push(`line ${expunged.line}: ${p}`);
    if (opts.ordered && lines.length) {
      // In order: the EXPUNGE lines are one run, where {EXPUNGED} is written.
      const first = pool.findIndex((l) => EXPUNGE_LINE.test(l));
      const run = pool.slice(first, first + lines.length);
      if (!run.every((l) => EXPUNGE_LINE.test(l))) problems.push(`line ${expunged.line}: the EXPUNGE responses are not one run`);
      pool = [...pool.slice(0, first), EXPUNGED_MARK, ...pool.slice(first).filter((l) => !EXPUNGE_LINE.test(l))];
    } else {
      exps = exps.filter((e) => e !== expunged);
      pool = pool.filter((l) => !EXPUNGE_LINE.test(l));
    }
  }

  const compiled = new Map(exps.map((e) => [e, e === expunged ? (l: string) => l === EXPUNGED_MARK : compile(e, opts.vars)]));
  const ok = (e: Expectation, l: string) => compiled.get(e)!(l);

  // The tagged reply: last, and alone.
  const isTagged = (l: string) => opts.tag !== '' && l.startsWith(opts.tag + ' ');
  const taggedExp = exps.filter((e) => !e.optional && e.parts[0]!.text.startsWith(opts.tag + ' ') && opts.tag !== '');
  const taggedGot = pool.filter(isTagged);
  exps = exps.filter((e) => !taggedExp.includes(e));
  pool = pool.filter((l) => !isTagged(l));
  if (taggedExp.length > 1) problems.push(`more than one tagged line expected for ${opts.tag}`);
  const te = taggedExp[0];
  const tg = taggedGot.at(-1);
  if (te && !tg) problems.push(`no tagged reply; expected ${te.source}`);
  else if (!te && tg) problems.push(`unexpected tagged reply ${show(tg)}`);
  else if (te && tg && !ok(te, tg)) problems.push(`tagged reply ${show(tg)} does not match line ${te.line}: ${te.source}`);

  const required = exps.filter((e) => !e.optional);
  const optional = exps.filter((e) => e.optional);
  if (opts.ordered) {
    // In order, optional lines anywhere they are written.
    const seqProblem = matchOrdered(exps, pool, ok);
    if (seqProblem) problems.push(seqProblem);
    return problems;
  }
  // Unordered: each required expectation takes a line of its own (backtracking),
  // and every line left over must fit an optional one.
  const candidates = required.map((e) => pool.map((l, j) => (ok(e, l) ? j : -1)).filter((j) => j >= 0));
  const order = required.map((_, i) => i).sort((a, b) => candidates[a]!.length - candidates[b]!.length);
  const used = new Set<number>();
  const assign = new Map<number, number>();
  let budget = 200_000;
  let best: { assign: Map<number, number>; leftovers: number } | undefined;
  const leftoversBad = () => pool.filter((l, j) => !used.has(j) && !optional.some((e) => ok(e, l))).length;
  const search = (k: number): boolean => {
    if (--budget < 0) return false;
    if (k === order.length) {
      const bad = leftoversBad();
      if (!best || bad < best.leftovers) best = { assign: new Map(assign), leftovers: bad };
      return bad === 0;
    }
    const ei = order[k]!;
    for (const j of candidates[ei]!) {
      if (used.has(j)) continue;
      used.add(j);
      assign.set(ei, j);
      if (search(k + 1)) return true;
      used.delete(j);
      assign.delete(ei);
    }
    // This expectation stays unmatched (reported), the rest still tried.
    assign.delete(ei);
    return search(k + 1);
  };
  search(0);
  const final = best?.assign ?? new Map<number, number>();
  const taken = new Set(final.values());
  for (const [i, e] of required.entries()) if (!final.has(i)) problems.push(`missing (line ${e.line}): ${e.source}`);
  for (const [j, l] of pool.entries()) {
    if (!taken.has(j) && !optional.some((e) => ok(e, l))) problems.push(`unexpected: ${show(l)}`);
  }
  return problems;
}

function matchOrdered(exps: Expectation[], lines: string[], ok: (e: Expectation, l: string) => boolean): string | undefined {
  // dp[i][j]: expectations from i and lines from j can be matched.
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === exps.length) r = j === lines.length;
    else {
      const e = exps[i]!;
      if (e.optional) r = go(i + 1, j) || (j < lines.length && ok(e, lines[j]!) && go(i, j + 1));
      else r = j < lines.length && ok(e, lines[j]!) && go(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  if (go(0, 0)) return undefined;
  return `the untagged lines do not match in order:\n      expected: ${exps.map((e) => e.source).join('\n                ')}\n      received: ${lines.map(show).join('\n                ')}`;
}

export function show(line: string): string {
  const s = line.replace(/\r\n/g, '\\r\\n');
  return s.length > 400 ? s.slice(0, 400) + `... (${s.length} chars)` : s;
}

// ---------------------------------------------------------------- running

export interface Mismatch {
  /** Line of the command (or directive) in the transcript. */
  line: number;
  command: string;
  problems: string[];
  expected: string[];
  received: string[];
}

export interface TranscriptRun {
  server: ServerName;
  transcript: Transcript;
  mismatches: Mismatch[];
  /** Client and server lines as exchanged, in transcript syntax. */
  log: string[];
}

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
  const logLines = (lines: string[]) => {
    for (const l of lines) run.log.push(...asTranscriptLines(l));
  };
  try {
    for (const step of t.steps) {
      if (step.kind === 'connect') {
        await client?.close();
        const { client: c, greeting } = await ImapClient.connect(opts.port, { host: opts.host ?? '127.0.0.1', timeoutMs: timeout });
        client = c;
        run.log.push('@connect');
        logLines([greeting]);
        const exp = forServer(step.greeting);
        if (!opts.record && exp.length) {
          const problems = matchBlock(exp, [greeting], { tag: '', ordered: false, vars });
          if (problems.length) run.mismatches.push({ line: step.line, command: '(greeting)', problems, expected: exp.map((e) => e.source), received: [greeting] });
        }
        continue;
      }
      if (!client) throw new Error(`${t.file}:${step.line}: no connection (missing @connect?)`);
      if (step.kind === 'closed') {
        run.log.push('@closed');
        if (!(await client.waitClosed(2000)) && !opts.record) {
          run.mismatches.push({ line: step.line, command: '@closed', problems: ['the server did not close the connection within 2 s'], expected: [], received: [client.unread] });
        }
        continue;
      }
      if (step.only && step.only !== opts.server) continue;
      for (const d of step.display) run.log.push(d.replace(/^C\[\w+\]:/, 'C:'));
      for (const [i, ex] of step.exchanges.entries()) {
        const last = i === step.exchanges.length - 1;
        const exp = forServer(ex.expect);
        client.send(Buffer.concat(ex.send.map((b) => substitute(b, vars))));
        const hasTagged = step.tag !== '' && exp.some((e) => !e.optional && e.parts[0]!.text.startsWith(step.tag + ' '));
        const received: string[] = [];
        let done = false;
        let error: string | undefined;
        const deadline = Date.now() + timeout;
        try {
          for (;;) {
            if (!last || hasTagged || opts.record) {
              const line = (await client.readLine(Math.max(1, deadline - Date.now()))).text;
              received.push(line);
              if (step.tag && line.startsWith(step.tag + ' ')) {
                done = true;
                break;
              }
              if (!last && line.startsWith('+')) break;
            } else {
              // No tagged line expected (e.g. an untagged BAD for garbage): as many lines as expected.
              const want = exp.filter((e) => !e.optional).length;
              if (received.length >= want) break;
              received.push((await client.readLine(Math.max(1, deadline - Date.now()))).text);
            }
          }
        } catch (err) {
          error = (err as Error).message.split('\n')[0];
        }
        logLines(received);
        if (!opts.record) {
          // Refused early (a tagged reply instead of "+"): the rest of the command is
          // not sent, and its expectations count here.
          if (done && !last) exp.push(...step.exchanges.slice(i + 1).flatMap((x) => forServer(x.expect)));
          const problems = matchBlock(exp, received, { tag: step.tag, ordered: step.ordered, vars });
          if (error) problems.unshift(error);
          if (problems.length) {
            run.mismatches.push({ line: step.line, command: step.display.join(' ⏎ '), problems, expected: exp.map((e) => e.source), received });
          }
        } else if (error && !/timed out/.test(error)) {
          run.log.push(`# ${error}`);
        }
        if (error && /timed out/.test(error) && !opts.record) {
          // Out of step with the server: the rest of the transcript would only
          // repeat this (each after a timeout of its own).
          run.mismatches.push({ line: step.line, command: '(run)', problems: ['transcript stopped after the timeout above'], expected: [], received: [] });
          return run;
        }
        if (done || error) break;
      }
    }
  } catch (err) {
    run.mismatches.push({ line: 0, command: '(run)', problems: [(err as Error).message], expected: [], received: [] });
  } finally {
    await client?.close();
  }
  return run;
}

/** A received logical line in transcript syntax: `S:`, then `D:` and `S+:` around each literal. */
export function asTranscriptLines(line: string): string[] {
  const out: string[] = [];
  const utf8 = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
  let pos = 0;
  let prefix = 'S: ';
  for (;;) {
    const crlf = line.indexOf('\r\n', pos);
    const head = crlf < 0 ? line.slice(pos) : line.slice(pos, crlf);
    const lit = /\{(\d+)\}$/.exec(head);
    if (crlf < 0 || !lit) {
      out.push(prefix + utf8(line.slice(pos)));
      return out;
    }
    out.push(prefix + utf8(head));
    const size = Number(lit[1]);
    const data = line.slice(crlf + 2, crlf + 2 + size);
    const parts = data.split('\r\n');
    if (data.endsWith('\r\n')) parts.pop();
    for (const p of parts) out.push(p === '' ? 'D:' : 'D: ' + utf8(p));
    pos = crlf + 2 + size;
    const rest = line.slice(pos);
    prefix = 'S+: ';
    if (rest.startsWith(' ')) pos++;
    if (rest === '') {
      out.push('S+:');
      return out;
    }
  }
}

/** A readable report of a run's mismatches. */
export function formatMismatches(run: TranscriptRun): string {
  const out: string[] = [];
  for (const m of run.mismatches) {
    out.push(`${run.transcript.file}:${m.line} [${run.server}] ${m.command}`);
    for (const p of m.problems) out.push(`    ${p}`);
    if (m.received.length) out.push(`    received:\n${m.received.map((l) => '      ' + show(l)).join('\n')}`);
  }
  return out.join('\n');
}
