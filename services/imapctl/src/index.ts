// imapctl: operator commands against PostgreSQL (DATABASE_URL) or the embedded
// default's data folder (--data-dir).
import { migrate, openDatabase, type Database } from '@kimap/common';
import { addTenant, addUser, setPassword } from '@kimap/mailbox';
import { join, resolve } from 'node:path';

const USAGE = `usage: imapctl [--database-url URL | --data-dir DIR] <command>

commands:
  migrate                                 apply pending database migrations
  tenant add <domain>                     add a tenant (mail domain)
  user add <address> [--quota BYTES] [--create-tenant]
                                          add an account (password from --password or --password-stdin)
  user passwd <address>                   set an account's password

The database is DATABASE_URL, or the embedded data folder given by --data-dir
(or DATA_DIR); --password-stdin reads the password from standard input.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  stdin(): string;
}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (['password-stdin', 'help', 'create-tenant'].includes(a.slice(2))) flags.set(a.slice(2), true);
      else flags.set(a.slice(2), argv[++i] ?? '');
    } else positional.push(a);
  }
  return { positional, flags };
}

/** The embedded default keeps its database in DATA_DIR/db. */
export const embeddedDatabaseUrl = (dataDir: string): string => `pglite://${join(resolve(dataDir), 'db')}`;

function databaseUrl(p: Parsed): string {
  const explicit = p.flags.get('database-url');
  if (typeof explicit === 'string' && explicit) return explicit;
  const dataDir = p.flags.get('data-dir');
  if (typeof dataDir === 'string' && dataDir) return embeddedDatabaseUrl(dataDir);
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (process.env.DATA_DIR) return embeddedDatabaseUrl(process.env.DATA_DIR);
  throw new UsageError('no database: give --database-url, --data-dir, DATABASE_URL or DATA_DIR');
}

class UsageError extends Error {}

function password(p: Parsed, io: CliIo): string {
  const flag = p.flags.get('password');
  const pw = p.flags.get('password-stdin') ? io.stdin().replace(/\r?\n$/, '') : typeof flag === 'string' ? flag : '';
  if (!pw) throw new UsageError('a password is required: --password or --password-stdin');
  if (pw.length < 8) throw new UsageError('the password must have at least 8 characters');
  return pw;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = parseArgs(argv);
  const [cmd, sub, arg] = p.positional;
  if (!cmd || p.flags.has('help')) {
    io.out(USAGE);
    return cmd ? 0 : 2;
  }
  let db: Database | undefined;
  try {
    db = await openDatabase(databaseUrl(p), { max: 2, applicationName: 'imapctl' });
    if (cmd === 'migrate') {
      const applied = await migrate(db);
      io.out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    await migrate(db);
    if (cmd === 'tenant' && sub === 'add' && arg) {
      const id = await addTenant(db, arg);
      io.out(`tenant ${arg.toLowerCase()} added (id ${id})`);
      return 0;
    }
    if (cmd === 'user' && sub === 'add' && arg) {
      const quota = p.flags.get('quota');
      const acc = await addUser(db, arg, password(p, io), {
        createTenant: p.flags.has('create-tenant'),
        quotaBytes: typeof quota === 'string' && quota ? Number(quota) : null,
      });
      io.out(`user ${acc.username} added (account ${acc.accountId})`);
      return 0;
    }
    if (cmd === 'user' && sub === 'passwd' && arg) {
      await setPassword(db, arg, password(p, io));
      io.out(`password of ${arg.toLowerCase()} changed`);
      return 0;
    }
    io.err(USAGE);
    return 2;
  } catch (err) {
    io.err(`imapctl: ${(err as Error).message}`);
    return err instanceof UsageError ? 2 : 1;
  } finally {
    await db?.close();
  }
}
