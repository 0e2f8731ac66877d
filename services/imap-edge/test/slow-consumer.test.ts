// A client that stops reading in the middle of a big FETCH: the edge stops
// producing while its output waits (back-pressure), and closes the connection
// when the client takes nothing for the write timeout, or when the unsent
// output passes the per-connection limit. Each is counted as a limit hit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import { ALICE, PASSWORD, type EdgeServices, sleep, useEdgeServices } from './support/edge-harness.js';
import type { ImapClient } from './support/imap-client.js';

/** Messages of about 9 KB (under the harness's APPENDLIMIT), doubled by COPY to 1,600: some 15 MB to FETCH. */
async function bigMailbox(s: EdgeServices, c: ImapClient): Promise<string> {
  const box = await s.freshMailbox(c, 'slow');
  const body = `Subject: filler\r\n\r\n${'0123456789abcdef'.repeat(560)}\r\n`;
  let script = '';
  for (let i = 0; i < 100; i++) script += `A${i} APPEND ${box} {${body.length}+}\r\n${body}\r\n`;
  c.send(script);
  assert.match((await c.readTagged('A99', 60_000)).tagged, /^A99 OK /);
  assert.match((await c.command('S', `SELECT ${box}`)).tagged, /^S OK /);
  for (let i = 0; i < 4; i++) assert.match((await c.command(`C${i}`, `COPY 1:* ${box}`, 60_000)).tagged, /^C\d OK /);
  return box;
}

/** A TLS client that sends its commands and then never reads a byte (and so never learns that the edge closed it). */
async function nonReader(port: number, commands: string): Promise<TLSSocket> {
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s));
    s.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.write(commands);
  return socket;
}

async function limitHits(registry: Registry, kind: string): Promise<number> {
  const m = await registry.getSingleMetric('kimap_limit_hits_total')?.get();
  return m?.values.find((v) => v.labels.kind === kind)?.value ?? 0;
}

/**
 * Samples the output the edge holds unsent until it closes the non-reader's
 * connection (its count of open connections falls back to `others`); the most it held.
 */
async function watchUnsent(s: EdgeServices, others: number, withinMs: number): Promise<{ max: number; closedAfterMs: number }> {
  const started = Date.now();
  let max = 0;
  // The non-reader's connection first has to be accepted.
  while (s.edge.connections <= others) await sleep(10);
  while (s.edge.connections > others) {
    max = Math.max(max, s.edge.unsentBytes());
    if (Date.now() - started > withinMs)
      assert.fail(`the connection was not closed within ${withinMs} ms (unsent now ${s.edge.unsentBytes()})`);
    await sleep(25);
  }
  return { max, closedAfterMs: Date.now() - started };
}

const WRITE_TIMEOUT_MS = 1500;

describe('IMAP edge: a client that stops reading (write timeout)', () => {
  const s = useEdgeServices({ limits: { writeTimeoutMs: WRITE_TIMEOUT_MS } });

  test('a FETCH to a client that reads nothing holds bounded output, then the connection is closed and counted', async () => {
    const c = await s.loggedIn();
    const box = await bigMailbox(s, c);
    const before = await limitHits(s.registry, 'write_timeout');
    const fetches = [1, 2, 3].map((i) => `F${i} FETCH 1:* BODY.PEEK[]\r\n`).join('');
    const others = s.edge.connections;
    const socket = await nonReader(s.edge.imapsPort!, `L LOGIN "${ALICE}" "${PASSWORD}"\r\nS SELECT ${box}\r\n${fetches}`);
    const { max } = await watchUnsent(s, others, 30_000);
    socket.destroy();
    // Back-pressure: one backend page (4 MB) on top of the 1 MB high-water mark, never the 45 MB asked for.
    assert.ok(max < 6 * 1024 * 1024, `the edge held at most ${max} bytes unsent`);
    assert.equal(await limitHits(s.registry, 'write_timeout'), before + 1);
    assert.equal(s.edge.unsentBytes(), 0);
    // The edge goes on serving the others.
    assert.match((await c.command('N', 'NOOP')).tagged, /^N OK /);
  });

  test('a client that reads, however long the answer takes, is not cut off', async () => {
    const c = await s.loggedIn();
    const box = await bigMailbox(s, c);
    const before = await limitHits(s.registry, 'write_timeout');
    assert.match((await c.command('S2', `SELECT ${box}`)).tagged, /^S2 OK /);
    c.send('F FETCH 1:* BODY.PEEK[]\r\n');
    const done = await c.readTagged('F', 120_000);
    assert.match(done.tagged, /^F OK /);
    assert.equal(done.untagged.filter((l) => / FETCH \(/.test(l)).length, 1600);
    assert.equal(await limitHits(s.registry, 'write_timeout'), before);
  });
});

describe('IMAP edge: a client that stops reading (output limit)', () => {
  const OUTPUT_LIMIT = 256 * 1024;
  const s = useEdgeServices({ limits: { maxOutputBytes: OUTPUT_LIMIT, writeTimeoutMs: 120_000 } });

  test('unsent output over the limit closes the connection at once, counted as output_limit', async () => {
    const c = await s.loggedIn();
    const box = await bigMailbox(s, c);
    const before = await limitHits(s.registry, 'output_limit');
    const others = s.edge.connections;
    const socket = await nonReader(s.edge.imapsPort!, `L LOGIN "${ALICE}" "${PASSWORD}"\r\nS SELECT ${box}\r\nF FETCH 1:* BODY.PEEK[]\r\n`);
    // Long before the write timeout.
    const { max, closedAfterMs } = await watchUnsent(s, others, 30_000);
    socket.destroy();
    assert.ok(closedAfterMs < 20_000);
    // The limit is checked before each write the encoder makes (at most its 16 KB flush threshold, or one message).
    assert.ok(max <= OUTPUT_LIMIT + 64 * 1024, `the edge held at most ${max} bytes unsent`);
    assert.equal(await limitHits(s.registry, 'output_limit'), before + 1);
  });
});
