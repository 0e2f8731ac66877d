// A small raw IMAP client for transcript tests: sends bytes exactly as given
// and reads server responses as logical lines (a line ending in `{n}` carries
// n literal bytes and continues after them), so 8-bit literal content and
// CRLFs inside literals never confuse the framing.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface ResponseLine {
  /** The whole logical line, literals included, CRLF stripped. */
  raw: Buffer;
  /** The same as latin1 text (byte-for-char). */
  text: string;
}

export interface TaggedResult {
  /** Every line before the tagged one (untagged `*` and continuation `+` lines). */
  untagged: string[];
  untaggedRaw: ResponseLine[];
  /** The tagged completion line. */
  tagged: string;
}

const DEFAULT_TIMEOUT = 5000;

export class ImapClient {
  private socket: Socket | TLSSocket;
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private closedFlag = false;
  private closePromise: Promise<void>;
  private resolveClose!: () => void;
  /** Everything received, for failure messages. */
  transcript = '';

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.closePromise = new Promise((r) => (this.resolveClose = r));
    this.attach(socket);
    socket.on('close', () => {
      this.closedFlag = true;
      this.resolveClose();
      this.wake();
    });
    socket.on('error', () => {
      /* reported through close */
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buf = Buffer.concat([this.buf, chunk]);
    this.transcript += chunk.toString('latin1');
    this.wake();
  };

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', this.onData);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Connects, waits for the greeting line and returns it with the client. */
  static async connect(
    port: number,
    opts: { tls?: boolean; host?: string; timeoutMs?: number; localAddress?: string; proxyHeader?: Buffer } = {},
  ): Promise<{ client: ImapClient; greeting: string }> {
    const host = opts.host ?? '127.0.0.1';
    // A client address of its own (any of 127.0.0.0/8 on Linux), for tests of what depends on it.
    const local = opts.localAddress ? { localAddress: opts.localAddress } : {};
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const header = opts.proxyHeader;
      if (header) {
        // As a load balancer sends it: the PROXY header first, then (with tls) the handshake.
        const tcp = netConnect({ host, port, ...local }, () => {
          tcp.write(header);
          if (!opts.tls) return resolve(tcp);
          const s = tlsConnect({ socket: tcp, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s));
          s.once('error', reject);
        });
        tcp.once('error', reject);
        return;
      }
      const s = opts.tls
        ? tlsConnect({ host, port, rejectUnauthorized: false, servername: 'localhost', ...local }, () => resolve(s))
        : netConnect({ host, port, ...local }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new ImapClient(socket);
    const greeting = await client.readLine(opts.timeoutMs);
    return { client, greeting: greeting.text };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get encrypted(): boolean {
    return (this.socket as TLSSocket).encrypted === true;
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Bytes received but not read yet (as latin1). */
  get unread(): string {
    return this.buf.toString('latin1');
  }

  /** Length of the next complete logical line in the buffer (incl. CRLF), or -1. */
  private completeLineLength(): number {
    let pos = 0;
    for (;;) {
      const lf = this.buf.indexOf(0x0a, pos);
      if (lf < 0) return -1;
      const end = lf > 0 && this.buf[lf - 1] === 0x0d ? lf - 1 : lf;
      const text = this.buf.toString('latin1', pos, end);
      const m = /\{(\d+)\}$/.exec(text);
      if (!m) return lf + 1;
      const n = Number(m[1]);
      if (this.buf.length < lf + 1 + n) return -1;
      pos = lf + 1 + n;
    }
  }

  private wait(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new Error(`timed out waiting for ${what}; received so far:\n${this.transcript}`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`timed out waiting for ${what}; received so far:\n${this.transcript}`));
      }, left);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  /** The next logical line (literals included). */
  async readLine(timeoutMs = DEFAULT_TIMEOUT): Promise<ResponseLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = this.completeLineLength();
      if (n >= 0) {
        let raw = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        raw = raw.subarray(0, raw.length - (raw.length >= 2 && raw[raw.length - 2] === 0x0d ? 2 : 1));
        return { raw: Buffer.from(raw), text: raw.toString('latin1') };
      }
      if (this.closedFlag) throw new Error(`connection closed while waiting for a line; received so far:\n${this.transcript}`);
      await this.wait(deadline, 'a line');
    }
  }

  /** Reads lines until the tagged completion for `tag`. */
  async readTagged(tag: string, timeoutMs = DEFAULT_TIMEOUT): Promise<TaggedResult> {
    const deadline = Date.now() + timeoutMs;
    const untaggedRaw: ResponseLine[] = [];
    for (;;) {
      const line = await this.readLine(Math.max(1, deadline - Date.now()));
      if (line.text.startsWith(tag + ' ')) return { untagged: untaggedRaw.map((l) => l.text), untaggedRaw, tagged: line.text };
      untaggedRaw.push(line);
    }
  }

  /** Sends `tag text\r\n` and reads through the tagged reply. */
  async command(tag: string, text: string, timeoutMs = DEFAULT_TIMEOUT): Promise<TaggedResult> {
    this.send(`${tag} ${text}\r\n`);
    return this.readTagged(tag, timeoutMs);
  }

  /** Resolves true when the server closes the connection within the timeout. */
  async waitClosed(timeoutMs = DEFAULT_TIMEOUT): Promise<boolean> {
    if (this.closedFlag) return true;
    let t: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.closePromise.then(() => true),
      new Promise<boolean>((res) => (t = setTimeout(() => res(false), timeoutMs))),
    ]);
    clearTimeout(t);
    return r;
  }

  /** Collects whatever arrives within `ms` (as latin1), without consuming framing. */
  async settle(ms: number): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    return this.unread;
  }

  /** Upgrades the connection to TLS (after a tagged OK to STARTTLS). */
  async startTls(timeoutMs = DEFAULT_TIMEOUT): Promise<void> {
    const raw = this.socket;
    raw.removeListener('data', this.onData);
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('TLS handshake timed out')), timeoutMs);
      const s = tlsConnect({ socket: raw, rejectUnauthorized: false, servername: 'localhost' }, () => {
        clearTimeout(t);
        resolve(s);
      });
      s.once('error', (e: Error) => {
        clearTimeout(t);
        reject(e);
      });
    });
    secure.on('error', () => undefined);
    this.socket = secure;
    this.attach(secure);
  }

  /** Abrupt close (RST-free destroy) from the client side. */
  destroy(): void {
    this.socket.destroy();
  }

  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.socket.destroy();
    await this.waitClosed(1000);
  }
}

/** Sends an APPEND with a synchronizing literal, waiting for the `+` continuation. */
export async function appendSync(
  c: ImapClient,
  tag: string,
  mailbox: string,
  message: Buffer,
  opts: { flags?: string; date?: string } = {},
): Promise<TaggedResult & { continuation: string }> {
  const pre = [opts.flags ? `(${opts.flags})` : '', opts.date ? `"${opts.date}"` : ''].filter(Boolean).join(' ');
  c.send(`${tag} APPEND ${mailbox} ${pre ? pre + ' ' : ''}{${message.length}}\r\n`);
  const cont = await c.readLine();
  if (!cont.text.startsWith('+')) throw new Error(`expected a continuation, got: ${cont.text}`);
  c.send(Buffer.concat([message, Buffer.from('\r\n')]));
  return { ...(await c.readTagged(tag)), continuation: cont.text };
}
