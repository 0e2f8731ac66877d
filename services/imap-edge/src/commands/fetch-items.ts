/**
 * FETCH attributes (RFC 9051 `fetch-att`, RFC 3516 BINARY, RFC 7162 MODSEQ):
 * typed parse of the request side and the matching response-side names.
 */

import { isAstringAtom, isDigit, LBRACKET } from '../protocol/chars.js';
import type { CommandParser } from '../protocol/parser.js';

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

/**
 * `section`: `[]` is `{ part: [] }`; `[1.2.HEADER.FIELDS (From)]` is
 * `{ part: [1, 2], text: 'HEADER.FIELDS', fields: ['From'] }`.
 */
export interface Section {
  readonly part: readonly number[];
  readonly text?: SectionText;
  /** Header field names as sent (compare case-insensitively), for HEADER.FIELDS[.NOT]. */
  readonly fields?: readonly string[];
}

/** `<offset.length>`. */
export interface FetchPartial {
  readonly offset: number;
  readonly length: number;
}

export type SimpleFetchKind =
  | 'flags'
  | 'uid'
  | 'internaldate'
  | 'rfc822.size'
  | 'envelope'
  /** `BODY` without a section: non-extensible BODYSTRUCTURE. */
  | 'bodystructure-basic'
  | 'bodystructure'
  | 'modseq'
  /** `RFC822`: like BODY[] but sets \Seen and is answered as RFC822. */
  | 'rfc822'
  /** `RFC822.HEADER`: like BODY.PEEK[HEADER], answered as RFC822.HEADER. */
  | 'rfc822.header'
  /** `RFC822.TEXT`: like BODY[TEXT], answered as RFC822.TEXT. */
  | 'rfc822.text';

export type FetchItem =
  | { readonly kind: SimpleFetchKind }
  | { readonly kind: 'body'; readonly peek: boolean; readonly section: Section; readonly partial?: FetchPartial }
  | { readonly kind: 'binary'; readonly peek: boolean; readonly part: readonly number[]; readonly partial?: FetchPartial }
  | { readonly kind: 'binary.size'; readonly part: readonly number[] };

export type FetchMacro = 'ALL' | 'FAST' | 'FULL';

export interface FetchAttributes {
  /** Items in request order, macros expanded. */
  readonly items: FetchItem[];
  /** Set if the request was a macro. */
  readonly macro?: FetchMacro;
}

const SIMPLE: Record<string, SimpleFetchKind> = {
  FLAGS: 'flags',
  UID: 'uid',
  INTERNALDATE: 'internaldate',
  'RFC822.SIZE': 'rfc822.size',
  ENVELOPE: 'envelope',
  BODY: 'bodystructure-basic',
  BODYSTRUCTURE: 'bodystructure',
  MODSEQ: 'modseq',
  RFC822: 'rfc822',
  'RFC822.HEADER': 'rfc822.header',
  'RFC822.TEXT': 'rfc822.text',
};

const FAST: FetchItem[] = [{ kind: 'flags' }, { kind: 'internaldate' }, { kind: 'rfc822.size' }];
const MACROS: Record<FetchMacro, FetchItem[]> = {
  FAST,
  ALL: [...FAST, { kind: 'envelope' }],
  FULL: [...FAST, { kind: 'envelope' }, { kind: 'bodystructure-basic' }],
};

/** Characters of a fetch attribute name: letters, digits, `.`, `-`. */
const isNameChar = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || isDigit(b) || b === 0x2e || b === 0x2d;

/** `"ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")"`. */
export function parseFetchAttributes(p: CommandParser): FetchAttributes {
  if (p.peek() === 0x28 /* ( */) return { items: p.expectList((q) => parseFetchAtt(q), { allowEmpty: false }) };
  const save = p.readWhile(isNameChar).toUpperCase();
  if (save === 'ALL' || save === 'FAST' || save === 'FULL') {
    return { items: MACROS[save].slice(), macro: save };
  }
  return { items: [parseFetchAttNamed(p, save)] };
}

/** One `fetch-att`. */
export function parseFetchAtt(p: CommandParser): FetchItem {
  return parseFetchAttNamed(p, p.readWhile(isNameChar).toUpperCase());
}

function parseFetchAttNamed(p: CommandParser, name: string): FetchItem {
  if (name.length === 0) p.fail('Expected fetch attribute');
  const hasSection = p.peek() === LBRACKET;
  if (!hasSection) {
    const kind = SIMPLE[name];
    if (!kind) p.fail(`Unknown fetch attribute ${name.slice(0, 40)}`);
    return { kind };
  }
  switch (name) {
    case 'BODY':
    case 'BODY.PEEK': {
      const section = parseSection(p);
      const partial = parsePartial(p);
      return { kind: 'body', peek: name === 'BODY.PEEK', section, ...(partial && { partial }) };
    }
    case 'BINARY':
    case 'BINARY.PEEK': {
      const part = parseBinarySection(p);
      const partial = parsePartial(p);
      return { kind: 'binary', peek: name === 'BINARY.PEEK', part, ...(partial && { partial }) };
    }
    case 'BINARY.SIZE':
      return { kind: 'binary.size', part: parseBinarySection(p) };
    default:
      return p.fail(`Unexpected section after ${name.slice(0, 40)}`);
  }
}

/**
 * `"[" [section-spec] "]"` where
 * section-spec = section-msgtext / (section-part ["." section-text]),
 * section-text = section-msgtext / "MIME".
 */
export function parseSection(p: CommandParser): Section {
  p.expectChar('[');
  const part: number[] = [];
  let text: SectionText | undefined;
  if (!p.tryChar(']')) {
    for (;;) {
      if (isDigit(p.peek())) {
        part.push(p.expectNzNumber());
        if (p.tryChar('.')) continue;
        break;
      }
      const word = p.readWhile((b) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2e).toUpperCase();
      if (word === 'HEADER' || word === 'HEADER.FIELDS' || word === 'HEADER.FIELDS.NOT' || word === 'TEXT' || word === 'MIME') {
        text = word;
      } else {
        p.fail('Invalid section specification');
      }
      break;
    }
    if (text === 'MIME' && part.length === 0) p.fail('MIME section requires a part number');
    let fields: string[] | undefined;
    if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') {
      p.expectSP();
      fields = p.expectList((q) => q.expectAstring(), { allowEmpty: false });
    }
    p.expectChar(']');
    return { part, ...(text && { text }), ...(fields && { fields }) };
  }
  return { part };
}

/** `section-binary` = "[" [section-part] "]". */
function parseBinarySection(p: CommandParser): number[] {
  p.expectChar('[');
  const part: number[] = [];
  if (!p.tryChar(']')) {
    do part.push(p.expectNzNumber());
    while (p.tryChar('.'));
    p.expectChar(']');
  }
  return part;
}

/** Optional `"<" number "." nz-number ">"`. */
function parsePartial(p: CommandParser): FetchPartial | undefined {
  if (!p.tryChar('<')) return undefined;
  const offset = p.expectNumber();
  p.expectChar('.');
  const length = p.expectNzNumber();
  p.expectChar('>');
  return { offset, length };
}

/** `1.2.HEADER.FIELDS (From To)` — the inside of `[...]`, as echoed in responses. */
export function formatSection(section: Section): string {
  let s = section.part.join('.');
  if (section.text) s += (s ? '.' : '') + section.text;
  if (section.fields) s += ` (${section.fields.map(formatFieldName).join(' ')})`;
  return s;
}

function formatFieldName(f: string): string {
  if (isAstringAtom(f)) return f;
  return `"${f.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}

const RESPONSE_NAMES: Record<SimpleFetchKind, string> = {
  flags: 'FLAGS',
  uid: 'UID',
  internaldate: 'INTERNALDATE',
  'rfc822.size': 'RFC822.SIZE',
  envelope: 'ENVELOPE',
  'bodystructure-basic': 'BODY',
  bodystructure: 'BODYSTRUCTURE',
  modseq: 'MODSEQ',
  rfc822: 'RFC822',
  'rfc822.header': 'RFC822.HEADER',
  'rfc822.text': 'RFC822.TEXT',
};

/**
 * The name a FETCH response uses for an item: `BODY.PEEK[1]<0.100>` is
 * answered as `BODY[1]<0>` (RFC 9051 §7.5.2: origin octet only, no PEEK).
 */
export function fetchResponseName(item: FetchItem): string {
  switch (item.kind) {
    case 'body':
      return `BODY[${formatSection(item.section)}]${item.partial ? `<${item.partial.offset}>` : ''}`;
    case 'binary':
      return `BINARY[${item.part.join('.')}]${item.partial ? `<${item.partial.offset}>` : ''}`;
    case 'binary.size':
      return `BINARY.SIZE[${item.part.join('.')}]`;
    default:
      return RESPONSE_NAMES[item.kind];
  }
}

/** True if fetching this item sets \Seen (non-PEEK body sections, RFC822, RFC822.TEXT). */
export function fetchSetsSeen(item: FetchItem): boolean {
  switch (item.kind) {
    case 'body':
    case 'binary':
      return !item.peek;
    case 'rfc822':
    case 'rfc822.text':
      return true;
    default:
      return false;
  }
}

/** A section of the top-level header, which the header block alone answers. */
export function isTopHeader(i: FetchItem): boolean {
  if (i.kind === 'rfc822.header') return true;
  if (i.kind !== 'body' || i.section.part.length > 0) return false;
  const t = i.section.text;
  return t === 'HEADER' || t === 'HEADER.FIELDS' || t === 'HEADER.FIELDS.NOT';
}
