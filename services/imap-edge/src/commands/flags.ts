// Flags a client may set: the system flags of RFC 9051 2.3.2 and keywords.
import { systemFlag } from '@kimap/common';
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
