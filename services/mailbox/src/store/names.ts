// Mailbox names as stored: UTF-8, "/" as the hierarchy delimiter, INBOX in
// upper case whatever case the client used.
import { MAILBOX_DELIMITER } from '@kimap/common';
import { invalid } from './errors.js';

export const DELIMITER = MAILBOX_DELIMITER;
export const MAX_NAME_BYTES = 1024;
export const MAX_DEPTH = 32;

export function normalizeMailboxName(name: string): string {
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  const first = name.split(DELIMITER, 1)[0] ?? '';
  if (first.toUpperCase() === 'INBOX') return 'INBOX' + name.slice(first.length);
  return name;
}

/** Throws for names no mailbox may have. Returns the normalized name. */
export function validateMailboxName(raw: string): string {
  const name = normalizeMailboxName(raw);
  if (name.length === 0) throw invalid('Mailbox name is empty');
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw invalid('Mailbox name is too long', 'LIMIT');
  if (name.startsWith(DELIMITER) || name.endsWith(DELIMITER) || name.includes(DELIMITER + DELIMITER)) {
    throw invalid('Mailbox name has an empty hierarchy level');
  }
  if (name.split(DELIMITER).length > MAX_DEPTH) throw invalid('Mailbox hierarchy is too deep', 'LIMIT');
  // Wildcards belong to LIST patterns; control characters to nobody.
  if (/[%*\u0000-\u001f\u007f]/.test(name)) throw invalid('Mailbox name contains a forbidden character');
  return name;
}

/** The names of every level above a name: a/b/c -> [a, a/b]. */
export function parentNames(name: string): string[] {
  const parts = name.split(DELIMITER);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join(DELIMITER));
  return out;
}
