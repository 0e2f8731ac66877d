// The Content-* header fields of one part, interpreted the way Dovecot does
// (it is our reference for what clients have long been shown).
import { fieldValue, type HeaderField } from './header.js';
import { parseParams } from './params.js';
import { Rfc822Scanner } from './rfc822.js';
import type { Disposition, MimePart, PartKind } from './types.js';

/** What a part's Content-* header fields say, as MimePart records it. */
export interface ContentInfo extends Pick<
  MimePart,
  'type' | 'subtype' | 'params' | 'id' | 'description' | 'encoding' | 'md5' | 'disposition' | 'language' | 'location'
> {
  /** Which kind the header asks for (before nesting/part limits apply). */
  kind: PartKind;
  /** multipart/*: the boundary, truncated to 80 characters like Dovecot. */
  boundary: string | null;
}

const BOUNDARY_MAX = 80;

function blank(kind: PartKind): ContentInfo {
  return {
    kind,
    type: null,
    subtype: null,
    params: [],
    id: null,
    description: null,
    encoding: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    boundary: null,
  };
}

/**
 * @param inMultipart a MIME part (its Content-* fields count without MIME-Version)
 * @param inDigest its parent is multipart/digest (no Content-Type means message/rfc822)
 */
export function contentInfo(raw: Buffer, fields: readonly HeaderField[], inMultipart: boolean, inDigest: boolean): ContentInfo {
  const defaultKind: PartKind = inDigest ? 'message' : 'text';
  let isMime = inMultipart;
  let hasType = false;
  for (const f of fields) {
    const n = f.name.toLowerCase();
    if (n === 'mime-version' || n === 'content-type') isMime = true;
    if (n === 'content-type') hasType = true;
  }
  // Without MIME-Version (and Content-Type) the Content-* fields mean nothing.
  if (!isMime) return blank(defaultKind);

  const info = blank(defaultKind);
  let typeValue = '';
  let typeSeen = false;
  for (const f of fields) {
    const n = f.name.toLowerCase();
    if (!n.startsWith('content-')) continue;
    const value = fieldValue(raw, f);
    if (value === null) continue;
    switch (n) {
      case 'content-type':
        if (typeSeen) break;
        typeSeen = true;
        typeValue = parseType(value, info);
        break;
      case 'content-transfer-encoding':
        if (info.encoding === null) info.encoding = parseEncoding(value);
        break;
      case 'content-id':
        info.id ??= value;
        break;
      case 'content-md5':
        info.md5 ??= value;
        break;
      case 'content-description':
        info.description ??= value;
        break;
      case 'content-location':
        info.location ??= value;
        break;
      case 'content-language':
        info.language ??= parseLanguage(value);
        break;
      case 'content-disposition':
        // Dovecot keeps reading Content-Disposition until one has parameters.
        if (info.disposition === null || info.disposition.params.length === 0)
          info.disposition = parseDisposition(value) ?? info.disposition;
        break;
    }
  }
  if (hasType) {
    const t = typeValue.toLowerCase();
    if (t === 'message/rfc822') info.kind = 'message';
    else if (t.startsWith('text') && (t.length === 4 || t[4] === '/')) info.kind = 'text';
    else if (t.startsWith('multipart/')) info.kind = 'multipart';
    else info.kind = 'basic';
  }
  if (info.kind === 'multipart') {
    const b = info.params.find((p) => p.name.toLowerCase() === 'boundary');
    if (b) info.boundary = b.value.slice(0, BOUNDARY_MAX);
  }
  return info;
}

/** Fills type/subtype/params; returns the "type/subtype" text the part kind is decided on. */
function parseType(value: string, info: ContentInfo): string {
  const sc = new Rfc822Scanner(value);
  const { ok, value: t } = sc.parseContentType();
  const slash = t.indexOf('/');
  info.type = slash < 0 ? t : t.slice(0, slash);
  info.subtype = slash < 0 ? '' : t.slice(slash + 1);
  if (ok) info.params = parseParams(sc);
  return t;
}

function parseEncoding(value: string): string | null {
  const sc = new Rfc822Scanner(value);
  sc.skipLwsp();
  const out: string[] = [];
  if (sc.parseMimeToken(out) < 0) return null;
  if (sc.skipLwsp() !== 0 || out[0] === '') return null;
  return out[0]!;
}

function parseDisposition(value: string): Disposition | null {
  const sc = new Rfc822Scanner(value);
  sc.skipLwsp();
  const out: string[] = [];
  if (sc.parseMimeToken(out) < 0) return null;
  return { value: out[0]!, params: parseParams(sc) };
}

function parseLanguage(value: string): string[] | null {
  const sc = new Rfc822Scanner(value);
  const langs: string[] = [];
  sc.skipLwsp();
  for (;;) {
    const out: string[] = [];
    if (sc.parseAtom(out) < 0) break;
    langs.push(out[0]!);
    if (sc.atEnd || sc.peek() !== 0x2c) break;
    sc.pos++;
    sc.skipLwsp();
  }
  return langs.length > 0 ? langs : null;
}
