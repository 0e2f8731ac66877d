// Calls multiplexed over one stream (rpc Multiplex) against a real gRPC server
// with the MailboxService contract and stand-in handlers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindServer,
  createGrpcServer,
  createMailboxClient,
  grpc,
  IMAP_CODE_METADATA_KEY,
  loadMailProto,
  type MailboxServiceClient,
} from '../src/grpc.js';
import { multiplexService, MuxClient, MUX_WINDOW } from '../src/mux.js';
import { grpcClientMetrics, grpcServerMetrics, rpcTimingInterceptor } from '../src/metrics.js';
import { Registry } from 'prom-client';

const service = loadMailProto().mail.v1.MailboxService.service;

/** What the stand-in Search handler did, per call (keyed by the request's criteria). */
interface SearchLog {
  written: number;
  cancelled: boolean;
  ended: boolean;
}

function handlers(log: Map<string, SearchLog>): grpc.UntypedServiceImplementation {
  const h: grpc.UntypedServiceImplementation = {
    GetStatus: ((call: { request: { name: string }; metadata: grpc.Metadata }, cb: (err: unknown, res?: unknown) => void) => {
      const name = call.request.name;
      if (name === 'never') return; // answers nothing: the client's deadline ends it
      if (name === 'metadata') return cb(null, { name: JSON.stringify(call.metadata.getMap()) });
      if (name.startsWith('slow:')) {
        setTimeout(() => cb(null, { name, uidnext: 1 }), Number(name.slice(5)));
        return;
      }
      if (name === 'missing') {
        const metadata = new grpc.Metadata();
        metadata.set(IMAP_CODE_METADATA_KEY, 'NONEXISTENT');
        cb({ code: grpc.status.NOT_FOUND, details: 'No such mailbox', metadata });
        return;
      }
      setTimeout(() => cb(null, { name, uidnext: name.length, messages: 7 }), Math.random() * 5);
    }) as grpc.UntypedHandleCall,
    // Pages of UIDs: as many as mailboxId says, logged under the criteria's header value.
    Search: ((
      call: grpc.ServerWritableStream<{ mailboxId: number; criteria: { header: { value: string } } }, unknown> & { cancelled: boolean },
    ) => {
      const pages = call.request.mailboxId;
      const key = call.request.criteria.header.value;
      const entry: SearchLog = { written: 0, cancelled: false, ended: false };
      log.set(key, entry);
      call.on('cancelled', () => (entry.cancelled = true));
      void (async () => {
        for (let i = 0; i < pages && !entry.cancelled; i++) {
          entry.written++;
          if (!call.write({ uids: [i * 2 + 1, i * 2 + 2], highestmodseq: i })) {
            await new Promise<void>((resolve) => call.once('drain', resolve));
          }
        }
        if (!entry.cancelled) {
          entry.ended = true;
          call.end();
        }
      })();
    }) as grpc.UntypedHandleCall,
  };
  return h;
}

async function startServer(
  log: Map<string, SearchLog>,
  port = 0,
  withMux = true,
): Promise<{ server: grpc.Server; port: number; goaway(): void }> {
  const server = createGrpcServer();
  const h = handlers(log);
  const mux = multiplexService(service, h);
  if (withMux) h.Multiplex = mux.handler;
  server.addService(service, h);
  const bound = await bindServer(server, `127.0.0.1:${port}`);
  return { server, port: bound, goaway: mux.goaway };
}

function muxFor(client: MailboxServiceClient): MuxClient {
  return new MuxClient(() => client.Multiplex(), service);
}

const searchReq = (pages: number, key: string) => ({
  account: { accountId: 1 },
  mailboxId: pages,
  criteria: { header: { field: 'X-Test', value: key } },
});

describe('multiplexed calls', () => {
  const log = new Map<string, SearchLog>();
  let srv: { server: grpc.Server; port: number };
  let client: MailboxServiceClient;
  let mux: MuxClient;

  before(async () => {
    srv = await startServer(log);
    client = createMailboxClient(`127.0.0.1:${srv.port}`);
    mux = muxFor(client);
  });

  after(() => {
    mux.close();
    client.close();
    srv.server.forceShutdown();
  });

  test('unary calls answer, and failures keep their status and IMAP code', async () => {
    const res = await mux.unary<{ name: string; uidnext: number }>('GetStatus', { account: { accountId: 1 }, name: 'Archive' }, 5000);
    assert.equal(res.name, 'Archive');
    assert.equal(res.uidnext, 7);
    await assert.rejects(mux.unary('GetStatus', { account: { accountId: 1 }, name: 'missing' }, 5000), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.NOT_FOUND);
      assert.equal(err.details, 'No such mailbox');
      assert.equal(err.metadata.get(IMAP_CODE_METADATA_KEY)[0], 'NONEXISTENT');
      return true;
    });
  });

  test("a call's metadata rides in its request frame and reaches the handler; keys gRPC refuses are dropped", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await mux.unary<{ name: string }>('GetStatus', { account: { accountId: 1 }, name: 'metadata' }, 5000, {
      traceparent,
      tracestate: 'k=v',
      'Not A Key!': 'x',
      'blob-bin': 'x',
    });
    assert.deepEqual(JSON.parse(res.name), { traceparent, tracestate: 'k=v' });
    const none = await mux.unary<{ name: string }>('GetStatus', { account: { accountId: 1 }, name: 'metadata' }, 5000);
    assert.deepEqual(JSON.parse(none.name), {});
  });

  test('many calls at once on the one stream each get their own answers', async () => {
    const names = Array.from({ length: 60 }, (_, i) => 'box' + 'x'.repeat(i));
    const streams = Array.from({ length: 20 }, (_, i) => {
      const uids: number[] = [];
      return mux
        .stream<{ uids: number[] }>('Search', searchReq(i + 1, `many-${i}`), 5000, (p) => void uids.push(...p.uids))
        .then(() => uids);
    });
    const results = await Promise.all(
      names.map((name) => mux.unary<{ name: string; uidnext: number }>('GetStatus', { account: { accountId: 1 }, name }, 5000)),
    );
    assert.deepEqual(
      results.map((r) => r.uidnext),
      names.map((n) => n.length),
    );
    const pages = await Promise.all(streams);
    pages.forEach((uids, i) =>
      assert.deepEqual(
        uids,
        Array.from({ length: 2 * (i + 1) }, (_, k) => k + 1),
      ),
    );
  });

  test('a slow consumer holds its stream back: the service is never more than a window ahead', async () => {
    let seen = 0;
    await mux.stream<{ uids: number[] }>('Search', searchReq(12, 'slow'), 5000, async () => {
      seen++;
      await new Promise((r) => setTimeout(r, 10));
      // While this item is handled, the service may have sent at most the window beyond it.
      assert.ok(log.get('slow')!.written <= seen + MUX_WINDOW - 1, `written ${log.get('slow')!.written} after ${seen} consumed`);
    });
    assert.equal(seen, 12);
    assert.equal(log.get('slow')!.ended, true);
  });

  test('a consumer that fails cancels its call: the service stops writing', async () => {
    const boom = new Error('client went away');
    await assert.rejects(
      mux.stream<{ uids: number[] }>('Search', searchReq(1000, 'cancel'), 5000, async (p) => {
        if (p.uids[0]! > 4) throw boom;
        await new Promise((r) => setTimeout(r, 1));
      }),
      (err) => err === boom,
    );
    await new Promise((r) => setTimeout(r, 100));
    const entry = log.get('cancel')!;
    assert.equal(entry.cancelled, true);
    assert.equal(entry.ended, false);
    assert.ok(entry.written < 10, `wrote ${entry.written}`);
  });

  test('a call past its deadline fails DEADLINE_EXCEEDED; the stream goes on serving', async () => {
    await assert.rejects(
      mux.unary('GetStatus', { account: { accountId: 1 }, name: 'never' }, 50),
      (err: grpc.ServiceError) => err.code === grpc.status.DEADLINE_EXCEEDED,
    );
    const res = await mux.unary<{ name: string }>('GetStatus', { account: { accountId: 1 }, name: 'after' }, 5000);
    assert.equal(res.name, 'after');
  });
});

describe('the multiplexed stream breaking', () => {
  test('calls in flight fail UNAVAILABLE; the next call opens a new stream', async () => {
    const log = new Map<string, SearchLog>();
    const first = await startServer(log);
    const client = createMailboxClient(`127.0.0.1:${first.port}`);
    const wrapped: unknown[] = [];
    const mux = new MuxClient(
      () => client.Multiplex(),
      service,
      (err) => (wrapped.push(err), err),
    );
    try {
      assert.equal((await mux.unary<{ name: string }>('GetStatus', { account: { accountId: 1 }, name: 'a' }, 5000)).name, 'a');
      const inFlight = mux.unary('GetStatus', { account: { accountId: 1 }, name: 'never' }, 10_000);
      await new Promise((r) => setTimeout(r, 50));
      first.server.forceShutdown();
      await assert.rejects(inFlight, (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
      assert.equal(wrapped.length, 1, "transport failures go through the caller's error mapping");
      const second = await startServer(log, first.port);
      try {
        const res = await mux.unary<{ name: string }>('GetStatus', { account: { accountId: 1 }, name: 'again' }, 10_000);
        assert.equal(res.name, 'again');
        assert.equal(mux.unsupported, false);
      } finally {
        second.server.forceShutdown();
      }
    } finally {
      mux.close();
      client.close();
    }
  });

  test('GOAWAY: calls under way finish, new ones go on a new stream, and a graceful shutdown completes', async () => {
    const srv = await startServer(new Map());
    const client = createMailboxClient(`127.0.0.1:${srv.port}`);
    let opened = 0;
    const mux = new MuxClient(() => (opened++, client.Multiplex()), service);
    try {
      const slow = mux.unary<{ name: string }>('GetStatus', { account: { accountId: 1 }, name: 'slow:300' }, 5000);
      await new Promise((r) => setTimeout(r, 50));
      srv.goaway();
      await new Promise((r) => setTimeout(r, 50));
      const next = await mux.unary<{ name: string }>('GetStatus', { account: { accountId: 1 }, name: 'next' }, 5000);
      assert.equal(next.name, 'next');
      assert.equal(opened, 2, 'the call after GOAWAY opened a new stream');
      assert.equal((await slow).name, 'slow:300', 'the call under way finished on the old stream');
      srv.goaway();
      const t0 = Date.now();
      await new Promise<void>((resolve) => srv.server.tryShutdown(() => resolve()));
      assert.ok(Date.now() - t0 < 3000, `shutdown took ${Date.now() - t0} ms`);
    } finally {
      mux.close();
      client.close();
      srv.server.forceShutdown();
    }
  });

  test('a service without Multiplex: the first call fails UNAVAILABLE and the client knows not to use it', async () => {
    const old = await startServer(new Map(), 0, false);
    const client = createMailboxClient(`127.0.0.1:${old.port}`);
    const mux = muxFor(client);
    try {
      await assert.rejects(
        mux.unary('GetStatus', { account: { accountId: 1 }, name: 'a' }, 5000),
        (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE,
      );
      assert.equal(mux.unsupported, true);
    } finally {
      mux.close();
      client.close();
      old.server.forceShutdown();
    }
  });
});

describe('timing of calls', () => {
  test('both ends time each call by its own method and status, on the stream or not; the stream itself is not timed', async () => {
    const serverRegistry = new Registry();
    const clientRegistry = new Registry();
    const serverMetrics = grpcServerMetrics(serverRegistry);
    const server = createGrpcServer({ interceptors: [rpcTimingInterceptor(serverMetrics)] });
    const h = handlers(new Map());
    h.Multiplex = multiplexService(service, h, serverMetrics).handler;
    server.addService(service, h);
    const port = await bindServer(server, '127.0.0.1:0');
    const client = createMailboxClient(`127.0.0.1:${port}`);
    const mux = new MuxClient(() => client.Multiplex(), service, undefined, grpcClientMetrics(clientRegistry));
    try {
      await mux.unary('GetStatus', { account: { accountId: 1 }, name: 'a' }, 5000);
      await mux.unary('GetStatus', { account: { accountId: 1 }, name: 'b' }, 5000);
      await assert.rejects(mux.unary('GetStatus', { account: { accountId: 1 }, name: 'missing' }, 5000));
      await assert.rejects(mux.unary('GetStatus', { account: { accountId: 1 }, name: 'never' }, 100));
      await mux.stream('Search', searchReq(3, 'timed'), 5000, () => undefined);
      await new Promise<void>((resolve, reject) =>
        client.GetStatus({ account: { accountId: 1 }, name: 'direct' }, (err) => (err ? reject(err) : resolve())),
      );
      const count = (text: string, method: string, code: string) =>
        Number(
          new RegExp(`^kimap_grpc_\\w+_duration_seconds_count\\{method="${method}",code="${code}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
        );
      const client1 = await clientRegistry.metrics();
      assert.equal(count(client1, 'GetStatus', 'OK'), 2);
      assert.equal(count(client1, 'GetStatus', 'NOT_FOUND'), 1);
      assert.equal(count(client1, 'GetStatus', 'DEADLINE_EXCEEDED'), 1);
      assert.equal(count(client1, 'Search', 'OK'), 1);
      const server1 = await serverRegistry.metrics();
      assert.equal(count(server1, 'GetStatus', 'OK'), 3, 'two on the stream, one on its own');
      assert.equal(count(server1, 'GetStatus', 'NOT_FOUND'), 1);
      assert.equal(count(server1, 'Search', 'OK'), 1);
      assert.doesNotMatch(server1, /method="Multiplex"/);
    } finally {
      mux.close();
      client.close();
      server.forceShutdown();
    }
  });
});
