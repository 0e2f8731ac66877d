/**
 * Shapes shared by the receiver (which frames commands) and the parser
 * (which decodes them).
 */

/** Command text between literals, CRLF and `{n}` markers removed. */
export interface TextPart {
  readonly type: 'text';
  readonly data: Buffer;
}

/** The bytes of one literal, in the position it was sent. */
export interface LiteralPart {
  readonly type: 'literal';
  readonly data: Buffer;
  /** `~{n}` (literal8, RFC 3516): may contain NUL, only valid where binary data is allowed. */
  readonly binary: boolean;
  /** `{n}` (true) vs. `{n+}` (false); informational only. */
  readonly sync: boolean;
}

export type CommandPart = TextPart | LiteralPart;

/** Why the receiver refused a line or a literal (framing.ts and receiver.ts). */
export type ReceiveErrorCode =
  | 'EMPTY_LINE'
  | 'BAD_TAG'
  | 'BAD_COMMAND'
  | 'LINE_TOO_LONG'
  | 'LITERAL_TOO_BIG'
  | 'COMMAND_TOO_BIG'
  | 'NON_SYNC_LITERAL_TOO_BIG'
  | 'NON_SYNC_LITERAL_NOT_ALLOWED';

/**
 * A complete command as framed by the receiver. `parts` alternates
 * text, literal, text, ... and always starts and ends with a text part,
 * so a command without literals is a single text part.
 */
export interface ReceivedCommand {
  readonly kind: 'command';
  readonly tag: string;
  /** Upper-cased command name; UID commands are `'UID FETCH'`, `'UID STORE'`, ... */
  readonly name: string;
  readonly parts: readonly CommandPart[];
  /** Byte offset in `parts[0]` right after the command name (arguments start here, usually with SP). */
  readonly argsOffset: number;
  /** Total size: line text (without CRLFs) plus literal data. */
  readonly size: number;
}
