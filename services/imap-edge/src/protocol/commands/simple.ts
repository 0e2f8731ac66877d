/**
 * Commands without arguments: CAPABILITY, NOOP, LOGOUT, STARTTLS, CLOSE,
 * UNSELECT, CHECK, NAMESPACE, IDLE, EXPUNGE.
 */

import type { CommandParser } from '../parser.js';

export type NoArgs = Record<string, never>;

export function parseNoArgs(p: CommandParser): NoArgs {
  p.expectEnd();
  return {};
}
