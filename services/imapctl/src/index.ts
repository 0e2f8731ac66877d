// imapctl: operator commands against PostgreSQL (DATABASE_URL) or the embedded
// default's data folder (--data-dir). One module per command group under
// commands/; a new group is one module and one line in GROUPS.
import { grpc, lockDataDir, migrate, openDatabase, RpcError, type Database, type DataDirLock } from '@kimap/common';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GLOBAL_FLAGS, parseCommandLine, UsageError, type CliIo, type CommandContext, type CommandGroup, type FlagKind } from './cli.js';
import { aliasCommands } from './commands/alias.js';
import { migrateCommands } from './commands/migrate.js';
import { quotaCommands } from './commands/quota.js';
import { tenantCommands } from './commands/tenant.js';
import { userCommands } from './commands/user.js';

export type { CliIo } from './cli.js';

const GROUPS: readonly CommandGroup[] = [migrateCommands, tenantCommands, userCommands, aliasCommands, quotaCommands];

function synopsis(group: CommandGroup, name: string): string {
  const c = group.commands[name]!;
  return [group.name, name, ...c.params, c.options ?? ''].filter(Boolean).join(' ');
}

function usage(groups: readonly CommandGroup[]): string {
  const lines = groups.flatMap((g) =>
    Object.entries(g.commands).map(([name, c]) => {
      const s = synopsis(g, name);
      return s.length < 40 ? `  ${s.padEnd(40)}${c.summary}` : `  ${s}\n  ${''.padEnd(40)}${c.summary}`;
    }),
  );
  return `usage: imapctl [--database-url URL | --data-dir DIR] <command>

commands:
${lines.join('\n')}

An alias is user@domain, or @domain for the domain's catch-all; its account
belongs to the same tenant. The database is DATABASE_URL, or the embedded data
folder given by --data-dir (or DATA_DIR); --password-stdin reads the password
from standard input; --json prints a listing as one JSON object a line. Every
command applies pending migrations first. Exit status: 0 done, 2 invalid input
(a malformed address, domain or password, an unknown command or option),
1 refused (unknown, duplicate, has data) or failed.`;
}

/** Every option any command takes, by kind; a clash between two groups is a bug. */
function flagKinds(): Map<string, FlagKind> {
  const kinds = new Map<string, FlagKind>(Object.entries(GLOBAL_FLAGS));
  for (const g of GROUPS) {
    for (const c of Object.values(g.commands)) {
      for (const [name, kind] of Object.entries(c.flags ?? {})) {
        const known = kinds.get(name);
        if (known !== undefined && known !== kind) throw new Error(`imapctl: option --${name} is declared as two kinds`);
        kinds.set(name, kind);
      }
    }
  }
  return kinds;
}

/** The embedded default keeps its database in DATA_DIR/db. */
export const embeddedDatabaseUrl = (dataDir: string): string => `pglite://${join(resolve(dataDir), 'db')}`;

function databaseUrl(flags: ReadonlyMap<string, string | true>): string {
  const explicit = flags.get('database-url');
  if (typeof explicit === 'string' && explicit) return explicit;
  const dataDir = flags.get('data-dir');
  if (typeof dataDir === 'string' && dataDir) return embeddedDatabaseUrl(dataDir);
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (process.env.DATA_DIR) return embeddedDatabaseUrl(process.env.DATA_DIR);
  throw new UsageError('no database: give --database-url, --data-dir, DATABASE_URL or DATA_DIR');
}

/** Exit status of a failure: 2 for input that can never work, 1 for a refusal by the database's state or any other failure. */
function exitCode(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof RpcError && err.code === grpc.status.INVALID_ARGUMENT) return 2;
  return 1;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let db: Database | undefined;
  let lock: DataDirLock | undefined;
  let migrated = false;
  try {
    const { words, flags } = parseCommandLine(argv, flagKinds());
    const [groupName, commandName, ...args] = words;
    if (!groupName) {
      io.out(usage(GROUPS));
      return flags.has('help') ? 0 : 2;
    }
    const group = GROUPS.find((g) => g.name === groupName);
    if (!group) throw new UsageError(`unknown command "${groupName}" (imapctl --help lists the commands)`);
    if (flags.has('help')) {
      io.out(usage([group]));
      return 0;
    }
    const [name, params] = group.commands[''] ? ['', commandName === undefined ? [] : [commandName, ...args]] : [commandName, args];
    if (name === undefined) {
      throw new UsageError(`${group.name} needs a command: ${Object.keys(group.commands).join(', ')}`);
    }
    const command = group.commands[name];
    if (!command) throw new UsageError(`unknown command "${group.name} ${name}" (imapctl ${group.name} --help lists its commands)`);
    const what = [group.name, name].filter(Boolean).join(' ');
    for (const flag of flags.keys()) {
      if (!(flag in GLOBAL_FLAGS) && !(command.flags && flag in command.flags)) throw new UsageError(`${what} takes no --${flag}`);
    }
    const required = command.params.filter((p) => !p.startsWith('['));
    if (params.length < required.length) throw new UsageError(`${what} needs ${required.slice(params.length).join(' ')}`);
    if (params.length > command.params.length) {
      throw new UsageError(`too many arguments for ${what}: ${params.slice(command.params.length).join(' ')}`);
    }
    const database = async () => {
      if (db) return db;
      const url = databaseUrl(flags);
      // An embedded data folder is one process's at a time: not while the server runs on it.
      const folder = embeddedDataDir(url);
      if (folder) lock = lockDataDir(folder, 'imapctl');
      return (db = await openDatabase(url, { max: 2, applicationName: 'imapctl' }));
    };
    const ctx: CommandContext = {
      io,
      flags,
      database,
      async db() {
        const opened = await database();
        if (!migrated) await migrate(opened);
        migrated = true;
        return opened;
      },
    };
    await command.run(ctx, params);
    return 0;
  } catch (err) {
    io.err(`imapctl: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`);
    return exitCode(err);
  } finally {
    await db?.close();
    lock?.release();
  }
}

/** The embedded server's data folder of a database URL (pglite:///DATA_DIR/db), whose lock imapctl takes; undefined for others. */
function embeddedDataDir(url: string): string | undefined {
  if (!url.startsWith('pglite:')) return undefined;
  const path = resolve(url.slice('pglite:'.length).replace(/^\/\//, ''));
  return basename(path) === 'db' && existsSync(dirname(path)) ? dirname(path) : undefined;
}
