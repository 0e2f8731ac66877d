// Flags a client may set: the system flags of RFC 9051 2.3.2 and keywords.
import { ImapBad } from './context.js';

const SYSTEM = new Set(['\\seen', '\\answered', '\\flagged', '\\deleted', '\\draft']);

/**
 * Refuses unknown system flags (RFC 9051 9: no new "\\" flags may be made up);
 * \\Recent is accepted and ignored, as the server keeps no recent state.
 */
export function checkFlags(flags: readonly string[]): void {
  for (const f of flags) {
    if (!f.startsWith('\\')) continue;
    const lower = f.toLowerCase();
    if (!SYSTEM.has(lower) && lower !== '\\recent') throw new ImapBad(`Invalid system flag ${f.slice(0, 40)}`);
  }
}
