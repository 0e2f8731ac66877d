// The PostgreSQL database under connection loss: a connection that dies in
// the middle of a transaction fails that transaction, never the process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../src/db.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/services.js';

let tdb: TestDatabase;
let db: Database;

before(async () => {
  tdb = await createTestDatabase();
  db = await openDatabase(tdb.url, { max: 2 });
});

after(async () => {
  await db?.close();
  await tdb?.drop();
});

test('a connection terminated between two statements of a transaction fails it, and the pool goes on', async () => {
  const failed = db.transaction(async (tx) => {
    const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await tdb.db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    // The termination arrives while the transaction waits between statements.
    await new Promise((r) => setTimeout(r, 300));
    await tx.query('SELECT 1');
  });
  await assert.rejects(failed);
  const { rows } = await db.query<{ n: number }>('SELECT 2 AS n');
  assert.equal(rows[0]!.n, 2);
});
