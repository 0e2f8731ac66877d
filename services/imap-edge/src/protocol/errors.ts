/**
 * Errors raised by the protocol layer.
 *
 * A ParseError always means "the client sent something we cannot accept";
 * its message is written for humans and is safe to put after `tag BAD`
 * (it never contains CR/LF or echoes unbounded client input).
 */

/** Optional IMAP response code the server may attach (e.g. `BAD [TOOBIG] ...`). */
export type ParseErrorCode = 'TOOBIG' | 'CLIENTBUG' | 'CANNOT';

export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    message: string,
    /** Suggested response code for the BAD/NO line, if any. */
    readonly code?: ParseErrorCode,
  ) {
    super(message);
  }

  /** The tagged answer: BAD, except for the few refusals the RFCs answer with NO (an unknown SEARCH charset). */
  get status(): 'BAD' | 'NO' {
    return 'BAD';
  }

  /** The response code of that answer. */
  get responseCode(): string | undefined {
    return this.code;
  }
}

/** The command name is not one we know (answer `tag BAD Unknown command`). */
export class UnknownCommandError extends ParseError {
  constructor(readonly command: string) {
    super(`Unknown command ${command.slice(0, 40)}`);
  }
}

/** Raised by the encoder for programming errors (e.g. an invalid atom). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}
