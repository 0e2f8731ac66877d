// Reading a server-streaming call of the mailbox service whole, for tests.
import type { MailboxServiceClient } from '@kimap/common';

/** Every message of the stream `method` answers `req` with, once it has ended. */
export function collect<Res>(client: MailboxServiceClient, method: string, req: unknown): Promise<Res[]> {
  return new Promise((resolve, reject) => {
    const out: Res[] = [];
    const stream = (client as unknown as Record<string, (r: unknown) => NodeJS.EventEmitter>)[method]!.call(client, req);
    stream.on('data', (d: Res) => out.push(d));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}
