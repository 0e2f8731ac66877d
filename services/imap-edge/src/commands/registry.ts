// Every command the edge answers: the one table. Adding a command is one
// module (see command.ts) and one line in COMMANDS.
import { CommandParser, UnknownCommandError, type ParserOptions, type ReceivedCommand } from '../protocol/index.js';
import { append } from './append.js';
import { authenticate } from './authenticate.js';
import { capability } from './capability.js';
import { close } from './close.js';
import type { Command, Invocation } from './command.js';
import { copy } from './copy.js';
import { create } from './create.js';
import { del } from './delete.js';
import { enable } from './enable.js';
import { expunge } from './expunge.js';
import { fetch } from './fetch.js';
import { getacl } from './getacl.js';
import { id } from './id.js';
import { idle } from './idle.js';
import { list, lsub } from './list.js';
import { listrights } from './listrights.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { myrights } from './myrights.js';
import { namespace } from './namespace.js';
import { check, noop } from './noop.js';
import { getquota, getquotaroot, setquota } from './quota.js';
import { rename } from './rename.js';
import { search } from './search.js';
import { select } from './select.js';
import { setacl } from './setacl.js';
import { starttls } from './starttls.js';
import { status } from './status.js';
import { store } from './store.js';
import { subscribe } from './subscribe.js';

/** A command of any argument type: each one's handler gets what its own parser returned. */
export type AnyCommand = Command<unknown>;

const COMMANDS: readonly AnyCommand[] = [
  capability,
  noop,
  check,
  logout,
  starttls,
  login,
  authenticate,
  enable,
  id,
  namespace,
  list,
  lsub,
  create,
  del,
  rename,
  subscribe,
  status,
  select,
  append,
  fetch,
  store,
  expunge,
  copy,
  close,
  idle,
  search,
  getacl,
  setacl,
  listrights,
  myrights,
  getquota,
  getquotaroot,
  setquota,
];

/** What every session is offered besides the commands' own capabilities. */
const PROTOCOL_CAPABILITIES = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'UTF8=ACCEPT', 'CONDSTORE', 'QRESYNC'];

/** What every session is offered; STARTTLS, LOGINDISABLED, AUTH= and APPENDLIMIT= depend on the connection. */
export const BASE_CAPABILITIES: readonly string[] = [
  ...new Set([...PROTOCOL_CAPABILITIES, ...COMMANDS.flatMap((c) => c.capabilities ?? [])]),
];

const BY_NAME: ReadonlyMap<string, AnyCommand> = new Map(COMMANDS.flatMap((c) => c.names.map((name) => [name, c] as const)));

/** Every command name the edge answers (`UID FETCH` for UID commands). */
export function commandNames(): string[] {
  return [...BY_NAME.keys()];
}

/** The command of a name as the receiver reports it (upper case, `UID FETCH`). */
export function commandNamed(name: string): AnyCommand | undefined {
  return BY_NAME.get(name);
}

/** Parses a received command's arguments with its command's parser. Throws UnknownCommandError / ParseError. */
export function parseCommand(received: ReceivedCommand, options?: ParserOptions): Invocation<unknown> {
  const command = commandNamed(received.name);
  if (!command) throw new UnknownCommandError(received.name);
  return { tag: received.tag, name: received.name, args: command.parse(CommandParser.forCommand(received, options), received.name) };
}
