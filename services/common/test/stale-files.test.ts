// What a killed process leaves in a data folder: a Unix socket nobody listens
// on and a lock naming a process that is gone. Both are taken over at the next
// start; a live socket or a live holder refuses the start with a clear error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bindServer,
  clearStaleSocket,
  createGrpcServer,
  DATA_DIR_LOCK_FILE,
  DataDirInUseError,
  lockDataDir,
  SocketInUseError,
  unixSocketPath,
} from '../src/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kimap-stale-'));
}

/** A socket file as a kill -9 leaves it: bound, then the process (here: the child) gone. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(existsSync(path), 'the killed process left its socket behind');
}

describe('stale Unix sockets', () => {
  test('a socket nobody listens on is removed, and a gRPC server binds where it was', async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'mailbox.sock');
      await staleSocket(path);
      const server = createGrpcServer();
      await bindServer(server, `unix:${path}`);
      server.forceShutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a socket a process listens on is refused with SocketInUseError, and left alone', async () => {
    const dir = tempDir();
    const path = join(dir, 'mailbox.sock');
    const live = createServer();
    await new Promise<void>((resolve) => live.listen(path, resolve));
    try {
      await assert.rejects(clearStaleSocket(path), (err: unknown) => err instanceof SocketInUseError && err.message.includes(path));
      await assert.rejects(bindServer(createGrpcServer(), `unix:${path}`), SocketInUseError);
      assert.ok(existsSync(path));
    } finally {
      await new Promise((resolve) => live.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a regular file where the socket should be is not deleted', async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'mailbox.sock');
      writeFileSync(path, 'precious');
      await assert.rejects(clearStaleSocket(path), /is not a socket/);
      assert.equal(readFileSync(path, 'utf8'), 'precious');
      assert.equal(await clearStaleSocket(join(dir, 'none.sock')), 'absent');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unix addresses name their file; host:port names none', () => {
    assert.equal(unixSocketPath('unix:/run/kimap/admin.sock'), '/run/kimap/admin.sock');
    assert.equal(unixSocketPath('unix:///run/kimap/admin.sock'), '/run/kimap/admin.sock');
    assert.equal(unixSocketPath('unix:rel.sock'), 'rel.sock');
    assert.equal(unixSocketPath('127.0.0.1:50051'), undefined);
  });
});

describe('the data folder lock', () => {
  test('a second lock in a live process is refused, naming the holder; released, it can be taken again', () => {
    const dir = tempDir();
    try {
      const lock = lockDataDir(dir, 'kimap');
      assert.throws(
        () => lockDataDir(dir, 'imapctl'),
        (err: unknown) =>
          err instanceof DataDirInUseError && err.holder.pid === process.pid && /in use by another kimap process/.test(err.message),
      );
      lock.release();
      assert.ok(!existsSync(join(dir, DATA_DIR_LOCK_FILE)));
      lockDataDir(dir, 'kimap').release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a lock whose process is gone, or that cannot be read, is taken over', async () => {
    const dir = tempDir();
    try {
      const child = spawn(process.execPath, ['-e', '0']);
      await new Promise((resolve) => child.once('exit', resolve));
      writeFileSync(join(dir, DATA_DIR_LOCK_FILE), JSON.stringify({ pid: child.pid, command: 'kimap' }));
      const lock = lockDataDir(dir, 'kimap');
      assert.equal((JSON.parse(readFileSync(join(dir, DATA_DIR_LOCK_FILE), 'utf8')) as { pid: number }).pid, process.pid);
      lock.release();
      writeFileSync(join(dir, DATA_DIR_LOCK_FILE), '{"pi');
      lockDataDir(dir, 'kimap').release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a lock naming a reused pid (same pid, another start time) is stale', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, DATA_DIR_LOCK_FILE), JSON.stringify({ pid: process.pid, startTicks: '1', command: 'kimap' }));
      lockDataDir(dir, 'kimap').release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
