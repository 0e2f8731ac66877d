// The embedded server as `make run` starts it, a process of its own: killed
// with SIGKILL (an OOM kill, a power cut) during an APPEND storm, it starts
// again on the same data folder with every acknowledged message there once;
// a second server on a folder in use is refused with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const USER = 'owner@example.org';
const PASSWORD = 'owner-password';

interface Server {
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  exited: Promise<number | null>;
}

function spawnServer(dataDir: string): Server {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'services/server/src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      IMAP_PORT: '0',
      IMAPS_PORT: '0',
      LMTP_PORT: '0',
      OPS_PORT: '0',
      BOOTSTRAP_USER: USER,
      BOOTSTRAP_PASSWORD: PASSWORD,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

/** Starts a server and waits until it serves; its plaintext IMAP port. */
async function startServer(dataDir: string): Promise<Server & { port: number }> {
  const s = spawnServer(dataDir);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const m = /"imapPort":(\d+)[^\n]*"msg":"kimap is running/.exec(s.output());
    if (m) return { ...s, port: Number(m[1]) };
    if (s.child.exitCode !== null) assert.fail(`the server exited with ${s.child.exitCode}:\n${s.output()}`);
    if (Date.now() > deadline) {
      s.child.kill('SIGKILL');
      assert.fail(`the server did not start:\n${s.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function kill9(s: Server): Promise<void> {
  s.child.kill('SIGKILL');
  await s.exited;
}

function client(port: number): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false });
}

/** Message-IDs in INBOX, each with how many times it is there. */
async function inbox(port: number): Promise<Map<string, number>> {
  const c = client(port);
  await c.connect();
  const seen = new Map<string, number>();
  const lock = await c.getMailboxLock('INBOX');
  try {
    if ((c.mailbox && typeof c.mailbox === 'object' ? c.mailbox.exists : 0) > 0) {
      for await (const m of c.fetch('1:*', { envelope: true })) {
        const id = m.envelope?.messageId ?? '';
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
  } finally {
    lock.release();
  }
  await c.logout();
  return seen;
}

/**
 * APPENDs from several clients until stopped (the server killed under them);
 * the Message-IDs of the APPENDs that got a tagged OK.
 */
function storm(port: number, clients: number, round: number) {
  const acked: string[] = [];
  let stop = false;
  const runs = Array.from({ length: clients }, async (_, k) => {
    const c = client(port);
    c.on('error', () => undefined);
    try {
      await c.connect();
      for (let i = 0; !stop; i++) {
        const id = `<r${round}-c${k}-m${i}@restart.test>`;
        const body = `Message-ID: ${id}\r\nSubject: round ${round}\r\n\r\n${'x'.repeat(2000)}\r\n`;
        await c.append('INBOX', body);
        acked.push(id);
      }
    } catch {
      // The server went away under the client: what it acknowledged is counted.
    } finally {
      c.close();
    }
  });
  return {
    acked,
    async stop() {
      stop = true;
      await Promise.all(runs);
    },
  };
}

test('killed with SIGKILL during an APPEND storm, the embedded server starts again with every acknowledged message once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kimap-restart-'));
  let running: Server | undefined;
  try {
    // A kill in the first start (migrations, the demo account, the certificate) leaves a folder that starts.
    const first = spawnServer(dataDir);
    await new Promise((r) => setTimeout(r, 1500));
    await kill9(first);

    const acked: string[] = [];
    for (let round = 1; round <= 2; round++) {
      const s = await startServer(dataDir);
      running = s;
      assert.ok(existsSync(join(dataDir, 'mailbox.sock')));
      const load = storm(s.port, 4, round);
      // Enough acknowledged writes that the kill lands in the middle of others.
      while (load.acked.length < 40) await new Promise((r) => setTimeout(r, 20));
      await kill9(s);
      running = undefined;
      await load.stop();
      acked.push(...load.acked);
      // What a SIGKILL leaves behind: the socket, and the lock naming a dead process.
      assert.ok(existsSync(join(dataDir, 'mailbox.sock')), 'the killed server left its socket');
      assert.ok(existsSync(join(dataDir, 'kimap.lock')), 'the killed server left its lock');
    }

    const s = await startServer(dataDir);
    running = s;
    const present = await inbox(s.port);
    const lost = acked.filter((id) => !present.has(id));
    const duplicated = [...present].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(lost, [], 'no acknowledged message is lost');
    assert.deepEqual(duplicated, [], 'no message is there twice');
    assert.ok(acked.length >= 80);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    running = undefined;
    assert.ok(!existsSync(join(dataDir, 'kimap.lock')), 'a clean stop releases the lock');
  } finally {
    if (running) await kill9(running);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a second server on a data folder in use is refused with a clear error, and the first keeps serving', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kimap-restart-'));
  const first = await startServer(dataDir);
  try {
    const second = spawnServer(dataDir);
    const code = await second.exited;
    assert.equal(code, 75, second.output());
    assert.match(
      second.output(),
      new RegExp(`${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another kimap process \\(pid ${first.child.pid}`),
    );
    assert.doesNotMatch(second.output(), /EADDRINUSE/);
    // The refused start touched nothing of the first's.
    const c = client(first.port);
    await c.connect();
    await c.append('INBOX', 'Message-ID: <still@restart.test>\r\n\r\nstill serving\r\n');
    await c.logout();
    assert.ok(existsSync(join(dataDir, 'mailbox.sock')));
  } finally {
    first.child.kill('SIGTERM');
    await first.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
