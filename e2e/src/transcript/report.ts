// How a run is shown: received lines in transcript syntax (what --record
// prints), and a readable list of a run's mismatches.
import type { TranscriptRun } from './model.js';

/** A received line for a message: CRLFs visible, long lines cut. */
export function show(line: string): string {
  const s = line.replace(/\r\n/g, '\\r\\n');
  return s.length > 400 ? s.slice(0, 400) + `... (${s.length} chars)` : s;
}

/** A received logical line in transcript syntax: `S:`, then `D:` and `S+:` around each literal. */
export function asTranscriptLines(line: string): string[] {
  const out: string[] = [];
  const utf8 = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
  let pos = 0;
  let prefix = 'S: ';
  for (;;) {
    const crlf = line.indexOf('\r\n', pos);
    const head = crlf < 0 ? line.slice(pos) : line.slice(pos, crlf);
    const lit = /\{(\d+)\}$/.exec(head);
    if (crlf < 0 || !lit) {
      out.push(prefix + utf8(line.slice(pos)));
      return out;
    }
    out.push(prefix + utf8(head));
    const size = Number(lit[1]);
    const data = line.slice(crlf + 2, crlf + 2 + size);
    const parts = data.split('\r\n');
    if (data.endsWith('\r\n')) parts.pop();
    for (const p of parts) out.push(p === '' ? 'D:' : 'D: ' + utf8(p));
    pos = crlf + 2 + size;
    const rest = line.slice(pos);
    prefix = 'S+: ';
    if (rest.startsWith(' ')) pos++;
    if (rest === '') {
      out.push('S+:');
      return out;
    }
  }
}

/** A readable report of a run's mismatches. */
export function formatMismatches(run: TranscriptRun): string {
  const out: string[] = [];
  for (const m of run.mismatches) {
    out.push(`${run.transcript.file}:${m.line} [${run.server}] ${m.command}`);
    for (const p of m.problems) out.push(`    ${p}`);
    if (m.received.length) out.push(`    received:\n${m.received.map((l) => '      ' + show(l)).join('\n')}`);
  }
  return out.join('\n');
}
