/**
 * The little syntax the receiver needs before the parser runs: the literal
 * marker ending a line, and the tag + command name at the start of a command.
 */

import { SP, LBRACE, RBRACE, PLUS, TILDE, DQUOTE, BACKSLASH, isTagChar, isAtomChar, isDigit } from './chars.js';
import type { ReceiveErrorCode } from './types.js';

export interface LiteralMarker {
  /** Offset of `{` (or `~`) in the line. */
  readonly start: number;
  /** Announced size; Infinity if the number is absurdly long. */
  readonly size: number;
  readonly sync: boolean;
  readonly binary: boolean;
}

/**
 * Find a literal marker at the very end of a line: `{n}`, `{n+}`, `~{n}`, `~{n+}`.
 * With `checkQuotes`, a marker inside an (unterminated) quoted string is
 * ignored — such a line is a syntax error for the parser to report, and
 * treating it as a literal would desynchronise the stream.
 */
export function findLiteralMarker(line: Buffer, checkQuotes: boolean): LiteralMarker | null {
  let j = line.length - 1;
  if (j < 2 || line[j] !== RBRACE) return null;
  j--;
  const sync = line[j] !== PLUS;
  if (!sync) j--;
  const digitsEnd = j + 1;
  while (j >= 0 && isDigit(line[j]!)) j--;
  const digitsStart = j + 1;
  if (digitsStart === digitsEnd || j < 0 || line[j] !== LBRACE) return null;
  const binary = j > 0 && line[j - 1] === TILDE;
  const start = binary ? j - 1 : j;
  if (checkQuotes && endsInsideQuotes(line, start)) return null;
  // More than 12 digits cannot be a sane size; Infinity fails every limit.
  const size = digitsEnd - digitsStart > 12 ? Infinity : Number(line.toString('latin1', digitsStart, digitsEnd));
  return { start, size, sync, binary };
}

function endsInsideQuotes(line: Buffer, end: number): boolean {
  let inQuote = false;
  for (let i = 0; i < end; i++) {
    const c = line[i]!;
    if (inQuote && c === BACKSLASH) i++;
    else if (c === DQUOTE) inQuote = !inQuote;
  }
  return inQuote;
}

interface TagAndName {
  tag?: string;
  name?: string;
  argsOffset: number;
  error?: { code: ReceiveErrorCode; message: string };
}

/** `tag SP command-name [SP uid-subcommand]` from the start of the first line. */
export function parseTagAndName(text: Buffer): TagAndName {
  let i = 0;
  while (i < text.length && isTagChar(text[i]!)) i++;
  if (i === 0 || (i < text.length && text[i] !== SP)) {
    return { argsOffset: 0, error: { code: 'BAD_TAG', message: 'Invalid or missing command tag' } };
  }
  const tag = text.toString('latin1', 0, i);
  const word = (from: number): number => {
    let k = from;
    while (k < text.length && isAtomChar(text[k]!)) k++;
    return k;
  };
  const nameStart = i + 1;
  const nameEnd = word(nameStart);
  if (i >= text.length || nameEnd === nameStart) {
    return { tag, argsOffset: 0, error: { code: 'BAD_COMMAND', message: 'Missing command name' } };
  }
  let name = text.toString('latin1', nameStart, nameEnd).toUpperCase();
  let argsOffset = nameEnd;
  if (name === 'UID') {
    const subEnd = text[nameEnd] === SP ? word(nameEnd + 1) : nameEnd;
    if (subEnd <= nameEnd + 1) {
      return { tag, name, argsOffset: 0, error: { code: 'BAD_COMMAND', message: 'Missing UID subcommand' } };
    }
    name = `UID ${text.toString('latin1', nameEnd + 1, subEnd).toUpperCase()}`;
    argsOffset = subEnd;
  }
  return { tag, name, argsOffset };
}
