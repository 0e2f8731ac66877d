// Python's standard imaplib against the cluster (one mailbox service, one edge,
// PostgreSQL, Kafka), over IMAPS and over STARTTLS, with LOGIN refused before TLS.
// The checks live in e2e/interop/imaplib_e2e.py; this file starts the cluster,
// runs the script per mode, shows each of its checks as a test of its own, and
// shows its output (with imaplib's protocol trace) when it fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { interopDir, python, run, startInteropCluster, tail, type InteropCluster } from '../src/interop.js';

const account = { user: 'py@example.test', pass: 'py-password-123' };

/** One line of `imaplib_e2e.py --report jsonl`. */
type ReportLine = { check: string; ok: boolean; detail: string } | { note: string } | { info: string };

/** The script's report, line by line; a line that is not JSON is kept as information. */
function readReport(stdout: string): ReportLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as ReportLine;
      } catch {
        return { info: l };
      }
    });
}

/** The report as the script prints it without --report jsonl. */
function asText(report: ReportLine[]): string {
  return report
    .map((r) =>
      'check' in r
        ? r.ok
          ? `ok   ${r.check}`
          : `FAIL ${r.check}${r.detail ? ': ' + r.detail : ''}`
        : 'note' in r
          ? `note ${r.note}`
          : r.info,
    )
    .join('\n');
}

describe('Python imaplib against the cluster (ALLOW_PLAINTEXT_AUTH=false)', () => {
  let cluster: InteropCluster;

  before(async () => {
    cluster = await startInteropCluster({ accounts: [account], allowPlaintextAuth: false });
  });

  after(async () => {
    await cluster?.stop();
  });

  for (const mode of ['imaps', 'starttls'] as const) {
    test(`imaplib over ${mode === 'imaps' ? 'implicit TLS (IMAPS)' : 'STARTTLS'}`, { timeout: 120_000 }, async (t) => {
      const r = await run(
        python(),
        [
          join(interopDir, 'imaplib_e2e.py'),
          '--host',
          cluster.host,
          '--imap-port',
          String(cluster.imapPort),
          '--imaps-port',
          String(cluster.imapsPort),
          '--user',
          account.user,
          '--password',
          account.pass,
          '--mode',
          mode,
          '--debug',
          process.env.IMAPLIB_DEBUG ?? '4',
          '--report',
          'jsonl',
        ],
        { timeoutMs: 100_000, env: { PYTHONUNBUFFERED: '1' } },
      );
      const report = readReport(r.stdout);
      const checks = report.filter((l) => 'check' in l);
      for (const l of report) if ('note' in l) t.diagnostic(`note ${l.note}`);

      // Each check a test of its own, so that a failure names what failed.
      const seen = new Map<string, number>();
      for (const c of checks) {
        const n = (seen.get(c.check) ?? 0) + 1;
        seen.set(c.check, n);
        await t.test(n === 1 ? c.check : `${c.check} (#${n})`, () => {
          if (!c.ok) assert.fail(c.detail || 'failed');
        });
      }

      const failed = checks.filter((c) => !c.ok);
      if (r.code !== 0 || failed.length || checks.length === 0 || process.env.E2E_VERBOSE) {
        const text =
          `imaplib_e2e.py --mode ${mode} exited with ${r.code}${r.timedOut ? ' (timed out)' : ''} after ${r.ms} ms, ` +
          `${checks.length} checks, ${failed.length} failed\n` +
          `---- failures ----\n${asText(failed)}\n---- stdout ----\n${tail(asText(report), 20_000)}\n` +
          `---- imaplib protocol trace (stderr) ----\n${tail(r.stderr, 20_000)}\n---- services ----\n${tail(cluster.logs(), 4_000)}`;
        if (r.code !== 0 || checks.length === 0) assert.fail(text);
        process.stderr.write(text + '\n');
      }
      assert.ok(checks.length > 0, 'the script reported no checks');
      assert.equal(r.code, 0);
    });
  }
});
