// SEARCH: a criteria tree (the SearchKey messages the edge sends, sequence
// numbers already turned into UIDs) compiled into one parameterized WHERE clause over
// `messages m`, joined to `message_bodies b` only when a key needs the message
// text. User input only ever travels as bind parameters.
//
// Semantics and their limits, for now:
//
// - Strings (BODY, TEXT, HEADER, FROM, ...) are case-insensitive substrings
//   (ILIKE; `%`, `_` and `\` in the search string are escaped). Non-ASCII
//   case folding follows the database's locale (C.UTF-8 and PGlite fold
//   Unicode; a plain "C" locale folds ASCII only).
// - Text is the raw message bytes: no MIME decoding yet, so RFC 2047
//   encoded-words in headers and base64/quoted-printable bodies are not
//   searched decoded. A header line, or the body, that is valid UTF-8 is
//   matched decoded (case-insensitively); anything else (8-bit legacy
//   headers) is matched byte-wise against the UTF-8 and the ISO-8859-1 bytes
//   of the search string, ASCII case-insensitively. Header fields are unfolded
//   and matched per field (several fields of one name: any may match).
//   From, To, Cc and Bcc are also kept with their addresses in normal form
//   (`Name <mailbox@host>`, comments dropped, names decoded: see
//   addressSearchText), so an address matches however the header wrote it.
//   All of this lives in TEXT_SOURCE: a later migration adding a decoded,
//   searchable text column replaces just that object.
// - BEFORE/ON/SINCE compare the calendar day of the internal date in UTC
//   (the zone the client appended it with is not stored).
// - SENTBEFORE/SENTON/SENTSINCE compare the day written in the Date: header
//   (`message_bodies.envelope->>'date'` when the envelope has been computed),
//   ignoring its time and zone as RFC 9051 says. Without a usable Date: the
//   internal date's UTC day stands in (as RFC 5256 does for SORT).
// - Flag names compare case-insensitively (RFC 9051 §2.3.2); \Recent is
//   never stored, so it matches nothing.
// - MODSEQ n: modseq >= n (one MODSEQ per message, no per-flag metadata).
// - OLDER/YOUNGER: the internal date against now() (or ctx.now).
//
// Every compiled predicate is two-valued (never NULL), so NOT is exact.
import { MAX_UID, systemFlag, type Queryable } from '@kimap/common';
import type { Day__Output } from '@kimap/common/generated/mail/v1/Day';
import { searchKeyOf } from '@kimap/common/search-key';
import type { SearchKey__Output } from '@kimap/common/generated/mail/v1/SearchKey';
import { invalid } from './errors.js';
import { BODIES_JOIN, foldCase, readerSeen } from './sql.js';

/**
 * The search program as SearchRequest carries it: a SearchKey message, whose
 * `key` has exactly one member set (see the proto). `uids` ranges are
 * inclusive; `last: 0` means up to the highest UID.
 */
export type SearchCriteria = SearchKey__Output;

export interface SearchContext {
  /** Number of the first bind parameter the clause may use ($paramIndex). */
  paramIndex: number;
  /** "Now" for OLDER/YOUNGER; default: the database's now(). */
  now?: Date;
  /** SEEN and UNSEEN as this account sees them, when it is not the mailbox's owner (its own \Seen). */
  reader?: number;
}

export interface CompiledSearch {
  /** A boolean SQL expression over `m` (messages) and, if needsBody, `b` (message_bodies). */
  sql: string;
  params: unknown[];
  /** The caller must join `b` (BODIES_JOIN). */
  needsBody: boolean;
}

/** Limits on a program from the wire (the edge's parser allows depth 32). */
export const MAX_CRITERIA_DEPTH = 64;
export const MAX_CRITERIA_NODES = 5000;

// --- SQL text helpers (constants only, never user input) --------------------

/** A constant as an E'' literal: backslashes mean the same whatever standard_conforming_strings says. */
function lit(s: string): string {
  return `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * Matches the escape-encoded form (`encode(bytes, 'escape')`: NUL and 8-bit
 * bytes as `\ooo`, backslash as `\\`) of valid UTF-8 without NUL — exactly
 * what convert_from(.., 'UTF8') accepts. Working on the escape form needs no
 * conversion procedures (PGlite has none) and never raises.
 */
const UTF8_ESCAPED = lit(
  String.raw`^(?:[^\\]|\\\\` +
    String.raw`|\\3(?:0[2-7]|[1-3][0-7])\\2[0-7]{2}` + // C2-DF 80-BF
    String.raw`|\\340\\2[4-7][0-7]\\2[0-7]{2}` + // E0 A0-BF 80-BF
    String.raw`|\\3(?:4[1-7]|5[0-4]|5[67])(?:\\2[0-7]{2}){2}` + // E1-EC, EE-EF
    String.raw`|\\355\\2[0-3][0-7]\\2[0-7]{2}` + // ED 80-9F (no surrogates)
    String.raw`|\\360\\2[2-7][0-7](?:\\2[0-7]{2}){2}` + // F0 90-BF
    String.raw`|\\36[1-3](?:\\2[0-7]{2}){3}` + // F1-F3
    String.raw`|\\364\\2[01][0-7](?:\\2[0-7]{2}){2}` + // F4 80-8F
    ')*$',
);
const UNFOLD = lit(String.raw`\r?\n([ \t])`);
const NEWLINE = lit(String.raw`\r?\n`);
const DATE_FIELD = lit(String.raw`^date[ \t]*:(.*(?:\n[ \t].*)*)`);
const DAY_MONTH_YEAR = lit(
  String.raw`(?:^|[^0-9])([0-9]{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+([0-9]{2,4})(?![0-9])`,
);
const MONTHS = `ARRAY['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']`;

const HEADER_BYTES = 'substring(b.raw FROM 1 FOR b.header_size)';
const BODY_BYTES = 'substring(b.raw FROM b.header_size + 1)';

/** Bind-parameter references of one search string. */
interface Needle {
  /** ILIKE pattern for decoded (UTF-8) text. */
  text: string;
  /** LIKE pattern, case-folded in code, for the stored search text (folded the same way). */
  folded: string;
  /** ILIKE patterns for escape-encoded raw bytes: the string's UTF-8 bytes, and its ISO-8859-1 bytes when it has some. */
  bytes: string[];
}

/** ILIKE over escape-encoded bytes `e` (an SQL expression evaluated up to three times: keep it cheap). */
function escapedMatch(e: string, n: Needle): string {
  const raw = n.bytes.map((p) => `${e} ILIKE ${p}`).join(' OR ');
  // convert_from() takes the collation of its `name` argument, "C", which folds ASCII only: back to the database's.
  return `(CASE WHEN ${e} ~ ${UTF8_ESCAPED} THEN (convert_from(decode(${e}, 'escape'), 'UTF8') COLLATE "default") ILIKE ${n.text} ELSE (${raw}) END)`;
}

/** Header lines, unfolded, escape-encoded: rows of `l.line`. */
const HEADER_LINES = `regexp_split_to_table(regexp_replace(encode(${HEADER_BYTES}, 'escape'), ${UNFOLD}, ${lit('\\1')}, 'g'), ${NEWLINE}) AS l(line)`;

/**
 * Decoded "name: value" lines (encoded-words decoded, folded; computed when the
 * body was stored) in `column`: some line of `field` (any line, with null)
 * contains the needle. One LIKE over the whole text first: most messages fail
 * it, and only the ones that pass are split into lines to check the field.
 */
function decodedMatch(column: string, field: { plain: string } | null, n: Needle): string {
  const line = field === null ? 'true' : `rtrim(split_part(d.line, ':', 1), ${lit(' \t')}) = ${field.plain}`;
  const value = field === null ? 'd.line' : `substr(d.line, strpos(d.line, ':') + 1)`;
  return `(${column} LIKE ${n.folded} AND EXISTS (SELECT 1 FROM regexp_split_to_table(${column}, ${lit('\n')}) AS d(line) WHERE ${line} AND ${value} LIKE ${n.folded}))`;
}

/** Header fields kept, decoded, on the message row (messages.search_fields, migration 0008). */
const SEARCH_FIELDS = new Set(['from', 'to', 'cc', 'bcc', 'subject']);

/**
 * Where message text comes from: the only code that knows.
 */
export const TEXT_SOURCE = {
  /**
   * Some header field named `field` (lower case; bind references to its
   * escape-encoded and its plain form), or with `field` null any header line,
   * contains the needle.
   */
  header(field: { escaped: string; plain: string } | null, n: Needle): string {
    const decoded = decodedMatch('b.search_header', field, n);
    const raw =
      field === null
        ? `EXISTS (SELECT 1 FROM ${HEADER_LINES} WHERE ${escapedMatch('l.line', n)})`
        : `EXISTS (SELECT 1 FROM ${HEADER_LINES} WHERE strpos(l.line, ':') > 0 ` +
          `AND lower(rtrim(split_part(l.line, ':', 1), ${lit(' \t')})) = ${field.escaped} ` +
          `AND ${escapedMatch(`substr(l.line, strpos(l.line, ':') + 1)`, n)})`;
    return `(CASE WHEN b.search_header IS NOT NULL THEN ${decoded} ELSE ${raw} END)`;
  },
  /**
   * As header() for a field kept on the message row (SEARCH_FIELDS): the row
   * alone answers; a row without them looks at its body.
   */
  rowField(field: { escaped: string; plain: string }, n: Needle): string {
    const inRow = decodedMatch('m.search_fields', field, n);
    const inBody = `EXISTS (SELECT 1 FROM message_bodies b WHERE b.account_id = m.account_id AND b.body_hash = m.body_hash AND ${TEXT_SOURCE.header(field, n)})`;
    return `(CASE WHEN m.search_fields IS NOT NULL THEN ${inRow} ELSE ${inBody} END)`;
  },
  /** The body (decoded text parts; the raw bytes after the header for bodies stored before that text existed) contains the needle. */
  body(n: Needle): string {
    const raw = `(SELECT ${escapedMatch('s.e', n)} FROM (SELECT encode(${BODY_BYTES}, 'escape') AS e) AS s)`;
    return `(CASE WHEN b.search_body IS NOT NULL THEN b.search_body LIKE ${n.folded} ELSE ${raw} END)`;
  },
};

/**
 * The day written in the Date: header as yyyymmdd (an integer: no date
 * arithmetic that could raise on "31 Feb"), else the internal date's UTC day.
 * Two-digit years follow RFC 5322 4.3.
 */
const SENT_DAY =
  `coalesce((SELECT (CASE WHEN length(r.d[3]) = 4 THEN r.d[3]::int WHEN length(r.d[3]) = 2 AND r.d[3]::int < 50 THEN 2000 + r.d[3]::int ELSE 1900 + r.d[3]::int END) * 10000 ` +
  `+ array_position(${MONTHS}, lower(r.d[2])) * 100 + r.d[1]::int ` +
  `FROM regexp_match(coalesce(b.envelope->>'date', (regexp_match(encode(${HEADER_BYTES}, 'escape'), ${DATE_FIELD}, 'in'))[1]), ${DAY_MONTH_YEAR}, 'i') AS r(d)), ` +
  `to_char(m.internal_date AT TIME ZONE 'UTC', 'YYYYMMDD')::int)`;

// --- values -------------------------------------------------------------------

/** `%` `_` `\` escaped for LIKE (backslash is the default escape character). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}

/** Bytes as `encode(.., 'escape')` writes them. */
function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0 || b >= 0x80) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

function dayStart(day: Day__Output): Date {
  const t = new Date(0);
  t.setUTCFullYear(day.year, day.month - 1, day.day); // not Date.UTC: it maps years 0-99 to 1900-1999
  return t;
}

// --- validation -----------------------------------------------------------------

const bad = (what: string): never => {
  throw invalid(`Invalid search criteria: ${what}`, 'SERVERBUG');
};

const isUint = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isText = (v: unknown): v is string => typeof v === 'string' && !v.includes('\0');

/** A day of the years 0 to 9999 that the calendar has (no 30 February). */
function isDay(v: Day__Output): boolean {
  if (!isUint(v.year, 9999) || !isUint(v.month, 12) || !isUint(v.day, 31) || v.month === 0 || v.day === 0) return false;
  const t = dayStart(v);
  return t.getUTCFullYear() === v.year && t.getUTCMonth() === v.month - 1 && t.getUTCDate() === v.day;
}

/** Printable ASCII except ":" (RFC 5322 ftext). */
const isFieldName = (v: unknown): v is string => typeof v === 'string' && /^[\x21-\x39\x3b-\x7e]+$/.test(v);

/**
 * Checks what the proto's types cannot say about a program that came off the
 * wire (a key with one member set, days, field names, sizes, depth, number
 * of keys); throws INVALID_ARGUMENT (imap code SERVERBUG: the edge built it).
 */
export function validateSearchCriteria(value: SearchCriteria | null | undefined): SearchCriteria {
  let nodes = 0;
  const check = (v: SearchCriteria | null | undefined, depth: number): void => {
    if (depth > MAX_CRITERIA_DEPTH) bad('nested too deeply');
    if (++nodes > MAX_CRITERIA_NODES) bad('too many keys');
    if (typeof v !== 'object' || v === null) return bad('a key is missing');
    const key = searchKeyOf(v);
    switch (key) {
      case 'all':
      case 'none':
        if (v[key] !== true) bad(`${key} is not true`);
        return;
      case 'and':
      case 'or':
        for (const k of v[key]!.keys) check(k, depth + 1);
        return;
      case 'not':
        return check(v.not, depth + 1);
      case 'uids':
        for (const r of v.uids!.ranges) {
          if (!isUint(r.first, MAX_UID) || !isUint(r.last, MAX_UID)) bad('invalid UID range');
        }
        return;
      case 'flag':
        if (v.flag!.length === 0 || !isText(v.flag)) bad('invalid flag');
        return;
      case 'header':
        if (!isFieldName(v.header!.field)) bad('invalid header field name');
        if (!isText(v.header!.value)) bad('invalid search string');
        return;
      case 'body':
      case 'text':
        if (!isText(v[key])) bad('invalid search string');
        return;
      case 'before':
      case 'on':
      case 'since':
      case 'sentBefore':
      case 'sentOn':
      case 'sentSince':
        if (!isDay(v[key]!)) bad('invalid date');
        return;
      case 'larger':
      case 'smaller':
        if (!isUint(v[key], Number.MAX_SAFE_INTEGER)) bad('invalid size');
        return;
      case 'modseq':
        if (!isUint(v.modseq, Number.MAX_SAFE_INTEGER)) bad('invalid MODSEQ');
        return;
      case 'older':
      case 'younger':
        if (!isUint(v[key], MAX_UID)) bad('invalid interval');
        return;
      default:
        return bad('a key has not exactly one of its fields set');
    }
  };
  check(value, 0);
  return value!;
}

// --- compiler -------------------------------------------------------------------

class Compiler {
  readonly params: unknown[] = [];
  needsBody = false;

  constructor(
    private readonly first: number,
    private readonly now: Date | undefined,
    private readonly reader?: number,
  ) {}

  param(value: unknown, cast = ''): string {
    this.params.push(value);
    return `$${this.first + this.params.length - 1}${cast && '::' + cast}`;
  }

  needle(value: string): Needle {
    const text = this.param('%' + escapeLike(value) + '%');
    const folded = this.param('%' + escapeLike(foldCase(value)) + '%');
    const utf8 = '%' + escapeLike(escapeBytes(Buffer.from(value, 'utf8'))) + '%';
    const patterns = [utf8];
    if (/^[\0-\xff]*$/.test(value)) {
      const latin1 = '%' + escapeLike(escapeBytes(Buffer.from(value, 'latin1'))) + '%';
      if (latin1 !== utf8) patterns.push(latin1);
    }
    return { text, folded, bytes: patterns.map((p) => this.param(p)) };
  }

  compile(k: SearchCriteria): string {
    const key = searchKeyOf(k);
    switch (key) {
      case 'all':
        return 'TRUE';
      case 'none':
        return 'FALSE';
      case 'and':
      case 'or': {
        const keys = k[key]!.keys;
        if (keys.length === 0) return key === 'and' ? 'TRUE' : 'FALSE';
        return '(' + keys.map((x) => this.compile(x)).join(key === 'and' ? ' AND ' : ' OR ') + ')';
      }
      case 'not':
        return `(NOT ${this.compile(k.not!)})`;
      case 'uids': {
        const ranges = k.uids!.ranges;
        if (ranges.length === 0) return 'FALSE';
        const lo: number[] = [];
        const hi: number[] = [];
        for (const r of ranges) {
          const last = r.last === 0 ? MAX_UID : r.last;
          lo.push(Math.min(r.first, last));
          hi.push(Math.max(r.first, last));
        }
        return `EXISTS (SELECT 1 FROM unnest(${this.param(lo, 'bigint[]')}, ${this.param(hi, 'bigint[]')}) AS r(lo, hi) WHERE m.uid BETWEEN r.lo AND r.hi)`;
      }
      case 'flag': {
        const system = systemFlag(k.flag!);
        if (system === '\\Seen' && this.reader) return readerSeen(this.param(this.reader, 'bigint'));
        // System flags are stored in canonical case (cleanFlags): containment, indexable.
        if (system) return `m.flags @> ARRAY[${this.param(system, 'text')}]`;
        return `EXISTS (SELECT 1 FROM unnest(m.flags) AS f(flag) WHERE lower(f.flag) = lower(${this.param(k.flag, 'text')}))`;
      }
      case 'header': {
        const { field: fieldName, value } = k.header!;
        const name = fieldName.toLowerCase();
        // compared with the escape-encoded line: a backslash in the name is doubled there too
        const field = { escaped: this.param(escapeBytes(Buffer.from(name, 'latin1')), 'text'), plain: this.param(name, 'text') };
        if (SEARCH_FIELDS.has(name)) return TEXT_SOURCE.rowField(field, this.needle(value));
        this.needsBody = true;
        return TEXT_SOURCE.header(field, this.needle(value));
      }
      case 'body':
        this.needsBody = true;
        return TEXT_SOURCE.body(this.needle(k.body!));
      case 'text': {
        this.needsBody = true;
        const n = this.needle(k.text!);
        return `(${TEXT_SOURCE.header(null, n)} OR ${TEXT_SOURCE.body(n)})`;
      }
      case 'before':
        return `m.internal_date < ${this.param(dayStart(k.before!).toISOString(), 'timestamptz')}`;
      case 'since':
        return `m.internal_date >= ${this.param(dayStart(k.since!).toISOString(), 'timestamptz')}`;
      case 'on': {
        const start = dayStart(k.on!);
        const end = new Date(start.getTime() + 86_400_000);
        return `(m.internal_date >= ${this.param(start.toISOString(), 'timestamptz')} AND m.internal_date < ${this.param(end.toISOString(), 'timestamptz')})`;
      }
      case 'sentBefore':
      case 'sentOn':
      case 'sentSince': {
        this.needsBody = true;
        const op = key === 'sentBefore' ? '<' : key === 'sentOn' ? '=' : '>=';
        const day = k[key]!;
        return `${SENT_DAY} ${op} ${this.param(day.year * 10000 + day.month * 100 + day.day, 'int')}`;
      }
      case 'larger':
        return `m.size > ${this.param(k.larger, 'bigint')}`;
      case 'smaller':
        return `m.size < ${this.param(k.smaller, 'bigint')}`;
      case 'modseq':
        return `m.modseq >= ${this.param(k.modseq, 'bigint')}`;
      case 'older':
      case 'younger': {
        const op = key === 'older' ? '<=' : '>';
        const seconds = k[key]!;
        if (this.now)
          return `m.internal_date ${op} ${this.param(new Date(this.now.getTime() - seconds * 1000).toISOString(), 'timestamptz')}`;
        return `m.internal_date ${op} now() - ${this.param(seconds, 'bigint')} * interval '1 second'`;
      }
      default:
        return bad('a key has not exactly one of its fields set');
    }
  }
}

/**
 * The WHERE condition for `criteria` over `messages m` (and `message_bodies b`
 * when needsBody), with bind parameters numbered from ctx.paramIndex.
 * Validates the program first (it may come straight from the wire).
 */
export function compileSearch(criteria: SearchCriteria, ctx: SearchContext): CompiledSearch {
  validateSearchCriteria(criteria);
  const c = new Compiler(ctx.paramIndex, ctx.now, ctx.reader);
  const sql = c.compile(criteria);
  return { sql, params: c.params, needsBody: c.needsBody };
}

export interface SearchQueryOptions {
  /** Only UIDs above this one (keyset pagination). */
  afterUid?: number;
  limit?: number;
  now?: Date;
  /** See SearchContext.reader. */
  reader?: number;
}

/** `SELECT m.uid, m.modseq` of the matching messages of one mailbox, ascending UID. */
export function buildSearchQuery(
  accountId: number,
  mailboxId: number,
  criteria: SearchCriteria,
  opts: SearchQueryOptions = {},
): { sql: string; params: unknown[] } {
  const c = compileSearch(criteria, { paramIndex: 4, ...(opts.now && { now: opts.now }), ...(opts.reader && { reader: opts.reader }) });
  const params: unknown[] = [accountId, mailboxId, opts.afterUid ?? 0, ...c.params];
  let limit = '';
  if (opts.limit !== undefined) {
    params.push(opts.limit);
    limit = ` LIMIT $${params.length}`;
  }
  return {
    sql:
      `SELECT m.uid, m.modseq FROM messages m ${c.needsBody ? BODIES_JOIN : ''} ` +
      `WHERE m.account_id = $1 AND m.mailbox_id = $2 AND m.uid > $3 AND ${c.sql} ORDER BY m.uid${limit}`,
    params,
  };
}

/** A page of a SEARCH's answer, as SearchResponse carries it. */
export interface SearchPage {
  /** Matching UIDs, ascending. */
  uids: number[];
  /** Highest MODSEQ among them (for the `(MODSEQ n)` of a CONDSTORE search). */
  highestmodseq: number;
}

/** The matching UIDs of a mailbox, ascending, a page at a time (keyset pagination). */
export async function* searchUids(
  db: Queryable,
  accountId: number,
  mailboxId: number,
  criteria: SearchCriteria,
  opts: { pageSize?: number; now?: Date; reader?: number } = {},
): AsyncGenerator<SearchPage> {
  const pageSize = opts.pageSize ?? 10000;
  let after = 0;
  for (;;) {
    const q = buildSearchQuery(accountId, mailboxId, criteria, {
      afterUid: after,
      limit: pageSize,
      ...(opts.now && { now: opts.now }),
      ...(opts.reader && { reader: opts.reader }),
    });
    const { rows } = await db.query<{ uid: number; modseq: number }>(q.sql, q.params, { replan: true });
    if (rows.length > 0) yield { uids: rows.map((r) => r.uid), highestmodseq: rows.reduce((max, r) => Math.max(max, r.modseq), 0) };
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.uid;
  }
}
