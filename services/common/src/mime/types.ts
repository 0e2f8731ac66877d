// The MIME structure of a stored message, computed once at APPEND/delivery
// and kept as JSON (see parseMessage). Everything the edge needs for
// ENVELOPE, BODY, BODYSTRUCTURE, BODY[section] and BINARY is here or in the
// raw bytes at the offsets recorded here.
//
// Strings that come from header bytes are decoded as UTF-8 when the bytes
// are valid UTF-8, else as Latin-1, so JSON keeps them without loss of
// meaning. Values are otherwise kept as the message wrote them (case,
// encoded-words, RFC 2231 syntax): IMAP wants them that way.

/** Bump when the JSON shape or the parsing rules change, so stored structures can be recomputed. */
export const STRUCTURE_VERSION = 1;

/** An address, or a group marker, exactly as in an IMAP ENVELOPE. */
export interface Address {
  /** Display name (phrase, or a trailing comment), encoded-words not decoded. */
  name: string | null;
  /** Obsolete source route (`@a,@b`); Dovecot reports it, so do we. */
  route: string | null;
  /** Local part; for a group start, the group name. `MISSING_MAILBOX` when absent (as Dovecot). */
  mailbox: string | null;
  /** Domain; null for group markers. `MISSING_DOMAIN` when absent (as Dovecot). */
  host: string | null;
}

/**
 * ENVELOPE fields. String fields hold the raw header value (folding kept;
 * the renderer unfolds). Address lists are null when the header is absent
 * or holds no address. `sender` and `replyTo` are NOT defaulted here: the
 * renderer falls back to `from` (RFC 9051 7.5.2).
 */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: Address[] | null;
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** A Content-Type / Content-Disposition parameter. */
export interface MimeParam {
  /** As written; RFC 2231 continuations merged (`name*` when extended), like Dovecot. */
  name: string;
  /** As written (RFC 2231 extended values stay percent-encoded with their charset prefix). */
  value: string;
  /** Unicode value when it differs from `value`: RFC 2231 charset/percent decoding, RFC 2047 words. */
  decoded?: string;
}

export interface Disposition {
  value: string;
  params: MimeParam[];
}

/**
 * What the part is for IMAP. `message` is message/rfc822 (its embedded
 * message is `children[0]`); `text` carries a line count; `basic` is any
 * other leaf.
 */
export type PartKind = 'multipart' | 'message' | 'text' | 'basic';

export interface MimePart {
  kind: PartKind;
  /** Offset of the part's header (for the root: 0; for a MIME part: just after its boundary line). */
  headerStart: number;
  /** End of the header, blank line included; the body starts here. */
  headerEnd: number;
  /** End of the body (exclusive). For MIME parts, before the CRLF that precedes the next boundary. */
  bodyEnd: number;
  /**
   * Content type and subtype as written, or null when the part has no
   * (MIME-valid) Content-Type: it is then text/plain, or message/rfc822
   * inside multipart/digest. A container part that could not be parsed as
   * one (nesting/part limits, `multipart` without subtype) reads
   * application/octet-stream here, as Dovecot shows it.
   */
  type: string | null;
  subtype: string | null;
  params: MimeParam[];
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding token as written; null means 7bit. */
  encoding: string | null;
  md5: string | null;
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
  /** Body octets as IMAP counts them: bare LFs count as CRLF. */
  size: number;
  /** Number of lines (LFs) in the body. */
  lines: number;
  /** multipart: the parts (may be empty); message: exactly one, the embedded message's root. */
  children?: MimePart[];
  /** message: the embedded message's ENVELOPE. */
  envelope?: Envelope;
}

export interface MessageStructure {
  version: number;
  /** Length of the raw message in bytes. */
  rawSize: number;
  /** RFC822.SIZE: the size with every bare LF counted as CRLF. */
  size: number;
  /**
   * True when the raw message has LFs without CR. Sections are byte ranges
   * into the raw message; when this is set they must be served through
   * toCrlf() (all sizes here already count CRLF).
   */
  bareLf: boolean;
  /** True when a nesting or part-count limit cut the parse; the rest is opaque body. */
  limited: boolean;
  envelope: Envelope;
  root: MimePart;
}

export interface ParseLimits {
  /** Parts nest at most this deep: a part at depth maxDepth-1 (root = 0) is not parsed as a container. Default 100 (Dovecot). */
  maxDepth?: number;
  /** At most this many parts, root included; beyond, the rest is body of the last part. Default 10000 (Dovecot). */
  maxParts?: number;
}
