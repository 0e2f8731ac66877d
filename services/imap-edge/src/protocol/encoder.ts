/**
 * Streaming response encoder.
 *
 * Small tokens are collected into a text buffer and handed to the sink in
 * batches (one socket write per ~16 KiB instead of one per token); Buffers
 * passed to `literal()` go to the sink as-is, so a 50 MB message body is
 * never copied or joined into a response string.
 *
 * Errors do not throw: the first one (sink failure or invalid token) is
 * kept, later writes become no-ops, and `flush()` / `error` report it. That
 * lets a handler stream a long FETCH without try/catch around every token.
 *
 * Spacing is explicit (`sp()`), mirroring the grammar, except inside
 * `list()` which inserts separators itself.
 */

import { isAstringAtom, isAtom, isTag } from './chars.js';
import { EncodeError } from './errors.js';

/** Receives output in order. Strings must be written as UTF-8 (Node's socket.write default). */
export type Sink = (chunk: Buffer | string) => void;

export interface EncoderOptions {
  /** Client enabled UTF8=ACCEPT: quoted strings may carry UTF-8 (RFC 9051 / RFC 6855). */
  utf8?: boolean;
  /** Strings longer than this (bytes) are sent as literals. Default 1024. */
  maxQuotedLength?: number;
  /** Buffered text is handed to the sink once it reaches this many chars. Default 16384. */
  flushThreshold?: number;
}

export type StatusType = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

const CRLF = '\r\n';

/** True if `s` can be a quoted string: no CR/LF/NUL, 8-bit only with utf8, at most `maxBytes` bytes. */
export function canQuote(s: string | Buffer, utf8 = false, maxBytes = 1024): boolean {
  if (typeof s === 'string') {
    if (s.length > maxBytes) return false; // cheap reject before counting bytes
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0 || c === 0x0a || c === 0x0d) return false;
      if (c >= 0x80 && !utf8) return false;
      if (c >= 0xd800 && c <= 0xdfff && hasLoneSurrogate(s)) return false;
    }
    return Buffer.byteLength(s, 'utf8') <= maxBytes;
  }
  if (s.length > maxBytes) return false;
  let high = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
    if (c >= 0x80) high = true;
  }
  if (!high) return true;
  if (!utf8) return false;
  return Buffer.from(s.toString('utf8'), 'utf8').equals(s); // valid UTF-8 only
}

/** Lone surrogates cannot be encoded as UTF-8 faithfully (they would become U+FFFD). */
function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** `"..."` with `\` and `"` escaped. Throws EncodeError if the string cannot be quoted (CR/LF/NUL). */
export function quoteString(s: string): string {
  if (/[\r\n\0]/.test(s)) throw new EncodeError('String with CR, LF or NUL cannot be quoted');
  return `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}

/** astring form for short ASCII text: atom if possible, else quoted (throws if it needs a literal). */
export function formatAstring(s: string): string {
  return isAstringAtom(s) && s.toUpperCase() !== 'NIL' ? s : quoteString(s);
}

/** `{n}` / `~{n}` literal header including CRLF. */
export function literalHeader(size: number, binary = false): string {
  return `${binary ? '~' : ''}{${size}}${CRLF}`;
}

function isAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** Response text must be one line: CR/LF/NUL become spaces. */
/**
 * Human text on one line. Text that ends like a literal marker (`{3}`, an
 * echoed mailbox name) gets a trailing space: a client would otherwise wait
 * for that many bytes of literal data and read the next line as them.
 */
function sanitizeText(s: string): string {
  const line = s.replace(/[\r\n\0]/g, ' ');
  return /\{\d+\+?\}$/.test(line) ? line + ' ' : line;
}

function isFlag(f: string): boolean {
  return f === '\\*' || isAtom(f.startsWith('\\') ? f.slice(1) : f);
}

/** `(\Seen \Flagged)`, or undefined if a flag is not an atom. */
export function flagListText(flags: readonly string[]): string | undefined {
  return flags.every(isFlag) ? '(' + flags.join(' ') + ')' : undefined;
}

export class ResponseEncoder {
  /** May be switched on after `ENABLE UTF8=ACCEPT`. */
  utf8: boolean;
  private readonly maxQuoted: number;
  private readonly flushThreshold: number;
  private text = '';
  private err: Error | undefined;
  /** Open lists, to catch unbalanced beginList/endList at end of line. */
  private listDepth = 0;

  constructor(
    private readonly sink: Sink,
    options: EncoderOptions = {},
  ) {
    this.utf8 = options.utf8 ?? false;
    this.maxQuoted = options.maxQuotedLength ?? 1024;
    this.flushThreshold = options.flushThreshold ?? 16 * 1024;
  }

  /** First error seen (sink failure or invalid input), if any. */
  get error(): Error | undefined {
    return this.err;
  }

  // --- plumbing ------------------------------------------------------------

  private fail(message: string): this {
    this.err ??= new EncodeError(message);
    this.text = '';
    return this;
  }

  private put(s: string): this {
    if (this.err) return this;
    this.text += s;
    if (this.text.length >= this.flushThreshold) this.flush();
    return this;
  }

  private emit(chunk: Buffer | string): void {
    if (this.err) return;
    try {
      this.sink(chunk);
    } catch (e) {
      this.err = e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Hand buffered text to the sink. Returns the first error, if any. */
  flush(): Error | undefined {
    if (this.text.length > 0 && !this.err) {
      const t = this.text;
      this.text = '';
      this.emit(t);
    }
    return this.err;
  }

  // --- lines ---------------------------------------------------------------

  /** Start an untagged line: `* `. */
  untagged(): this {
    return this.put('* ');
  }

  /** Start a tagged line: `tag `. */
  tagged(tag: string): this {
    if (!isTag(tag)) return this.fail('Invalid tag');
    return this.put(tag + ' ');
  }

  /** Complete continuation line `+ text` and flush (the client is waiting for it). */
  continuation(text = 'Ready for literal data'): this {
    this.put(`+ ${sanitizeText(text)}${CRLF}`);
    this.flush();
    return this;
  }

  /** End the current line. */
  crlf(): this {
    if (this.listDepth !== 0) {
      this.listDepth = 0;
      return this.fail('Unbalanced list at end of line');
    }
    return this.put(CRLF);
  }

  /**
   * A whole status line: `tag OK [CODE] text` (tag null for `*`). `code` is
   * the raw inside of the brackets, e.g. `TOOBIG` or `UIDNEXT 5`. Tagged
   * lines flush, since they end a command.
   */
  status(tag: string | null, type: StatusType, text: string, code?: string): this {
    if (tag === null) this.untagged();
    else this.tagged(tag);
    this.put(type + ' ');
    if (code) this.put(`[${sanitizeText(code)}] `);
    this.put(sanitizeText(text)).crlf();
    if (tag !== null) this.flush();
    return this;
  }

  // --- tokens --------------------------------------------------------------

  /** Verbatim ASCII, for fixed protocol text (`FETCH`, `EXISTS`, `[READ-WRITE]`...). Must not contain CRLF. */
  raw(s: string): this {
    if (/[\r\n]/.test(s)) return this.fail('raw() text must not contain CR/LF');
    return this.put(s);
  }

  sp(): this {
    return this.put(' ');
  }

  atom(s: string): this {
    if (!isAtom(s)) return this.fail(`Invalid atom`);
    return this.put(s);
  }

  number(n: number | bigint): this {
    if (typeof n === 'number' && (!Number.isSafeInteger(n) || n < 0)) return this.fail('Invalid number');
    if (typeof n === 'bigint' && n < 0n) return this.fail('Invalid number');
    return this.put(String(n));
  }

  nil(): this {
    return this.put('NIL');
  }

  /** Force a quoted string (caller knows it is short text). */
  quoted(s: string): this {
    if (!canQuote(s, this.utf8, Infinity)) return this.fail('String cannot be quoted');
    return this.put(quoteString(s));
  }

  /** A string, quoted if possible, otherwise a literal (CR/LF/NUL, 8-bit without UTF8=ACCEPT, or long). */
  string(s: string | Buffer): this {
    if (!canQuote(s, this.utf8, this.maxQuoted)) return this.literal(s);
    return this.put(quoteString(typeof s === 'string' ? s : s.toString(this.utf8 ? 'utf8' : 'latin1')));
  }

  /** `nstring`: NIL for null/undefined. */
  nstring(s: string | Buffer | null | undefined): this {
    return s === null || s === undefined ? this.nil() : this.string(s);
  }

  /** `astring`: bare atom when possible (and not `NIL`), else string. */
  astring(s: string): this {
    if (isAstringAtom(s) && s.toUpperCase() !== 'NIL') return this.put(s);
    return this.string(s);
  }

  /** `{n}\r\n` + data (or `~{n}` for literal8). Large buffers are passed to the sink without copying. */
  literal(data: Buffer | string, binary = false): this {
    if (this.err) return this;
    const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
    this.put(literalHeader(size, binary));
    // Buffered text is emitted as a UTF-8 string, so only ASCII bytes may join it.
    if (typeof data === 'string') return this.put(data);
    if (data.length < 1024 && isAscii(data)) return this.put(data.toString('latin1'));
    this.flush();
    this.emit(data);
    return this;
  }

  /**
   * Literal whose bytes arrive later (streamed from storage): writes the
   * header and returns; the caller then writes exactly `size` bytes with
   * `rawBytes()`. Keeps memory flat for huge bodies.
   */
  literalHeader(size: number, binary = false): this {
    return this.put(literalHeader(size, binary));
  }

  /** Bytes straight to the sink (after flushing buffered text). */
  rawBytes(data: Buffer): this {
    this.flush();
    this.emit(data);
    return this;
  }

  beginList(): this {
    this.listDepth++;
    return this.put('(');
  }

  endList(): this {
    if (this.listDepth === 0) return this.fail('endList() without beginList()');
    this.listDepth--;
    return this.put(')');
  }

  /** `(item SP item ...)` with `each` writing one item. */
  list<T>(items: Iterable<T>, each: (enc: this, item: T) => void): this {
    this.beginList();
    let first = true;
    for (const item of items) {
      if (!first) this.sp();
      first = false;
      each(this, item);
    }
    return this.endList();
  }

  /** Flag list `(\Seen $Forwarded)`: flags are atoms (`\` + atom for system flags, `\*` allowed in PERMANENTFLAGS). */
  flags(flags: Iterable<string>): this {
    return this.list(flags, (enc, f) => {
      if (!isFlag(f)) enc.fail('Invalid flag');
      else enc.put(f);
    });
  }
}
