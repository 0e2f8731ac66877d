// The private Postfix of e2e/postfix/postfix.sh, driven from tests: started
// in front of an LMTP listener, fed over SMTP, its log read for outcomes.
import { spawn, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './cluster.js';

export const postfixScript = join(repoRoot, 'e2e/postfix/postfix.sh');

/** Postfix cannot be had here (not under CI=true, where the script fails instead: exit 1). */
export class PostfixUnavailable extends Error {}

function script(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(postfixScript, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (process.env.E2E_VERBOSE) process.stderr.write(d);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningPostfix {
  smtpPort: number;
  log: string;
  /** The log's lines that report a delivery (`status=`). */
  deliveries(): string[];
  stop(): Promise<void>;
}

/** Starts Postfix (installing it when missing) delivering the test domains to lmtp:inet:`lmtp`. */
export async function startPostfix(lmtp: string, env: Record<string, string> = {}): Promise<RunningPostfix> {
  const r = await script(['start', lmtp], env);
  const value = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1];
  const smtpPort = Number(value('SMTP_PORT'));
  const log = value('POSTFIX_LOG');
  if (r.code !== 0 || !smtpPort || !log) {
    const msg = `e2e/postfix/postfix.sh start exited with ${r.code}:\n${r.stderr.trim()}`;
    if (r.code === 3) throw new PostfixUnavailable(msg);
    throw new Error(msg);
  }
  return {
    smtpPort,
    log,
    deliveries: () => {
      try {
        return readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.includes(' status='));
      } catch {
        return [];
      }
    },
    async stop() {
      await script(['stop'], env);
    },
  };
}

/** Sends a message over SMTP with Python's smtplib (as any SMTP client would); the recipients Postfix refused. */
export async function sendSmtp(port: number, from: string, to: string[], message: string): Promise<Record<string, unknown>> {
  const py = `
import json, smtplib, sys
port, sender, rcpts, msg = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.stdin.buffer.read()
with smtplib.SMTP('127.0.0.1', port, timeout=30) as s:
    refused = s.sendmail(sender, rcpts, msg)
print(json.dumps(refused))
`;
  const run = promisify(execFile)('python3', ['-c', py, String(port), from, JSON.stringify(to)]);
  run.child.stdin!.end(message);
  const { stdout } = await run;
  return JSON.parse(stdout) as Record<string, unknown>;
}
