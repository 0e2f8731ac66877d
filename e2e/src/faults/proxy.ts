// A TCP proxy that can cut the network between two processes: while cut,
// bytes are held in both directions (as in a partition, where TCP keeps
// retransmitting) and new connections are accepted but nothing crosses; on
// restore everything held flows on.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../cluster.js';

export interface CuttableProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

interface Leg {
  to: Socket;
  held: Buffer[];
}

export async function cuttableProxy(target: { host: string; port: number }): Promise<CuttableProxy> {
  const port = await freePort();
  let isCut = false;
  const legs = new Set<Leg>();
  const sockets = new Set<Socket>();
  const forward = (from: Socket, to: Socket): Leg => {
    const leg: Leg = { to, held: [] };
    legs.add(leg);
    from.on('data', (chunk: Buffer) => {
      if (isCut || leg.held.length) leg.held.push(chunk);
      else to.write(chunk);
    });
    return leg;
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const up = forward(client, upstream);
    const down = forward(upstream, client);
    const end = () => {
      legs.delete(up);
      legs.delete(down);
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    cut() {
      isCut = true;
    },
    restore() {
      isCut = false;
      for (const leg of legs) {
        for (const chunk of leg.held) if (!leg.to.destroyed) leg.to.write(chunk);
        leg.held = [];
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
