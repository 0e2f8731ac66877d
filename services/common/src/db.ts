// One small database interface with two implementations: node-postgres for
// the cluster and PGlite (PostgreSQL in WASM) for the embedded default. Both
// run the same SQL and the same migrations.
import pg from 'pg';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Plan the statement for these parameter values on every call: for a
   * search, whose best plan can depend on its patterns and dates. Other
   * statements are prepared once per connection and PostgreSQL may reuse a
   * generic plan for them (the primary-key and MODSEQ lookups a mail server
   * mostly runs, whose planning can cost more than their execution).
   */
  replan?: boolean;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>>;
}

/** Told of every statement a database ran (see instrumentDatabase in db-metrics.ts). */
export interface QueryObserver {
  /** `started`: performance.now() when the statement was sent; `ok`: whether it succeeded. */
  query(sql: string, started: number, ok: boolean): void;
}

/** A connection pool's state: connections open, idle among them, callers waiting for one, and the most it opens. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface Database extends Queryable {
  /** Runs fn inside BEGIN/COMMIT; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
  /** Reports every statement from now on to `observer` (undefined: to nobody). */
  observeQueries(observer: QueryObserver | undefined): void;
  /** The connection pool's state; undefined for a database without a pool (PGlite). */
  poolStats?(): PoolStats;
}

/**
 * Whether an error says the database cannot be reached now (refused, lost,
 * shutting down or starting up), as opposed to a statement that failed:
 * the caller may try again later.
 */
export function databaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  // 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now.
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/.test(message);
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** bigints in this schema (ids, UIDs, MODSEQs, sizes) stay far below 2^53. */
const parseInt8 = (v: string): number => Number(v);

/** bytea comes back as Uint8Array from PGlite and Buffer from pg: always Buffer. */
export function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError('expected bytea');
}

/** Statement texts that get a prepared statement of their own (per connection); later ones run unnamed. */
const MAX_PREPARED = 1000;

export class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  /** Statement text -> prepared statement name: parsed once per connection, not on every call. */
  private readonly prepared = new Map<string, string>();

  private config(text: string, values?: unknown[], opts?: QueryOptions): pg.QueryConfig {
    // Without parameters a text may hold several statements, which a prepared statement cannot.
    // An unnamed statement is planned for the values it is sent with.
    if (!values?.length || !this.prepare || opts?.replan) return { text, values: values as unknown[] };
    let name = this.prepared.get(text);
    if (name === undefined && this.prepared.size < MAX_PREPARED) this.prepared.set(text, (name = `k${this.prepared.size}`));
    return name === undefined ? { text, values } : { name, text, values };
  }

  private readonly prepare: boolean;
  private observer?: QueryObserver;
  private readonly max: number;

  /**
   * `prepare: false` sends every statement unnamed, and `sessionOptions: ''`
   * sends no server settings at connection start: both for poolers in front of
   * PostgreSQL that support neither (PgBouncer in transaction mode, say).
   */
  constructor(connectionString: string, opts: { max?: number; applicationName?: string; prepare?: boolean; sessionOptions?: string } = {}) {
    this.prepare = opts.prepare ?? true;
    this.max = opts.max ?? 10;
    const options = opts.sessionOptions ?? '-c plan_cache_mode=auto -c jit=off';
    this.pool = new pg.Pool({
      connectionString,
      max: this.max,
      application_name: opts.applicationName ?? 'kimap',
      // Statements are prepared once per connection (see config()); PostgreSQL
      // keeps a generic plan for one when it is no costlier than planning for
      // each call's values (`auto`, whatever the server's default says), and
      // statements sent with `replan` are planned on every call. JIT
      // compilation costs more than it saves for the short statements of a
      // mail server.
      ...(options ? { options } : {}),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === INT8_OID || oid === NUMERIC_OID) return parseInt8;
          return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
        }) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client that loses its connection must not crash the process.
    this.pool.on('error', () => undefined);
    // Nor one that loses it while checked out between two statements (PostgreSQL
    // stopped): the client reports it as an 'error' event when no statement is under
    // way to fail. Its next statement fails instead, and the pool drops it on release.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  observeQueries(observer: QueryObserver | undefined): void {
    this.observer = observer;
  }

  poolStats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, max: this.max };
  }

  async query<T>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>> {
    const started = this.observer ? performance.now() : 0;
    try {
      const r = await this.pool.query(this.config(sql, params, opts));
      this.observer?.query(sql, started, true);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      this.observer?.query(sql, started, false);
      throw err;
    }
  }

  /** BEGIN, COMMIT: observed like the statements between them. */
  private async run(client: pg.PoolClient, sql: string): Promise<void> {
    const started = this.observer ? performance.now() : 0;
    try {
      await client.query(sql);
      this.observer?.query(sql, started, true);
    } catch (err) {
      this.observer?.query(sql, started, false);
      throw err;
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection lost between two statements (PostgreSQL restarted) is
    // reported as an 'error' event: without a listener it would end the
    // process. The statements that follow fail, and the client is discarded.
    let lost: Error | undefined;
    const onError = (err: Error) => (lost = err);
    client.on('error', onError);
    const tx: Queryable = {
      query: async <R>(sql: string, params?: unknown[], opts?: QueryOptions) => {
        const started = this.observer ? performance.now() : 0;
        try {
          const r = await client.query(this.config(sql, params, opts));
          this.observer?.query(sql, started, true);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        } catch (err) {
          this.observer?.query(sql, started, false);
          throw err;
        }
      },
    };
    try {
      await this.run(client, 'BEGIN');
      const result = await fn(tx);
      await this.run(client, 'COMMIT');
      return result;
    } catch (err) {
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(
    fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }> }) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}

export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  private observer?: QueryObserver;
  private constructor(private readonly db: PgliteLike) {}

  observeQueries(observer: QueryObserver | undefined): void {
    this.observer = observer;
  }

  /** Runs a statement under the observer (see QueryObserver). */
  private async observed<R>(sql: string, run: () => Promise<R>): Promise<R> {
    const started = performance.now();
    try {
      const r = await run();
      this.observer?.query(sql, started, true);
      return r;
    } catch (err) {
      this.observer?.query(sql, started, false);
      throw err;
    }
  }

  /**
   * dataDir undefined: in memory (tests). `thread`: PGlite runs in a worker
   * thread of its own (pglite-worker.ts), beside the caller's event loop
   * instead of on it (the embedded server: EMBEDDED_DB_THREAD).
   */
  static async open(dataDir?: string, opts: { thread?: boolean } = {}): Promise<PgliteDatabase> {
    if (opts.thread) {
      const { PgliteThread } = await import('./pglite-thread.js');
      return new PgliteDatabase(await PgliteThread.start(dataDir));
    }
    const { openPglite } = await import('./pglite-open.js');
    return new PgliteDatabase(await openPglite(dataDir));
  }

  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const r = this.observer ? await this.observed(sql, () => this.db.query<T>(sql, params)) : await this.db.query<T>(sql, params);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (t) =>
      fn({
        query: async <R>(sql: string, params?: unknown[]) => {
          const r = this.observer ? await this.observed(sql, () => t.query<R>(sql, params)) : await t.query<R>(sql, params);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
      }),
    );
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** A DATABASE_URL of the form pglite:///path/to/dir (or pglite://memory) opens PGlite. */
export async function openDatabase(url: string, opts: { max?: number; applicationName?: string } = {}): Promise<Database> {
  if (url.startsWith('pglite:')) {
    const path = url.slice('pglite:'.length).replace(/^\/\//, '');
    return PgliteDatabase.open(path === 'memory' || path === '' ? undefined : path);
  }
  return new PgDatabase(url, {
    ...opts,
    prepare: process.env.DATABASE_PREPARED_STATEMENTS !== 'false',
    ...(process.env.DATABASE_SESSION_OPTIONS !== undefined ? { sessionOptions: process.env.DATABASE_SESSION_OPTIONS } : {}),
  });
}
