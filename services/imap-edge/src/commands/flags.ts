// Flags a client may set: the system flags of RFC 9051 2.3.2 and keywords;
// the FLAGS and PERMANENTFLAGS that tell a session which ones the selected
// mailbox has and which it may set.
import { SYSTEM_FLAGS, systemFlag } from '@kimap/common';
import type { ResponseEncoder } from '../protocol/index.js';
import type { SelectedMailbox } from '../selected.js';
import { ImapBad } from './command.js';

/**
 * Refuses unknown system flags (RFC 9051 9: no new "\\" flags may be made up);
 * \\Recent is accepted and ignored, as the server keeps no recent state.
 */
export function checkFlags(flags: readonly string[]): void {
  for (const f of flags) {
    if (!f.startsWith('\\')) continue;
    if (!systemFlag(f) && f.toLowerCase() !== '\\recent') throw new ImapBad(`Invalid system flag ${f.slice(0, 40)}`);
  }
}

/** Whether `rights` let a session change `flag` (RFC 4314 4: s for \Seen, t for \Deleted, w for the rest). */
function mayStore(flag: string, rights: string): boolean {
  return rights.includes(flag === '\\Seen' ? 's' : flag === '\\Deleted' ? 't' : 'w');
}

/**
 * `* FLAGS` and `* OK [PERMANENTFLAGS]` of the selected mailbox, with every
 * keyword the session knows of: at SELECT, and again whenever a keyword is
 * new to it. PERMANENTFLAGS lists only what the session's rights let it set
 * (RFC 4314 5.1.1), nothing when the mailbox is read-only.
 */
export function writeMailboxFlags(enc: ResponseEncoder, mb: SelectedMailbox): void {
  const flags = [...SYSTEM_FLAGS, ...mb.keywords];
  enc.untagged().raw('FLAGS ').flags(flags).crlf();
  const permanent = mb.readOnly ? [] : [...flags.filter((f) => mayStore(f, mb.rights)), ...(mb.rights.includes('w') ? ['\\*'] : [])];
  enc.untagged().raw('OK [PERMANENTFLAGS ').flags(permanent).raw('] Flags permitted').crlf();
}

/**
 * Tells the session of the keywords among these flag lists that the selected
 * mailbox had not used before (FLAGS and PERMANENTFLAGS), so that no FETCH
 * shows a keyword first (RFC 9051 7.3.5, RFC 3501 7.2.6). Call it before
 * writing them.
 */
export function announceKeywords(enc: ResponseEncoder, mb: SelectedMailbox, lists: Iterable<readonly string[]>): void {
  let added = false;
  for (const flags of lists) if (mb.learnKeywords(flags)) added = true;
  if (added) writeMailboxFlags(enc, mb);
}
