// The database's metrics: every statement's duration by its kind, and the
// connection pool's state at each scrape.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database } from './db.js';
import { FastHistogram, LATENCY_BUCKETS, type HistogramSeries } from './metrics.js';

const KINDS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback', 'lock', 'set']);

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isNameChar = (c: number) => isLetter(c) || (c >= 48 && c <= 57) || c === 95;

/**
 * A statement's label: its first keyword (select, insert, update, delete,
 * with, begin, commit, ...; `other` for the rest), or for a SELECT that calls
 * a function of the schema (`SELECT * FROM kimap_append(...)`) the name of the
 * first one it calls: the writes of the mailbox service are such functions
 * (migrations 0006 onwards). Statement texts come from the code, their values
 * travel as parameters: a label never holds what a user sent.
 */
export function statementKind(sql: string): string {
  let i = 0;
  while (i < sql.length && (sql.charCodeAt(i) <= 32 || sql.charCodeAt(i) === 40)) i++;
  let j = i;
  while (j < sql.length && isLetter(sql.charCodeAt(j))) j++;
  const word = sql.slice(i, j).toLowerCase();
  if (!KINDS.has(word)) return 'other';
  if (word !== 'select') return word;
  for (let k = sql.indexOf('kimap_', j); k >= 0; k = sql.indexOf('kimap_', k + 6)) {
    if (isNameChar(sql.charCodeAt(k - 1))) continue;
    let e = k + 6;
    while (e < sql.length && isNameChar(sql.charCodeAt(e))) e++;
    if (sql.charCodeAt(e) === 40) return sql.slice(k, e);
  }
  return word;
}

/** Statement texts whose series are remembered by text (the texts of the code; built ones beyond this are classified each time). */
const MAX_REMEMBERED = 2000;

/**
 * Observes a database's statements into kimap_pg_query_duration_seconds and
 * kimap_pg_query_errors_total, and reports its pool (when it has one).
 */
export function instrumentDatabase(db: Database, registry: Registry): void {
  const histogram = new FastHistogram(
    'kimap_pg_query_duration_seconds',
    'SQL statements from send to result (waiting for a pooled connection included), by statement kind or schema function',
    ['statement'],
    LATENCY_BUCKETS,
    registry,
  );
  const errors = new Counter({
    name: 'kimap_pg_query_errors_total',
    help: 'SQL statements that failed, by statement kind or schema function',
    labelNames: ['statement'],
    registers: [registry],
  });
  const byKind = new Map<string, HistogramSeries>();
  const byText = new Map<string, HistogramSeries>();
  const seriesOf = (sql: string): HistogramSeries => {
    let s = byText.get(sql);
    if (s) return s;
    const kind = statementKind(sql);
    s = byKind.get(kind);
    if (!s) byKind.set(kind, (s = histogram.series({ statement: kind })));
    if (byText.size < MAX_REMEMBERED) byText.set(sql, s);
    return s;
  };
  db.observeQueries({
    query(sql, started, ok) {
      seriesOf(sql).observe((performance.now() - started) / 1000);
      if (!ok) errors.inc({ statement: statementKind(sql) });
    },
  });
  const stats = db.poolStats?.bind(db);
  if (!stats) return;
  const gauges = [
    ['total', 'kimap_pg_pool_connections', 'Connections the pool holds open to PostgreSQL'],
    ['idle', 'kimap_pg_pool_idle_connections', 'Pooled connections not in use'],
    [
      'waiting',
      'kimap_pg_pool_waiting_clients',
      'Statements and transactions waiting for a pooled connection (the pool is exhausted while above 0)',
    ],
    ['max', 'kimap_pg_pool_max_connections', 'The most connections the pool opens (DATABASE_POOL_SIZE)'],
  ] as const;
  for (const [field, name, help] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(stats()[field]);
      },
    });
  }
}
