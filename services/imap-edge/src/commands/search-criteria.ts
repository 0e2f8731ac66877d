// A parsed SEARCH as the program the mailbox service runs, once the
// session's sequence sets are resolved to UIDs.
import type { SequenceSet } from '../protocol/index.js';
import type { SearchDateKey, SearchKey } from './search-keys.js';

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
