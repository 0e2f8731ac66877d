// PGlite in a worker thread (PgliteDatabase.open with `thread: 'worker'`):
// the embedded server's database runs beside the IMAP edge and the mailbox
// service instead of on their thread, so that the one process can use two
// cores. The messages are the few calls PgliteDatabase makes: query (in a
// transaction or not), exec, begin and end of a transaction, close.
import { parentPort, workerData } from 'node:worker_threads';
import { openPglite } from './pglite-open.js';
import type { WorkerReply, WorkerRequest } from './pglite-thread.js';

interface Tx {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }>;
  finish(commit: boolean): void;
}

/** Thrown inside a transaction the caller ended without committing: PGlite rolls it back. */
class RolledBack extends Error {}

const port = parentPort!;
const db = await openPglite((workerData as { dataDir?: string }).dataDir);
const txs = new Map<number, Tx>();

function reply(m: WorkerReply): void {
  port.postMessage(m);
}

/** An error as plain data: its message and the fields callers look at (code, detail, ...). */
function errorData(err: unknown): WorkerReply['error'] {
  const e = err as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const k of ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity'])
    if (typeof e?.[k] === 'string') out[k] = e[k];
  return { message: err instanceof Error ? err.message : String(err), fields: out };
}

async function handle(m: WorkerRequest): Promise<void> {
  switch (m.op) {
    case 'query': {
      const target = m.tx ? txs.get(m.tx) : db;
      if (!target) throw new Error(`no transaction ${m.tx}`);
      const r = await target.query(m.sql, m.params);
      reply({ id: m.id, rows: r.rows, affectedRows: r.affectedRows ?? r.rows.length });
      return;
    }
    case 'exec':
      await db.exec(m.sql);
      reply({ id: m.id });
      return;
    case 'begin': {
      let finish!: (commit: boolean) => void;
      const ended = new Promise<boolean>((resolve) => (finish = resolve));
      let begun = false;
      // The transaction stays open until the caller's `end`; its result answers that `end`.
      const done = db.transaction(async (t) => {
        txs.set(m.tx, { query: (sql, params) => t.query(sql, params), finish });
        begun = true;
        reply({ id: m.id });
        if (!(await ended)) throw new RolledBack();
      });
      done.then(
        () => reply({ id: -m.tx }),
        (err: unknown) => {
          if (!begun) reply({ id: m.id, error: errorData(err) });
          reply(err instanceof RolledBack ? { id: -m.tx } : { id: -m.tx, error: errorData(err) });
        },
      );
      return;
    }
    case 'end': {
      const tx = txs.get(m.tx);
      txs.delete(m.tx);
      // The transaction's outcome is the reply to -tx, which the caller waits for.
      tx?.finish(m.commit);
      if (!tx) reply({ id: -m.tx, error: { message: `no transaction ${m.tx}`, fields: {} } });
      return;
    }
    case 'close':
      await db.close();
      reply({ id: m.id });
      return;
  }
}

port.on('message', (m: WorkerRequest) => {
  handle(m).catch((err: unknown) => reply({ id: m.id, error: errorData(err) }));
});
reply({ id: 0 });
