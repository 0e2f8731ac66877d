/**
 * Modified UTF-7 for mailbox names (RFC 3501 §5.1.3), used when the client
 * has not enabled UTF8=ACCEPT.
 *
 * Decoding is strict: only the canonical encoding (the one `encodeMutf7`
 * produces) is accepted. Non-canonical forms would let two different wire
 * names map to the same mailbox, which breaks name comparison and ACLs.
 */

import { ParseError } from './errors.js';

// Modified base64: standard alphabet with ',' instead of '/', no padding.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const isDirect = (c: number): boolean => c >= 0x20 && c <= 0x7e;

/** Encode a Unicode mailbox name. Throws ParseError on lone surrogates. */
export function encodeMutf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (isDirect(c)) {
      out += c === 0x26 ? '&-' : name[i];
      i++;
      continue;
    }
    // Collect the whole run of non-direct chars into one shift sequence.
    const units: number[] = [];
    while (i < name.length && !isDirect(name.charCodeAt(i))) {
      const u = name.charCodeAt(i);
      if (u >= 0xd800 && u <= 0xdbff) {
        const lo = name.charCodeAt(i + 1);
        if (!(lo >= 0xdc00 && lo <= 0xdfff)) throw new ParseError('Mailbox name contains an unpaired surrogate');
        units.push(u, lo);
        i += 2;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        throw new ParseError('Mailbox name contains an unpaired surrogate');
      } else {
        units.push(u);
        i++;
      }
    }
    out += '&' + base64Units(units) + '-';
  }
  return out;
}

function base64Units(units: readonly number[]): string {
  let out = '';
  let bits = 0;
  let nbits = 0;
  for (const u of units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += ALPHABET[(bits >> nbits) & 0x3f];
    }
    bits &= (1 << nbits) - 1;
  }
  if (nbits > 0) out += ALPHABET[(bits << (6 - nbits)) & 0x3f];
  return out;
}

/** Decode a modified UTF-7 mailbox name. Throws ParseError if it is not canonical mUTF-7. */
export function decodeMutf7(wire: string): string {
  let out = '';
  let i = 0;
  let prevWasShift = false;
  while (i < wire.length) {
    const c = wire.charCodeAt(i);
    if (!isDirect(c)) throw new ParseError('Mailbox name contains characters not allowed in modified UTF-7');
    if (c !== 0x26) {
      out += wire[i];
      i++;
      prevWasShift = false;
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end < 0) throw new ParseError('Unterminated modified UTF-7 shift sequence');
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      prevWasShift = false;
      continue;
    }
    // Two adjacent shift sequences are never produced by the encoder.
    if (prevWasShift) throw new ParseError('Non-canonical modified UTF-7 (adjacent shift sequences)');
    out += decodeRun(wire.slice(i + 1, end));
    i = end + 1;
    prevWasShift = true;
  }
  return out;
}

function decodeRun(b64: string): string {
  const units: number[] = [];
  let bits = 0;
  let nbits = 0;
  for (let k = 0; k < b64.length; k++) {
    const code = b64.charCodeAt(k);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) throw new ParseError('Invalid character in modified UTF-7 shift sequence');
    bits = (bits << 6) | v;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push((bits >> nbits) & 0xffff);
      bits &= (1 << nbits) - 1;
    }
  }
  // Leftover must be padding only: fewer than 6 bits, all zero.
  if (nbits >= 6 || bits !== 0) throw new ParseError('Invalid modified UTF-7 padding');
  let s = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k]!;
    if (isDirect(u)) throw new ParseError('Non-canonical modified UTF-7 (encoded printable ASCII)');
    if (u >= 0xd800 && u <= 0xdbff) {
      const lo = units[k + 1];
      if (lo === undefined || lo < 0xdc00 || lo > 0xdfff) throw new ParseError('Invalid surrogate pair in modified UTF-7');
      s += String.fromCharCode(u, lo);
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw new ParseError('Invalid surrogate pair in modified UTF-7');
    } else {
      s += String.fromCharCode(u);
    }
  }
  return s;
}

/** True if `wire` is canonical modified UTF-7. */
export function isValidMutf7(wire: string): boolean {
  try {
    decodeMutf7(wire);
    return true;
  } catch {
    return false;
  }
}
