// Opening PGlite the one way kimap reads it, on the calling thread (db.ts) or
// in the database's own thread (pglite-worker.ts): bigint and numeric values
// as JavaScript numbers, as node-postgres gives them (db.ts, parseInt8).
import type { PGlite } from '@electric-sql/pglite';

/** dataDir undefined: in memory. Resolves once the database is ready. */
export async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  const { PGlite, types } = await import('@electric-sql/pglite');
  const parseInt8 = (v: string): number => Number(v);
  const db = new PGlite(dataDir, { parsers: { [types.INT8]: parseInt8, [types.NUMERIC]: parseInt8 } });
  await db.waitReady;
  return db;
}
