// IMAP tokens of a received line or of an expected one (where `{...}`
// placeholders stay inside atoms), for the structural comparison in comparer.ts.

export interface Tok {
  kind: 'atom' | 'string' | 'list';
  /** Atom text, or the value of a string (quoted or literal). */
  text: string;
  raw: string;
  items?: Tok[];
}

/** IMAP tokens of a line; in a pattern, `{...}` placeholders are part of atoms. Undefined when malformed. */
export function tokenize(s: string, pattern: boolean): Tok[] | undefined {
  let pos = 0;
  const seq = (inList: boolean): Tok[] | undefined => {
    const out: Tok[] = [];
    for (;;) {
      while (s[pos] === ' ') pos++;
      if (pos >= s.length) return inList ? undefined : out;
      const c = s[pos];
      const start = pos;
      if (c === ')') {
        if (!inList) return undefined;
        pos++;
        return out;
      }
      if (c === '(') {
        pos++;
        const items = seq(true);
        if (!items) return undefined;
        out.push({ kind: 'list', text: '', raw: s.slice(start, pos), items });
        continue;
      }
      if (c === '"') {
        pos++;
        let v = '';
        while (pos < s.length && s[pos] !== '"') {
          if (s[pos] === '\\' && pos + 1 < s.length) pos++;
          v += s[pos];
          pos++;
        }
        if (pos >= s.length) return undefined;
        pos++;
        out.push({ kind: 'string', text: v, raw: s.slice(start, pos) });
        continue;
      }
      const lit = /^~?\{(\d+)\+?\}\r\n/.exec(s.slice(pos, pos + 32)); // literal or literal8 (RFC 3516)
      if (lit) {
        pos += lit[0].length;
        const n = Number(lit[1]);
        if (pos + n > s.length) return undefined;
        pos += n;
        out.push({ kind: 'string', text: s.slice(pos - n, pos), raw: s.slice(start, pos) });
        continue;
      }
      let depth = 0;
      while (pos < s.length) {
        const ch = s[pos];
        if (ch === '[') depth++;
        else if (ch === ']') depth = Math.max(0, depth - 1);
        else if (pattern && ch === '{') {
          const close = s.indexOf('}', pos);
          if (close < 0) return undefined;
          pos = close + 1;
          continue;
        } else if (depth === 0 && (ch === ' ' || ch === '(' || ch === ')')) break;
        pos++;
      }
      out.push({ kind: 'atom', text: s.slice(start, pos), raw: s.slice(start, pos) });
    }
  };
  return seq(false);
}
