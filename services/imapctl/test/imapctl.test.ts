import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@kimap/common/testing/services';
import { DATA_DIR_LOCK_FILE, lockDataDir, openDatabase } from '@kimap/common';
import { authenticate } from '@kimap/mailbox';
import { run } from '../src/index.js';

function io(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stdin: () => stdin } };
}

test('imapctl against PostgreSQL: migrate, tenant add, user add, user passwd', async () => {
  const tdb = await createTestDatabase();
  try {
    const url = ['--database-url', tdb.url];
    let r = io();
    assert.equal(await run([...url, 'migrate'], r.io), 0);
    assert.deepEqual(r.out, ['database is up to date']);
    r = io();
    assert.equal(await run([...url, 'tenant', 'add', 'Example.ORG'], r.io), 0);
    r = io();
    assert.equal(await run([...url, 'tenant', 'add', 'example.org'], r.io), 1);
    assert.match(r.err[0]!, /exists/);
    r = io();
    assert.equal(await run([...url, 'user', 'add', 'bob@example.org', '--password', 'first-password'], r.io), 0);
    r = io();
    assert.equal(await run([...url, 'user', 'add', 'carol@nowhere.org', '--password', 'first-password'], r.io), 1);
    assert.match(r.err[0]!, /Tenant nowhere.org does not exist/);
    r = io();
    assert.equal(await run([...url, 'user', 'add', 'dave@example.org', '--password', 'short'], r.io), 2);
    r = io('second-password\n');
    assert.equal(await run([...url, 'user', 'passwd', 'BOB@example.org', '--password-stdin'], r.io), 0);
    assert.equal(await authenticate(tdb.db, 'bob@example.org', 'first-password'), undefined);
    const acc = await authenticate(tdb.db, 'bob@example.org', 'second-password');
    assert.equal(acc?.username, 'bob@example.org');
    const hash = await tdb.db.query<{ password_hash: string }>("SELECT password_hash FROM accounts WHERE username = 'bob@example.org'");
    assert.match(hash.rows[0]!.password_hash, /^\$argon2id\$/);
  } finally {
    await tdb.drop();
  }
});

test('imapctl against the embedded data folder (PGlite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imapctl-'));
  try {
    const r = io();
    assert.equal(
      await run(['--data-dir', dir, 'user', 'add', 'eve@example.net', '--create-tenant', '--password', 'eve-password'], r.io),
      0,
      r.err.join('\n'),
    );
    const db = await openDatabase(`pglite://${join(dir, 'db')}`);
    try {
      const acc = await authenticate(db, 'eve@example.net', 'eve-password');
      assert.ok(acc);
      const boxes = await db.query<{ name: string }>('SELECT name FROM mailboxes WHERE account_id = $1 ORDER BY name', [
        acc.account.accountId,
      ]);
      assert.deepEqual(
        boxes.rows.map((b) => b.name),
        ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'],
      );
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('imapctl refuses a data folder that a running server holds, and leaves its lock alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imapctl-'));
  const held = lockDataDir(dir, 'kimap');
  try {
    const r = io();
    assert.equal(await run(['--data-dir', dir, 'user', 'list'], r.io), 1);
    assert.match(
      r.err.join('\n'),
      new RegExp(`^imapctl: .* is in use by another kimap process \\(pid ${process.pid}, kimap\\); stop it first$`),
    );
    assert.ok(existsSync(join(dir, DATA_DIR_LOCK_FILE)));
    assert.ok(!existsSync(join(dir, 'db')), 'the database was not opened');
  } finally {
    held.release();
    rmSync(dir, { recursive: true, force: true });
  }
});
