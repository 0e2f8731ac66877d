// What every imapctl command is made of: its declaration, the command line
// parsed against the declarations, and the context a command runs with.
import type { Database } from '@kimap/common';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  stdin(): string;
}

/** A mistake on the command line: exit code 2, like invalid input. */
export class UsageError extends Error {}

export type FlagKind = 'boolean' | 'string';

export interface Command {
  /** Positional arguments as the usage shows them; optional ones in brackets: ['<domain>'], ['[<domain>]']. */
  params: readonly string[];
  /** The options the command takes, beyond the global ones. */
  flags?: Readonly<Record<string, FlagKind>>;
  /** How the options appear in the usage, e.g. '[--force]'. */
  options?: string;
  summary: string;
  run(ctx: CommandContext, args: readonly string[]): Promise<void>;
}

/** A command group: `imapctl <name> <command> ...`; the command '' is the group itself (`imapctl migrate`). */
export interface CommandGroup {
  name: string;
  commands: Readonly<Record<string, Command>>;
}

export interface CommandContext {
  io: CliIo;
  flags: ReadonlyMap<string, string | true>;
  /** The database with every migration applied (opened on first use). */
  db(): Promise<Database>;
  /** The database as it is, for `migrate`. */
  database(): Promise<Database>;
}

/** Options every command takes. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagKind>> = { 'database-url': 'string', 'data-dir': 'string', help: 'boolean' };

export interface CommandLine {
  words: string[];
  flags: Map<string, string | true>;
}

/**
 * Splits argv into words and options (--name value, --name=value, --flag),
 * knowing the kind of every option any command declares. Options may stand
 * anywhere; `--` ends them.
 */
export function parseCommandLine(argv: readonly string[], kinds: ReadonlyMap<string, FlagKind>): CommandLine {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      words.push(a);
      continue;
    }
    if (!a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    const kind = kinds.get(name);
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (kind === 'boolean') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (eq > 0) {
      flags.set(name, a.slice(eq + 1));
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      flags.set(name, argv[++i]!);
    }
  }
  return { words, flags };
}

export function stringFlag(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Prints rows as tab-separated lines, or with --json as one JSON object per line. */
export function printRows<T extends object>(
  ctx: CommandContext,
  rows: readonly T[],
  columns: ReadonlyArray<(row: T) => string | number>,
): void {
  for (const row of rows) ctx.io.out(ctx.flags.has('json') ? JSON.stringify(row) : columns.map((c) => String(c(row))).join('\t'));
}

/** Walks a listing page by page, keyed by the last row of the previous page. */
export async function eachPage<T>(
  fetch: (after: string) => Promise<T[]>,
  keyOf: (row: T) => string,
  use: (rows: T[]) => void,
): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await fetch(after);
    if (rows.length === 0) return;
    use(rows);
    after = keyOf(rows[rows.length - 1]!);
  }
}
