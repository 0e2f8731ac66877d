// What an IMAP command is: its names, the states it is valid in, the
// capabilities it brings, a parser to typed arguments and a handler that
// receives exactly what the parser returned. Each command module exports one
// (or a family sharing everything, like FETCH and UID FETCH) made with
// defineCommand; registry.ts lists them all.
import type { CommandParser } from '../protocol/index.js';
import type { SessionState } from '../session.js';
import type { CommandContext } from './context.js';

/** One received command with its parsed arguments. */
export interface Invocation<A> {
  readonly tag: string;
  /** The name as the receiver reports it: upper case, `UID FETCH` for UID commands. */
  readonly name: string;
  readonly args: A;
}

/** The tagged OK a handler asks for. */
export interface Completion {
  code?: string;
  text?: string;
  /** The handler wrote its tagged reply itself (STARTTLS answers before the handshake). */
  answered?: boolean;
}

export interface Command<A> {
  /** Every name that runs this command (`FETCH`, `UID FETCH`). */
  readonly names: readonly string[];
  /** States in which the command is valid; elsewhere it is refused with BAD before it is parsed. */
  readonly states: readonly SessionState[];
  /** Capabilities the command brings to CAPABILITY (e.g. IDLE, UIDPLUS). */
  readonly capabilities?: readonly string[];
  /**
   * RFC 9051 7.5.1: no untagged EXPUNGE while answering FETCH, STORE or
   * SEARCH (with sequence numbers): the client could not match them up.
   */
  readonly expungeAllowed?: boolean;
  /** The command exchanges lines with the client while it runs (its output is never corked). */
  readonly interactive?: boolean;
  /** Parses the arguments after the name (starting at its SP); throws ParseError for a BAD. */
  parse(p: CommandParser, name: string): A;
  /** May answer at once (no I/O) or return a promise. */
  run(ctx: CommandContext, cmd: Invocation<A>): Promise<Completion | void> | Completion | void;
}

/** A command whose handler is typed by what its parser returns. */
export function defineCommand<A>(command: Command<A>): Command<A> {
  return command;
}

/** The parser of a command without arguments. */
export function noArguments(p: CommandParser): Record<string, never> {
  p.expectEnd();
  return {};
}

/** A tagged NO with a response code, for failures the client should see. */
export class ImapNo extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A tagged BAD thrown by a handler (e.g. a sequence number out of range). */
export class ImapBad extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export const SELECTED: readonly SessionState[] = ['selected'];
export const AUTHENTICATED: readonly SessionState[] = ['authenticated', 'selected'];
export const ANY_STATE: readonly SessionState[] = ['not-authenticated', 'authenticated', 'selected'];
export const NOT_AUTHENTICATED: readonly SessionState[] = ['not-authenticated'];
