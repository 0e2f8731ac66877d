// Plain-text tables, and the sweep's CSV and SVG chart (hand-written SVG).

export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 100 || digits === 0) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}

export function table(headers: string[], rows: Array<Array<string | number>>, alignLeft = 1): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < alignLeft ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export interface SweepPoint {
  target: string;
  clients: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU (cores) other processes on the machine took during the run. */
  othersCores?: number;
}

export function sweepCsv(points: SweepPoint[]): string {
  return (
    'target,clients,ops_per_sec,p50_ms,p99_ms,errors,others_cpu_cores\n' +
    points
      .map(
        (p) =>
          `${p.target},${p.clients},${p.opsPerSec.toFixed(1)},${p.p50.toFixed(2)},${p.p99.toFixed(2)},${p.errors},${(p.othersCores ?? NaN).toFixed(2)}`,
      )
      .join('\n') +
    '\n'
  );
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const e = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Two panels: throughput and p99 latency (log scale) against the number of clients (log2 x axis). */
export function sweepSvg(points: SweepPoint[], title: string): string {
  const W = 960;
  const H = 400;
  const colors: Record<string, string> = { kimap: '#1f6fb4', dovecot: '#e0701a' };
  const targets = [...new Set(points.map((p) => p.target))];
  const clients = [...new Set(points.map((p) => p.clients))].sort((a, b) => a - b);
  const lx = (n: number) => Math.log2(n);
  const xMin = lx(clients[0] ?? 1);
  const xMax = Math.max(xMin + 1, lx(clients[clients.length - 1] ?? 2));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  const panel = (x0: number, label: string, value: (p: SweepPoint) => number, log10 = false) => {
    const pw = 380;
    const ph = 270;
    const top = 60;
    const left = x0 + 60;
    const values = points.map(value).filter((v) => Number.isFinite(v) && (!log10 || v > 0));
    const px = (n: number) => left + ((lx(n) - xMin) / (xMax - xMin)) * pw;
    let py: (v: number) => number;
    let ticks: number[];
    if (log10) {
      // Decades from below the smallest to above the largest value.
      const lo = Math.floor(Math.log10(Math.min(...values)));
      const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values))));
      py = (v: number) => top + ph - ((Math.log10(v) - lo) / (hi - lo)) * ph;
      ticks = Array.from({ length: hi - lo + 1 }, (_, i) => Math.pow(10, lo + i));
    } else {
      const yMax = niceMax(Math.max(...values));
      py = (v: number) => top + ph - (v / yMax) * ph;
      ticks = Array.from({ length: 6 }, (_, i) => (yMax * i) / 5);
    }
    out.push(`<text x="${left + pw / 2}" y="${top - 12}" text-anchor="middle" font-size="13">${esc(label)}</text>`);
    for (const v of ticks) {
      const y = py(v);
      out.push(`<line x1="${left}" y1="${y.toFixed(1)}" x2="${left + pw}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
      out.push(
        `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(v < 1 ? String(v) : fmt(v, v < 10 ? 1 : 0))}</text>`,
      );
    }
    for (const c of clients) {
      out.push(`<line x1="${px(c)}" y1="${top}" x2="${px(c)}" y2="${top + ph}" stroke="#eee"/>`);
      out.push(`<text x="${px(c)}" y="${top + ph + 18}" text-anchor="middle">${c}</text>`);
    }
    out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
    out.push(`<text x="${left + pw / 2}" y="${top + ph + 38}" text-anchor="middle">concurrent clients (sessions kept open)</text>`);
    for (const t of targets) {
      const ps = points
        .filter((p) => p.target === t && Number.isFinite(value(p)) && (!log10 || value(p) > 0))
        .sort((a, b) => a.clients - b.clients);
      const color = colors[t] ?? '#444';
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${ps.map((p) => `${px(p.clients).toFixed(1)},${py(value(p)).toFixed(1)}`).join(' ')}"/>`,
      );
      for (const p of ps) out.push(`<circle cx="${px(p.clients).toFixed(1)}" cy="${py(value(p)).toFixed(1)}" r="4" fill="${color}"/>`);
    }
  };
  panel(0, 'throughput (IMAP commands / s)', (p) => p.opsPerSec);
  panel(W / 2, 'p99 latency of all commands (ms, log scale)', (p) => p.p99, true);
  targets.forEach((t, i) => {
    const x = W / 2 - 90 + i * 110;
    out.push(`<rect x="${x}" y="${H - 22}" width="14" height="14" fill="${colors[t] ?? '#444'}"/>`);
    out.push(`<text x="${x + 20}" y="${H - 10}">${esc(t)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
