// The PostgreSQL database under connection loss: a connection that dies in
// the middle of a transaction fails that transaction, never the process; nor
// does one that dies while its client is checked out between statements.
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

test('connections terminated again and again under a load of statements and transactions: they fail, the process does not', async () => {
  const busy = await openDatabase(tdb.url, { max: 8, applicationName: 'kimap-terminated' });
  let stop = false;
  let failures = 0;
  let done = 0;
  const worker = async (k: number) => {
    for (let i = 0; !stop; i++) {
      try {
        if ((i + k) % 2) await busy.query('SELECT pg_sleep(0.001)');
        else
          await busy.transaction(async (tx) => {
            await tx.query('SELECT 1');
            await new Promise((r) => setImmediate(r));
            await tx.query('SELECT 2');
          });
        done++;
      } catch {
        failures++;
      }
    }
  };
  const workers = Array.from({ length: 30 }, (_, k) => worker(k));
  try {
    // A client may be checked out between statements, or about to send one, when its connection goes.
    for (let round = 0; round < 60; round++) {
      await tdb.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kimap-terminated'");
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    stop = true;
    await Promise.all(workers);
  }
  assert.ok(failures > 0, 'statements failed');
  assert.ok(done > 0, 'others went through');
  const { rows } = await busy.query<{ n: number }>('SELECT 3 AS n');
  assert.equal(rows[0]!.n, 3);
  await busy.close();
});
