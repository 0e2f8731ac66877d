// imapctl's command line: usage, dispatch, options, exit status, the binary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '../src/index.js';
import { failure, startCtl, type Ctl } from './support/ctl.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stdin: () => '' } };
}

describe('imapctl command line', () => {
  let ctl: Ctl;
  before(async () => {
    ctl = await startCtl();
  });
  after(() => ctl.tdb.drop());

  test('no command prints the usage and fails; --help prints it and succeeds', async () => {
    const none = io();
    assert.equal(await run([], none.io), 2);
    assert.match(none.out.join('\n'), /^usage: imapctl/);
    const help = io();
    assert.equal(await run(['--help'], help.io), 0);
    const usage = help.out.join('\n');
    for (const line of [
      'migrate',
      'tenant add <domain>',
      'tenant remove <domain> [--force]',
      'tenant list [--json]',
      'user add <address> [--quota BYTES] [--create-tenant] (--password PASSWORD | --password-stdin)',
      'user remove <address> [--force]',
      'user list [<domain>] [--json]',
      'user passwd <address> (--password PASSWORD | --password-stdin)',
      'user disable <address>',
      'user enable <address>',
      'alias add <alias> <address>',
      'alias remove <alias>',
      'alias list [<domain>|<address>] [--json]',
    ]) {
      assert.ok(usage.includes(`\n  ${line}`), line);
    }
    const group = io();
    assert.equal(await run(['alias', '--help'], group.io), 0);
    assert.match(group.out.join('\n'), /alias add <alias> <address>/);
    assert.doesNotMatch(group.out.join('\n'), /tenant add/);
  });

  test('unknown commands and options, missing and extra words: one line each, status 2', async () => {
    const cases: Array<[string[], string]> = [
      [['frob'], 'unknown command "frob" (imapctl --help lists the commands)'],
      [['user'], 'user needs a command: add, remove, list, passwd, disable, enable'],
      [['user', 'frob'], 'unknown command "user frob" (imapctl user --help lists its commands)'],
      [['tenant', 'list', '--verbose'], 'unknown option --verbose'],
      [['tenant', 'list', '-v'], 'unknown option -v'],
      [['user', 'disable', 'a@b.org', '--json'], 'user disable takes no --json'],
      [['user', 'remove', 'a@b.org', '--force=yes'], '--force takes no value'],
      [['user', 'remove', 'a@b.org', '--force', '--force'], '--force is given twice'],
      [['migrate', 'now'], 'too many arguments for migrate: now'],
    ];
    for (const [argv, message] of cases) assert.deepEqual(failure(await ctl(...argv)), [2, `imapctl: ${message}`], argv.join(' '));
  });

  test('without a database named anywhere: status 2 and what to give', async () => {
    const saved = { url: process.env.DATABASE_URL, dir: process.env.DATA_DIR };
    delete process.env.DATABASE_URL;
    delete process.env.DATA_DIR;
    try {
      const r = io();
      assert.equal(await run(['tenant', 'list'], r.io), 2);
      assert.deepEqual(r.err, ['imapctl: no database: give --database-url, --data-dir, DATABASE_URL or DATA_DIR']);
    } finally {
      if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
      if (saved.dir !== undefined) process.env.DATA_DIR = saved.dir;
    }
  });

  test('options stand anywhere, in either form', async () => {
    const r = io();
    assert.equal(await run(['tenant', `--database-url=${ctl.tdb.url}`, 'add', 'anywhere.org'], r.io), 0, r.err.join('\n'));
    assert.deepEqual((await ctl('user', '--password=a-password', 'add', 'x@anywhere.org')).code, 0);
    assert.deepEqual((await ctl('tenant', 'list', '--json')).out, ['{"domain":"anywhere.org","accounts":1,"aliases":0}']);
  });

  test('the binary: output on stdout, one error line on stderr, the exit status', async () => {
    const bin = (...argv: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', 'src/main.ts', '--database-url', ctl.tdb.url, ...argv],
          { cwd: fileURLToPath(new URL('..', import.meta.url)) },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
        );
      });
    const added = await bin('tenant', 'add', 'binary.org');
    assert.deepEqual([added.code, added.stderr], [0, '']);
    assert.match(added.stdout, /^tenant binary.org added \(id \d+\)\n$/);
    assert.deepEqual(await bin('tenant', 'add', 'binary.org'), { code: 1, stdout: '', stderr: 'imapctl: Tenant binary.org exists\n' });
    assert.deepEqual(await bin('user', 'add', 'nobody', '--password', 'x'), {
      code: 2,
      stdout: '',
      stderr: 'imapctl: Not a mail address: "nobody" (expected user@domain)\n',
    });
  });
});
