// Fixtures and the Dovecot answers captured for them by capture-dovecot.sh.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Bytes as stored in the JSON: a string (valid UTF-8) or { base64 }. */
export type Stored = string | { base64: string } | null;

export interface DovecotFixture {
  rfc822Size: number;
  envelope: Stored;
  body: Stored;
  bodystructure: Stored;
  /** Section text as sent after BODY.PEEK[...] → bytes, or { error } for a tagged NO. */
  sections: Record<string, Stored | { error: string }>;
  /** Part ('' = whole message) → BINARY data and BINARY.SIZE, or { error }. */
  binary: Record<string, { data: Stored; size: number | null } | { error: string }>;
}

export interface DovecotExpected {
  dovecot: string;
  fixtures: Record<string, DovecotFixture>;
}

export function fixture(name: string): Buffer {
  return readFileSync(join(here, 'fixtures', name));
}

export function fixtureNames(): string[] {
  return readdirSync(join(here, 'fixtures'))
    .filter((f) => f.endsWith('.eml'))
    .sort();
}

export function dovecotExpected(): DovecotExpected {
  return JSON.parse(readFileSync(join(here, 'dovecot-expected.json'), 'utf8')) as DovecotExpected;
}

export function bytes(v: Stored): Buffer | null {
  if (v === null) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.base64, 'base64');
}

/** A section name as the capture script wrote it ("1.2.MIME", "HEADER.FIELDS (A B)") → our arguments. */
export function parseSectionName(sec: string): {
  part: number[];
  text?: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';
  fields: string[];
} {
  const m = /^((?:\d+\.)*\d+)?\.?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?(?: \((.*)\))?$/.exec(sec);
  if (!m) throw new Error(`bad section ${sec}`);
  const part = m[1] ? m[1].split('.').map(Number) : [];
  const text = m[2] as 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME' | undefined;
  return text ? { part, text, fields: m[3] ? m[3].split(' ') : [] } : { part, fields: [] };
}

export const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
