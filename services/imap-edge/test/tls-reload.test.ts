// The edge's certificate from files laid out as a Kubernetes Secret volume
// (tls.crt and tls.key linked through ..data, which a renewal swaps at once):
// a renewed pair reaches new connections on both listeners while open
// sessions go on; a broken one is refused with a warning and the pair in use
// stays. Then the drain: readiness fails as soon as it starts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { startOpsServer } from '@kimap/common';
import { capturingLogger, LOG_LEVEL } from '@kimap/common/testing/logs';
import { certificateSummary, selfSignedTls, type TlsMaterial } from '../src/tls.js';
import { sleep, useEdgeServices } from './support/edge-harness.js';

const RELOAD_MS = 100;

/** Writes a pair as the kubelet does: a new folder, then ..data swapped to it in one rename. */
function publish(mount: string, cert: Buffer | string, key: Buffer | string): void {
  const version = `..${Date.now()}_${Math.random().toString(36).slice(2)}`;
  mkdirSync(join(mount, version));
  writeFileSync(join(mount, version, 'tls.crt'), cert);
  writeFileSync(join(mount, version, 'tls.key'), key);
  symlinkSync(version, join(mount, '..data_tmp'));
  renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
}

/** The certificate a TLS handshake on `socket` (or a new connection to `port`) shows. */
function peerFingerprint(target: { port: number } | { socket: Socket }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = tlsConnect({ host: '127.0.0.1', ...target, rejectUnauthorized: false, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.once('error', reject);
  });
}

/** The certificate STARTTLS on the plaintext port shows. */
async function startTlsFingerprint(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  const until = (re: RegExp) =>
    new Promise<void>((resolve) => {
      const check = () => (re.test(text) ? (socket.off('data', onData), resolve()) : undefined);
      const onData = (d: Buffer) => {
        text += d.toString('latin1');
        check();
      };
      socket.on('data', onData);
      check();
    });
  await until(/^\* OK .*\r\n/);
  socket.write('S STARTTLS\r\n');
  await until(/S OK .*\r\n/);
  return peerFingerprint({ socket });
}

/** Polls until `read` gives `want` (bounded): what it gave last. */
async function eventually(read: () => Promise<string>, want: string, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  let got = await read();
  while (got !== want && Date.now() < deadline) {
    await sleep(RELOAD_MS);
    got = await read();
  }
  return got;
}

describe('IMAP edge: TLS certificate reload and drain', () => {
  const { log, lines } = capturingLogger('info');
  let mount = '';
  const pairs: TlsMaterial[] = [];
  const services = useEdgeServices({
    log,
    tlsFiles: async (dir) => {
      for (const name of ['a', 'b']) pairs.push(await selfSignedTls(join(dir, name), 'localhost'));
      mount = join(dir, 'mount');
      mkdirSync(mount);
      publish(mount, pairs[0]!.cert, pairs[0]!.key);
      symlinkSync('..data/tls.crt', join(mount, 'tls.crt'));
      symlinkSync('..data/tls.key', join(mount, 'tls.key'));
      return { cert: join(mount, 'tls.crt'), key: join(mount, 'tls.key'), reloadIntervalMs: RELOAD_MS };
    },
  });
  const fingerprint = (i: number) => certificateSummary(pairs[i]!).fingerprint;
  const implicit = () => peerFingerprint({ port: services.edge.imapsPort! });
  const warnings = (from: number) => lines.slice(from).filter((l) => l.level === LOG_LEVEL.warn);

  test('a renewed pair reaches new connections on both listeners; a session opened before goes on', async () => {
    assert.equal(await implicit(), fingerprint(0));
    const before = await services.loggedIn();
    const mark = lines.length;
    publish(mount, pairs[1]!.cert, pairs[1]!.key);
    assert.equal(await eventually(implicit, fingerprint(1)), fingerprint(1));
    assert.equal(await startTlsFingerprint(services.edge.imapPort!), fingerprint(1), 'STARTTLS too');
    assert.equal((await before.command('N', 'NOOP')).tagged, 'N OK NOOP completed', 'the session from before the renewal');
    const reloaded = lines.slice(mark).find((l) => l.msg === 'TLS certificate reloaded');
    assert.equal(reloaded?.fingerprint, fingerprint(1));
    assert.equal(reloaded?.previous, fingerprint(0));
  });

  test('a broken pair (a key of another certificate, no certificate, files gone) is refused with a warning; the pair in use stays', async () => {
    const cases: Array<{ name: string; replace: () => void; says: RegExp }> = [
      { name: 'mismatched key', replace: () => publish(mount, pairs[0]!.cert, pairs[1]!.key), says: /key values mismatch/ },
      { name: 'not a certificate', replace: () => publish(mount, 'not a certificate\n', pairs[1]!.key), says: /refused/ },
      { name: 'files gone', replace: () => rmSync(join(mount, '..data')), says: /cannot be read/ },
    ];
    for (const k of cases) {
      const mark = lines.length;
      k.replace();
      const deadline = Date.now() + 5000;
      while (warnings(mark).length === 0 && Date.now() < deadline) await sleep(RELOAD_MS);
      const [warning, ...more] = warnings(mark);
      assert.ok(warning, `${k.name}: a warning`);
      assert.match(`${warning.msg} ${JSON.stringify(warning.err)}`, k.says, k.name);
      assert.equal(more.length, 0, `${k.name}: said once, not at every look`);
      assert.equal(await implicit(), fingerprint(1), `${k.name}: the pair in use stays`);
    }
    // A good pair afterwards is taken.
    publish(mount, pairs[0]!.cert, pairs[0]!.key);
    assert.equal(await eventually(implicit, fingerprint(0)), fingerprint(0));
  });

  test('drain: /readyz answers 503 as soon as it starts; sessions between commands and in IDLE get BYE at once; new connections are refused', async () => {
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', registry: services.registry, ready: () => services.edge.ready() });
    try {
      const readyz = async () => (await fetch(`http://127.0.0.1:${ops.port}/readyz`)).status;
      const session = await services.loggedIn();
      const idler = await services.loggedIn();
      await idler.command('s', 'SELECT INBOX');
      idler.send('i IDLE\r\n');
      assert.equal((await idler.readLine()).text, '+ idling');
      assert.equal(await readyz(), 200);
      // A grace far longer than the test: IDLE only waits, so it must not hold the drain.
      const started = Date.now();
      const stopping = services.edge.stop(120_000);
      assert.equal(await readyz(), 503);
      assert.equal((await session.readLine()).text, '* BYE Server shutting down, please reconnect');
      assert.equal((await idler.readLine()).text, '* BYE Server shutting down, please reconnect');
      await stopping;
      assert.ok(Date.now() - started < 60_000, 'the drain did not wait for the IDLE session');
      await assert.rejects(peerFingerprint({ port: services.edge.imapsPort! }), /ECONNREFUSED/);
    } finally {
      await ops.close();
    }
  });
});
