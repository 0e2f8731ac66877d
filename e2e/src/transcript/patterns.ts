// The pattern language of expected server lines: placeholders ({N}, {*},
// {UIDVALIDITY}, {DATE}) and account variables ({USER}, {PASS}, {PLAIN64}),
// turned into regular expressions; and the variables substituted in client data.
import { TranscriptSyntaxError, type Account } from './model.js';

export const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** UTF-8 text as latin1, byte per character: how received lines are held. */
export const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Text substituted for `{USER}`, `{PASS}`, `{PLAIN64}` in client and server lines. */
export function variables(account: Account): Record<string, string> {
  return {
    USER: account.user,
    PASS: account.password,
    PLAIN64: Buffer.from(`\0${account.user}\0${account.password}`).toString('base64'),
  };
}

/** Substitutes the account variables in client data. */
export function substitute(data: Buffer, vars: Record<string, string>): Buffer {
  const s = data.toString('latin1');
  if (!s.includes('{')) return data;
  return Buffer.from(
    s.replace(/\{(USER|PASS|PLAIN64)\}/g, (_, k: string) => latin1(vars[k]!)),
    'latin1',
  );
}

/** A pattern (latin1, variables already latin1) as a regular expression source. */
export function patternSource(text: string, vars: Record<string, string>): string {
  let out = '';
  let pos = 0;
  const re = /\{([A-Z0-9*]+)(?: ([^}]*))?\}/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [whole, name, arg] = m;
    let src: string | undefined;
    switch (name) {
      case '*':
        src = '[\\s\\S]*?';
        break;
      case 'N':
        src = '\\d+';
        break;
      case 'UIDVALIDITY':
        src = '[1-9]\\d*';
        break;
      case 'DATE': {
        if (arg) {
          // A given date-time; a one-digit day may be written "05-" or " 5-".
          const d = /^0?(\d{1,2})(-.*)$/.exec(arg.trim());
          if (!d) throw new TranscriptSyntaxError(`{DATE ${arg}}: expected dd-Mon-yyyy hh:mm:ss +zzzz`);
          const day = d[1]!.length === 1 ? `(?:0| )${d[1]}` : d[1]!;
          src = `"${day}${escapeRe(d[2]!)}"`;
        } else {
          src = `"[ 0-3]\\d-(?:${MONTHS})-\\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}"`;
        }
        break;
      }
      case 'USER':
      case 'PASS':
      case 'PLAIN64':
        src = escapeRe(vars[name]!);
        break;
      default:
        src = undefined; // not a placeholder: `{5}` and the like match themselves
    }
    if (src === undefined) continue;
    out += escapeRe(text.slice(pos, m.index)) + src;
    pos = m.index + whole.length;
  }
  return out + escapeRe(text.slice(pos));
}

const regexCache = new Map<string, RegExp>();
export function patternRe(text: string, vars: Record<string, string>, flags = ''): RegExp {
  const key = `${flags}\u0000${text}\u0000${vars.USER ?? ''}`;
  let re = regexCache.get(key);
  if (!re) {
    re = new RegExp(`^${patternSource(text, vars)}$`, flags);
    regexCache.set(key, re);
  }
  return re;
}
