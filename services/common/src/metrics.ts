// What every service measures alike (connections, bytes, gRPC calls, SQL
// statements), and the cheap histogram the hot paths observe into.
//
// prom-client's Histogram hashes its labels and turns each bucket bound into a
// property name on every observation (over a microsecond each on the
// development machine), and an IMAP command observes several: one command,
// its gRPC calls, their SQL statements. FastHistogram keeps a series per label
// set, made once; an observation is a bucket search and three additions.
// It registers with a prom-client Registry like prom-client's own metrics.
import type { Metric, Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import { grpc } from './grpc.js';

/** Latency buckets, seconds: from half a millisecond (a cached answer) to ten seconds (something is wrong). */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** One label set of a FastHistogram. */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last one is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

interface ExportedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram whose callers hold their series: `series(labels)`
 * once (at start, or the first time a label set is met), `observe(value)` on
 * the series after.
 */
export class FastHistogram<L extends string = string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly all = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    readonly buckets: readonly number[] = LATENCY_BUCKETS,
    registry?: Registry,
  ) {
    // The registry formats any metric that answers get() as prom-client's do.
    registry?.registerMetric(this as unknown as Metric);
  }

  /** The series of a label set (the same object for the same labels). */
  series(labels: Readonly<Record<L, string>>): HistogramSeries {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.all.get(key);
    if (!s) {
      s = new HistogramSeries({ ...labels }, this.buckets);
      this.all.set(key, s);
    }
    return s;
  }

  reset(): void {
    for (const s of this.all.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExportedValue[] }> {
    const values: ExportedValue[] = [];
    for (const s of this.all.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ labels: { ...s.labels, le: this.buckets[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

/**
 * The metric of this name in the registry, or a new one: the embedded server
 * runs the edge, the mailbox service and the delivery listener with one
 * registry, and families such as kimap_connections_total are theirs together.
 */
export function sharedMetric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** The gRPC status names, by code: the `code` label. */
const STATUS_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(grpc.status)) if (typeof code === 'number') names[code] = name;
  return names;
})();

/** Durations of RPCs by method and status code. */
export class RpcMetrics {
  private readonly byMethod = new Map<string, HistogramSeries[]>();

  constructor(private readonly histogram: FastHistogram<'method' | 'code'>) {}

  observe(method: string, code: number, seconds: number): void {
    let row = this.byMethod.get(method);
    if (!row) {
      row = [];
      this.byMethod.set(method, row);
    }
    const series = (row[code] ??= this.histogram.series({ method, code: STATUS_NAMES[code] ?? String(code) }));
    series.observe(seconds);
  }
}

/** The status code of a failed call (grpc-js errors, the edge's BackendError); UNKNOWN without one. */
export function rpcCode(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : grpc.status.UNKNOWN;
}

const registryRpc = new WeakMap<Registry, { client?: RpcMetrics; server?: RpcMetrics }>();

function rpcMetrics(registry: Registry, side: 'client' | 'server'): RpcMetrics {
  let both = registryRpc.get(registry);
  if (!both) registryRpc.set(registry, (both = {}));
  return (both[side] ??= new RpcMetrics(
    sharedMetric(
      registry,
      `kimap_grpc_${side}_duration_seconds`,
      () =>
        new FastHistogram(
          `kimap_grpc_${side}_duration_seconds`,
          side === 'client'
            ? 'gRPC calls to the mailbox service, by method and status code, calls over the Multiplex stream included'
            : 'gRPC calls the mailbox service answered, by method and status code (calls over the Multiplex stream by their own method)',
          ['method', 'code'],
          LATENCY_BUCKETS,
          registry,
        ),
    ),
  ));
}

/** The calls this process makes to the mailbox service (the edge, the delivery listener). */
export const grpcClientMetrics = (registry: Registry): RpcMetrics => rpcMetrics(registry, 'client');
/** The calls the mailbox service answers. */
export const grpcServerMetrics = (registry: Registry): RpcMetrics => rpcMetrics(registry, 'server');

/**
 * Times every call a gRPC server answers, by the method's name, except
 * Multiplex (a stream that lives as long as its client; the calls it carries
 * are timed one by one, see multiplexService).
 */
export function rpcTimingInterceptor(metrics: RpcMetrics): grpc.ServerInterceptor {
  return (method, call) => {
    const name = method.path.slice(method.path.lastIndexOf('/') + 1);
    if (name === 'Multiplex') return new grpc.ServerInterceptingCall(call);
    const started = performance.now();
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      metrics.observe(name, code, (performance.now() - started) / 1000);
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => finish(grpc.status.CANCELLED) }),
      sendStatus: (status, next) => {
        finish(status.code);
        next(status);
      },
    });
  };
}

/** Where a connection came in: the edge's two IMAP listeners, or the delivery listener. */
export type Listener = 'imap' | 'imaps' | 'lmtp';

/**
 * Connections by listener and whether they are encrypted, and the bytes they
 * carried. Bytes are summed into plain numbers and handed to Prometheus at
 * each scrape: a chunk costs an addition.
 */
export class ConnectionMetrics {
  /** Protocol bytes received and sent (after TLS decryption, before encryption). */
  received = 0;
  sent = 0;

  constructor(
    private readonly total: Counter<'listener' | 'tls'>,
    private readonly open: Gauge<'listener' | 'tls'>,
  ) {}

  opened(listener: Listener, tls: boolean): void {
    const labels = { listener, tls: tls ? 'true' : 'false' };
    this.total.inc(labels);
    this.open.inc(labels);
  }

  closed(listener: Listener, tls: boolean): void {
    this.open.dec({ listener, tls: tls ? 'true' : 'false' });
  }

  /** A connection of this listener switched to TLS (STARTTLS). */
  upgraded(listener: Listener): void {
    this.open.dec({ listener, tls: 'false' });
    this.open.inc({ listener, tls: 'true' });
  }
}

const registryTraffic = new WeakMap<Registry, Map<string, ConnectionMetrics>>();

/** The connection metrics of a protocol ('imap' for the edge, 'lmtp' for the delivery listener). */
export function connectionMetrics(registry: Registry, protocol: 'imap' | 'lmtp'): ConnectionMetrics {
  let byProtocol = registryTraffic.get(registry);
  if (!byProtocol) {
    byProtocol = new Map();
    registryTraffic.set(registry, byProtocol);
    const protocols = byProtocol;
    for (const [direction, help] of [
      ['received', 'Protocol bytes received from clients (after TLS decryption), by protocol'],
      ['sent', 'Protocol bytes sent to clients (before TLS encryption), by protocol'],
    ] as const) {
      new Counter({
        name: `kimap_bytes_${direction}_total`,
        help,
        labelNames: ['protocol'],
        registers: [registry],
        collect() {
          this.reset();
          for (const [p, m] of protocols) this.inc({ protocol: p }, m[direction]);
        },
      });
    }
  }
  let m = byProtocol.get(protocol);
  if (!m) {
    const total = sharedMetric(
      registry,
      'kimap_connections_total',
      () =>
        new Counter({
          name: 'kimap_connections_total',
          help: 'Connections accepted, by listener (imap, imaps, lmtp) and whether they were encrypted from the start',
          labelNames: ['listener', 'tls'],
          registers: [registry],
        }),
    );
    const open = sharedMetric(
      registry,
      'kimap_connections_open',
      () =>
        new Gauge({
          name: 'kimap_connections_open',
          help: 'Connections open now, by listener and whether they are encrypted (STARTTLS moves one to tls="true")',
          labelNames: ['listener', 'tls'],
          registers: [registry],
        }),
    );
    m = new ConnectionMetrics(total, open);
    byProtocol.set(protocol, m);
  }
  return m;
}

/** Kinds of limit hits (kimap_limit_hits_total). */
export type LimitKind =
  | 'line_too_long'
  | 'literal_too_big'
  | 'command_too_big'
  | 'too_many_bad_commands'
  | 'too_many_login_failures'
  | 'max_connections'
  | 'account_connections'
  | 'message_too_big'
  | 'write_timeout'
  | 'output_limit';

/** Requests and connections refused by a limit, by kind. */
export function limitHits(registry: Registry): Counter<'kind'> {
  return sharedMetric(
    registry,
    'kimap_limit_hits_total',
    () =>
      new Counter({
        name: 'kimap_limit_hits_total',
        help: 'Requests and connections refused by a limit, by kind (see docs/operations/metrics.md)',
        labelNames: ['kind'],
        registers: [registry],
      }),
  );
}

/** Writes refused for quota, by protocol (imap: NO [OVERQUOTA]; lmtp: 452/552 at RCPT or after DATA). */
export function quotaRefusals(registry: Registry): Counter<'protocol'> {
  return sharedMetric(
    registry,
    'kimap_quota_refusals_total',
    () =>
      new Counter({
        name: 'kimap_quota_refusals_total',
        help: 'Writes refused because a quota was full, by protocol: imap (NO [OVERQUOTA]), lmtp (a recipient over quota)',
        labelNames: ['protocol'],
        registers: [registry],
      }),
  );
}
