// Runs transcripts by hand, or records what servers answer (in transcript syntax)
// to help write a new transcript.
//
// Against both servers, started here (kimap needs DATABASE_URL and KAFKA_BROKERS:
// `. scripts/test-env.sh` first):
//   node --conditions=source --import tsx e2e/src/transcript-cli.ts [--record] [--only kimap|dovecot] FILE.imap...
// Against both servers kept running by `node ... e2e/src/transcript-servers.ts` (faster):
//   node --conditions=source --import tsx e2e/src/transcript-cli.ts --dev [--record] FILE.imap...
// Against a running server, as a given user (the transcript expects a fresh account):
//   node --conditions=source --import tsx e2e/src/transcript-cli.ts --port N --user U --pass P --server kimap|dovecot [--record] FILE.imap...
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SERVERS, type Account, type AccountQuota, type ServerName } from './transcript/model.js';
import { parseTranscript } from './transcript/parser.js';
import { formatMismatches } from './transcript/report.js';
import { runTranscript } from './transcript/runner.js';
import { devAccounts, devFile, startDovecot, startKimap, type DevServers, type TranscriptServer } from './transcript-servers.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    user: { type: 'string' },
    pass: { type: 'string' },
    server: { type: 'string', default: 'dovecot' },
    only: { type: 'string' },
    record: { type: 'boolean', default: false },
    dev: { type: 'boolean', default: false },
  },
});

if (positionals.length === 0) {
  console.error('usage: transcript-cli.ts [--record] [--only kimap|dovecot] [--port N --user U --pass P --server NAME] FILE.imap...');
  process.exit(2);
}

interface Target {
  name: ServerName;
  port: number;
  account(name: string, quota?: AccountQuota): Promise<Account>;
}

const targets: Target[] = [];
const started: TranscriptServer[] = [];
if (values.port) {
  targets.push({
    name: values.server as ServerName,
    port: Number(values.port),
    account: () => Promise.resolve({ user: values.user ?? '', password: values.pass ?? '' }),
  });
} else if (values.dev) {
  // Servers kept running by `transcript-servers.ts`.
  const dev = JSON.parse(readFileSync(devFile, 'utf8')) as DevServers;
  const accounts = await devAccounts(dev);
  for (const name of SERVERS) {
    if (values.only && values.only !== name) continue;
    targets.push({ name, port: dev[name].port, account: accounts[name] });
  }
} else {
  for (const name of SERVERS) {
    if (values.only && values.only !== name) continue;
    const s = name === 'kimap' ? await startKimap() : await startDovecot();
    started.push(s);
    targets.push({ name, port: s.port, account: (n, q) => s.newAccount(n, q) });
  }
}

let failed = 0;
try {
  for (const file of positionals) {
    const t = parseTranscript(readFileSync(file, 'utf8'), file);
    for (const target of targets) {
      const account = await target.account(t.name, t.quota);
      const run = await runTranscript(t, { server: target.name, port: target.port, host: values.host, account, record: values.record });
      if (values.record) {
        console.log(`# ---- ${file}: recorded from ${target.name} as ${account.user}`);
        console.log(run.log.join('\n'));
      } else if (run.mismatches.length) {
        failed++;
        console.log(`FAIL ${target.name} ${file}\n${formatMismatches(run)}`);
      } else {
        console.log(`ok   ${target.name} ${file}`);
      }
    }
  }
} finally {
  for (const s of started) await s.stop();
}
process.exit(failed ? 1 : 0);
