// A parsed SEARCH as the program the mailbox service runs, once the
// session's sequence sets are resolved to UIDs.
import type { SearchCriteria } from '../backend.js';
import type { SequenceSet } from '../protocol/index.js';
import type { SearchKey } from './search-keys.js';

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

const toSafe = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n));

/**
 * The program for the mailbox service (SearchKey messages, one member of
 * `key` set in each; the service checks the rest). \Recent is the session's:
 * RECENT is the UIDs of `recent` (the session's recent ranges; none under
 * IMAP4rev2), NEW those without \Seen, OLD the others. The MODSEQ entry
 * name is dropped (there is one MODSEQ per message); number64 values beyond
 * 2^53 are clamped (no size or MODSEQ gets near).
 */
export function toSearchCriteria(
  key: SearchKey,
  resolve: UidResolver,
  recent: ReadonlyArray<{ first: number; last: number }> = [],
): SearchCriteria {
  const recentKey = (): SearchCriteria => (recent.length ? { uids: { ranges: [...recent] } } : { none: true });
  switch (key.type) {
    case 'all':
      return { all: true };
    case 'recent':
      return recentKey();
    case 'new':
      return recent.length ? { and: { keys: [recentKey(), { not: { flag: '\\Seen' } }] } } : { none: true };
    case 'old':
      return recent.length ? { not: recentKey() } : { all: true };
    case 'flag':
      return key.set ? { flag: key.flag } : { not: { flag: key.flag } };
    case 'bcc':
    case 'cc':
    case 'from':
    case 'subject':
    case 'to':
      return { header: { field: HEADER_FIELDS[key.type], value: key.value } };
    case 'body':
      return { body: key.value };
    case 'text':
      return { text: key.value };
    case 'header':
      return { header: { field: key.field, value: key.value } };
    case 'before':
      return { before: key.date };
    case 'on':
      return { on: key.date };
    case 'since':
      return { since: key.date };
    case 'sentbefore':
      return { sentBefore: key.date };
    case 'senton':
      return { sentOn: key.date };
    case 'sentsince':
      return { sentSince: key.date };
    case 'larger':
      return { larger: toSafe(key.size) };
    case 'smaller':
      return { smaller: toSafe(key.size) };
    case 'seq':
    case 'uid':
      return { uids: { ranges: resolve(key.set, key.type === 'uid') } };
    case 'modseq':
      return { modseq: toSafe(key.modseq) };
    case 'older':
      return { older: key.seconds };
    case 'younger':
      return { younger: key.seconds };
    case 'not':
      return { not: toSearchCriteria(key.key, resolve, recent) };
    case 'or':
      return { or: { keys: [toSearchCriteria(key.left, resolve, recent), toSearchCriteria(key.right, resolve, recent)] } };
    case 'and':
      return { and: { keys: key.keys.map((k) => toSearchCriteria(k, resolve, recent)) } };
  }
}
