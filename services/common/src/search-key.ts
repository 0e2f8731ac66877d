// A search program (SearchKey in the proto) as both sides read it: which of
// its `key` members is set. The decoder names it in `key`, but a program
// built in code (on the edge) need not.
import type { SearchKey__Output } from './generated/mail/v1/SearchKey.js';

/** The members of SearchKey's `key`. */
export const SEARCH_KEYS = [
  'all',
  'none',
  'and',
  'or',
  'not',
  'uids',
  'flag',
  'header',
  'body',
  'text',
  'before',
  'on',
  'since',
  'sentBefore',
  'sentOn',
  'sentSince',
  'larger',
  'smaller',
  'modseq',
  'older',
  'younger',
] as const;

export type SearchKeyName = (typeof SEARCH_KEYS)[number];

/** The member of `key` that is set; undefined when none or several are. */
export function searchKeyOf(k: SearchKey__Output): SearchKeyName | undefined {
  let found: SearchKeyName | undefined;
  for (const name of SEARCH_KEYS) {
    if (k[name] === undefined || k[name] === null) continue;
    if (found) return undefined;
    found = name;
  }
  return found;
}
