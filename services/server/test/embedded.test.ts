// The embedded default: one process, PGlite in a data folder, in-process bus,
// self-signed TLS. Data and the certificate survive a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { createLogger } from '@kimap/common';
import { LmtpClient } from '@kimap/delivery/testing/lmtp-client';
import { ImapClient } from '../../imap-edge/test/support/imap-client.js';
import { startEmbedded } from '../src/embedded.js';

const settings = {
  hostname: 'localhost',
  allowPlaintextAuth: false,
  tlsAvailable: true,
  pollIntervalMs: 30_000,
  idleKeepaliveMs: 120_000,
  limits: { maxLineLength: 65536, appendLimit: 1_000_000, maxBadCommands: 20, preAuthTimeoutMs: 60_000, autologoutMs: 1_800_000 },
};

function client(port: number, user: string, pass: string, secure: boolean): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure, tls: { rejectUnauthorized: false }, auth: { user, pass }, logger: false });
}

test('embedded server: demo account, implicit TLS and STARTTLS, data survives a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kimap-embedded-'));
  const log = createLogger('test', 'silent');
  try {
    const lines: string[] = [];
    let server = await startEmbedded({
      dataDir,
      imapPort: 0,
      imapsPort: 0,
      host: '127.0.0.1',
      settings,
      log,
      announce: (l) => lines.push(l),
    });
    assert.equal(lines.length, 1);
    const m = /demo account (\S+) with password (\S+) /.exec(lines[0]!);
    assert.ok(m, lines[0]);
    const [, user, pass] = m;
    const cert1 = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');

    const c = client(server.edge.imapsPort!, user!, pass!, true);
    await c.connect();
    const raw = Buffer.from('Subject: kept\r\n\r\nstill here after a restart\r\n');
    const res = await c.append('Drafts', raw, ['\\Draft']);
    assert.ok(res && res.uid === 1);
    await c.logout();
    await server.stop();

    const again: string[] = [];
    server = await startEmbedded({ dataDir, imapPort: 0, imapsPort: 0, host: '127.0.0.1', settings, log, announce: (l) => again.push(l) });
    try {
      assert.deepEqual(again, [], 'no second demo account');
      assert.equal(readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8'), cert1, 'the certificate is kept');
      // Plaintext port: imapflow upgrades with STARTTLS before it logs in.
      const d = client(server.edge.imapPort!, user!, pass!, false);
      await d.connect();
      const lock = await d.getMailboxLock('Drafts');
      try {
        const msg = await d.fetchOne('1', { source: true, flags: true }, { uid: true });
        assert.ok(msg && Buffer.isBuffer(msg.source) && msg.source.equals(raw));
        assert.ok(msg.flags?.has('\\Draft'));
      } finally {
        lock.release();
      }
      await d.logout();
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('embedded server: BOOTSTRAP_USER creates that account once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kimap-embedded-'));
  const log = createLogger('test', 'silent');
  try {
    const lines: string[] = [];
    const server = await startEmbedded({
      dataDir,
      imapPort: 0,
      imapsPort: 0,
      host: '127.0.0.1',
      settings,
      log,
      announce: (l) => lines.push(l),
      bootstrapUser: 'Owner@Example.ORG',
      bootstrapPassword: 'owner-password',
    });
    try {
      assert.deepEqual(lines, []);
      const c = client(server.edge.imapsPort!, 'owner@example.org', 'owner-password', true);
      await c.connect();
      const boxes = (await c.list()).map((b) => b.path).sort();
      assert.deepEqual(boxes, ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
      await c.logout();
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('embedded server: LMTP delivery in the same process wakes an IDLE session (EXISTS)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kimap-embedded-'));
  const log = createLogger('test', 'silent');
  const lmtp = {
    host: '127.0.0.1',
    port: 0,
    settings: {
      hostname: 'kimap.test',
      maxMessageSize: 1_000_000,
      maxRecipients: 10,
      maxConnections: 10,
      socketTimeoutMs: 30_000,
      mailboxDeadlineMs: 10_000,
      quotaPermanent: false,
    },
  };
  const server = await startEmbedded({
    dataDir,
    imapPort: 0,
    imapsPort: 0,
    host: '127.0.0.1',
    settings,
    log,
    lmtp,
    opsPort: 0,
    bootstrapUser: 'owner@example.org',
    bootstrapPassword: 'owner-password',
  });
  try {
    const c = client(server.edge.imapsPort!, 'owner@example.org', 'owner-password', true);
    await c.connect();
    const lock = await c.getMailboxLock('INBOX');
    try {
      const exists = new Promise<number>((resolve) => c.on('exists', (e: { count: number }) => resolve(e.count)));
      void c.idle();
      const { client: lmtpClient, greeting } = await LmtpClient.open(server.delivery!.port);
      assert.match(greeting.text, /LMTP/);
      const rcpt = await lmtpClient.envelope('sender@example.net', ['owner@example.org', 'nobody@example.org']);
      assert.deepEqual(
        rcpt.map((r) => r.code),
        [250, 550],
      );
      const [done] = await lmtpClient.data('Subject: delivered\r\n\r\nover LMTP\r\n', 1);
      assert.equal(done!.code, 250);
      await lmtpClient.quit();
      assert.equal(await exists, 1);
      const msg = await c.fetchOne('1', { source: true, flags: true }, { uid: true });
      assert.ok(msg && Buffer.isBuffer(msg.source));
      // ImapFlow speaks IMAP4rev2: no \Recent (the message is left unclaimed).
      assert.ok(!msg.flags?.has('\\Recent'));
      assert.match(msg.source.toString(), /^Return-Path: <sender@example\.net>\r\nReceived: from mta\.example\.net/);
    } finally {
      lock.release();
    }
    await c.logout();
    // One registry for the three services: the families they share are exported once, with each one's samples.
    const text = await (await fetch(`http://127.0.0.1:${server.opsPort}/metrics`)).text();
    for (const family of ['kimap_connections_total', 'kimap_grpc_client_duration_seconds', 'kimap_bytes_received_total']) {
      assert.equal(
        text.split('\n').filter((l) => l === `# TYPE ${family} ${family.endsWith('_total') ? 'counter' : 'histogram'}`).length,
        1,
        family,
      );
    }
    assert.match(text, /^kimap_connections_total\{listener="imaps",tls="true",service="kimap"\} 1$/m);
    assert.match(text, /^kimap_connections_total\{listener="lmtp",tls="false",service="kimap"\} 1$/m);
    assert.match(text, /^kimap_grpc_client_duration_seconds_count\{method="Deliver",code="OK",service="kimap"\} 1$/m);
    assert.match(text, /^kimap_grpc_client_duration_seconds_count\{method="Authenticate",code="OK",service="kimap"\} 1$/m);
    assert.match(text, /^kimap_grpc_server_duration_seconds_count\{method="Deliver",code="OK",service="kimap"\} 1$/m);
    assert.match(text, /^kimap_change_push_latency_seconds_count\{service="kimap"\} 1$/m);
    assert.match(text, /^kimap_pg_query_duration_seconds_count\{statement="kimap_append",service="kimap"\} [1-9]/m);
    assert.match(text, /^kimap_bytes_received_total\{protocol="lmtp",service="kimap"\} [1-9]/m);
    // The delivered message, left unclaimed by the IMAP4rev2 session: an IMAP4rev1
    // SELECT claims it (in PGlite), and no later one. Unseen: IMAP4rev1 is told so.
    for (const expected of ['* 1 RECENT', '* 0 RECENT']) {
      const { client: rev1 } = await ImapClient.connect(server.edge.imapsPort!, { tls: true, timeoutMs: 10_000 });
      try {
        assert.match((await rev1.command('l', 'LOGIN owner@example.org owner-password')).tagged, /^l OK/);
        const selected = (await rev1.command('s', 'SELECT INBOX')).untagged;
        assert.ok(selected.includes(expected), expected);
        assert.ok(selected.includes('* OK [UNSEEN 1] First unseen'), selected.join('\n'));
      } finally {
        await rev1.close();
      }
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
