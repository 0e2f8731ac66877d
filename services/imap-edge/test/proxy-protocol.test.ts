// The PROXY protocol on both IMAP listeners, against the edge wired for real:
// the client named in a v1 or v2 header is the one logged, throttled and
// counted in the connection limits; peers outside PROXY_TRUSTED_NETWORKS, a
// missing header and malformed ones close the connection, counted by reason.
// The test clients connect from 127.0.0.1 (the trusted balancer) or take
// 127.0.0.5 (an untrusted peer).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { capturingLogger } from '@kimap/common/testing/logs';
import { proxyV1, proxyV2 } from '@kimap/common/testing/proxy';
import { ALICE, PASSWORD, useEdgeServices } from './support/edge-harness.js';

const HEADER_TIMEOUT_MS = 600;
const UNTRUSTED = '127.0.0.5';

describe('IMAP edge: PROXY protocol', () => {
  const { log, lines } = capturingLogger('info');
  const services = useEdgeServices({
    proxy: { mode: 'any', trustedNetworks: ['127.0.0.1', '::1'], headerTimeoutMs: HEADER_TIMEOUT_MS },
    log,
  });
  const { connect: open, aliceId } = services;

  async function rejections(listener: string, reason: string): Promise<number> {
    const metric = services.registry.getSingleMetric('kimap_proxy_header_rejected_total');
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.filter((v) => v.labels.listener === listener && v.labels.reason === reason).reduce((n, v) => n + v.value, 0);
  }

  /** Sends `bytes` (then closes its side, with `end`) and waits for the edge to close the connection: what came back, and when. */
  async function refused(
    port: number,
    bytes: Buffer[],
    o: { from?: string; end?: boolean } = {},
  ): Promise<{ received: string; ms: number }> {
    const started = performance.now();
    const socket: Socket = connect({ host: '127.0.0.1', port, ...(o.from && { localAddress: o.from }) });
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      for (const b of bytes) socket.write(b);
      if (o.end) socket.end();
    });
    const closed = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 5000);
      socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    socket.destroy();
    assert.ok(closed, `the edge closes the connection (received so far: ${JSON.stringify(received)})`);
    return { received, ms: performance.now() - started };
  }

  /** The addresses the sessions of alice are registered under (the connection limits), as the mailbox service keys them. */
  async function sessionAddresses(): Promise<string[]> {
    const { rows } = await services.db.query<{ address: string }>('SELECT address FROM imap_sessions WHERE account_id = $1', [
      await aliceId(),
    ]);
    return rows.map((r) => r.address);
  }

  async function failuresFrom(address: string): Promise<number> {
    const { rows } = await services.db.query<{ failures: number }>('SELECT failures FROM login_failures_by_address WHERE address = $1', [
      address,
    ]);
    return rows[0] ? Number(rows[0].failures) : 0;
  }

  /** The `connected` log lines since `from`. */
  const connectedSince = (from: number) => lines.slice(from).filter((l) => l.msg === 'connected');

  test('v1 on the STARTTLS port: the client of the header is logged and throttled, not the balancer', async () => {
    const mark = lines.length;
    const { c, greeting } = await open({ proxyHeader: proxyV1('203.0.113.7', 40001, '192.0.2.1', 143) });
    assert.match(greeting, /^\* OK /);
    assert.deepEqual(
      connectedSince(mark).map((l) => l.remote),
      ['203.0.113.7'],
    );
    assert.equal((await c.command('S', 'STARTTLS')).tagged, 'S OK Begin TLS negotiation now');
    await c.startTls();
    assert.match((await c.command('L', `LOGIN "${ALICE}" "wrong"`, 20_000)).tagged, /^L NO \[AUTHENTICATIONFAILED\]/);
    assert.equal(await failuresFrom('203.0.113.7'), 1, 'the failure is counted against the proxied client');
    const logged = lines.slice(mark).find((l) => l.msg === 'login failed');
    assert.equal(logged?.remote, '203.0.113.7');
  });

  test('v2 before the TLS handshake on the implicit-TLS port, IPv4 and IPv6: the session is registered under the client', async () => {
    const four = await open({ tls: true, proxyHeader: proxyV2({ source: '198.51.100.20', sourcePort: 50000 }) });
    assert.match(four.greeting, /^\* OK /);
    assert.ok(four.c.encrypted);
    assert.match((await four.c.command('L', `LOGIN "${ALICE}" "${PASSWORD}"`, 20_000)).tagged, /^L OK /);
    const six = await open({ tls: true, proxyHeader: proxyV2({ source: '2001:db8:1:2::20', destination: '2001:db8::1' }) });
    assert.match((await six.c.command('L', `LOGIN "${ALICE}" "${PASSWORD}"`, 20_000)).tagged, /^L OK /);
    const addresses = await sessionAddresses();
    assert.ok(addresses.includes('198.51.100.20'), addresses.join(', '));
    assert.ok(addresses.includes('2001:db8:1:2::/64'), `an IPv6 client counts by its /64: ${addresses.join(', ')}`);
    assert.equal((await four.c.command('N', 'NOOP')).tagged, 'N OK NOOP completed');
  });

  test('v2 and the TLS ClientHello in one segment: the bytes behind the header go to the handshake', async () => {
    const mark = lines.length;
    const tcp = connect({ host: '127.0.0.1', port: services.edge.imapsPort! });
    await new Promise((resolve) => tcp.once('connect', resolve));
    // TLS over a stream of our own, so that its first write (the ClientHello) can go out glued to the header.
    let first = true;
    const glued = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        tcp.write(first ? Buffer.concat([proxyV2({ source: '192.0.2.55' }), chunk]) : chunk);
        first = false;
        done();
      },
    });
    tcp.on('data', (d: Buffer) => glued.push(d));
    tcp.on('close', () => glued.push(null));
    const secure = tlsConnect({ socket: glued, rejectUnauthorized: false, servername: 'localhost' });
    const greeting = await new Promise<string>((resolve, reject) => {
      secure.once('data', (d: Buffer) => resolve(d.toString('latin1')));
      secure.once('error', reject);
    });
    assert.match(greeting, /^\* OK /);
    assert.deepEqual(
      connectedSince(mark).map((l) => l.remote),
      ['192.0.2.55'],
    );
    secure.destroy();
    tcp.destroy();
  });

  test('v1 TCP6 and the bytes sent right behind the header; v2 LOCAL and v1 UNKNOWN: the balancer itself is the client', async () => {
    const mark = lines.length;
    // The header and the first command in one write, as a client that pipelines behind the balancer's header.
    const { c } = await open({ proxyHeader: Buffer.concat([proxyV1('2001:db8:9::5'), Buffer.from('a1 CAPABILITY\r\n')]) });
    assert.equal((await c.readTagged('a1')).tagged, 'a1 OK CAPABILITY completed');
    await open({ tls: true, proxyHeader: proxyV2({ command: 'local' }) });
    await open({ proxyHeader: Buffer.from('PROXY UNKNOWN\r\n') });
    assert.deepEqual(
      connectedSince(mark).map((l) => l.remote),
      ['2001:db8:9::5', '127.0.0.1', '127.0.0.1'],
    );
  });

  test('a peer outside PROXY_TRUSTED_NETWORKS is closed at once, with a header or without; counted as untrusted', async () => {
    const before = { imap: await rejections('imap', 'untrusted'), imaps: await rejections('imaps', 'untrusted') };
    const plain = await refused(services.edge.imapPort!, [proxyV1('203.0.113.8')], { from: UNTRUSTED });
    assert.equal(plain.received, '', 'not even a greeting');
    await refused(services.edge.imapsPort!, [proxyV2({ source: '203.0.113.8' })], { from: UNTRUSTED });
    await refused(services.edge.imapPort!, [], { from: UNTRUSTED });
    assert.equal((await rejections('imap', 'untrusted')) - before.imap, 2);
    assert.equal((await rejections('imaps', 'untrusted')) - before.imaps, 1);
  });

  test('a trusted peer without a header: closed after PROXY_HEADER_TIMEOUT_MS when silent, at once when it speaks IMAP', async () => {
    const timeouts = await rejections('imaps', 'timeout');
    const silent = await refused(services.edge.imapsPort!, []);
    assert.ok(silent.ms >= HEADER_TIMEOUT_MS * 0.9, `closed after ${Math.round(silent.ms)} ms`);
    assert.equal((await rejections('imaps', 'timeout')) - timeouts, 1);
    const malformed = await rejections('imap', 'malformed');
    const speaking = await refused(services.edge.imapPort!, [Buffer.from('a1 LOGIN alice secret\r\n')]);
    assert.equal(speaking.received, '');
    assert.ok(speaking.ms < HEADER_TIMEOUT_MS, `closed at once (${Math.round(speaking.ms)} ms)`);
    assert.equal((await rejections('imap', 'malformed')) - malformed, 1);
  });

  test('malformed headers close the connection and are counted by reason: signature, family, truncated, too long, unsupported', async () => {
    const badSignature = proxyV2({ source: '203.0.113.9' });
    badSignature[10] = 0x58;
    const badFamily = proxyV2({ source: '203.0.113.9' });
    badFamily[13] = 0x51;
    const unixSocket = proxyV2({ source: '203.0.113.9' });
    unixSocket[13] = 0x31;
    const cases: Array<{ bytes: Buffer[]; end?: boolean; listener: 'imap' | 'imaps'; reason: string }> = [
      { bytes: [badSignature], listener: 'imaps', reason: 'malformed' },
      { bytes: [badFamily], listener: 'imap', reason: 'malformed' },
      { bytes: [Buffer.from('PROXY TCP4 203.0.113.9 192.0.2.1 1 143\n')], listener: 'imap', reason: 'malformed' },
      { bytes: [proxyV2({ source: '203.0.113.9' }).subarray(0, 20)], end: true, listener: 'imaps', reason: 'truncated' },
      { bytes: [Buffer.from(`PROXY TCP4 ${'9'.repeat(120)}`)], listener: 'imap', reason: 'too_long' },
      { bytes: [proxyV2({ source: '203.0.113.9', tlvs: Buffer.alloc(8000) })], listener: 'imaps', reason: 'too_long' },
      { bytes: [unixSocket], listener: 'imap', reason: 'unsupported' },
    ];
    for (const k of cases) {
      const before = await rejections(k.listener, k.reason);
      const port = k.listener === 'imap' ? services.edge.imapPort! : services.edge.imapsPort!;
      const r = await refused(port, k.bytes, { ...(k.end && { end: true }) });
      assert.equal(r.received, '', `${k.reason}: nothing answered`);
      assert.equal((await rejections(k.listener, k.reason)) - before, 1, `${k.listener} ${k.reason}`);
    }
  });
});
