/**
 * Byte classes from the IMAP formal syntax (RFC 9051 §9, RFC 3501 §9).
 *
 * Lookup tables rather than regexes: the receiver and parser classify every
 * byte of every command, so this is the hot path.
 */

export const SP = 0x20;
export const CR = 0x0d;
export const LF = 0x0a;
export const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const PLUS = 0x2b;
export const TILDE = 0x7e;

const ATOM = new Uint8Array(256);
const ASTRING = new Uint8Array(256);
const TAG = new Uint8Array(256);
const LIST = new Uint8Array(256);

// CHAR is %x01-7F; CTL is %x00-1F / %x7F.
// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
for (let b = 0x21; b < 0x7f; b++) {
  const c = String.fromCharCode(b);
  const isAtom = !'(){%*"\\]'.includes(c);
  ATOM[b] = isAtom ? 1 : 0;
  // ASTRING-CHAR = ATOM-CHAR / resp-specials
  ASTRING[b] = isAtom || c === ']' ? 1 : 0;
  // tag = 1*<any ASTRING-CHAR except "+">
  TAG[b] = ASTRING[b] && c !== '+' ? 1 : 0;
  // list-char = ATOM-CHAR / list-wildcards / resp-specials
  LIST[b] = isAtom || c === '%' || c === '*' || c === ']' ? 1 : 0;
}

export const isAtomChar = (b: number): boolean => ATOM[b] === 1;
export const isAstringChar = (b: number): boolean => ASTRING[b] === 1;
export const isTagChar = (b: number): boolean => TAG[b] === 1;
export const isListChar = (b: number): boolean => LIST[b] === 1;
export const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

/** True if every char of `s` is an ATOM-CHAR and `s` is non-empty. */
export function isAtom(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isAtomChar(s.charCodeAt(i))) return false;
  return true;
}

/** True if `s` can be sent as the atom form of an astring (ATOM-CHAR or `]`). */
export function isAstringAtom(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isAstringChar(s.charCodeAt(i))) return false;
  return true;
}

/** True if `s` is a syntactically valid tag. */
export function isTag(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTagChar(s.charCodeAt(i))) return false;
  return true;
}
