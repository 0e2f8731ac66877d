// A bare LMTP client for tests and benchmarks: writes exactly what it is told and reads
// replies one at a time (multi-line replies joined), so tests can pipeline,
// stop mid-DATA or read one reply per recipient.
import { connect, type Socket } from 'node:net';

export interface Reply {
  code: number;
  text: string;
}

export class LmtpClient {
  private buffer = '';
  private waiting: Array<(line: string) => void> = [];
  private lines: string[] = [];
  private closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf('\r\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 2);
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w('');
    });
  }

  /** Connects (from `localAddress`, with a PROXY header first when given) and reads the greeting. */
  static async open(
    port: number,
    o: { proxyHeader?: Buffer; localAddress?: string } = {},
  ): Promise<{ client: LmtpClient; greeting: Reply }> {
    const socket = connect({ port, host: '127.0.0.1', ...(o.localAddress && { localAddress: o.localAddress }) });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    if (o.proxyHeader) socket.write(o.proxyHeader);
    const client = new LmtpClient(socket);
    return { client, greeting: await client.reply() };
  }

  private line(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.closed) return Promise.resolve('');
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next reply; code 0 when the connection closed. */
  async reply(): Promise<Reply> {
    const texts: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === '') return { code: 0, text: texts.join('\n') };
      texts.push(l.slice(4));
      if (l[3] !== '-') return { code: Number(l.slice(0, 3)), text: texts.join('\n') };
    }
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async command(line: string): Promise<Reply> {
    this.write(line + '\r\n');
    return this.reply();
  }

  /** LHLO, MAIL FROM and each RCPT TO, one at a time; the RCPT replies. */
  async envelope(from: string, recipients: string[], mailParams = ''): Promise<Reply[]> {
    const lhlo = await this.command('LHLO mta.example.net');
    if (lhlo.code !== 250) throw new Error(`LHLO: ${lhlo.code} ${lhlo.text}`);
    const mail = await this.command(`MAIL FROM:<${from}>${mailParams}`);
    if (mail.code !== 250) throw new Error(`MAIL: ${mail.code} ${mail.text}`);
    const out: Reply[] = [];
    for (const r of recipients) out.push(await this.command(`RCPT TO:<${r}>`));
    return out;
  }

  /** DATA with the message (dot-stuffed here); one reply per accepted recipient. */
  async data(message: string | Buffer, accepted: number): Promise<Reply[]> {
    const go = await this.command('DATA');
    if (go.code !== 354) return [go];
    const text = Buffer.isBuffer(message) ? message.toString('latin1') : message;
    const stuffed = text.replace(/(^|\r\n)\./g, '$1..');
    this.write(Buffer.from(stuffed + (stuffed.endsWith('\r\n') ? '' : '\r\n') + '.\r\n', 'latin1'));
    const out: Reply[] = [];
    for (let i = 0; i < accepted; i++) out.push(await this.reply());
    return out;
  }

  close(): void {
    this.socket.destroy();
  }

  async quit(): Promise<void> {
    if (!this.closed) await this.command('QUIT');
    this.socket.destroy();
  }
}
