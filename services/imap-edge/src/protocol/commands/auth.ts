/** LOGIN and AUTHENTICATE (RFC 9051 §6.2, RFC 4959 SASL-IR). */

import { ParseError } from '../errors.js';
import { decodeUtf8, type CommandParser } from '../parser.js';

export interface LoginArgs {
  readonly username: string;
  /** UTF-8 decoded; falls back to latin1 if the bytes are not UTF-8 (legacy clients). */
  readonly password: string;
  /** The password exactly as sent. */
  readonly passwordBytes: Buffer;
}

/** `LOGIN SP userid SP password` (both astrings). */
export function parseLogin(p: CommandParser): LoginArgs {
  p.expectSP();
  const username = p.expectAstring();
  p.expectSP();
  const passwordBytes = p.expectAstringBytes();
  p.expectEnd();
  let password: string;
  try {
    password = decodeUtf8(passwordBytes);
  } catch {
    password = passwordBytes.toString('latin1');
  }
  return { username, password, passwordBytes: Buffer.from(passwordBytes) };
}

export interface AuthenticateArgs {
  /** Upper-cased SASL mechanism name, e.g. `PLAIN`. */
  readonly mechanism: string;
  /** SASL-IR initial response, base64-decoded; `=` gives an empty buffer. Absent if not sent. */
  readonly initialResponse?: Buffer;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 decode (Buffer.from(…, 'base64') silently skips garbage). */
export function decodeBase64Strict(s: string): Buffer {
  if (!BASE64_RE.test(s)) throw new ParseError('Invalid base64');
  return Buffer.from(s, 'base64');
}

/** `AUTHENTICATE SP auth-type [SP (base64 / "=")]`. */
export function parseAuthenticate(p: CommandParser): AuthenticateArgs {
  p.expectSP();
  const mechanism = p.expectAtom().toUpperCase();
  if (!p.trySP()) {
    p.expectEnd();
    return { mechanism };
  }
  const ir = p.expectAtom();
  p.expectEnd();
  return { mechanism, initialResponse: ir === '=' ? Buffer.alloc(0) : decodeBase64Strict(ir) };
}

/**
 * A client response line during AUTHENTICATE (read with
 * `receiver.readRawLine()`): base64 data, or `*` to cancel.
 */
export function parseSaslResponse(line: Buffer): Buffer | 'cancel' {
  const s = line.toString('latin1');
  if (s === '*') return 'cancel';
  return decodeBase64Strict(s);
}
