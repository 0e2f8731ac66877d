// A lean IMAP client connection for load generation: one socket, one command in
// flight, responses parsed in place as they stream in. Literal bytes in responses
// are counted and skipped, never copied; untagged lines are handed to an optional
// per-command callback as latin1 strings (without their literals). Timeouts come
// from one shared watchdog timer instead of a timer per command.
import { connect, type Socket } from 'node:net';

export type Status = 'OK' | 'NO' | 'BAD' | 'ERR';

export interface Reply {
  status: Status;
  /** The tagged line (or the reason of an ERR: timeout, closed). */
  text: string;
}

const CRLF = Buffer.from('\r\n');
const live = new Set<ImapConn>();
let watchdog: NodeJS.Timeout | undefined;

function startWatchdog(): void {
  if (watchdog) return;
  watchdog = setInterval(() => {
    const now = performance.now();
    for (const c of live) if (c.busy && now > c.deadline) c.fail('timeout');
  }, 250);
  watchdog.unref();
}

export interface ConnectOptions {
  port: number;
  host?: string;
  /** Source address (127.0.0.x), to spread connections over more 4-tuples. */
  localAddress?: string;
  timeoutMs?: number;
}

export class ImapConn {
  readonly socket: Socket;
  /** Default time a command may take before the connection is dropped. */
  timeoutMs: number;
  deadline = 0;
  closed = false;
  /** Capabilities from the last CAPABILITY response (upper case). */
  caps = new Set<string>();
  /** Bytes of literals received (bodies, headers). */
  literalBytes = 0;
  /** Called for each untagged line of the running command (literals stripped). */
  onUntagged: ((line: string) => void) | null = null;

  private tagSeq = 0;
  private tag = '';
  private line = '';
  private litLeft = 0;
  private resolveReply: ((r: Reply) => void) | null = null;
  private resolveCont: ((ok: boolean) => void) | null = null;
  private resolveGreeting: ((r: Reply) => void) | null = null;

  private constructor(socket: Socket, timeoutMs: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      live.delete(this);
      this.fail('connection closed');
    });
    live.add(this);
    startWatchdog();
  }

  get busy(): boolean {
    return this.resolveReply !== null || this.resolveGreeting !== null || this.resolveCont !== null;
  }

  /** Connects and waits for the greeting. Rejects on failure. */
  static async open(opts: ConnectOptions): Promise<ImapConn> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const socket = connect({ host: opts.host ?? '127.0.0.1', port: opts.port, localAddress: opts.localAddress });
    const c = new ImapConn(socket, timeoutMs);
    c.deadline = performance.now() + timeoutMs;
    const greeting = await new Promise<Reply>((resolve) => (c.resolveGreeting = resolve));
    if (greeting.status !== 'OK') {
      c.destroy();
      throw new Error(`no greeting: ${greeting.text}`);
    }
    return c;
  }

  /** Sends `<tag> <text>` and resolves with the tagged reply (never rejects). */
  command(text: string, onUntagged: ((line: string) => void) | null = null): Promise<Reply> {
    if (this.closed) return Promise.resolve({ status: 'ERR', text: 'connection closed' });
    this.tag = 'a' + ++this.tagSeq;
    this.onUntagged = onUntagged;
    this.deadline = performance.now() + this.timeoutMs;
    this.socket.write(this.tag + ' ' + text + '\r\n', 'latin1');
    return new Promise((resolve) => (this.resolveReply = resolve));
  }

  /**
   * A command with literals: `parts` alternates text and literal data, e.g.
   * ['APPEND INBOX ', msg, ''] becomes `tag APPEND INBOX {n+}CRLF<msg>CRLF`.
   * With LITERAL+ everything goes out at once; otherwise each literal waits for `+`.
   */
  async commandWithLiterals(
    parts: Array<string | Buffer>,
    literalPlus: boolean,
    onUntagged: ((line: string) => void) | null = null,
  ): Promise<Reply> {
    if (this.closed) return { status: 'ERR', text: 'connection closed' };
    this.tag = 'a' + ++this.tagSeq;
    this.onUntagged = onUntagged;
    this.deadline = performance.now() + this.timeoutMs;
    const reply = new Promise<Reply>((resolve) => (this.resolveReply = resolve));
    const s = this.socket;
    s.cork();
    let head = this.tag + ' ';
    for (const p of parts) {
      if (typeof p === 'string') {
        head += p;
        continue;
      }
      s.write(head + (literalPlus ? `{${p.length}+}\r\n` : `{${p.length}}\r\n`), 'latin1');
      head = '';
      if (!literalPlus) {
        s.uncork();
        const ok = await new Promise<boolean>((resolve) => (this.resolveCont = resolve));
        if (!ok) return reply;
        s.cork();
      }
      s.write(p);
    }
    s.write(head);
    s.write(CRLF);
    s.uncork();
    return reply;
  }

  /** Starts IDLE: resolves true at the `+` continuation. */
  async idle(): Promise<boolean> {
    if (this.closed) return false;
    this.tag = 'a' + ++this.tagSeq;
    this.onUntagged = null;
    this.deadline = performance.now() + this.timeoutMs;
    // The tagged reply only comes after DONE; keep it as the pending reply.
    void new Promise<Reply>((resolve) => (this.resolveReply = resolve));
    this.socket.write(this.tag + ' IDLE\r\n', 'latin1');
    const ok = await new Promise<boolean>((resolve) => (this.resolveCont = resolve));
    // While idling nothing is expected in bounded time: no watchdog.
    this.resolveReply = null;
    return ok;
  }

  async capabilities(): Promise<Set<string>> {
    const caps = new Set<string>();
    const r = await this.command('CAPABILITY', (line) => {
      if (line.startsWith('* CAPABILITY ')) for (const c of line.slice(13).split(' ')) caps.add(c.toUpperCase());
    });
    if (r.status !== 'OK') throw new Error(`CAPABILITY: ${r.text}`);
    this.caps = caps;
    return caps;
  }

  /** Fails the running command (timeout or close) and drops the connection. */
  fail(reason: string): void {
    const r = this.resolveReply;
    const g = this.resolveGreeting;
    const c = this.resolveCont;
    this.resolveReply = this.resolveGreeting = this.resolveCont = null;
    if (r || g || c) this.socket.destroy();
    r?.({ status: 'ERR', text: reason });
    g?.({ status: 'ERR', text: reason });
    c?.(false);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      if (this.litLeft > 0) {
        const take = Math.min(this.litLeft, n - pos);
        this.litLeft -= take;
        pos += take;
        continue;
      }
      const lf = chunk.indexOf(10, pos);
      if (lf < 0) {
        this.line += chunk.toString('latin1', pos, n);
        return;
      }
      this.line += chunk.toString('latin1', pos, lf);
      pos = lf + 1;
      let line = this.line;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      // A line ending in {n} continues after n literal bytes.
      if (line.charCodeAt(line.length - 1) === 125) {
        const open = line.lastIndexOf('{');
        const size = open >= 0 ? Number(line.slice(open + 1, -1)) : NaN;
        if (Number.isInteger(size) && size >= 0) {
          this.litLeft = size;
          this.literalBytes += size;
          this.line = line;
          continue;
        }
      }
      this.line = '';
      this.dispatch(line);
    }
  }

  private dispatch(line: string): void {
    const first = line.charCodeAt(0);
    if (first === 42 /* * */) {
      if (this.resolveGreeting) {
        const g = this.resolveGreeting;
        this.resolveGreeting = null;
        g({ status: line.startsWith('* OK') || line.startsWith('* PREAUTH') ? 'OK' : 'NO', text: line });
        return;
      }
      this.onUntagged?.(line);
      return;
    }
    if (first === 43 /* + */) {
      const c = this.resolveCont;
      this.resolveCont = null;
      c?.(true);
      return;
    }
    const tag = this.tag;
    if (this.resolveReply && line.startsWith(tag) && line.charCodeAt(tag.length) === 32) {
      const r = this.resolveReply;
      const c = this.resolveCont;
      this.resolveReply = this.resolveCont = null;
      this.onUntagged = null;
      c?.(false);
      const s = line.slice(tag.length + 1, tag.length + 4);
      const status: Status = s === 'OK ' || s === 'OK' ? 'OK' : s.startsWith('NO') ? 'NO' : 'BAD';
      r({ status, text: line });
    }
  }
}

/** Closes every connection still open (end of a scenario). */
export function destroyAll(): void {
  for (const c of live) c.destroy();
}

export function liveConnections(): number {
  return live.size;
}
