// Turning a client's sequence set into the UIDs of the session's view.
import type { SelectedMailbox } from '../selected.js';
import { SequenceSet } from '../protocol/index.js';
import { ImapBad } from './command.js';

export interface UidSelection {
  /** UID ranges, ascending; empty when nothing matches. */
  ranges: Array<{ first: number; last: number }>;
  has(uid: number): boolean;
}

/**
 * `saved` is the session's SEARCHRES result (RFC 5182), as UIDs: `$` stands
 * for those of them still in the mailbox, in the numbering of the command.
 * `beyond`: what a sequence number above the mailbox size is. For the
 * commands that act on the messages they name (FETCH, STORE, COPY) it is a
 * client error ('bad', RFC 9051 9: the server "should" answer BAD); for a
 * SEARCH key it is a number no message has, which matches nothing ('none',
 * as Dovecot answers).
 */
export function resolveUids(
  mb: SelectedMailbox,
  input: SequenceSet,
  isUid: boolean,
  saved: readonly number[] = [],
  beyond: 'bad' | 'none' = 'bad',
): UidSelection {
  let set = input;
  if (input.searchResult) {
    const values = isUid ? saved.filter((u) => mb.seqOf(u) > 0) : saved.map((u) => mb.seqOf(u)).filter((n) => n > 0);
    set = values.length ? input.withSearchResult(SequenceSet.fromNumbers(values)) : input.withSearchResult(new SequenceSet([], false));
  }
  const ranges: Array<{ first: number; last: number }> = [];
  if (isUid) {
    // "*" is the highest UID in the mailbox; UIDs that do not exist are ignored.
    for (const [first, last] of set.resolve(mb.maxUid)) ranges.push({ first, last });
  } else {
    // A sequence number beyond the mailbox is a client error (RFC 9051 9, seq-number).
    if (beyond === 'bad' && set.maxExplicit > mb.exists) throw new ImapBad('Invalid message sequence number', 'CLIENTBUG');
    for (const [first, last] of set.resolve(mb.exists)) ranges.push({ first: mb.uidAt(first)!, last: mb.uidAt(last)! });
  }
  return { ranges, has: (uid) => ranges.some((r) => uid >= r.first && uid <= r.last) };
}
