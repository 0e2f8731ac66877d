// PGlite in a worker thread (src/pglite-thread.ts, src/pglite-worker.ts), as
// the embedded server runs it: the same answers as on the calling thread,
// bytea as Buffer, errors with their SQLSTATE, transactions that commit or
// roll back whole, and statements of others waiting while one is open.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgliteDatabase } from '../src/db.js';

describe('PGlite in a worker thread', () => {
  let db: PgliteDatabase;
  before(async () => {
    db = await PgliteDatabase.open(undefined, { thread: true });
    await db.exec('CREATE TABLE t (k int PRIMARY KEY, v bytea)');
  });
  after(async () => {
    await db?.close();
  });

  test('values as on the calling thread: int8 as numbers, bytea as Buffer, dates as Date', async () => {
    const { rows } = await db.query<{ a: number; b: Buffer; d: Date }>('SELECT 9007199254740991::int8 AS a, $1::bytea AS b, now() AS d', [
      Buffer.from([1, 2, 255]),
    ]);
    assert.equal(rows[0]!.a, 9007199254740991);
    assert.ok(Buffer.isBuffer(rows[0]!.b));
    assert.equal(rows[0]!.b.readUInt8(2), 255);
    assert.ok(rows[0]!.d instanceof Date);
  });

  test('errors carry their SQLSTATE and message', async () => {
    await db.query('INSERT INTO t VALUES (1, NULL)');
    await assert.rejects(db.query('INSERT INTO t VALUES (1, NULL)'), (err: Error & { code?: string }) => {
      assert.equal(err.code, '23505');
      assert.match(err.message, /duplicate key/);
      return true;
    });
  });

  test('a transaction commits whole, or rolls back whole when its function throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (10, NULL)');
      await tx.query('INSERT INTO t VALUES (11, NULL)');
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (12, NULL)');
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (13, NULL)');
        await tx.query('INSERT INTO t VALUES (10, NULL)');
      }),
      (err: Error & { code?: string }) => err.code === '23505',
    );
    const { rows } = await db.query<{ k: number }>('SELECT k FROM t WHERE k >= 10 ORDER BY k');
    assert.deepEqual(
      rows.map((r) => r.k),
      [10, 11],
    );
  });

  test('a statement from outside waits for an open transaction to end', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const inside = db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (20, NULL)');
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));
    let seen: number[] | undefined;
    const outside = db.query<{ k: number }>('SELECT k FROM t WHERE k = 20').then((r) => (seen = r.rows.map((x) => x.k)));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen, undefined, 'not answered while the transaction is open');
    release();
    await inside;
    await outside;
    assert.deepEqual(seen, [20]);
  });

  test('a data folder opened in a thread, closed, and opened again keeps its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kimap-pglite-thread-'));
    try {
      const first = await PgliteDatabase.open(join(dir, 'db'), { thread: true });
      await first.exec('CREATE TABLE kept (k int)');
      await first.query('INSERT INTO kept VALUES (42)');
      await first.close();
      const again = await PgliteDatabase.open(join(dir, 'db'), { thread: true });
      const { rows } = await again.query<{ k: number }>('SELECT k FROM kept');
      await again.close();
      assert.deepEqual(rows, [{ k: 42 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
