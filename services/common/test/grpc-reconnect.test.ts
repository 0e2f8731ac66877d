// A mailbox service that was away for a while (a pod killed and started
// again) is used again within seconds of its return, not after gRPC's
// default reconnection back-off, which grows to two minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { bindServer, createGrpcServer, createMailboxClient, grpc, loadMailProto } from '../src/grpc.js';

const service = loadMailProto().mail.v1.MailboxService.service;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function getStatus(client: ReturnType<typeof createMailboxClient>): Promise<void> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (req: unknown, opts: grpc.CallOptions, cb: (err: Error | null) => void) => void>).GetStatus!(
      { name: 'INBOX' },
      { deadline: Date.now() + 1000 },
      (err) => (err ? reject(err) : resolve()),
    );
  });
}

test('a client calls a service again within 2 s of its return after 20 s away', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const client = createMailboxClient(address, { ownConnection: true });
  // Away: every call fails, and gRPC backs off its reconnection attempts meanwhile.
  const awayUntil = Date.now() + 25_000;
  while (Date.now() < awayUntil) {
    await assert.rejects(getStatus(client));
    await new Promise((r) => setTimeout(r, 250));
  }
  const server = createGrpcServer();
  server.addService(service, { GetStatus: (_call: unknown, cb: (err: null, res: unknown) => void) => cb(null, { name: 'INBOX' }) });
  await bindServer(server, address);
  const back = Date.now();
  try {
    for (;;) {
      try {
        await getStatus(client);
        break;
      } catch {
        assert.ok(Date.now() - back < 2000, 'answered within 2 s of the return');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.close();
    server.forceShutdown();
  }
});
