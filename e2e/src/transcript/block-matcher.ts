// The lines a server sent for one exchange against the lines it was expected to
// send: the tagged reply last, untagged lines as a set (or in order, under
// @ordered), optional lines optional, and {EXPUNGED ...} for any valid order of
// EXPUNGE responses.
import type { Expectation } from './model.js';
import { compileExpectation } from './line-matcher.js';
import { show } from './report.js';

const EXPUNGED_RE = /^\{EXPUNGED ([\d,\s]+)\}$/;
const EXPUNGE_LINE = /^\* (\d+) EXPUNGE$/;

/**
 * `{EXPUNGED 2,4}`: the command's `* n EXPUNGE` lines, taken in the order they came,
 * remove exactly the messages numbered 2 and 4 before it (`* 4 EXPUNGE` `* 2 EXPUNGE`
 * and `* 2 EXPUNGE` `* 3 EXPUNGE` are both right).
 */
function checkExpunged(spec: string, lines: string[]): string | undefined {
  const want = spec
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
  const max = Math.max(...want, 0) + lines.length + 1;
  const current = Array.from({ length: max }, (_, i) => i + 1);
  const removed: number[] = [];
  for (const l of lines) {
    const n = Number(EXPUNGE_LINE.exec(l)![1]);
    const orig = current[n - 1];
    if (orig === undefined) return `"${l}" names no message`;
    current.splice(n - 1, 1);
    removed.push(orig);
  }
  removed.sort((a, b) => a - b);
  if (removed.join(',') !== want.join(',')) {
    return `the EXPUNGE responses [${lines.join(' | ')}] remove messages ${removed.join(',') || 'none'}, expected ${want.join(',')}`;
  }
  return undefined;
}

/** Problems of one block of received lines against its expectations (empty: it matched). */
export function matchBlock(
  expect: Expectation[],
  received: string[],
  opts: { tag: string; ordered: boolean; vars: Record<string, string> },
): string[] {
  const problems: string[] = [];
  let pool = [...received];
  let exps = [...expect];

  // {EXPUNGED ...} takes every EXPUNGE line.
  const expunged = exps.find((e) => e.parts.length === 1 && EXPUNGED_RE.test(e.parts[0]!.text));
  const EXPUNGED_MARK = '\u0000EXPUNGED';
  if (expunged) {
    const lines = pool.filter((l) => EXPUNGE_LINE.test(l));
    const p = checkExpunged(EXPUNGED_RE.exec(expunged.parts[0]!.text)![1]!, lines);
    if (p) problems.push(`line ${expunged.line}: ${p}`);
    if (opts.ordered && lines.length) {
      // In order: the EXPUNGE lines are one run, where {EXPUNGED} is written.
      const first = pool.findIndex((l) => EXPUNGE_LINE.test(l));
      const run = pool.slice(first, first + lines.length);
      if (!run.every((l) => EXPUNGE_LINE.test(l))) problems.push(`line ${expunged.line}: the EXPUNGE responses are not one run`);
      pool = [...pool.slice(0, first), EXPUNGED_MARK, ...pool.slice(first).filter((l) => !EXPUNGE_LINE.test(l))];
    } else {
      exps = exps.filter((e) => e !== expunged);
      pool = pool.filter((l) => !EXPUNGE_LINE.test(l));
    }
  }

  const compiled = new Map(exps.map((e) => [e, e === expunged ? (l: string) => l === EXPUNGED_MARK : compileExpectation(e, opts.vars)]));
  const ok = (e: Expectation, l: string) => compiled.get(e)!(l);

  // The tagged reply: last, and alone.
  const isTagged = (l: string) => opts.tag !== '' && l.startsWith(opts.tag + ' ');
  const taggedExp = exps.filter((e) => !e.optional && e.parts[0]!.text.startsWith(opts.tag + ' ') && opts.tag !== '');
  const taggedGot = pool.filter(isTagged);
  exps = exps.filter((e) => !taggedExp.includes(e));
  pool = pool.filter((l) => !isTagged(l));
  if (taggedExp.length > 1) problems.push(`more than one tagged line expected for ${opts.tag}`);
  const te = taggedExp[0];
  const tg = taggedGot.at(-1);
  if (te && !tg) problems.push(`no tagged reply; expected ${te.source}`);
  else if (!te && tg) problems.push(`unexpected tagged reply ${show(tg)}`);
  else if (te && tg && !ok(te, tg)) problems.push(`tagged reply ${show(tg)} does not match line ${te.line}: ${te.source}`);

  const required = exps.filter((e) => !e.optional);
  const optional = exps.filter((e) => e.optional);
  if (opts.ordered) {
    // In order, optional lines anywhere they are written.
    const seqProblem = matchOrdered(exps, pool, ok);
    if (seqProblem) problems.push(seqProblem);
    return problems;
  }
  // Unordered: each required expectation takes a line of its own (backtracking),
  // and every line left over must fit an optional one.
  const candidates = required.map((e) => pool.map((l, j) => (ok(e, l) ? j : -1)).filter((j) => j >= 0));
  const order = required.map((_, i) => i).sort((a, b) => candidates[a]!.length - candidates[b]!.length);
  const used = new Set<number>();
  const assign = new Map<number, number>();
  let budget = 200_000;
  let best: { assign: Map<number, number>; leftovers: number } | undefined;
  const leftoversBad = () => pool.filter((l, j) => !used.has(j) && !optional.some((e) => ok(e, l))).length;
  const search = (k: number): boolean => {
    if (--budget < 0) return false;
    if (k === order.length) {
      const bad = leftoversBad();
      if (!best || bad < best.leftovers) best = { assign: new Map(assign), leftovers: bad };
      return bad === 0;
    }
    const ei = order[k]!;
    for (const j of candidates[ei]!) {
      if (used.has(j)) continue;
      used.add(j);
      assign.set(ei, j);
      if (search(k + 1)) return true;
      used.delete(j);
      assign.delete(ei);
    }
    // This expectation stays unmatched (reported), the rest still tried.
    assign.delete(ei);
    return search(k + 1);
  };
  search(0);
  const final = best?.assign ?? new Map<number, number>();
  const taken = new Set(final.values());
  for (const [i, e] of required.entries()) if (!final.has(i)) problems.push(`missing (line ${e.line}): ${e.source}`);
  for (const [j, l] of pool.entries()) {
    if (!taken.has(j) && !optional.some((e) => ok(e, l))) problems.push(`unexpected: ${show(l)}`);
  }
  return problems;
}

function matchOrdered(exps: Expectation[], lines: string[], ok: (e: Expectation, l: string) => boolean): string | undefined {
  // dp[i][j]: expectations from i and lines from j can be matched.
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === exps.length) r = j === lines.length;
    else {
      const e = exps[i]!;
      if (e.optional) r = go(i + 1, j) || (j < lines.length && ok(e, lines[j]!) && go(i, j + 1));
      else r = j < lines.length && ok(e, lines[j]!) && go(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  if (go(0, 0)) return undefined;
  return `the untagged lines do not match in order:\n      expected: ${exps.map((e) => e.source).join('\n                ')}\n      received: ${lines.map(show).join('\n                ')}`;
}
