// Plays generated commands against a running server over real connections,
// holding every reply line to the reply validator: one tagged reply per
// command with its own tag, valid untagged lines, a connection that ends
// only after a BYE the RFC allows. Used by the fuzz tests and by the long
// run in bench/fuzz-server.ts.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { GRAMMAR_COMMANDS, serialize, type FuzzState, type FuzzWorld, type GeneratedCommand, type Token } from './imap-grammar.js';
import { classify, isValidTag, ReplyFramer, validateResponse, type ResponseLine } from './reply-validator.js';

/** What breaks a property; its message carries the end of the transcript. */
export class FuzzViolation extends Error {}

export interface PlayOutcome {
  /** The tagged status, or undefined when the command got none (a bad tag; the session ended). */
  status?: 'OK' | 'NO' | 'BAD';
  /** The BYE's text when the session ended. */
  bye?: string;
}

export interface FuzzStats {
  commands: number;
  ok: number;
  no: number;
  bad: number;
  bye: number;
  lines: number;
  connections: number;
  /** Tagged NO [SERVERBUG]: an internal error. */
  serverBugs: number;
}

/** Why a server may end a session on its own (RFC 9051 7.1.5: BYE before closing). */
const ALLOWED_BYES = [
  /^Logging out|^LOGOUT/i,
  /^Too many invalid commands$/,
  /^Too much invalid input$/,
  /^Too many failed logins$/,
  /^Selected mailbox was deleted/,
  /^Access to the selected mailbox was revoked/,
];

/** Commands that cannot change the session's state. */
const STATE_CHANGING = new Set([
  'LOGIN',
  'AUTHENTICATE',
  'SELECT',
  'EXAMINE',
  'CLOSE',
  'UNSELECT',
  'DELETE',
  'RENAME',
  'LOGOUT',
  'STARTTLS',
]);

type ConnState = 'not-authenticated' | 'authenticated' | 'selected' | 'unknown' | 'closed';

const TRANSCRIPT_LINES = 40;

class Wire {
  readonly framer = new ReplyFramer();
  readonly lines: ResponseLine[] = [];
  private waiter?: () => void;
  closed = false;
  byeSeen?: string;
  /** The close has been counted (a BYE counts once however many commands meet it). */
  counted = false;
  constructor(public socket: Socket) {
    this.attach(socket);
  }
  attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.lines.push(...this.framer.push(d));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }
  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
  /** The next line; undefined when the connection closed first. Throws on timeout or a framing error. */
  async next(deadline: number, describe: () => string): Promise<ResponseLine | undefined> {
    for (;;) {
      if (this.framer.error) throw new FuzzViolation(`invalid framing: ${this.framer.error}\n${describe()}`);
      const line = this.lines.shift();
      if (line) return line;
      if (this.closed) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new FuzzViolation(`no reply within the deadline\n${describe()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

export interface FuzzPlayerOptions {
  port: number;
  host?: string;
  /** Implicit TLS (the port is an IMAPS one). */
  tls?: boolean;
  world: FuzzWorld;
  /** How long one command may take before it counts as a hang. */
  timeoutMs?: number;
  /** The selected mailbox is emptied when it holds more than this many messages (keeps long runs bounded). */
  maxMessages?: number;
  /** The mailbox sessions select before playing a command meant for the selected state. */
  selectMailbox?: string;
}

/** One client: a connection (a new one when needed) brought to the state each command is meant for. */
export class FuzzPlayer {
  readonly stats: FuzzStats = { commands: 0, ok: 0, no: 0, bad: 0, bye: 0, lines: 0, connections: 0, serverBugs: 0 };
  /** The transcripts that ended in NO [SERVERBUG] (the first few). */
  readonly serverBugs: string[] = [];
  private wire?: Wire;
  private state: ConnState = 'closed';
  private utf8 = false;
  private exists = 0;
  private tagNo = 0;
  /** Tags this connection has sent (a reply may carry any of them, never another). */
  private tags = new Set<string>();
  private transcript: string[] = [];
  private readonly timeoutMs: number;

  constructor(private readonly opts: FuzzPlayerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  private log(dir: 'C' | 'S', text: string): void {
    this.transcript.push(`${dir}: ${text.length > 400 ? text.slice(0, 400) + '…' : text}`);
    if (this.transcript.length > TRANSCRIPT_LINES) this.transcript.shift();
  }

  private describe = (): string => this.transcript.join('\n');

  private fail(what: string): never {
    throw new FuzzViolation(`${what}\n--- transcript (last lines) ---\n${this.describe()}`);
  }

  private async open(): Promise<void> {
    this.closeNow();
    const host = this.opts.host ?? '127.0.0.1';
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = this.opts.tls
        ? tlsConnect({ port: this.opts.port, host, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s))
        : netConnect({ port: this.opts.port, host }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    this.wire = new Wire(socket);
    this.stats.connections++;
    this.state = 'not-authenticated';
    this.utf8 = false;
    this.exists = 0;
    this.tags = new Set();
    this.transcript = [];
    const greeting = await this.readLine(Date.now() + this.timeoutMs);
    if (!greeting) this.fail('closed before the greeting');
    const c = classify(greeting);
    if (c.kind !== 'untagged' || c.word !== 'OK') this.fail(`a greeting that is not * OK: ${greeting.text}`);
  }

  /** Ends the connection (the client's side). */
  closeNow(): void {
    this.wire?.socket.destroy();
    this.wire = undefined;
    this.state = 'closed';
  }

  private async readLine(deadline: number): Promise<ResponseLine | undefined> {
    const line = await this.wire!.next(deadline, this.describe);
    if (!line) return undefined;
    this.stats.lines++;
    this.log('S', line.text);
    const err = validateResponse(line, { utf8: this.utf8 }, this.tags);
    if (err) this.fail(`invalid reply: ${err}`);
    const c = classify(line);
    if (c.kind === 'untagged') {
      if (c.word === 'BYE') this.wire!.byeSeen = line.text.replace(/^\* BYE (\[[^\]]*\] )?/, '');
      else if (c.word === 'EXISTS') this.exists = Number(/^\* (\d+)/.exec(line.text)![1]);
      else if (c.word === 'EXPUNGE') this.exists = Math.max(0, this.exists - 1);
      else if (c.word === 'ENABLED' && /\b(UTF8=ACCEPT|IMAP4REV2)\b/i.test(line.text)) this.utf8 = true;
    }
    return line;
  }

  private write(data: Buffer | string): void {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.log('C', b.toString('latin1').replace(/\r\n$/, ''));
    this.wire!.socket.write(b);
  }

  /** A connection that closed: fine after a BYE the RFC allows, a violation otherwise. */
  private ended(): PlayOutcome {
    const bye = this.wire?.byeSeen;
    this.state = 'closed';
    if (bye === undefined) this.fail('the server closed the connection without BYE');
    if (!ALLOWED_BYES.some((r) => r.test(bye))) this.fail(`a BYE the session gave no cause for: ${bye}`);
    if (!this.wire!.counted) this.stats.bye++;
    this.wire!.counted = true;
    return { bye };
  }

  /** Sends one command and reads to its tagged reply, answering each `+` with what comes next. */
  private async exchange(cmd: GeneratedCommand, tag: string, expectTagged: boolean): Promise<PlayOutcome> {
    const wire = this.wire!;
    // A connection told BYE (by an earlier exchange, a helper's) takes no more commands.
    if (wire.closed || wire.byeSeen !== undefined) {
      while (await this.readLine(Date.now() + this.timeoutMs)) {
        /* lines after BYE: validated, then the close */
      }
      return this.ended();
    }
    this.tags.add(tag);
    const segments = serialize(cmd, tag);
    const responses = cmd.responses.slice();
    let next = 0;
    let fallbacks = 0;
    const deadline = Date.now() + this.timeoutMs;
    this.write(segments[next++]!);
    if (!expectTagged) {
      // A tag no command may have: nothing runs; a NOOP after it shows the session goes on.
      const probe = this.nextTag();
      this.tags.add(probe);
      this.write(`${probe} NOOP\r\n`);
      tag = probe;
    }
    for (;;) {
      const line = await this.readLine(deadline);
      if (!line) return this.ended();
      const c = classify(line);
      if (c.kind === 'continuation') {
        if (next < segments.length) this.write(segments[next++]!);
        else if (responses.length) this.write(responses.shift()! + '\r\n');
        else if (++fallbacks > 4) this.fail('the server keeps asking for more');
        else this.write(fallbacks <= 2 ? '*\r\n' : 'DONE\r\n');
        continue;
      }
      if (c.kind !== 'tagged' || c.tag !== tag) continue;
      const status = c.status as 'OK' | 'NO' | 'BAD';
      if (status === 'NO' && / \[SERVERBUG\]/.test(line.text)) {
        this.stats.serverBugs++;
        if (this.serverBugs.length < 5) this.serverBugs.push(this.describe());
      }
      // A session told BYE closes; the tagged reply may come first (LOGOUT).
      if (wire.byeSeen !== undefined) {
        const end = Date.now() + this.timeoutMs;
        while (await this.readLine(end)) {
          /* lines after BYE: validated, then the close */
        }
        return { status, ...this.ended() };
      }
      return { status };
    }
  }

  private nextTag(): string {
    return `F${(++this.tagNo).toString(36)}`;
  }

  /** Runs a helper command (bringing the session to a state); its reply must be valid too. */
  private async helper(line: string, ...more: Token[]): Promise<PlayOutcome> {
    const [name, ...rest] = line.split(' ');
    const args: Token[] = rest.length ? [' ' + rest.join(' '), ...more] : more;
    return this.track({ tag: '', name: name!, args, responses: [] }, this.nextTag());
  }

  private async track(cmd: GeneratedCommand, tag: string, expectTagged = true): Promise<PlayOutcome> {
    const out = await this.exchange(cmd, tag, expectTagged);
    const name = cmd.name.toUpperCase();
    if (out.bye !== undefined) return out;
    if (!expectTagged) return out;
    if (name === 'STARTTLS' && out.status === 'OK') await this.upgrade();
    else if ((name === 'LOGIN' || name === 'AUTHENTICATE') && out.status === 'OK') this.state = 'authenticated';
    else if ((name === 'SELECT' || name === 'EXAMINE') && this.state !== 'not-authenticated') {
      // A failed SELECT may leave the session without a mailbox (RFC 9051 6.3.2).
      if (out.status !== 'OK') this.exists = 0;
      this.state = out.status === 'OK' ? 'selected' : 'unknown';
    } else if ((name === 'CLOSE' || name === 'UNSELECT') && out.status === 'OK') this.state = 'authenticated';
    else if (out.status === 'OK' && (STATE_CHANGING.has(name) || !GRAMMAR_COMMANDS.includes(name)) && this.state === 'selected')
      this.state = 'unknown';
    return out;
  }

  private async upgrade(): Promise<void> {
    const wire = this.wire!;
    const raw = wire.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    const secure = await new Promise<Socket>((resolve, reject) => {
      const s = tlsConnect({ socket: raw, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s));
      s.once('error', reject);
    });
    wire.attach(secure);
  }

  /** Brings the connection to `state` (a new connection, LOGIN, SELECT as needed). */
  private async reach(state: FuzzState): Promise<void> {
    const w = this.opts.world;
    if (this.wire?.closed || !this.wire) {
      if (this.wire && this.state !== 'closed') this.ended();
      await this.open();
    }
    if (state === 'not-authenticated') {
      if (this.state !== 'not-authenticated') await this.open();
      return;
    }
    if (this.state === 'not-authenticated') {
      const r = await this.helper(`LOGIN ${JSON.stringify(w.user)} ${JSON.stringify(w.password)}`);
      if (r.status !== 'OK') this.fail(`the fuzz user could not log in: ${r.status ?? r.bye}`);
    }
    if (state === 'authenticated') {
      if (this.state !== 'authenticated') await this.helper('UNSELECT');
      this.state = 'authenticated';
      return;
    }
    // selected (and IDLE, which this player runs in a selected mailbox)
    if (this.state !== 'selected') {
      const box = this.opts.selectMailbox ?? 'fz1';
      let r = await this.helper(`SELECT ${box}`);
      // Other connections delete and rename the mailbox too: create it again, a few times if need be.
      for (let tries = 0; r.status !== 'OK' && r.bye === undefined && tries < 5; tries++) {
        await this.helper(`CREATE ${box}`);
        r = await this.helper(`SELECT ${box}`);
      }
      if (r.status !== 'OK') this.fail(`could not select ${box}: ${r.status ?? r.bye}`);
    }
    const max = this.opts.maxMessages ?? 200;
    if (this.exists > max) {
      // Another connection may delete the mailbox meanwhile: BYE, and play() sees the close.
      const r = await this.helper('STORE 1:* +FLAGS.SILENT (\\Deleted)');
      if (r.bye === undefined) await this.helper('EXPUNGE');
    } else if (this.exists < 3) {
      // Something to FETCH, STORE and SEARCH.
      const message = Buffer.from('Subject: fuzz\r\nFrom: a@b.test\r\nContent-Type: text/plain\r\n\r\nhello\r\n');
      await this.helper(`APPEND ${this.opts.selectMailbox ?? 'fz1'} (\\Seen $Junk) `, { literal: message, sync: false, binary: false });
    }
  }

  /** Plays one command in `state`; throws FuzzViolation when a property breaks. */
  async play(state: FuzzState, cmd: GeneratedCommand): Promise<PlayOutcome> {
    await this.reach(state);
    if (this.wire?.closed || this.state === 'closed') return this.ended();
    // A tag of its own only where nothing waits on it (no synchronizing literal, no exchange).
    const simple =
      cmd.tag !== '' &&
      serialize(cmd, 'x').length === 1 &&
      cmd.responses.length === 0 &&
      !['IDLE', 'AUTHENTICATE', 'LOGOUT'].includes(cmd.name.toUpperCase());
    const tag = simple ? cmd.tag : this.nextTag();
    this.stats.commands++;
    const out = await this.track(cmd, tag, !simple || isValidTag(tag));
    if (out.status === 'OK') this.stats.ok++;
    else if (out.status === 'NO') this.stats.no++;
    else if (out.status === 'BAD') this.stats.bad++;
    return out;
  }
}
