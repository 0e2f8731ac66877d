// One process at a time on an embedded data folder: two PGlite instances
// writing the same files would corrupt the database. The lock is a file
// naming its holder (pid and the process's start time); it survives a crash
// of its holder, so a lock whose process is gone is stale and is taken over.
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR_LOCK_FILE = 'kimap.lock';

/** The data folder is held by a running process. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(`${dataDir} is in use by another kimap process (pid ${holder.pid}${holder.command ? `, ${holder.command}` : ''}); stop it first`);
    this.name = 'DataDirInUseError';
  }
}

export interface LockHolder {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), telling a reused pid apart. */
  startTicks?: string;
  /** What holds it (kimap, imapctl), for the message. */
  command?: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the lock of dataDir (which must exist), or throws DataDirInUseError.
 * A lock left by a process that is gone is removed and taken.
 */
export function lockDataDir(dataDir: string, command: string): DataDirLock {
  const path = join(dataDir, DATA_DIR_LOCK_FILE);
  const me: LockHolder = { pid: process.pid, command };
  const ticks = startTicks(process.pid);
  if (ticks) me.startTicks = ticks;
  const content = JSON.stringify(me) + '\n';
  // Written whole under a name of its own, then linked into place: the lock
  // file is never seen half written, and link() fails when one exists.
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, content);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
      }
      const held = readHolder(path);
      if (held === 'absent') continue;
      // (This very process counts as alive: a second start in one process is refused too.)
      if (held !== 'unreadable' && alive(held)) throw new DataDirInUseError(dataDir, held);
      // Stale: removed only while it still says what was judged stale.
      removeIfUnchanged(path, held);
    }
  } finally {
    unlinkSync(mine);
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      const held = readHolder(path);
      if (held !== 'absent' && held !== 'unreadable' && held.pid === process.pid) removeIfUnchanged(path, held);
    },
  };
}

function readHolder(path: string): LockHolder | 'absent' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return 'unreadable';
    return {
      pid: v.pid,
      ...(typeof v.startTicks === 'string' && { startTicks: v.startTicks }),
      ...(typeof v.command === 'string' && { command: v.command }),
    };
  } catch {
    return 'unreadable';
  }
}

function removeIfUnchanged(path: string, held: LockHolder | 'unreadable'): void {
  const now = readHolder(path);
  if (now === 'absent') return;
  if (held !== 'unreadable' && (now === 'unreadable' || now.pid !== held.pid || now.startTicks !== held.startTicks)) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Whether the lock's process still runs (the same process, where its start time is known). */
function alive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: a process of another user has that pid; it exists.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!holder.startTicks) return true;
  const now = startTicks(holder.pid);
  return now === undefined || now === holder.startTicks;
}

/** Field 22 of /proc/<pid>/stat (start time since boot); undefined off Linux. */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
