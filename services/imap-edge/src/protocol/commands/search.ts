/**
 * SEARCH and UID SEARCH arguments (RFC 9051 §6.4.4, RFC 3501 §6.4.4), with
 *
 * - ESEARCH result options `RETURN (MIN MAX ALL COUNT SAVE)` (RFC 4731,
 *   RFC 5182, RFC 9051),
 * - `CHARSET` (UTF-8, US-ASCII and common legacy charsets, decoded with
 *   iconv-lite; an unknown one raises SearchCharsetError -> `NO [BADCHARSET ...]`),
 * - CONDSTORE `MODSEQ` (RFC 7162 §3.1.5) and WITHIN `OLDER`/`YOUNGER` (RFC 5032).
 *
 * The output is a typed tree (`SearchKey`). `toSearchCriteria` turns it into
 * the JSON program the mailbox service runs (`SearchCriteria` in
 * services/mailbox/src/store/search.ts), once the handler can resolve
 * sequence sets to UIDs.
 */

import iconv from 'iconv-lite';
import { canonicalFlag } from '@kimap/common';
import { DQUOTE, LPAREN, isAtom, isAtomChar, isDigit } from '../chars.js';
import type { ImapDate } from '../datetime.js';
import { ParseError } from '../errors.js';
import { decodeUtf8, DEFAULT_MAX_LIST_DEPTH, type CommandParser } from '../parser.js';
import type { SequenceSet } from '../seqset.js';

// --- types -------------------------------------------------------------------

export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

/** Keys whose argument is a string matched as a case-insensitive substring. */
export type SearchStringKey = 'bcc' | 'body' | 'cc' | 'from' | 'subject' | 'text' | 'to';

/** Keys comparing a calendar date: the internal date (BEFORE/ON/SINCE) or the Date: header (SENT*). */
export type SearchDateKey = 'before' | 'on' | 'since' | 'sentbefore' | 'senton' | 'sentsince';

/** CONDSTORE `MODSEQ "/flags/\Seen" all 5`: the metadata item the client asked about. */
export interface SearchModseqEntry {
  /** The flag of `"/flags/<flag>"`; system flags in canonical case. */
  readonly flag: string;
  readonly entryType: 'priv' | 'shared' | 'all';
}

/**
 * One search key. Keys are named after the IMAP keyword (lower case), except:
 * ANSWERED, DELETED, DRAFT, FLAGGED, SEEN, KEYWORD and their UN- forms are all
 * `flag` (`set: false` for the UN- forms); a sequence set is `seq`; a
 * parenthesized list or several keys in a row are `and` (a group of one key
 * is that key).
 */
export type SearchKey =
  | { readonly type: 'all' }
  | { readonly type: 'new' }
  | { readonly type: 'old' }
  | { readonly type: 'recent' }
  /** System flags in canonical case (`\Seen`); keywords as sent (flag names compare case-insensitively). */
  | { readonly type: 'flag'; readonly flag: string; readonly set: boolean }
  | { readonly type: SearchStringKey; readonly value: string }
  | { readonly type: 'header'; readonly field: string; readonly value: string }
  | { readonly type: SearchDateKey; readonly date: ImapDate }
  /** number64 in RFC 9051. */
  | { readonly type: 'larger' | 'smaller'; readonly size: bigint }
  /** `seq`: message sequence numbers; `uid`: UIDs. Either may hold `$` (RFC 5182, `set.searchResult`). */
  | { readonly type: 'seq' | 'uid'; readonly set: SequenceSet }
  | { readonly type: 'modseq'; readonly modseq: bigint; readonly entry?: SearchModseqEntry }
  | { readonly type: 'older' | 'younger'; readonly seconds: number }
  | { readonly type: 'not'; readonly key: SearchKey }
  | { readonly type: 'or'; readonly left: SearchKey; readonly right: SearchKey }
  | { readonly type: 'and'; readonly keys: readonly SearchKey[] };

export interface SearchArgs {
  readonly uid: boolean;
  /**
   * ESEARCH result options in the order sent, duplicates removed; `RETURN ()`
   * gives `['ALL']`. Absent without RETURN: answer with untagged SEARCH.
   */
  readonly returnOptions?: readonly SearchReturnOption[];
  /** Canonical name of the CHARSET given, if any. String arguments are already decoded. */
  readonly charset?: string;
  /** The search program; several keys are an `and`. */
  readonly criteria: SearchKey;
}

export interface SearchParseOptions {
  /** Maximum nesting of NOT / OR / parenthesized groups (default 32). */
  maxDepth?: number;
}

export const MAX_SEARCH_DEPTH = DEFAULT_MAX_LIST_DEPTH;

// --- charsets ----------------------------------------------------------------

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
 * ISO-2022-JP (RFC 1468), which iconv-lite lacks: switch between ASCII,
 * JIS X 0201 Roman / Katakana and JIS X 0208 with escape sequences; the
 * JIS X 0208 pairs are EUC-JP with the high bits cleared.
 */
function decodeIso2022Jp(bytes: Buffer): string {
  let mode: 'ascii' | 'roman' | 'kana' | 'jis' = 'ascii';
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      const seq = bytes.toString('latin1', i + 1, i + 3);
      if (seq === '(B') mode = 'ascii';
      else if (seq === '(J') mode = 'roman';
      else if (seq === '(I') mode = 'kana';
      else if (seq === '$@' || seq === '$B') mode = 'jis';
      else invalidIn('ISO-2022-JP');
      i += 3;
      continue;
    }
    if (b >= 0x80) invalidIn('ISO-2022-JP');
    if (mode === 'jis') {
      let j = i;
      while (j + 1 < bytes.length && bytes[j]! >= 0x21 && bytes[j]! <= 0x7e && bytes[j + 1]! >= 0x21 && bytes[j + 1]! <= 0x7e) j += 2;
      if (j === i) invalidIn('ISO-2022-JP');
      const euc = Buffer.from(bytes.subarray(i, j));
      for (let k = 0; k < euc.length; k++) euc[k]! |= 0x80;
      const s = iconv.decode(euc, 'euc-jp');
      if (s.includes('\ufffd')) invalidIn('ISO-2022-JP');
      out += s;
      i = j;
      continue;
    }
    if (mode === 'kana') {
      if (b < 0x21 || b > 0x5f) invalidIn('ISO-2022-JP');
      out += String.fromCharCode(0xff61 + b - 0x21);
    } else if (mode === 'roman' && b === 0x5c) {
      out += '\u00a5';
    } else if (mode === 'roman' && b === 0x7e) {
      out += '\u203e';
    } else {
      out += String.fromCharCode(b);
    }
    i++;
  }
  return out;
}

const DECODERS: ReadonlyMap<string, Decoder> = new Map(
  SEARCH_CHARSETS.map((name): [string, Decoder] => {
    // US-ASCII is a subset of UTF-8; 8-bit bytes under it are taken as UTF-8 (clients do send that).
    if (name === 'UTF-8' || name === 'US-ASCII') return [name, decodeUtf8];
    if (name === 'ISO-2022-JP') return [name, decodeIso2022Jp];
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
  /** The tagged response to send. */
  readonly status = 'NO' as const;
  /** `BADCHARSET (UTF-8 US-ASCII ...)`, the response code listing what we support. */
  readonly responseCode = `BADCHARSET (${SEARCH_CHARSETS.join(' ')})`;
  constructor(readonly charset: string) {
    super(`Unsupported charset ${charset.replace(/[^\x21-\x7e]/g, '?').slice(0, 40)}`);
  }
}

// --- parser ------------------------------------------------------------------

const RETURN_OPTIONS: ReadonlySet<string> = new Set<SearchReturnOption>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

const FLAG_KEYS: Readonly<Record<string, readonly [flag: string, set: boolean]>> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};

const STRING_KEYS: ReadonlySet<string> = new Set(['BCC', 'BODY', 'CC', 'FROM', 'SUBJECT', 'TEXT', 'TO']);
const DATE_KEYS: ReadonlySet<string> = new Set(['BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE']);

interface State {
  readonly p: CommandParser;
  readonly charset: string;
  readonly maxDepth: number;
  depth: number;
}

/**
 * `SEARCH [SP "RETURN" SP "(" [opt *(SP opt)] ")"] SP ["CHARSET" SP charset SP] search-key *(SP search-key)`.
 * Throws ParseError (BAD), or SearchCharsetError (NO [BADCHARSET]) for an unknown charset.
 */
export function parseSearch(p: CommandParser, uid: boolean, options: SearchParseOptions = {}): SearchArgs {
  p.expectSP();
  let returnOptions: SearchReturnOption[] | undefined;
  if (p.tryKeyword('RETURN')) {
    p.expectSP();
    const opts = p.expectList((q) => {
      const opt = q.expectAtom().toUpperCase();
      if (!RETURN_OPTIONS.has(opt)) q.fail(`Unsupported SEARCH result option ${opt.slice(0, 20)}`);
      return opt as SearchReturnOption;
    });
    returnOptions = opts.length === 0 ? ['ALL'] : [...new Set(opts)];
    p.expectSP();
  }
  let charset: string | undefined;
  if (p.tryKeyword('CHARSET')) {
    p.expectSP();
    const name = p.peek() === DQUOTE ? p.expectQuoted().toString('latin1') : p.expectAtom();
    charset = canonicalSearchCharset(name);
    if (!charset) throw new SearchCharsetError(name);
    p.expectSP();
  }
  const s: State = { p, charset: charset ?? 'UTF-8', maxDepth: options.maxDepth ?? MAX_SEARCH_DEPTH, depth: 0 };
  const keys = [parseKey(s)];
  while (p.trySP()) keys.push(parseKey(s));
  p.expectEnd();
  return { uid, ...(returnOptions && { returnOptions }), ...(charset && { charset }), criteria: group(keys) };
}

function group(keys: SearchKey[]): SearchKey {
  return keys.length === 1 ? keys[0]! : { type: 'and', keys };
}

function nested<T>(s: State, fn: () => T): T {
  if (++s.depth > s.maxDepth) s.p.fail('Search keys nested too deeply');
  const out = fn();
  s.depth--;
  return out;
}

function searchString(s: State): string {
  return decodeSearchString(s.p.expectAstringBytes(), s.charset);
}

/** `header-fld-name` (an astring) must be a valid field name: printable ASCII except ":". */
function headerFieldName(p: CommandParser): string {
  const bytes = p.expectAstringBytes();
  if (bytes.length === 0 || bytes.some((b) => b < 0x21 || b > 0x7e || b === 0x3a)) p.fail('Invalid header field name');
  return bytes.toString('latin1');
}

function parseKey(s: State): SearchKey {
  const { p } = s;
  const b = p.peek();
  if (b === LPAREN) return nested(s, () => group(p.expectList(() => parseKey(s), { allowEmpty: false })));
  if (isDigit(b) || b === 0x2a /* * */ || b === 0x24 /* $ */) return { type: 'seq', set: p.expectSequenceSet() };
  if (p.atEnd() || p.atLiteral() || b === -1) p.fail('Expected search key');
  const name = p.readWhile(isAtomChar).toUpperCase();
  if (name.length === 0) p.fail('Expected search key');

  const flag = FLAG_KEYS[name];
  if (flag) return { type: 'flag', flag: flag[0], set: flag[1] };
  if (STRING_KEYS.has(name)) {
    p.expectSP();
    return { type: name.toLowerCase() as SearchStringKey, value: searchString(s) };
  }
  if (DATE_KEYS.has(name)) {
    p.expectSP();
    return { type: name.toLowerCase() as SearchDateKey, date: p.expectDate() };
  }
  switch (name) {
    case 'ALL':
      return { type: 'all' };
    case 'NEW':
      return { type: 'new' };
    case 'OLD':
      return { type: 'old' };
    case 'RECENT':
      return { type: 'recent' };
    case 'KEYWORD':
    case 'UNKEYWORD':
      p.expectSP();
      return { type: 'flag', flag: p.expectFlag(), set: name === 'KEYWORD' };
    case 'HEADER': {
      p.expectSP();
      const field = headerFieldName(p);
      p.expectSP();
      return { type: 'header', field, value: searchString(s) };
    }
    case 'LARGER':
    case 'SMALLER':
      p.expectSP();
      return { type: name === 'LARGER' ? 'larger' : 'smaller', size: p.expectNumber64() };
    case 'UID':
      p.expectSP();
      return { type: 'uid', set: p.expectSequenceSet() };
    case 'NOT':
      p.expectSP();
      return nested(s, () => ({ type: 'not', key: parseKey(s) }));
    case 'OR':
      p.expectSP();
      return nested(s, () => {
        const left = parseKey(s);
        p.expectSP();
        return { type: 'or', left, right: parseKey(s) };
      });
    case 'MODSEQ':
      return parseModseq(p);
    case 'OLDER':
    case 'YOUNGER':
      p.expectSP();
      return { type: name === 'OLDER' ? 'older' : 'younger', seconds: p.expectNzNumber() };
    default:
      return p.fail(`Unknown search key ${name.slice(0, 20)}`);
  }
}


/** `MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer` (RFC 7162 §3.1.5). */
function parseModseq(p: CommandParser): SearchKey {
  p.expectSP();
  let entry: SearchModseqEntry | undefined;
  if (p.peek() === DQUOTE) {
    // entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE; attr-flag = ["\"] atom
    const name = p.expectQuoted().toString('latin1');
    const raw = name.slice(7);
    const atom = raw.startsWith('\\') ? raw.slice(1) : raw;
    if (name.slice(0, 7).toLowerCase() !== '/flags/' || !isAtom(atom)) p.fail('Invalid MODSEQ entry name');
    p.expectSP();
    const type = p.expectAtom().toLowerCase();
    if (type !== 'priv' && type !== 'shared' && type !== 'all') p.fail('Invalid MODSEQ entry type');
    entry = { flag: canonicalFlag(raw), entryType: type };
    p.expectSP();
  }
  const modseq = p.expectNumber64();
  return { type: 'modseq', modseq, ...(entry && { entry }) };
}

// --- helpers for the handler ----------------------------------------------------

/** Calls `fn` on every key of the tree, depth first. */
export function walkSearchKey(key: SearchKey, fn: (k: SearchKey) => void): void {
  fn(key);
  if (key.type === 'not') walkSearchKey(key.key, fn);
  else if (key.type === 'or') {
    walkSearchKey(key.left, fn);
    walkSearchKey(key.right, fn);
  } else if (key.type === 'and') for (const k of key.keys) walkSearchKey(k, fn);
}

/** True if some key uses `$` (the saved search result, RFC 5182). */
export function usesSearchResult(key: SearchKey): boolean {
  let found = false;
  walkSearchKey(key, (k) => {
    if ((k.type === 'seq' || k.type === 'uid') && k.set.searchResult) found = true;
  });
  return found;
}

/** True if some key is MODSEQ: the response then carries `(MODSEQ n)` and CONDSTORE is enabled (RFC 7162 §3.1). */
export function usesModseq(key: SearchKey): boolean {
  let found = false;
  walkSearchKey(key, (k) => {
    if (k.type === 'modseq') found = true;
  });
  return found;
}

// --- the program for the mailbox service ------------------------------------------

/**
 * The JSON search program the mailbox service runs. Mirrors `SearchCriteria`
 * in services/mailbox/src/store/search.ts (which validates it again).
 */
export type SearchCriteriaJson =
  | { type: 'all' }
  | { type: 'none' }
  | { type: 'and' | 'or'; keys: SearchCriteriaJson[] }
  | { type: 'not'; key: SearchCriteriaJson }
  | { type: 'uids'; uids: Array<{ first: number; last: number }> }
  | { type: 'flag'; flag: string }
  | { type: 'header'; field: string; value: string }
  | { type: 'body' | 'text'; value: string }
  | { type: SearchDateKey; date: string }
  | { type: 'larger' | 'smaller'; size: number }
  | { type: 'modseq'; modseq: number }
  | { type: 'older' | 'younger'; seconds: number };

/**
 * Sets to UID ranges, in the session's view: `(set, false)` for sequence
 * numbers, `(set, true)` for UIDs; `$` must be substituted by the resolver
 * (e.g. `resolveUids(mb, set.withSearchResult(saved), isUid).ranges`).
 */
export type UidResolver = (set: SequenceSet, isUid: boolean) => Array<{ first: number; last: number }>;

const HEADER_FIELDS: Record<'bcc' | 'cc' | 'from' | 'subject' | 'to', string> = {
  bcc: 'Bcc',
  cc: 'Cc',
  from: 'From',
  subject: 'Subject',
  to: 'To',
};

const pad2 = (n: number): string => String(n).padStart(2, '0');
const toSafe = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n));

/**
 * The program for the mailbox service. This server has no \Recent: RECENT
 * and NEW (RECENT UNSEEN) match nothing, OLD everything. The MODSEQ entry
 * name is dropped (there is one MODSEQ per message); number64 values beyond
 * 2^53 are clamped (no size or MODSEQ gets near).
 */
export function toSearchCriteria(key: SearchKey, resolve: UidResolver): SearchCriteriaJson {
  switch (key.type) {
    case 'all':
    case 'old':
      return { type: 'all' };
    case 'new':
    case 'recent':
      return { type: 'none' };
    case 'flag':
      return key.set ? { type: 'flag', flag: key.flag } : { type: 'not', key: { type: 'flag', flag: key.flag } };
    case 'bcc':
    case 'cc':
    case 'from':
    case 'subject':
    case 'to':
      return { type: 'header', field: HEADER_FIELDS[key.type], value: key.value };
    case 'body':
    case 'text':
      return { type: key.type, value: key.value };
    case 'header':
      return { type: 'header', field: key.field, value: key.value };
    case 'before':
    case 'on':
    case 'since':
    case 'sentbefore':
    case 'senton':
    case 'sentsince':
      return { type: key.type, date: `${key.date.year}-${pad2(key.date.month)}-${pad2(key.date.day)}` };
    case 'larger':
    case 'smaller':
      return { type: key.type, size: toSafe(key.size) };
    case 'seq':
    case 'uid':
      return { type: 'uids', uids: resolve(key.set, key.type === 'uid') };
    case 'modseq':
      return { type: 'modseq', modseq: toSafe(key.modseq) };
    case 'older':
    case 'younger':
      return { type: key.type, seconds: key.seconds };
    case 'not':
      return { type: 'not', key: toSearchCriteria(key.key, resolve) };
    case 'or':
      return { type: 'or', keys: [toSearchCriteria(key.left, resolve), toSearchCriteria(key.right, resolve)] };
    case 'and':
      return { type: 'and', keys: key.keys.map((k) => toSearchCriteria(k, resolve)) };
  }
}
