// Charset conversion and RFC 2047 encoded-words, for search text and for
// decoded parameter values. Node's TextDecoder (full ICU) knows the WHATWG
// encodings, which cover what mail uses; anything else falls back to UTF-8
// when the bytes are valid UTF-8, else Latin-1. Never throws.
import { TextDecoder } from 'node:util';
import { decodeBase64, decodeQ } from './codec.js';

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(charset: string): TextDecoder | null {
  const label = charset.trim().toLowerCase().replace(/\*.*$/, ''); // RFC 2231 language suffix
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = label === '' || label === 'us-ascii' || label === 'ascii' ? null : new TextDecoder(label);
    } catch {
      d = null;
    }
    if (decoders.size < 256) decoders.set(label, d);
  }
  return d;
}

/** Bytes in `charset` to text. */
export function decodeCharset(bytes: Buffer, charset: string | null | undefined): string {
  const d = charset ? decoderFor(charset) : null;
  if (d) return d.decode(bytes);
  return utf8OrLatin1(bytes);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('windows-1252');

function utf8OrLatin1(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded-words in an (unfolded or folded) header value.
 * Whitespace between adjacent encoded-words is dropped, and adjacent words
 * in one charset are joined before decoding so split multibyte characters
 * survive. Folding line breaks are removed.
 */
export function decodeEncodedWords(value: string): string {
  const unfolded = value.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n/g, ' ');
  if (!unfolded.includes('=?')) return unfolded;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = (): void => {
    if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
    pending = null;
  };
  WORD.lastIndex = 0;
  for (let m = WORD.exec(unfolded); m; m = WORD.exec(unfolded)) {
    const between = unfolded.slice(last, m.index);
    const charset = m[1]!.replace(/\*.*$/, '');
    const bytes = m[2] === 'B' || m[2] === 'b' ? decodeBase64(Buffer.from(m[3]!, 'latin1')) : decodeQ(m[3]!);
    const adjacent = pending !== null && /^[ \t]*$/.test(between);
    if (adjacent && pending!.charset.toLowerCase() === charset.toLowerCase()) {
      pending!.bytes.push(bytes);
    } else {
      flush();
      if (!adjacent) out += between;
      pending = { charset, bytes: [bytes] };
    }
    last = m.index + m[0].length;
  }
  flush();
  return out + unfolded.slice(last);
}
