// Python's standard imaplib against the cluster (one mailbox service, one edge,
// PostgreSQL, Kafka), over IMAPS and over STARTTLS, with LOGIN refused before TLS.
// The checks live in e2e/interop/imaplib_e2e.py; this file starts the cluster,
// runs the script per mode and shows its output (with imaplib's protocol trace)
// when it fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { interopDir, python, run, startInteropCluster, tail, type InteropCluster } from '../src/interop.js';

const account = { user: 'py@example.test', pass: 'py-password-123' };

describe('Python imaplib against the cluster (ALLOW_PLAINTEXT_AUTH=false)', () => {
  let cluster: InteropCluster;

  before(async () => {
    cluster = await startInteropCluster({ accounts: [account], allowPlaintextAuth: false });
  });

  after(async () => {
    await cluster?.stop();
  });

  for (const mode of ['imaps', 'starttls'] as const) {
    test(`imaplib over ${mode === 'imaps' ? 'implicit TLS (IMAPS)' : 'STARTTLS'}`, { timeout: 120_000 }, async () => {
      const r = await run(
        python(),
        [
          join(interopDir, 'imaplib_e2e.py'),
          '--host', cluster.host,
          '--imap-port', String(cluster.imapPort),
          '--imaps-port', String(cluster.imapsPort),
          '--user', account.user,
          '--password', account.pass,
          '--mode', mode,
          '--debug', process.env.IMAPLIB_DEBUG ?? '4',
        ],
        { timeoutMs: 100_000, env: { PYTHONUNBUFFERED: '1' } },
      );
      if (r.code !== 0 || process.env.E2E_VERBOSE) {
        const at = r.stdout.lastIndexOf('==== ');
        const summary = at >= 0 ? r.stdout.slice(at) : r.stdout.split('\n').filter((l) => l.startsWith('FAIL')).join('\n');
        const text =
          `imaplib_e2e.py --mode ${mode} exited with ${r.code}${r.timedOut ? ' (timed out)' : ''} after ${r.ms} ms\n` +
          `---- failures ----\n${summary}\n---- stdout ----\n${tail(r.stdout, 20_000)}\n` +
          `---- imaplib protocol trace (stderr) ----\n${tail(r.stderr, 20_000)}\n---- services ----\n${tail(cluster.logs(), 4_000)}`;
        if (r.code !== 0) assert.fail(text);
        process.stderr.write(text + '\n');
      }
      assert.equal(r.code, 0);
    });
  }
});
