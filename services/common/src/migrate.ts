// Forward-only, numbered SQL migrations (migrations/NNNN_name.sql), each
// applied once in its own transaction and recorded in schema_migrations.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './db.js';

export const defaultMigrationsDir = (): string =>
  process.env.MIGRATIONS_DIR ?? fileURLToPath(new URL('../../../migrations/', import.meta.url));

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = defaultMigrationsDir()): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

/** Applies pending migrations; returns the names applied. Safe to run from several pods at once. */
export async function migrate(db: Database, dir?: string): Promise<string[]> {
  const files = readMigrations(dir);
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    // Serialises concurrent migrators (Helm hook Job and pods starting together).
    await tx.query('SELECT pg_advisory_xact_lock(7283451)');
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)),
    );
    for (const m of files) {
      if (done.has(m.version)) continue;
      for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.name);
    }
  });
  return applied;
}

/**
 * Splits a migration script on statement-ending semicolons so every statement
 * runs through the same parameterless query path on both drivers. Migrations
 * keep to plain DDL: no dollar-quoted bodies.
 */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
