/**
 * Incremental command receiver: turns arbitrary socket chunks into whole
 * commands (line + literals in place), raw lines, or typed errors.
 *
 * Framing only. The receiver knows just enough syntax to find line ends,
 * literal markers at the end of a line (`{n}`, `{n+}`, `~{n}`), the tag and the
 * command name; everything else is the parser's job. This keeps the hot path
 * simple and lets the connection answer `+ Ready` / `NO [TOOBIG]` before any
 * literal byte is read.
 *
 * Pull-based: `push()` queues input, `next()` produces one event at a time.
 * Nothing after an event is processed until the next `next()` call, so the
 * connection can switch modes between events (raw-line for IDLE/AUTHENTICATE,
 * `reset()` after STARTTLS to drop pipelined plaintext).
 *
 * Memory is bounded by the limits: a partial line never exceeds
 * maxLineLength (too-long lines are discarded while streaming, not buffered),
 * literals never exceed maxLiteralSize, a command never exceeds maxCommandSize.
 * Unconsumed input is the caller's backpressure problem; `push()` returns
 * false above `highWaterMark` like a Node stream, as a hint to pause the socket.
 */

import { CR, LF } from './chars.js';
import { findLiteralMarker, parseTagAndName, type LiteralMarker } from './framing.js';
import { GrowBuffer } from './growbuffer.js';
import type { CommandPart, ReceiveErrorCode, ReceivedCommand } from './types.js';

export type LiteralMode = 'LITERAL+' | 'LITERAL-' | 'none';

/** What the connection is asked about before a synchronizing literal is read. */
export interface LiteralRequest {
  readonly tag: string;
  readonly name: string;
  /** Announced literal size in bytes. */
  readonly size: number;
  /** `~{n}` literal8. */
  readonly binary: boolean;
  /** 0 for the first literal of the command, 1 for the second, ... (MULTIAPPEND). */
  readonly literalIndex: number;
  /** Bytes of the command received so far (text + earlier literals). */
  readonly commandSize: number;
  /**
   * The literal exceeds maxLiteralSize or maxCommandSize. The callback must
   * then refuse it (answering e.g. `NO [TOOBIG]` for APPEND); if it accepts
   * anyway the receiver reports the limit error itself.
   */
  readonly overLimit: boolean;
}

/**
 * 'accept': the callback has sent (or will send) `+ Ready for literal data`.
 * 'refuse': the callback has answered the command itself (e.g. `tag NO [TOOBIG]`);
 *           the client will not send the data, the receiver drops the command.
 */
export type LiteralDecision = 'accept' | 'refuse';

export interface ReceiverOptions {
  /** Max command text in bytes, summed over all lines of a command, literal data and CRLF excluded. */
  maxLineLength?: number;
  /** Max size of one literal; larger ones are refused before any continuation. */
  maxLiteralSize?: number;
  /** Max total command size (text + all literals). */
  maxCommandSize?: number;
  /** How `{n+}` is treated: LITERAL+ (any size), LITERAL- (max 4096), none (not allowed). */
  literalMode?: LiteralMode;
  /**
   * A refused non-synchronizing literal must still be read and discarded
   * (RFC 7888 §4) or the connection closed. Above this size we give up:
   * the error is `fatal` and the connection should be closed.
   */
  maxDiscardSize?: number;
  /**
   * A line over maxLineLength is answered once and its rest discarded; when
   * the rest is longer than this, the client is not sending IMAP (a flood, a
   * line without end): the error is `fatal`.
   */
  maxLineSkip?: number;
  /** `push()` returns false once this many unprocessed bytes are queued. */
  highWaterMark?: number;
  /**
   * Called before a synchronizing literal is read, after the size limits
   * have passed. Default (no callback): accept.
   */
  onContinuationNeeded?: (info: LiteralRequest) => LiteralDecision;
}

export interface ReceiveError {
  readonly kind: 'error';
  readonly code: ReceiveErrorCode;
  /** Answer with `tag BAD ...` when set, `* BAD ...` otherwise. */
  readonly tag?: string;
  readonly name?: string;
  /** Human text for the BAD line. */
  readonly message: string;
  /** Suggested response code, e.g. `BAD [TOOBIG] ...`. */
  readonly responseCode?: 'TOOBIG';
  /** The receiver gave up; the connection should send BYE and close. */
  readonly fatal: boolean;
  /** True if this error consumed a pending `readRawLine()` request. */
  readonly rawLine: boolean;
}

/** One line read in raw mode (IDLE `DONE`, AUTHENTICATE responses), CRLF stripped. */
export interface RawLine {
  readonly kind: 'raw-line';
  readonly line: Buffer;
}

export type ReceiverEvent = ReceivedCommand | ReceiveError | RawLine;

export const DEFAULT_RECEIVER_LIMITS = {
  maxLineLength: 64 * 1024,
  maxLiteralSize: 64 * 1024 * 1024,
  maxCommandSize: 128 * 1024 * 1024,
  maxDiscardSize: 256 * 1024 * 1024,
  maxLineSkip: 1024 * 1024,
  highWaterMark: 1024 * 1024,
} as const;

/** RFC 7888 §5: LITERAL- caps non-synchronizing literals at 4096 bytes. */
export const LITERAL_MINUS_MAX = 4096;

type State = 'line' | 'literal' | 'skipLine' | 'skipLiteral' | 'dead';

/** A command whose first line(s) have arrived but which is not complete yet. */
interface Building {
  tag?: string;
  name?: string;
  argsOffset: number;
  parts: CommandPart[];
  /** Text bytes so far (limit: maxLineLength). */
  lineLen: number;
  /** Text + literal bytes so far (limit: maxCommandSize). */
  size: number;
  literals: number;
  /** Literal being read. */
  lit?: { size: number; sync: boolean; binary: boolean; data: GrowBuffer };
}

/** Longest literal marker we care to recognise while skipping: `~{` + 12 digits + `+}` plus slack. */
const TAIL_KEEP = 32;

export class CommandReceiver {
  private readonly maxLineLength: number;
  private readonly maxLiteralSize: number;
  private readonly maxCommandSize: number;
  private readonly maxDiscardSize: number;
  private readonly maxLineSkip: number;
  /** Bytes of the over-long line discarded so far. */
  private skipped = 0;
  private readonly highWaterMark: number;
  private readonly literalMode: LiteralMode;
  private readonly onContinuationNeeded: ((info: LiteralRequest) => LiteralDecision) | undefined;

  // Unprocessed input: a queue of chunks (never concatenated) and an offset into the first.
  private input: Buffer[] = [];
  private inputOff = 0;
  private pending = 0;

  private state: State = 'line';
  /** Bytes left of the literal being read or skipped. */
  private remaining = 0;
  /** Current (unterminated) line; capped at maxLineLength + 1. */
  private seg: GrowBuffer;
  /** Last bytes of a line being skipped, to spot a trailing `{n+}`. */
  private tail: Buffer = Buffer.alloc(0);
  /** While skipping: whether the skipped line may carry a literal (not for raw lines). */
  private skipHasLiterals = true;
  private cmd: Building | null = null;
  private rawLineWanted = false;

  constructor(options: ReceiverOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? DEFAULT_RECEIVER_LIMITS.maxLineLength;
    this.maxLiteralSize = options.maxLiteralSize ?? DEFAULT_RECEIVER_LIMITS.maxLiteralSize;
    this.maxCommandSize = options.maxCommandSize ?? DEFAULT_RECEIVER_LIMITS.maxCommandSize;
    this.maxDiscardSize = options.maxDiscardSize ?? DEFAULT_RECEIVER_LIMITS.maxDiscardSize;
    this.maxLineSkip = options.maxLineSkip ?? DEFAULT_RECEIVER_LIMITS.maxLineSkip;
    this.highWaterMark = options.highWaterMark ?? DEFAULT_RECEIVER_LIMITS.highWaterMark;
    this.literalMode = options.literalMode ?? 'LITERAL+';
    this.onContinuationNeeded = options.onContinuationNeeded;
    this.seg = new GrowBuffer(this.maxLineLength + 1);
  }

  /** Queue input. Returns false when the caller should pause reading (unprocessed bytes above highWaterMark). */
  push(chunk: Buffer): boolean {
    if (chunk.length > 0 && this.state !== 'dead') {
      this.input.push(chunk);
      this.pending += chunk.length;
    }
    return this.pending < this.highWaterMark;
  }

  /** Bytes pushed but not yet processed. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** True while a command is partially received (useful for idle timeouts and logging). */
  get inCommand(): boolean {
    return this.cmd !== null || this.seg.length > 0 || this.state !== 'line';
  }

  /**
   * Read the next line as a RawLine instead of a command (IDLE `DONE`,
   * AUTHENTICATE client responses). One-shot: reverts after one line.
   */
  readRawLine(enabled = true): void {
    this.rawLineWanted = enabled;
  }

  /**
   * Drop all state and unprocessed input. Use after STARTTLS (pipelined
   * plaintext must not be executed after the handshake, CVE-2011-0411 class).
   */
  reset(): void {
    this.input = [];
    this.inputOff = 0;
    this.pending = 0;
    this.state = 'line';
    this.remaining = 0;
    this.seg.clear();
    this.tail = Buffer.alloc(0);
    this.cmd = null;
    this.rawLineWanted = false;
  }

  /** Process queued input until one event is ready; null means "need more input". */
  next(): ReceiverEvent | null {
    while (this.pending > 0) {
      let ev: ReceiverEvent | null;
      switch (this.state) {
        case 'line':
          ev = this.stepLine();
          break;
        case 'literal':
          ev = this.stepLiteral();
          break;
        case 'skipLine':
          ev = this.stepSkipLine();
          break;
        case 'skipLiteral':
          this.stepSkipLiteral();
          ev = null;
          break;
        case 'dead':
          return null;
      }
      if (ev) return ev;
    }
    return null;
  }

  /** All events currently available. Lazy: mode switches made inside the loop apply to what follows. */
  *drain(): Generator<ReceiverEvent, void, undefined> {
    for (let ev = this.next(); ev; ev = this.next()) yield ev;
  }

  // --- input queue -------------------------------------------------------

  private head(): Buffer {
    const first = this.input[0]!;
    return this.inputOff === 0 ? first : first.subarray(this.inputOff);
  }

  private consume(n: number): void {
    this.pending -= n;
    while (n > 0) {
      const first = this.input[0]!;
      const avail = first.length - this.inputOff;
      if (n < avail) {
        this.inputOff += n;
        return;
      }
      n -= avail;
      this.input.shift();
      this.inputOff = 0;
    }
  }

  // --- states ------------------------------------------------------------

  private stepLine(): ReceiverEvent | null {
    const head = this.head();
    const lf = head.indexOf(LF);
    const take = lf < 0 ? head.length : lf;
    const textSoFar = (this.cmd?.lineLen ?? 0) + this.seg.length + take;
    // +1: a trailing CR is not counted, and may be the last byte we have.
    if (textSoFar > this.maxLineLength + 1) return this.lineOverflow(head, take);
    if (take > 0) this.seg.append(head.subarray(0, take));
    this.consume(lf < 0 ? take : take + 1);
    if (lf < 0) return null;
    // take() copies, so the command never pins socket chunks.
    let line = this.seg.take();
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    return this.completeLine(line);
  }

  /** The current line is over the limit: report once, then stream-discard the rest of it. */
  private lineOverflow(head: Buffer, take: number): ReceiverEvent {
    const raw = this.rawLineWanted && this.cmd === null;
    this.rawLineWanted = false;
    const b = this.cmd;
    let tag = b?.tag;
    let name = b?.name;
    if (!b && !raw) {
      // Try to recover the tag from the start of the line so the client gets a tagged BAD.
      const start = Buffer.concat([this.seg.peek(256), head.subarray(0, Math.min(take, 256))]);
      const id = parseTagAndName(start);
      tag = id.tag;
      name = id.name;
    }
    this.tail = Buffer.from(this.seg.peekLast(TAIL_KEEP));
    this.seg.clear();
    this.cmd = null;
    this.skipHasLiterals = !raw;
    this.skipped = 0;
    this.state = 'skipLine';
    return mkError('LINE_TOO_LONG', `Command line too long (max ${this.maxLineLength} bytes)`, tag, name, raw, 'TOOBIG');
  }

  private completeLine(line: Buffer): ReceiverEvent | null {
    if (this.rawLineWanted && this.cmd === null) {
      this.rawLineWanted = false;
      return { kind: 'raw-line', line };
    }
    const marker = findLiteralMarker(line, true);
    const isFirst = this.cmd === null;
    const b: Building = (this.cmd ??= { argsOffset: 0, parts: [], lineLen: 0, size: 0, literals: 0 });
    b.lineLen += line.length;
    b.size += line.length;
    b.parts.push({ type: 'text', data: marker ? line.subarray(0, marker.start) : line });

    if (isFirst) {
      if (line.length === 0) return this.fail('EMPTY_LINE', 'Empty command line', null);
      const id = parseTagAndName(b.parts[0]!.data);
      b.tag = id.tag;
      b.name = id.name;
      if (id.error) return this.fail(id.error.code, id.error.message, marker);
      b.argsOffset = id.argsOffset;
    }
    if (b.lineLen > this.maxLineLength) {
      return this.fail('LINE_TOO_LONG', `Command line too long (max ${this.maxLineLength} bytes)`, marker, 'TOOBIG');
    }
    if (!marker) {
      this.cmd = null;
      return { kind: 'command', tag: b.tag!, name: b.name!, parts: b.parts, argsOffset: b.argsOffset, size: b.size };
    }
    return this.announceLiteral(b, marker);
  }

  /** A line ended with `{n}`/`{n+}`/`~{n}`: check limits, ask for continuation, start reading. */
  private announceLiteral(b: Building, m: LiteralMarker): ReceiverEvent | null {
    // A synchronizing literal is offered to the connection first, even when
    // too big: it knows which answer the command needs (APPEND: NO [TOOBIG]).
    if (m.sync && this.onContinuationNeeded) {
      const info: LiteralRequest = {
        tag: b.tag!,
        name: b.name!,
        size: m.size,
        binary: m.binary,
        literalIndex: b.literals,
        commandSize: b.size,
        overLimit: m.size > this.maxLiteralSize || b.size + m.size > this.maxCommandSize,
      };
      if (this.onContinuationNeeded(info) === 'refuse') {
        // The caller answered the command; the client will not send the data.
        this.cmd = null;
        this.state = 'line';
        return null;
      }
    }
    if (m.size > this.maxLiteralSize) {
      return this.fail('LITERAL_TOO_BIG', `Literal too big (max ${this.maxLiteralSize} bytes)`, m, 'TOOBIG');
    }
    if (b.size + m.size > this.maxCommandSize) {
      return this.fail('COMMAND_TOO_BIG', `Command too big (max ${this.maxCommandSize} bytes)`, m, 'TOOBIG');
    }
    if (!m.sync) {
      if (this.literalMode === 'none') {
        return this.fail('NON_SYNC_LITERAL_NOT_ALLOWED', 'Non-synchronizing literals are not supported', m);
      }
      if (this.literalMode === 'LITERAL-' && m.size > LITERAL_MINUS_MAX) {
        return this.fail('NON_SYNC_LITERAL_TOO_BIG', `Non-synchronizing literal too big (max ${LITERAL_MINUS_MAX} bytes)`, m, 'TOOBIG');
      }
    }
    b.lit = { size: m.size, sync: m.sync, binary: m.binary, data: new GrowBuffer(m.size, 64 * 1024) };
    b.literals++;
    this.state = 'literal';
    this.remaining = m.size;
    if (m.size === 0) this.finishLiteral();
    return null;
  }

  private stepLiteral(): null {
    const head = this.head();
    const n = Math.min(head.length, this.remaining);
    this.cmd!.lit!.data.append(head.subarray(0, n));
    this.consume(n);
    this.remaining -= n;
    if (this.remaining === 0) this.finishLiteral();
    return null;
  }

  private finishLiteral(): void {
    const b = this.cmd!;
    const lit = b.lit!;
    b.parts.push({ type: 'literal', data: lit.data.take(), binary: lit.binary, sync: lit.sync });
    b.size += lit.size;
    b.lit = undefined;
    this.state = 'line';
  }

  private stepSkipLine(): ReceiverEvent | null {
    const head = this.head();
    const lf = head.indexOf(LF);
    const piece = lf < 0 ? head : head.subarray(0, lf);
    if (this.skipHasLiterals) {
      this.tail =
        piece.length >= TAIL_KEEP ? Buffer.from(piece.subarray(-TAIL_KEEP)) : Buffer.concat([this.tail, piece]).subarray(-TAIL_KEEP);
    }
    this.consume(lf < 0 ? piece.length : piece.length + 1);
    this.skipped += piece.length;
    if (this.skipped > this.maxLineSkip) {
      this.state = 'dead';
      this.input = [];
      this.inputOff = 0;
      this.pending = 0;
      return {
        ...mkError('LINE_TOO_LONG', 'Line far over the limit, closing connection', undefined, undefined, false, 'TOOBIG'),
        fatal: true,
      };
    }
    if (lf < 0) return null;
    let tail = this.tail;
    this.tail = Buffer.alloc(0);
    this.state = 'line';
    if (!this.skipHasLiterals) return null;
    if (tail.length > 0 && tail[tail.length - 1] === CR) tail = tail.subarray(0, tail.length - 1);
    // A skipped line ending in `{n}` needs nothing: the client waits for a
    // continuation that never comes and reads our BAD instead. `{n+}` data
    // is on its way and must be discarded, then the rest of that line.
    const m = findLiteralMarker(tail, false);
    if (m && !m.sync) return this.discard(m.size, undefined);
    return null;
  }

  private stepSkipLiteral(): void {
    const n = Math.min(this.head().length, this.remaining);
    this.consume(n);
    this.remaining -= n;
    if (this.remaining === 0) {
      this.state = 'skipLine';
      this.skipped = 0;
    }
  }

  /** Start discarding a non-synchronizing literal; too big to be worth it means fatal. */
  private discard(size: number, tag: string | undefined): ReceiveError | null {
    if (size > this.maxDiscardSize) {
      this.state = 'dead';
      this.input = [];
      this.inputOff = 0;
      this.pending = 0;
      return { ...mkError('LITERAL_TOO_BIG', 'Literal too big, closing connection', tag, undefined, false, 'TOOBIG'), fatal: true };
    }
    this.state = 'skipLiteral';
    this.remaining = size;
    return null;
  }

  /**
   * Abandon the command being built. With a pending `{n+}` the data is
   * coming anyway and is discarded along with the rest of the line; with a
   * pending `{n}` the client waits for a continuation, so we just go back to
   * reading lines.
   */
  private fail(code: ReceiveErrorCode, message: string, m: LiteralMarker | null, responseCode?: 'TOOBIG'): ReceiveError {
    const b = this.cmd;
    this.cmd = null;
    const err = mkError(code, message, b?.tag, b?.name, false, responseCode);
    if (m && !m.sync) {
      this.skipHasLiterals = true;
      const fatal = this.discard(m.size, b?.tag);
      if (fatal) return fatal;
    } else {
      this.state = 'line';
    }
    return err;
  }
}

function mkError(
  code: ReceiveErrorCode,
  message: string,
  tag: string | undefined,
  name: string | undefined,
  rawLine: boolean,
  responseCode?: 'TOOBIG',
): ReceiveError {
  const e: { -readonly [K in keyof ReceiveError]: ReceiveError[K] } = { kind: 'error', code, message, fatal: false, rawLine };
  if (tag !== undefined) e.tag = tag;
  if (name !== undefined) e.name = name;
  if (responseCode) e.responseCode = responseCode;
  return e;
}
