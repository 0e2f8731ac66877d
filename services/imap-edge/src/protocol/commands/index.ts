/**
 * Command argument parsers and a dispatcher producing a typed union.
 *
 * Each parser takes a CommandParser positioned right after the command
 * name and returns typed arguments or throws ParseError (answer `tag BAD`).
 */

import { UnknownCommandError } from '../errors.js';
import { CommandParser, type ParserOptions } from '../parser.js';
import type { ReceivedCommand } from '../types.js';
import { parseAppend } from './append.js';
import { parseAuthenticate, parseLogin } from './auth.js';
import { parseCreate, parseList, parseLsub, parseMailboxOnly, parseRename, parseSelect, parseStatus } from './mailbox.js';
import { parseCopy, parseFetch, parseStore, parseUidExpunge } from './message.js';
import { parseEnable, parseId } from './misc.js';
import { parseNoArgs } from './simple.js';
import { parseSearch } from './search.js';

export * from './append.js';
export * from './auth.js';
export * from './mailbox.js';
export * from './message.js';
export * from './misc.js';
export * from './simple.js';
export * from './search.js';

/** Parser per command name (names as the receiver reports them: upper case, `UID X`). */
export const commandParsers = {
  CAPABILITY: parseNoArgs,
  NOOP: parseNoArgs,
  LOGOUT: parseNoArgs,
  STARTTLS: parseNoArgs,
  CLOSE: parseNoArgs,
  UNSELECT: parseNoArgs,
  CHECK: parseNoArgs,
  NAMESPACE: parseNoArgs,
  IDLE: parseNoArgs,
  EXPUNGE: parseNoArgs,
  LOGIN: parseLogin,
  AUTHENTICATE: parseAuthenticate,
  SELECT: (p: CommandParser) => parseSelect(p, false),
  EXAMINE: (p: CommandParser) => parseSelect(p, true),
  CREATE: parseCreate,
  DELETE: parseMailboxOnly,
  RENAME: parseRename,
  SUBSCRIBE: parseMailboxOnly,
  UNSUBSCRIBE: parseMailboxOnly,
  LIST: parseList,
  LSUB: parseLsub,
  STATUS: parseStatus,
  APPEND: parseAppend,
  FETCH: (p: CommandParser) => parseFetch(p, false),
  'UID FETCH': (p: CommandParser) => parseFetch(p, true),
  STORE: (p: CommandParser) => parseStore(p, false),
  'UID STORE': (p: CommandParser) => parseStore(p, true),
  COPY: (p: CommandParser) => parseCopy(p, false),
  'UID COPY': (p: CommandParser) => parseCopy(p, true),
  MOVE: (p: CommandParser) => parseCopy(p, false),
  'UID MOVE': (p: CommandParser) => parseCopy(p, true),
  'UID EXPUNGE': parseUidExpunge,
  SEARCH: (p: CommandParser) => parseSearch(p, false),
  'UID SEARCH': (p: CommandParser) => parseSearch(p, true),
  ENABLE: parseEnable,
  ID: parseId,
} as const satisfies Record<string, (p: CommandParser) => unknown>;

export type CommandName = keyof typeof commandParsers;

/** Typed arguments of a command, e.g. `CommandArgs<'UID FETCH'>` is FetchArgs. */
export type CommandArgs<N extends CommandName> = ReturnType<(typeof commandParsers)[N]>;

/** Discriminated union over `name`: `if (cmd.name === 'LOGIN') cmd.args.username`. */
export type ParsedCommand = { [N in CommandName]: { readonly tag: string; readonly name: N; readonly args: CommandArgs<N> } }[CommandName];

export function isKnownCommand(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(commandParsers, name);
}

/** Parse a received command's arguments. Throws UnknownCommandError / ParseError. */
export function parseCommand(cmd: ReceivedCommand, options?: ParserOptions): ParsedCommand {
  if (!isKnownCommand(cmd.name)) throw new UnknownCommandError(cmd.name);
  const parse = commandParsers[cmd.name] as (p: CommandParser) => unknown;
  const args = parse(CommandParser.forCommand(cmd, options));
  return { tag: cmd.tag, name: cmd.name, args } as ParsedCommand;
}
