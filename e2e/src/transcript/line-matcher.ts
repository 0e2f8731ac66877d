// One expected line against one received line: status responses by tag,
// status and response code (never their text), continuation requests by their
// text, everything else token by token (comparer.ts), falling back to the
// pattern as a regular expression when a line does not tokenize.
import { Comparer } from './comparer.js';
import type { Expectation } from './model.js';
import { escapeRe, latin1, patternRe, patternSource } from './patterns.js';
import { tokenize } from './tokens.js';

const STATUS_RE = /^(\S+) (OK|NO|BAD|BYE|PREAUTH)(?=$| )(.*)$/s;

/** Splits `[code] text` into the code (without brackets) and the text. */
function splitCode(rest: string): { code?: string; text: string } {
  const r = rest.replace(/^ /, '');
  if (!r.startsWith('[')) return { text: r };
  const close = r.indexOf(']');
  if (close < 0) return { text: r };
  return { code: r.slice(1, close), text: r.slice(close + 1) };
}

/** A matcher for one expectation against one received logical line. */
export function compileExpectation(exp: Expectation, vars: Record<string, string>): (line: string) => boolean {
  const lvars = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, latin1(v)]));
  const text = exp.parts.map((p) => (p.kind === 'pattern' ? latin1(p.text) : p.text)).join('');
  const cmp = new Comparer(lvars);
  const regexFallback = (line: string) => {
    let src = '';
    for (const p of exp.parts) src += p.kind === 'verbatim' ? escapeRe(p.text) : patternSource(latin1(p.text), lvars);
    return new RegExp(`^${src}$`).test(line);
  };

  // Status responses: tag, status and response code; the free text never matters.
  // Without a code in the expectation the server must send none; `{*}` right after
  // the status allows anything.
  const status = exp.parts.length === 1 ? STATUS_RE.exec(text) : null;
  if (status) {
    const [, etag, eword, erest] = status as unknown as [string, string, string, string];
    const ec = splitCode(erest);
    const anything = erest.trim().startsWith('{*}');
    const ecodeToks = ec.code === undefined ? undefined : tokenize(ec.code, true);
    return (line) => {
      const m = STATUS_RE.exec(line);
      if (!m || m[2] !== eword || !patternRe(etag, lvars).test(m[1]!)) return false;
      if (anything) return true;
      const ac = splitCode(m[3]!);
      if (ec.code === undefined) return ac.code === undefined;
      if (ac.code === undefined) return false;
      const atoks = tokenize(ac.code, false);
      if (ecodeToks && atoks) return cmp.seq(ecodeToks, atoks, false);
      return patternRe(ec.code, lvars).test(ac.code);
    };
  }
  // Continuation requests: their text, as written.
  if (text.startsWith('+')) return regexFallback;
  const etoks = tokenize(text, true);
  if (!etoks) return regexFallback;
  return (line) => {
    const atoks = tokenize(line, false);
    return atoks ? cmp.seq(etoks, atoks, true) : regexFallback(line);
  };
}
