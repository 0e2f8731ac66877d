/** APPEND with MULTIAPPEND (RFC 3502), BINARY literal8 (RFC 3516) and UTF8 (RFC 6855). */

import type { ImapDateTime } from '../datetime.js';
import type { CommandParser } from '../parser.js';

export interface AppendMessage {
  /** Flags to set; empty if none were given. */
  readonly flags: string[];
  /** INTERNALDATE to set; absent means "now". */
  readonly internalDate?: ImapDateTime;
  /** The message bytes (the literal, exactly as sent). */
  readonly data: Buffer;
  /** Sent as literal8 `~{n}` (may contain NUL / binary content). */
  readonly binary: boolean;
  /** Sent as `UTF8 (~{n})` (RFC 6855): the message may contain raw UTF-8 headers. */
  readonly utf8: boolean;
}

export interface AppendArgs {
  readonly mailbox: string;
  /** One entry per message; more than one is MULTIAPPEND (must be stored atomically). */
  readonly messages: AppendMessage[];
}

/**
 * `APPEND SP mailbox 1*append-message`,
 * append-message = [SP flag-list] [SP date-time] SP append-data,
 * append-data = literal / literal8 / "UTF8" SP "(" literal8 ")".
 */
export function parseAppend(p: CommandParser): AppendArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  const messages: AppendMessage[] = [];
  do {
    p.expectSP();
    let flags: string[] = [];
    let internalDate: ImapDateTime | undefined;
    if (p.peek() === 0x28 /* ( */) {
      flags = p.expectFlagList();
      p.expectSP();
    }
    if (p.peek() === 0x22 /* " */) {
      internalDate = p.expectDateTime();
      p.expectSP();
    }
    let utf8 = false;
    let lit;
    if (p.atLiteral()) {
      lit = p.expectLiteral(true);
    } else if (p.tryKeyword('UTF8')) {
      utf8 = true;
      p.expectSP();
      p.expectChar('(');
      lit = p.expectLiteral(true);
      if (!lit.binary) p.fail('UTF8 APPEND data must be a literal8');
      p.expectChar(')');
    } else if (p.tryKeyword('CATENATE')) {
      return p.fail('CATENATE is not supported', 'CANNOT');
    } else {
      return p.fail('Expected message literal');
    }
    messages.push({ flags, ...(internalDate && { internalDate }), data: lit.data, binary: lit.binary, utf8 });
  } while (!p.atEnd());
  return { mailbox, messages };
}
