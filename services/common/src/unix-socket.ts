// A Unix socket file outlives a process that is killed (kill -9, an OOM kill):
// the next bind then fails with EADDRINUSE although nobody listens. Before a
// bind, a socket file nobody answers on is removed; one that answers belongs
// to a live process, and the bind is refused with an error saying so.
import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';

/** The path is a socket another process is listening on. */
export class SocketInUseError extends Error {
  constructor(readonly path: string) {
    super(`${path} is in use: another process is listening on it`);
    this.name = 'SocketInUseError';
  }
}

/** Whether something accepts connections on the Unix socket at path (false: refused, or no such file). */
export function socketAnswers(path: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = connect({ path });
    const done = (answer: boolean | Error) => {
      clearTimeout(timer);
      s.destroy();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    // A listener too busy to accept still holds the socket: count it as live.
    const timer = setTimeout(() => done(true), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') done(false);
      else done(err);
    });
  });
}

/**
 * Makes path free for a new Unix socket: nothing there, or a stale socket
 * (connections refused), which is removed. Throws SocketInUseError when a
 * process listens on it, and an error when the path is something else than
 * a socket (a file we must not delete).
 */
export async function clearStaleSocket(path: string): Promise<'absent' | 'removed'> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket; remove it or choose another path`);
  if (await socketAnswers(path)) throw new SocketInUseError(path);
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return 'removed';
}
