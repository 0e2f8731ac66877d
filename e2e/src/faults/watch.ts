// An IDLE session that counts the messages of its mailbox from what the
// server tells it (EXISTS, EXPUNGE), for the fault suite's checks that IDLE
// sessions learn of every change.
import { ImapClient } from '../../../services/imap-edge/test/support/imap-client.js';

export class IdleWatcher {
  /** The mailbox's size as the session was told. */
  count = 0;
  /** When the session last heard of a change. */
  lastChangeAt = 0;
  closed = false;
  private stopped = false;
  private done?: () => void;
  private waiters: Array<() => void> = [];

  private constructor(private readonly conn: ImapClient) {}

  static async start(port: number, user: string, password: string, box: string): Promise<IdleWatcher> {
    const { client } = await ImapClient.connect(port, { timeoutMs: 30_000 });
    const login = await client.command('l', `LOGIN ${user} ${password}`, 30_000);
    if (!login.tagged.startsWith('l OK')) throw new Error(`watcher login: ${login.tagged}`);
    const sel = await client.command('s', `SELECT ${box}`, 30_000);
    if (!sel.tagged.startsWith('s OK')) throw new Error(`watcher SELECT ${box}: ${sel.tagged}`);
    const w = new IdleWatcher(client);
    w.count = Number(/^\* (\d+) EXISTS/m.exec(sel.untagged.join('\n'))?.[1] ?? 0);
    client.send('i IDLE\r\n');
    const cont = await client.readLine(30_000);
    if (!cont.text.startsWith('+')) throw new Error(`watcher IDLE: ${cont.text}`);
    void w.read();
    return w;
  }

  private async read(): Promise<void> {
    for (;;) {
      let text: string;
      try {
        text = (await this.conn.readLine(3_600_000)).text;
      } catch {
        this.closed = true;
        this.done?.();
        this.wake();
        return;
      }
      const exists = /^\* (\d+) EXISTS/.exec(text);
      if (exists) this.count = Number(exists[1]);
      else if (/^\* \d+ EXPUNGE/.test(text)) this.count--;
      else if (text.startsWith('i ')) {
        this.done?.();
        return;
      } else continue;
      this.lastChangeAt = Date.now();
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with the ms it took until `ok()` holds; rejects after `timeoutMs`. */
  async until(ok: () => boolean, timeoutMs: number): Promise<number> {
    const t0 = Date.now();
    while (!ok()) {
      if (this.closed) throw new Error('the IDLE session was closed');
      const left = t0 + timeoutMs - Date.now();
      if (left <= 0) throw new Error(`IDLE session not told within ${timeoutMs} ms (count ${this.count})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return Date.now() - t0;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.closed) {
      const ended = new Promise<void>((resolve) => (this.done = resolve));
      this.conn.send('DONE\r\n');
      await Promise.race([ended, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await this.conn.close();
  }
}

/** A mailbox's size as a fresh session sees it. */
export async function messageCount(port: number, user: string, password: string, box: string): Promise<number> {
  const { client } = await ImapClient.connect(port, { timeoutMs: 30_000 });
  try {
    await client.command('l', `LOGIN ${user} ${password}`, 30_000);
    const sel = await client.command('s', `EXAMINE ${box}`, 30_000);
    if (!sel.tagged.startsWith('s OK')) throw new Error(`EXAMINE ${box}: ${sel.tagged}`);
    return Number(/^\* (\d+) EXISTS/m.exec(sel.untagged.join('\n'))?.[1] ?? 0);
  } finally {
    await client.close();
  }
}
