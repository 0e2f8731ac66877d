// Mail addresses and domain names as administration accepts them: ASCII, in
// lower case, internationalised domains in their xn-- form.
import { domainToASCII } from 'node:url';
import { invalid } from './errors.js';

export interface ParsedAddress {
  /** local@domain, in lower case. */
  address: string;
  local: string;
  domain: string;
}

// RFC 5321 dot-atom characters; quoted local parts are not taken.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The domain in lower case (an internationalised one in its xn-- form), or undefined when it is not a host name. */
export function domainName(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed === '' || /[\s/\\:@]/.test(trimmed)) return undefined;
  const d = domainToASCII(trimmed.toLowerCase());
  if (d === '' || d.length > 253) return undefined;
  const labels = d.split('.');
  // An all-digit last label is an IP address, not a mail domain.
  if (!labels.every((label) => LABEL.test(label)) || /^[0-9]+$/.test(labels[labels.length - 1]!)) return undefined;
  return d;
}

export function normalizeDomain(raw: string): string {
  const d = domainName(raw);
  if (d === undefined) throw invalid(`Not a domain name: ${JSON.stringify(raw)}`);
  return d;
}

/** local@domain split and checked, or undefined. */
export function addressParts(raw: string): ParsedAddress | undefined {
  const s = raw.trim().toLowerCase();
  const at = s.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = s.slice(0, at);
  const domain = domainName(s.slice(at + 1));
  if (domain === undefined || local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  return { address: `${local}@${domain}`, local, domain };
}

export function parseAddress(raw: string): ParsedAddress {
  const parts = addressParts(raw);
  if (!parts) throw invalid(`Not a mail address: ${JSON.stringify(raw)} (expected user@domain)`);
  return parts;
}

/** An alias: an address, or '@domain' for the domain's catch-all. */
export function parseAliasAddress(raw: string): ParsedAddress {
  const s = raw.trim();
  if (s.startsWith('@')) {
    const domain = domainName(s.slice(1));
    if (domain === undefined) throw invalid(`Not an alias: ${JSON.stringify(raw)} (expected user@domain, or @domain for a catch-all)`);
    return { address: `@${domain}`, local: '', domain };
  }
  const parts = addressParts(s);
  if (!parts) throw invalid(`Not an alias: ${JSON.stringify(raw)} (expected user@domain, or @domain for a catch-all)`);
  return parts;
}

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

/** The password rule of administration (imapctl, AdminService). */
export function checkPassword(password: string): void {
  if (password === '') throw invalid('A password is required');
  if (password.length < MIN_PASSWORD_LENGTH) throw invalid(`The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw invalid(`The password must have at most ${MAX_PASSWORD_LENGTH} characters`);
  // Neither could be typed at LOGIN or carried by AUTHENTICATE PLAIN.
  if (/[\0\r\n]/.test(password)) throw invalid('The password must not contain line breaks or NUL characters');
}
