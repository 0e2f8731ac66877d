// Latency samples per command, kept in growable Float64Arrays (no object per
// sample), counted only inside the measurement window.

class Samples {
  data = new Float64Array(1024);
  n = 0;
  errors = 0;
  add(ms: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = ms;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.n).sort();
  }
}

export interface CommandStats {
  command: string;
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface RunStats {
  seconds: number;
  commands: CommandStats[];
  /** Every command together. */
  total: CommandStats;
  /** Commands sent in the whole run, warm-up and tail included. */
  sent: number;
  /** Mix passes (or sessions) completed in the window. */
  passes: number;
  passesPerSec: number;
  errorSamples: string[];
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class Recorder {
  private readonly byCommand = new Map<string, Samples>();
  private readonly order: string[] = [];
  private passes = 0;
  /** Every command, inside the window or not. */
  private sent = 0;
  private readonly errorSamples: string[] = [];
  /** performance.now() bounds of the measurement window. */
  startAt = Infinity;
  endAt = Infinity;

  /** Starts measuring after `warmupMs`, for `durationMs`. */
  window(warmupMs: number, durationMs: number): void {
    this.startAt = performance.now() + warmupMs;
    this.endAt = this.startAt + durationMs;
  }

  get over(): boolean {
    return performance.now() >= this.endAt;
  }

  private samples(command: string): Samples {
    let s = this.byCommand.get(command);
    if (!s) {
      s = new Samples();
      this.byCommand.set(command, s);
      this.order.push(command);
    }
    return s;
  }

  /** A command that ran from `t0` to `t1` (performance.now() ms). */
  add(command: string, t0: number, t1: number, ok: boolean, detail?: string): void {
    this.sent++;
    if (t0 < this.startAt || t1 > this.endAt) return;
    const s = this.samples(command);
    if (ok) s.add(t1 - t0);
    else {
      s.errors++;
      if (this.errorSamples.length < 10 && detail) this.errorSamples.push(`${command}: ${detail}`);
    }
  }

  pass(t1: number): void {
    if (t1 >= this.startAt && t1 <= this.endAt) this.passes++;
  }

  /** `order`: command names in the order the tables should list them (others follow). */
  result(order: readonly string[] = []): RunStats {
    const seconds = (this.endAt - this.startAt) / 1000;
    const all = new Samples();
    const commands: CommandStats[] = [];
    const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
    for (const name of [...this.order].sort((a, b) => rank(a) - rank(b))) {
      const s = this.byCommand.get(name)!;
      const sorted = s.sorted();
      for (let i = 0; i < s.n; i++) all.add(s.data[i]!);
      all.errors += s.errors;
      commands.push({
        command: name,
        ops: s.n,
        opsPerSec: s.n / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        errors: s.errors,
      });
    }
    const sortedAll = all.sorted();
    return {
      seconds,
      commands,
      total: {
        command: 'all',
        ops: all.n,
        opsPerSec: all.n / seconds,
        p50: percentile(sortedAll, 50),
        p99: percentile(sortedAll, 99),
        errors: all.errors,
      },
      sent: this.sent,
      passes: this.passes,
      passesPerSec: this.passes / seconds,
      errorSamples: this.errorSamples,
    };
  }
}
