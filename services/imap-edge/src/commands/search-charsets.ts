// The charsets SEARCH accepts (RFC 9051 6.4.4): UTF-8, US-ASCII and common
// legacy ones, decoded with iconv-lite (ISO-2022-JP with Node's own decoder).
// An unknown one is `NO [BADCHARSET (...)]`, not BAD.
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
import { decodeUtf8, ParseError } from '../protocol/index.js';

type Decoder = (bytes: Buffer) => string;

/** Every charset SEARCH accepts, canonical names, in the order BADCHARSET lists them. */
export const SEARCH_CHARSETS: readonly string[] = [
  'UTF-8',
  'US-ASCII',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16].map((n) => `ISO-8859-${n}`),
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => `WINDOWS-125${n}`),
  'KOI8-R',
  'KOI8-U',
  'ISO-2022-JP',
  'SHIFT_JIS',
  'EUC-JP',
  'EUC-KR',
  'GB2312',
  'GBK',
  'GB18030',
  'BIG5',
];

const ALIASES: ReadonlyMap<string, string> = new Map([
  ['UTF8', 'UTF-8'],
  ['ASCII', 'US-ASCII'],
  ['US', 'US-ASCII'],
  ['ANSI_X3.4-1968', 'US-ASCII'],
  ['ISO646-US', 'US-ASCII'],
  ['LATIN1', 'ISO-8859-1'],
  ['L1', 'ISO-8859-1'],
  ['LATIN2', 'ISO-8859-2'],
  ['LATIN-9', 'ISO-8859-15'],
  ['LATIN9', 'ISO-8859-15'],
  ['CSKOI8R', 'KOI8-R'],
  ['CSISO2022JP', 'ISO-2022-JP'],
  ['SJIS', 'SHIFT_JIS'],
  ['SHIFT-JIS', 'SHIFT_JIS'],
  ['MS_KANJI', 'SHIFT_JIS'],
  ['CSSHIFTJIS', 'SHIFT_JIS'],
  ['WINDOWS-31J', 'SHIFT_JIS'],
  ['CP932', 'SHIFT_JIS'],
  ['EUCJP', 'EUC-JP'],
  ['X-EUC-JP', 'EUC-JP'],
  ['EUCKR', 'EUC-KR'],
  ['KS_C_5601-1987', 'EUC-KR'],
  ['CP949', 'EUC-KR'],
  ['EUC-CN', 'GB2312'],
  ['CP936', 'GBK'],
  ['BIG-5', 'BIG5'],
  ['CN-BIG5', 'BIG5'],
  ['CSBIG5', 'BIG5'],
]);

/** The canonical name of a charset SEARCH supports, or undefined. */
export function canonicalSearchCharset(name: string): string | undefined {
  const up = name.toUpperCase();
  let canonical = ALIASES.get(up) ?? up;
  const iso = /^ISO[-_ ]?8859[-_ ]?(\d{1,2})(?::\d{4})?$/.exec(up);
  if (iso) canonical = `ISO-8859-${Number(iso[1])}`;
  const win = /^(?:WINDOWS|CP|X-CP)-?(125\d)$/.exec(up);
  if (win) canonical = `WINDOWS-${win[1]}`;
  return SEARCH_CHARSETS.includes(canonical) ? canonical : undefined;
}

function invalidIn(charset: string): never {
  throw new ParseError(`String is not valid ${charset}`);
}

function iconvDecoder(charset: string): Decoder {
  const encoding = charset.toLowerCase();
  if (!iconv.encodingExists(encoding)) throw new Error(`iconv-lite lacks ${charset}`);
  return (bytes) => {
    const s = iconv.decode(bytes, encoding);
    // Unmapped bytes decode to U+FFFD: a string that cannot match anything sensible.
    if (s.includes('\ufffd')) invalidIn(charset);
    return s;
  };
}

/**
 * ISO-2022-JP (RFC 1468), which iconv-lite lacks: the WHATWG decoder that
 * Node.js ships (ICU), fatal on malformed input.
 */
function iso2022JpDecoder(): Decoder {
  const decoder = new TextDecoder('iso-2022-jp', { fatal: true });
  return (bytes) => {
    try {
      return decoder.decode(bytes);
    } catch {
      return invalidIn('ISO-2022-JP');
    }
  };
}

const DECODERS: ReadonlyMap<string, Decoder> = new Map(
  SEARCH_CHARSETS.map((name): [string, Decoder] => {
    // US-ASCII is a subset of UTF-8; 8-bit bytes under it are taken as UTF-8 (clients do send that).
    if (name === 'UTF-8' || name === 'US-ASCII') return [name, decodeUtf8];
    if (name === 'ISO-2022-JP') return [name, iso2022JpDecoder()];
    return [name, iconvDecoder(name)];
  }),
);

/** Decode the bytes of a search string sent under `charset` (a canonical name). Throws ParseError. */
export function decodeSearchString(bytes: Buffer, charset = 'UTF-8'): string {
  const decode = DECODERS.get(charset);
  if (!decode) throw new SearchCharsetError(charset);
  const s = decode(bytes);
  if (s.includes('\0')) throw new ParseError('NUL in search string');
  return s;
}

/**
 * CHARSET names one we do not support: answer `tag NO [BADCHARSET (...)]`
 * (RFC 9051 §6.4.4), not BAD. A ParseError subclass, so code that only knows
 * ParseError still treats it as the client's mistake.
 */
export class SearchCharsetError extends ParseError {
  override get status(): 'NO' {
    return 'NO';
  }

  /** `BADCHARSET (UTF-8 US-ASCII ...)`, the response code listing what we support. */
  override get responseCode(): string {
    return `BADCHARSET (${SEARCH_CHARSETS.join(' ')})`;
  }
  constructor(readonly charset: string) {
    super(`Unsupported charset ${charset.replace(/[^\x21-\x7e]/g, '?').slice(0, 40)}`);
  }
}
