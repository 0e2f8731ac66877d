// Text for SEARCH TEXT / BODY / header searches: header values with
// encoded-words decoded, text parts with their transfer encoding undone and
// converted from their charset, HTML reduced to its text. Embedded
// messages contribute their header and text parts to the body text.
import { toCrlf } from './bytes.js';
import { decodeCharset, decodeEncodedWords } from './charset.js';
import { decodeBase64, decodeQuotedPrintable } from './codec.js';
import { parseAddressList } from './address.js';
import { fieldValue, parseHeaderBlock } from './header.js';
import { paramText } from './params.js';
import type { Address, MessageStructure, MimePart } from './types.js';

export interface SearchText {
  /** "Name: decoded value" lines of the top-level header. */
  header: string;
  /** Decoded text of the text parts (and of embedded messages' headers and text parts). */
  body: string;
  /** True when the limit cut the text short. */
  truncated: boolean;
}

export interface SearchTextOptions {
  /** Upper bound on header + body, in characters. Default 1 MiB. */
  maxChars?: number;
}

class Budget {
  chunks: string[] = [];
  left: number;
  truncated = false;
  constructor(max: number) {
    this.left = max;
  }
  add(s: string): boolean {
    if (this.left <= 0) {
      if (s.length > 0) this.truncated = true;
      return false;
    }
    if (s.length > this.left) {
      this.chunks.push(s.slice(0, this.left));
      this.left = 0;
      this.truncated = true;
      return false;
    }
    this.chunks.push(s);
    this.left -= s.length;
    return true;
  }
}

/** The fields SEARCH FROM / TO / CC / BCC look in: their addresses are written a second time, in normal form. */
const ADDRESS_FIELDS = new Set(['from', 'to', 'cc', 'bcc']);

/** What the parser puts where an address has no such part (address.ts): no text to search. */
const PLACEHOLDERS = new Set(['MISSING_MAILBOX', 'MISSING_DOMAIN', 'SYNTAX_ERROR']);

function addressText(a: Address): string {
  const local = a.mailbox !== null && !PLACEHOLDERS.has(a.mailbox) ? a.mailbox : '';
  const host = a.host !== null && !PLACEHOLDERS.has(a.host) ? a.host : '';
  const spec = local && host ? `${local}@${host}` : local || host;
  const name = a.name ? decodeEncodedWords(a.name) : '';
  if (!spec) return name;
  return name ? `${name} <${spec}>` : `<${spec}>`;
}

/**
 * An address-list header value in normal form, for SEARCH FROM/TO/CC/BCC:
 * every address as `Name <mailbox@host>` (`<mailbox@host>` without a name),
 * names unquoted and RFC 2047-decoded, comments and the spaces around "@"
 * gone, groups as `name: <a@x>, <b@y>;`. A search for an address then finds
 * it however the header wrote it, as Dovecot does.
 */
export function addressSearchText(value: string): string {
  const items: string[] = [];
  let group: { name: string; members: string[] } | undefined;
  const endGroup = () => {
    if (group) items.push(`${group.name}: ${group.members.join(', ')};`);
    group = undefined;
  };
  for (const a of parseAddressList(value) ?? []) {
    if (a.host !== null) (group?.members ?? items).push(addressText(a));
    else if (a.mailbox !== null) group = { name: decodeEncodedWords(a.mailbox), members: [] };
    else endGroup();
  }
  endGroup();
  return items.filter(Boolean).join(', ');
}

function headerText(raw: Buffer, start: number, end: number, out: Budget): void {
  for (const f of parseHeaderBlock(raw, start, end)) {
    const v = fieldValue(raw, f);
    const decoded = v === null ? '' : decodeEncodedWords(v);
    if (!out.add(`${f.name}: ${decoded}\n`)) return;
    if (v === null || !ADDRESS_FIELDS.has(f.name.toLowerCase())) continue;
    const normal = addressSearchText(v);
    if (normal && normal !== decoded && !out.add(`${f.name}: ${normal}\n`)) return;
  }
}

/**
 * A leaf's body as text: transfer encoding undone (unknown encodings left
 * as they are), charset converted. At most maxBytes of the encoded body
 * are looked at.
 */
export function partText(raw: Buffer, part: MimePart, maxBytes = Infinity): string {
  let body = raw.subarray(part.headerEnd, Math.min(part.bodyEnd, part.headerEnd + maxBytes));
  const cte = (part.encoding ?? '').toLowerCase();
  if (cte === 'base64') body = decodeBase64(body);
  else if (cte === 'quoted-printable') body = decodeQuotedPrintable(toCrlf(body));
  const text = decodeCharset(body, paramText(part.params, 'charset'));
  return part.subtype?.toLowerCase() === 'html' ? htmlToText(text) : text;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Good enough for search: scripts, styles and tags dropped, common entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, ' ');
}

function isText(part: MimePart): boolean {
  return part.kind === 'text' || part.type === null;
}

function bodyText(raw: Buffer, part: MimePart, out: Budget): void {
  if (out.left <= 0) return;
  if (part.kind === 'multipart') {
    for (const c of part.children ?? []) bodyText(raw, c, out);
  } else if (part.kind === 'message') {
    const inner = part.children?.[0];
    if (!inner) return;
    headerText(raw, inner.headerStart, inner.headerEnd, out);
    bodyText(raw, inner, out);
  } else if (isText(part)) {
    // Enough encoded bytes for the characters still wanted (base64 4:3, UTF-8 up to 4 bytes a character).
    out.add(partText(raw, part, out.left * 6 + 1024));
    out.add('\n');
  }
}

/** The header part of SearchText for a block of header lines (a trace put in front of a stored message). */
export function headerSearchText(raw: Buffer, start = 0, end = raw.length): string {
  const out = new Budget(Infinity);
  headerText(raw, start, end, out);
  return out.chunks.join('');
}

/** Search text of a message, bounded (see SearchTextOptions). */
export function searchText(raw: Buffer, structure: MessageStructure, opts: SearchTextOptions = {}): SearchText {
  const out = new Budget(opts.maxChars ?? 1024 * 1024);
  headerText(raw, structure.root.headerStart, structure.root.headerEnd, out);
  const header = out.chunks.join('');
  out.chunks = [];
  bodyText(raw, structure.root, out);
  return { header, body: out.chunks.join(''), truncated: out.truncated };
}
