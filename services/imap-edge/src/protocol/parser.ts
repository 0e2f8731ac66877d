/**
 * Tokenizer/decoder over one complete command (text parts + literals, as
 * framed by the receiver).
 *
 * Deliberately a hand-written cursor with `expect*` / `try*` methods rather
 * than a generic token stream: IMAP tokenization is context dependent (a
 * `*` is a wildcard in LIST, a bound in a sequence set, invalid in an atom;
 * `BODY[HEADER.FIELDS (A B)]<0.10>` is one fetch item), so each command
 * parser says what it expects next and gets a precise BAD message otherwise.
 * Every method throws ParseError on mismatch.
 *
 * Separators are explicit: command parsers call `expectSP()` between
 * arguments and `expectEnd()` at the end, so stray spaces are rejected.
 */

import { TextDecoder } from 'node:util';
import { canonicalFlag } from '@kimap/common';
import { BACKSLASH, DQUOTE, LBRACKET, LPAREN, RBRACKET, RPAREN, SP, isAstringChar, isAtomChar, isDigit, isListChar } from './chars.js';
import { ParseError, type ParseErrorCode } from './errors.js';
import { parseDate, parseDateTime, type ImapDate, type ImapDateTime } from './datetime.js';
import { SequenceSet } from './seqset.js';
import type { CommandPart, LiteralPart, ReceivedCommand } from './types.js';

export interface ParserOptions {
  /** Maximum nesting of parenthesized lists (default 32). */
  maxListDepth?: number;
}

export const DEFAULT_MAX_LIST_DEPTH = 32;

/**
 * Generic token, for extension parameters we pass through untyped and for
 * debugging/logging. `atom` covers anything unquoted (NIL, numbers, flags,
 * `BODY[...]`-style items with their brackets).
 */
export type Token =
  | { readonly type: 'atom'; readonly value: string }
  | { readonly type: 'string'; readonly value: Buffer; readonly literal: boolean; readonly binary: boolean }
  | { readonly type: 'list'; readonly items: readonly Token[] };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decode: an IMAP string that is not valid UTF-8 is a client error. */
export function decodeUtf8(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw new ParseError('String is not valid UTF-8');
  }
}

/** Canonical spelling of the system flags, and of \\Recent (IMAP4rev1), which a client may still name. */
const canonicalParsedFlag = (flag: string): string => (flag.toLowerCase() === '\\recent' ? '\\Recent' : canonicalFlag(flag));

const EMPTY = Buffer.alloc(0);

export class CommandParser {
  private pi = 0;
  private pos: number;
  private depth = 0;
  private readonly maxDepth: number;

  /**
   * @param parts  alternating text/literal parts starting and ending with text
   * @param offset where to start in parts[0]
   */
  constructor(
    private readonly parts: readonly CommandPart[],
    offset = 0,
    options: ParserOptions = {},
  ) {
    if (parts.length === 0 || parts[0]!.type !== 'text') throw new TypeError('parts must start with a text part');
    this.pos = offset;
    this.maxDepth = options.maxListDepth ?? DEFAULT_MAX_LIST_DEPTH;
  }

  /** Parser positioned at the arguments of a received command (just after its name). */
  static forCommand(cmd: ReceivedCommand, options?: ParserOptions): CommandParser {
    return new CommandParser(cmd.parts, cmd.argsOffset, options);
  }

  /** Parser over literal-free text, e.g. `' 1:* (FLAGS)'`. Mostly for tests and tools. */
  static fromString(text: string, options?: ParserOptions): CommandParser {
    return new CommandParser([{ type: 'text', data: Buffer.from(text, 'utf8') }], 0, options);
  }

  // --- position ------------------------------------------------------------

  private get cur(): Buffer {
    return this.parts[this.pi]?.data ?? EMPTY;
  }

  /** Next byte of command text, or -1 at a literal or at the end. */
  peek(): number {
    const cur = this.cur;
    return this.pos < cur.length ? cur[this.pos]! : -1;
  }

  /** True if the next argument is a literal. */
  atLiteral(): boolean {
    return this.pos >= this.cur.length && this.pi + 1 < this.parts.length;
  }

  /** True if the whole command has been consumed. */
  atEnd(): boolean {
    return this.pos >= this.cur.length && this.pi + 1 >= this.parts.length;
  }

  fail(message: string, code?: ParseErrorCode): never {
    throw new ParseError(message, code);
  }

  /** Consume bytes while `pred` holds; returns them as latin1 (callers use it for ASCII-only classes). */
  readWhile(pred: (b: number) => boolean): string {
    const cur = this.cur;
    const start = this.pos;
    while (this.pos < cur.length && pred(cur[this.pos]!)) this.pos++;
    return cur.toString('latin1', start, this.pos);
  }

  // --- separators ----------------------------------------------------------

  expectSP(): void {
    if (this.peek() !== SP) this.fail(this.atEnd() ? 'Missing argument' : 'Expected SP');
    this.pos++;
  }

  trySP(): boolean {
    if (this.peek() !== SP) return false;
    this.pos++;
    return true;
  }

  expectEnd(): void {
    if (!this.atEnd()) this.fail('Unexpected extra arguments');
  }

  tryChar(ch: string): boolean {
    if (this.peek() !== ch.charCodeAt(0)) return false;
    this.pos++;
    return true;
  }

  expectChar(ch: string): void {
    if (!this.tryChar(ch)) this.fail(`Expected "${ch}"`);
  }

  // --- atoms and numbers ---------------------------------------------------

  expectAtom(): string {
    const s = this.readWhile(isAtomChar);
    if (s.length === 0) this.fail('Expected atom');
    return s;
  }

  /** Consume `word` (case-insensitive) if it is the next whole atom. */
  tryKeyword(word: string): boolean {
    const cur = this.cur;
    const end = this.pos + word.length;
    if (end > cur.length) return false;
    if (cur.toString('latin1', this.pos, end).toUpperCase() !== word.toUpperCase()) return false;
    if (end < cur.length && isAtomChar(cur[end]!)) return false;
    this.pos = end;
    return true;
  }

  /** `number`: 32-bit unsigned. */
  expectNumber(): number {
    const s = this.readWhile(isDigit);
    if (s.length === 0) this.fail('Expected number');
    const n = Number(s);
    if (s.length > 10 || n > 0xffffffff) this.fail('Number out of range');
    return n;
  }

  /** `nz-number`. */
  expectNzNumber(): number {
    const n = this.expectNumber();
    if (n === 0) this.fail('Expected non-zero number');
    return n;
  }

  /** `number64` / `mod-sequence-value` (0 .. 2^63-1) as bigint. */
  expectNumber64(): bigint {
    const s = this.readWhile(isDigit);
    if (s.length === 0) this.fail('Expected number');
    const n = s.length > 20 ? -1n : BigInt(s);
    if (n < 0n || n > 0x7fffffffffffffffn) this.fail('Number out of range');
    return n;
  }

  // --- strings -------------------------------------------------------------

  /** `quoted` with `\"` and `\\` escapes; returns the raw bytes. */
  expectQuoted(): Buffer {
    if (this.peek() !== DQUOTE) this.fail('Expected quoted string');
    const cur = this.cur;
    let i = this.pos + 1;
    const pieces: Buffer[] = [];
    let start = i;
    for (;;) {
      if (i >= cur.length) this.fail('Unterminated quoted string');
      const b = cur[i]!;
      if (b === DQUOTE) break;
      if (b === 0) this.fail('NUL in quoted string');
      if (b === BACKSLASH) {
        const next = cur[i + 1];
        if (next !== DQUOTE && next !== BACKSLASH) this.fail('Invalid escape in quoted string');
        pieces.push(cur.subarray(start, i));
        start = i + 1; // keep the escaped char as the start of the next piece
        i += 2;
        continue;
      }
      i++;
    }
    pieces.push(cur.subarray(start, i));
    this.pos = i + 1;
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /** A literal; literal8 (`~{n}`) only if `allowBinary`. */
  expectLiteral(allowBinary = false): LiteralPart {
    if (!this.atLiteral()) this.fail('Expected literal');
    const lit = this.parts[this.pi + 1] as LiteralPart;
    if (lit.binary && !allowBinary) this.fail('literal8 is not allowed here');
    this.pi += 2;
    this.pos = 0;
    return lit;
  }

  /** `string` = quoted / literal, as bytes. */
  expectStringBytes(): Buffer {
    if (this.atLiteral()) {
      // literal = {n} CRLF *CHAR8, and CHAR8 excludes NUL (only literal8 may carry it).
      const data = this.expectLiteral().data;
      if (data.includes(0)) this.fail('NUL in literal string');
      return data;
    }
    return this.expectQuoted();
  }

  expectString(): string {
    return decodeUtf8(this.expectStringBytes());
  }

  /** `astring` = 1*ASTRING-CHAR / string, as bytes. */
  expectAstringBytes(): Buffer {
    if (this.atLiteral() || this.peek() === DQUOTE) return this.expectStringBytes();
    const cur = this.cur;
    const start = this.pos;
    while (this.pos < cur.length && isAstringChar(cur[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail(this.atEnd() ? 'Missing argument' : 'Expected string');
    return cur.subarray(start, this.pos);
  }

  expectAstring(): string {
    return decodeUtf8(this.expectAstringBytes());
  }

  /** Consume `NIL` if it is the next atom. */
  tryNil(): boolean {
    return this.peek() !== DQUOTE && this.tryKeyword('NIL');
  }

  /** `nstring` = string / NIL. */
  expectNstring(): string | null {
    return this.tryNil() ? null : this.expectString();
  }

  /**
   * `mailbox`: an astring, with the case-insensitive name INBOX normalized
   * to `INBOX` (RFC 9051 §5.1). Returned as sent otherwise (mUTF-7 unless the
   * client enabled UTF8=ACCEPT; decoding is the handler's call).
   */
  expectMailbox(): string {
    const name = this.expectAstring();
    return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
  }

  /** `list-mailbox` = 1*list-char / string (allows `%` and `*` unquoted). */
  expectListMailbox(): string {
    if (this.atLiteral() || this.peek() === DQUOTE) return this.expectString();
    const s = this.readWhile(isListChar);
    if (s.length === 0) this.fail('Expected mailbox pattern');
    return s;
  }

  // --- structures ----------------------------------------------------------

  /** `"(" [item *(SP item)] ")"`, enforcing the nesting limit. */
  expectList<T>(item: (p: this) => T, options: { allowEmpty?: boolean } = {}): T[] {
    this.expectChar('(');
    if (++this.depth > this.maxDepth) this.fail('Lists nested too deeply');
    const out: T[] = [];
    if (this.tryChar(')')) {
      if (options.allowEmpty === false) this.fail('Empty list');
    } else {
      do out.push(item(this));
      while (this.trySP());
      this.expectChar(')');
    }
    this.depth--;
    return out;
  }

  /** `sequence-set`, including `*` and `$`. */
  expectSequenceSet(): SequenceSet {
    const s = this.readWhile((b) => isDigit(b) || b === 0x2a /* * */ || b === 0x3a /* : */ || b === 0x2c /* , */ || b === 0x24 /* $ */);
    if (s.length === 0) this.fail('Expected sequence set');
    return SequenceSet.parse(s);
  }

  /** `flag`: `\System` (normalized case) or keyword atom. `\*` is response-only. */
  expectFlag(): string {
    if (this.tryChar('\\')) {
      const name = this.readWhile(isAtomChar);
      if (name.length === 0) this.fail('Invalid flag');
      const flag = '\\' + name;
      return canonicalParsedFlag(flag);
    }
    const kw = this.readWhile(isAtomChar);
    if (kw.length === 0) this.fail('Expected flag');
    return kw;
  }

  /** `flag-list` = "(" [flag *(SP flag)] ")". */
  expectFlagList(): string[] {
    return this.expectList((p) => p.expectFlag());
  }

  /** `date` = date-text / DQUOTE date-text DQUOTE. */
  expectDate(): ImapDate {
    const text = this.peek() === DQUOTE ? this.expectQuoted().toString('latin1') : this.readWhile(isAtomChar);
    return parseDate(text);
  }

  /** `date-time` (always quoted). */
  expectDateTime(): ImapDateTime {
    if (this.peek() !== DQUOTE) this.fail('Expected quoted date-time');
    return parseDateTime(this.expectQuoted().toString('latin1'));
  }

  // --- generic tokens ------------------------------------------------------

  /** One generic token (atom-ish run, string, or nested list). */
  expectToken(): Token {
    if (this.atLiteral()) {
      const lit = this.expectLiteral(true);
      return { type: 'string', value: lit.data, literal: true, binary: lit.binary };
    }
    const b = this.peek();
    if (b === DQUOTE) return { type: 'string', value: this.expectQuoted(), literal: false, binary: false };
    if (b === LPAREN) return { type: 'list', items: this.expectList((p) => p.expectToken()) };
    const cur = this.cur;
    const start = this.pos;
    let bracket = 0;
    while (this.pos < cur.length) {
      const c = cur[this.pos]!;
      if (c < 0x20 || c === 0x7f) break;
      if (bracket > 0) {
        if (c === RBRACKET) bracket--;
      } else if (c === LBRACKET) {
        bracket++;
      } else if (c === SP || c === LPAREN || c === RPAREN || c === DQUOTE || c === 0x7b /* { */) {
        break;
      }
      this.pos++;
    }
    if (this.pos === start) this.fail('Expected argument');
    return { type: 'atom', value: cur.toString('utf8', start, this.pos) };
  }

  /** All remaining arguments as generic tokens (expects the leading SP of each). */
  readRemainingTokens(): Token[] {
    const out: Token[] = [];
    while (!this.atEnd()) {
      this.expectSP();
      out.push(this.expectToken());
    }
    return out;
  }
}
