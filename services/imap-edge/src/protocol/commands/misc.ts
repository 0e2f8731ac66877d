/** ENABLE (RFC 5161) and ID (RFC 2971). */

import type { CommandParser } from '../parser.js';

export interface EnableArgs {
  /** Upper-cased capability names, in order. */
  readonly capabilities: string[];
}

/** `ENABLE 1*(SP capability)`. */
export function parseEnable(p: CommandParser): EnableArgs {
  const capabilities: string[] = [];
  do {
    p.expectSP();
    capabilities.push(p.expectAtom().toUpperCase());
  } while (!p.atEnd());
  return { capabilities };
}

export interface IdArgs {
  /** Field/value pairs in order (values may be NIL); null for `ID NIL`. */
  readonly params: Array<[field: string, value: string | null]> | null;
}

/** RFC 2971 §3.3: clients MUST NOT send more than 30 pairs. */
export const MAX_ID_PAIRS = 30;

/** `ID SP ("(" *(string SP nstring) ")" / NIL)`. Fields are accepted as astrings for lenience. */
export function parseId(p: CommandParser): IdArgs {
  p.expectSP();
  if (p.tryNil()) {
    p.expectEnd();
    return { params: null };
  }
  p.expectChar('(');
  const params: Array<[string, string | null]> = [];
  if (!p.tryChar(')')) {
    do {
      if (params.length >= MAX_ID_PAIRS) p.fail(`Too many ID parameters (max ${MAX_ID_PAIRS})`);
      const field = p.expectAstring();
      p.expectSP();
      params.push([field, p.expectNstring()]);
    } while (p.trySP());
    p.expectChar(')');
  }
  p.expectEnd();
  return { params };
}
