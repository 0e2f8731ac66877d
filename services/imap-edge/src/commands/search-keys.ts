// The SEARCH grammar (RFC 9051 6.4.4, RFC 3501 6.4.4) to a typed tree of
// keys, with ESEARCH's RETURN options (RFC 4731, RFC 5182), CHARSET,
// CONDSTORE's MODSEQ (RFC 7162 3.1.5) and WITHIN's OLDER/YOUNGER (RFC 5032).
import { canonicalFlag } from '@kimap/common';
import { DQUOTE, isAtom, isAtomChar, isDigit, LPAREN } from '../protocol/chars.js';
import { DEFAULT_MAX_LIST_DEPTH, type CommandParser, type ImapDate, type SequenceSet } from '../protocol/index.js';
import { canonicalSearchCharset, decodeSearchString, SearchCharsetError } from './search-charsets.js';

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
