// Structural comparison of an expected line's tokens with a received line's:
// flag lists as sets, FETCH and STATUS attribute lists as unordered pairs (the
// RFCs fix neither order), dates as instants, `{*}`, `{WITH ...}` and `x?`
// as the README describes.
import { MONTHS, patternRe } from './patterns.js';
import type { Tok } from './tokens.js';

export type ListKind = 'seq' | 'set' | 'pairs';
const upper = (t: Tok | undefined) => (t?.kind === 'atom' ? t.text.toUpperCase() : '');
const isAny = (t: Tok | undefined) => t?.kind === 'atom' && t.text === '{*}';
const withOf = (t: Tok | undefined) => (t?.kind === 'atom' ? /^\{WITH ([^}]*)\}$/.exec(t.text)?.[1] : undefined);

/** What kind of list the list at `i` of a sequence is. */
function listKind(seq: Tok[], i: number, top: boolean): ListKind {
  const prev = upper(seq[i - 1]);
  if (prev === 'FLAGS' || prev === 'PERMANENTFLAGS') return 'set';
  if (prev === 'FETCH') return 'pairs';
  if (top) {
    const head = upper(seq[1]);
    if (head === 'STATUS' && i === 3) return 'pairs';
    if ((head === 'LIST' || head === 'LSUB') && i === 2) return 'set';
  }
  return 'seq';
}

/** An IMAP date-time ("dd-Mon-yyyy hh:mm:ss +zzzz", day maybe space-padded) in ms. */
function parseDateTime(s: string): number | undefined {
  const m = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(s);
  if (!m) return undefined;
  const month = MONTHS.split('|').indexOf(m[2]!.charAt(0).toUpperCase() + m[2]!.slice(1).toLowerCase());
  if (month < 0) return undefined;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '-' ? -1 : 1);
  return utc - offset;
}

/**
 * `{DATE 06-May-2024 07:08:09 +0200}` matches the same instant in any zone: servers
 * may keep INTERNALDATE in UTC (both kimap and Dovecot's maildir do).
 */
function sameInstant(expected: string, actual: string): boolean {
  const e = parseDateTime(expected);
  return e !== undefined && e === parseDateTime(actual);
}

export class Comparer {
  constructor(private readonly vars: Record<string, string>) {}

  tok(e: Tok, a: Tok, kind: ListKind): boolean {
    // An atom and a string (quoted or literal) with the same text are the same
    // astring, as mailbox names are: `INBOX`, `"INBOX"`, `{5}\r\nINBOX`.
    if (e.kind === 'atom') {
      const date = /^\{DATE (.+)\}$/.exec(e.text);
      if (date) return a.kind === 'string' && sameInstant(date[1]!, a.text);
      return patternRe(e.text, this.vars, 'i').test(a.raw) || (a.kind === 'string' && patternRe(e.text, this.vars).test(a.text));
    }
    if (e.kind === 'string') return (a.kind === 'string' || a.kind === 'atom') && patternRe(e.text, this.vars).test(a.text);
    if (a.kind !== 'list') return false;
    if (kind === 'set') return this.set(e.items!, a.items!);
    if (kind === 'pairs') return this.pairs(e.items!, a.items!);
    return this.seq(e.items!, a.items!, false);
  }

  /** In order; `{*}` takes any run of tokens, `{WITH a b}` the rest if it holds a and b. */
  seq(e: Tok[], a: Tok[], top: boolean, i = 0, j = 0): boolean {
    if (i === e.length) return j === a.length;
    const et = e[i]!;
    if (isAny(et)) {
      for (let k = j; k <= a.length; k++) if (this.seq(e, a, top, i + 1, k)) return true;
      return false;
    }
    const w = withOf(et);
    if (w !== undefined) {
      const have = new Set(a.slice(j).map((t) => t.raw.toUpperCase()));
      return (
        i === e.length - 1 &&
        w
          .split(/\s+/)
          .filter(Boolean)
          .every((x) => have.has(x.toUpperCase()))
      );
    }
    if (j >= a.length) return false;
    return this.tok(et, a[j]!, listKind(e, i, top)) && this.seq(e, a, top, i + 1, j + 1);
  }

  /** Unordered; `x?` may be absent, `{*}` allows others. */
  set(e: Tok[], a: Tok[]): boolean {
    const any = e.some(isAny);
    const members = e
      .filter((t) => !isAny(t))
      .map((t) => {
        const optional = t.kind === 'atom' && t.text.length > 1 && t.text.endsWith('?');
        return { tok: optional ? { ...t, text: t.text.slice(0, -1), raw: t.raw.slice(0, -1) } : t, optional };
      });
    // \Marked and \Unmarked are advisory (RFC 3501 7.2.2, RFC 9051 7.3.1): ignored
    // unless the transcript names them (Dovecot's maildir sends them as it likes).
    const advisory = (t: Tok) => /^\\(un)?marked$/i.test(t.text) && !e.some((x) => x.text.toLowerCase().startsWith(t.text.toLowerCase()));
    const used = new Set<number>();
    const place = (k: number): boolean => {
      if (k === members.length) return any || a.every((t, j) => used.has(j) || advisory(t));
      const m = members[k]!;
      for (const [j, at] of a.entries()) {
        if (used.has(j) || !this.tok(m.tok, at, 'seq')) continue;
        used.add(j);
        if (place(k + 1)) return true;
        used.delete(j);
      }
      return m.optional && place(k + 1);
    };
    return place(0);
  }

  /**
   * Name/value pairs in any order (FETCH, STATUS); `{*}` in a name's place allows
   * others, a name written `NAME?` may be absent (`FLAGS? (\Seen)`).
   */
  pairs(e: Tok[], a: Tok[]): boolean {
    let any = false;
    const want: Array<[Tok, Tok, boolean]> = [];
    for (let i = 0; i < e.length; i++) {
      if (isAny(e[i])) {
        any = true;
        continue;
      }
      if (i + 1 >= e.length) return false;
      const k = e[i]!;
      const optional = k.kind === 'atom' && k.text.length > 1 && k.text.endsWith('?');
      want.push([optional ? { ...k, text: k.text.slice(0, -1), raw: k.raw.slice(0, -1) } : k, e[i + 1]!, optional]);
      i++;
    }
    if (a.length % 2) return false;
    const have: Array<[Tok, Tok]> = [];
    for (let i = 0; i < a.length; i += 2) have.push([a[i]!, a[i + 1]!]);
    const used = new Set<number>();
    for (const [k, v, optional] of want) {
      const kind: ListKind = upper(k) === 'FLAGS' ? 'set' : 'seq';
      const j = have.findIndex(([hk, hv], idx) => !used.has(idx) && this.key(k, hk) && this.tok(v, hv, kind));
      if (j < 0 && optional && !have.some(([hk], idx) => !used.has(idx) && this.key(k, hk))) continue;
      if (j < 0) return false;
      used.add(j);
    }
    return any || used.size === have.length;
  }

  /** Attribute names: case and spacing do not matter (`BODY[HEADER.FIELDS (Subject)]`). */
  private key(e: Tok, a: Tok): boolean {
    const norm = (s: string) => s.replace(/\s+/g, ' ');
    return a.kind === 'atom' && patternRe(norm(e.text), this.vars, 'i').test(norm(a.text));
  }
}
