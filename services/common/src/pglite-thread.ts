// The calling side of PGlite in a worker thread (pglite-worker.ts): the same
// few calls PgliteDatabase makes of PGlite, as messages. Values cross as
// structured clones; bytea comes back as Buffer, errors with their code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export type WorkerRequest =
  | { op: 'query'; id: number; tx?: number; sql: string; params?: unknown[] }
  | { op: 'exec'; id: number; sql: string }
  | { op: 'begin'; id: number; tx: number }
  | { op: 'end'; id: number; tx: number; commit: boolean }
  | { op: 'close'; id: number };

export interface WorkerReply {
  /** The request's id; -tx: the outcome of transaction tx; 0: the database is ready. */
  id: number;
  rows?: unknown[];
  affectedRows?: number;
  error?: { message: string; fields: Record<string, string> };
}

interface Rows<T> {
  rows: T[];
  affectedRows?: number;
}

/** Bytea values arrive as Uint8Array: made Buffers again, as PGlite gives them on the calling thread. */
function withBuffers(rows: unknown[]): void {
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const r = row as Record<string, unknown>;
    for (const k in r) {
      const v = r[k];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v)) r[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  }
}

/**
 * The worker: the compiled file, or, running from the TypeScript sources
 * (tests, tsx), a script that registers tsx in the worker first (a worker
 * does not inherit the loader hooks of its parent).
 */
function newWorker(dataDir: string | undefined): Worker {
  const js = new URL('./pglite-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: { dataDir } });
  const ts = new URL('./pglite-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true, workerData: { dataDir } });
}

export class PgliteThread {
  private nextId = 1;
  private nextTx = 1;
  private readonly pending = new Map<number, { resolve(r: WorkerReply): void; reject(err: Error): void }>();
  private failed?: Error;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error.fields));
      else p.resolve(m);
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the database thread exited (${code})`)));
  }

  /** Starts the thread and waits until the database is open (undefined dataDir: in memory). */
  static async start(dataDir?: string): Promise<PgliteThread> {
    const worker = newWorker(dataDir);
    const thread = new PgliteThread(worker);
    await new Promise<WorkerReply>((resolve, reject) => thread.pending.set(0, { resolve, reject }));
    return thread;
  }

  private call(m: WorkerRequest): Promise<WorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(m.id, { resolve, reject });
      this.worker.postMessage(m);
    });
  }

  async query<T>(sql: string, params?: unknown[], tx?: number): Promise<Rows<T>> {
    const r = await this.call({ op: 'query', id: this.nextId++, sql, ...(params && { params }), ...(tx && { tx }) });
    const rows = (r.rows ?? []) as T[];
    withBuffers(rows);
    return { rows, ...(r.affectedRows !== undefined && { affectedRows: r.affectedRows }) };
  }

  async exec(sql: string): Promise<void> {
    await this.call({ op: 'exec', id: this.nextId++, sql });
  }

  /** Runs `fn` in one transaction on the database thread: committed when it returns, rolled back when it throws. */
  async transaction<T>(fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<Rows<R>> }) => Promise<T>): Promise<T> {
    const tx = this.nextTx++;
    await this.call({ op: 'begin', id: this.nextId++, tx });
    let result: T;
    try {
      result = await fn({ query: <R>(sql: string, params?: unknown[]) => this.query<R>(sql, params, tx) });
    } catch (err) {
      await this.call({ op: 'end', id: -tx, tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await this.call({ op: 'end', id: -tx, tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (!this.failed) await this.call({ op: 'close', id: this.nextId++ }).catch(() => undefined);
    await this.worker.terminate();
  }
}
