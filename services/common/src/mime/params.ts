// Content-Type / Content-Disposition parameters, RFC 2231 continuations
// merged the way Dovecot shows them in BODYSTRUCTURE (`name*` with the
// percent-encoded value), plus a decoded Unicode value for our own use.
import { decodeCharset, decodeEncodedWords } from './charset.js';
import type { MimeParam } from './types.js';
import type { Rfc822Scanner } from './rfc822.js';

interface Section {
  key: string;
  value: string;
  index: number;
  extended: boolean;
}

/** Reads `; key=value` pairs from the scanner's position to the end of the value. */
export function parseParams(sc: Rfc822Scanner): MimeParam[] {
  const plain: MimeParam[] = [];
  const sections: Section[] = [];
  for (;;) {
    const { r, key, value } = sc.parseContentParam();
    if (r === 0) break;
    if (r < 0) {
      // broken: skip one character and try again, as Dovecot does
      if (sc.atEnd) break;
      sc.pos++;
      continue;
    }
    const star = key.indexOf('*');
    if (star >= 0) {
      // key*  key*N  key*N*  (a lone `*` marks an extended value)
      const m = /^\*(\d*)(\*?)$/.exec(key.slice(star));
      if (m) {
        const extended = m[2] === '*' || m[1] === '';
        sections.push({ key: key.slice(0, star), value, index: m[1] ? Number(m[1]) : 0, extended });
        continue;
      }
    }
    plain.push({ name: key, value });
  }
  if (sections.length === 0) return withDecoded(plain);

  sections.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  const merged: MimeParam[] = [];
  for (let i = 0; i < sections.length;) {
    let j = i;
    let contiguous = true;
    let extended = false;
    for (; j < sections.length && sections[j]!.key.toLowerCase() === sections[i]!.key.toLowerCase(); j++) {
      if (sections[j]!.index !== j - i) contiguous = false;
      if (sections[j]!.extended) extended = true;
    }
    const group = sections.slice(i, j);
    if (!contiguous) {
      // A missing section: Dovecot gives up and shows the pieces as they are.
      for (const s of group) merged.push({ name: `${s.key}*${s.index}${s.extended ? '*' : ''}`, value: s.value });
    } else {
      let value = !group[0]!.extended && extended ? "''" : '';
      for (const s of group) value += !s.extended && extended ? s.value.replace(/%/g, '%25') : s.value;
      merged.push({ name: extended ? `${group[0]!.key}*` : group[0]!.key, value });
    }
    i = j;
  }
  return withDecoded([...plain, ...merged]);
}

function withDecoded(params: MimeParam[]): MimeParam[] {
  for (const p of params) {
    const text = p.name.endsWith('*') ? decodeRfc2231(p.value) : p.value.includes('=?') ? decodeEncodedWords(p.value) : p.value;
    if (text !== p.value) p.decoded = text;
  }
  return params;
}

/** `charset'lang'percent-encoded` → text. Unknown charsets fall back to UTF-8/Latin-1. */
export function decodeRfc2231(value: string): string {
  const m = /^([^']*)'[^']*'(.*)$/s.exec(value);
  const charset = m ? m[1]! : '';
  const encoded = m ? m[2]! : value;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(encoded[i]!, 'utf8')) bytes.push(b);
    }
  }
  return decodeCharset(Buffer.from(bytes), charset);
}

/** The decoded value of the first parameter called `name` (or `name*`), case-insensitively. */
export function paramText(params: readonly MimeParam[], name: string): string | null {
  const lower = name.toLowerCase();
  for (const p of params) {
    const n = p.name.toLowerCase();
    if (n === lower || n === lower + '*') return p.decoded ?? p.value;
  }
  return null;
}
