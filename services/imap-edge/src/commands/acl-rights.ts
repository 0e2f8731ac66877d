// Rights of the ACL commands (RFC 4314 2.1): the letters this server knows,
// the obsolete "c" and "d" of RFC 2086 as the unions of rights they stand
// for (2.1.1: c = k x, d = t e), and the syntax of SETACL's rights argument.
import type { AclChange } from '../backend.js';
import { ParseError } from '../protocol/index.js';

/** Every right, in the order they are answered. */
export const RIGHTS = 'lrswipkxtea';
const VIRTUAL: Readonly<Record<string, string>> = { c: 'kx', d: 'te' };

/** The rights a client's letters stand for (c and d expanded); BAD for anything unknown. */
export function rightsOf(letters: string): string {
  let out = '';
  for (const ch of letters) {
    const rights = VIRTUAL[ch] ?? (RIGHTS.includes(ch) ? ch : undefined);
    if (rights === undefined) {
      throw new ParseError(/[A-Z]/.test(ch) ? 'Uppercase rights are not allowed' : `The ${ch.slice(0, 8)} right is not supported`);
    }
    out += rights;
  }
  return [...RIGHTS].filter((r) => out.includes(r)).join('');
}

/** Rights as answered (MYRIGHTS, ACL, LISTRIGHTS): c and d added when any right they stand for is there. */
export function formatRights(rights: string): string {
  let out = [...RIGHTS].filter((r) => rights.includes(r)).join('');
  for (const [v, members] of Object.entries(VIRTUAL)) if ([...members].some((m) => rights.includes(m))) out += v;
  return out;
}

/** SETACL's third argument: `[+|-]rights`. */
export function parseModRights(raw: string): { change: Exclude<AclChange, 'delete'>; rights: string } {
  const change = raw.startsWith('+') ? 'add' : raw.startsWith('-') ? 'remove' : 'replace';
  return { change, rights: rightsOf(change === 'replace' ? raw : raw.slice(1)) };
}

/** An identifier argument (RFC 4314 3): not empty. */
export function checkIdentifier(identifier: string): string {
  if (identifier.length === 0) throw new ParseError('Empty identifier');
  return identifier;
}
