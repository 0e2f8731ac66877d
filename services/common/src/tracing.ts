// OpenTelemetry tracing, configured only by the standard OTEL_* variables and
// off unless OTEL_TRACES_EXPORTER names an exporter. Off, the SDK is never
// loaded, nothing is registered with the API, and every caller tests
// `tracing.on` before it does any tracing work.
//
// What is traced: an IMAP command at the edge, the gRPC calls it makes (client
// and server spans, the context carried in metadata or in the Multiplex frame),
// their SQL (the pg instrumentation), the change event that a commit publishes
// (its context in Kafka headers) linked from the refresh of each session it
// wakes, and LMTP transactions. Span attributes carry names of commands and
// methods, ids, counts and outcomes: never arguments, user names, addresses,
// passwords or message text.
import { createRequire } from 'node:module';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';

export { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Link, type Span };

/** Whether spans are recorded in this process (see startTracing). */
export const tracing = { on: false };

/** Header names and values that carry a trace context (W3C traceparent and tracestate by default). */
export type TraceHeaders = Record<string, string>;

let tracer: Tracer = trace.getTracer('kimap');

export interface TracingOptions {
  /** Spans go to this exporter, whatever OTEL_TRACES_EXPORTER says (tests). */
  exporter?: SpanExporter;
  /** Told that tracing is on, and where spans go. */
  log?: Logger;
}

export interface RunningTracing {
  /** Exports what is still buffered and stops recording. */
  shutdown(): Promise<void>;
}

/**
 * Whether the environment asks for traces: OTEL_TRACES_EXPORTER set to
 * something other than `none`, and OTEL_SDK_DISABLED not true.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return exporters.length > 0 && !exporters.every((e) => e === 'none');
}

/**
 * Starts the OpenTelemetry SDK when tracing is configured (or an exporter is
 * given); undefined, having loaded nothing, when it is not. The SDK reads the
 * rest of its settings from the environment: OTEL_EXPORTER_OTLP_ENDPOINT and
 * _PROTOCOL, OTEL_SERVICE_NAME (default: `service`), OTEL_TRACES_SAMPLER and
 * _ARG, OTEL_PROPAGATORS, OTEL_RESOURCE_ATTRIBUTES.
 */
export async function startTracing(service: string, opts: TracingOptions = {}): Promise<RunningTracing | undefined> {
  if (tracing.on) throw new Error('tracing is already started');
  if (!opts.exporter && !tracingConfigured()) return undefined;
  const [{ NodeSDK, tracing: sdkTrace }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    ...(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: service }),
    ...(opts.exporter ? { spanProcessors: [new sdkTrace.SimpleSpanProcessor(opts.exporter)] } : {}),
    // Statements without parameter values; none outside a traced call (the
    // outbox relay's polls, the janitor's sweeps).
    instrumentations: [new PgInstrumentation({ requireParentSpan: true })],
    // Traces only: logs stay pino's, metrics Prometheus's.
    logRecordProcessors: [],
  });
  sdk.start();
  // node-postgres was loaded (by an ES import) before the instrumentation
  // was registered: requiring it once more lets the instrumentation patch the
  // very module objects the database code uses.
  const require = createRequire(import.meta.url);
  require('pg');
  require('pg-pool');
  tracer = trace.getTracer('kimap');
  tracing.on = true;
  opts.log?.info(
    {
      exporter: opts.exporter ? 'given' : process.env.OTEL_TRACES_EXPORTER,
      endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
      sampler: process.env.OTEL_TRACES_SAMPLER,
    },
    'tracing on',
  );
  return {
    async shutdown() {
      tracing.on = false;
      await sdk.shutdown();
    },
  };
}

/**
 * Runs `fn` in a new span and ends the span when it settles (an error marks
 * it failed, without its message). `parent` undefined: a child of the active
 * span; ROOT_CONTEXT: a trace of its own. Call only while `tracing.on`.
 */
export function inSpan<T>(
  name: string,
  opts: { kind?: SpanKind; attributes?: Attributes; links?: Link[]; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = opts.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    {
      kind: opts.kind ?? SpanKind.INTERNAL,
      ...(opts.attributes && { attributes: opts.attributes }),
      ...(opts.links && { links: opts.links }),
    },
    parent,
  );
  const settled = context.with(trace.setSpan(parent, span), fn, undefined, span);
  return settled.then(
    (value) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw err;
    },
  );
}

/**
 * Runs `fn` outside any trace: background work that a traced call set going
 * (a timer, a batch for many calls) is none of that call's.
 */
export function outsideTraces<T>(fn: () => T): T {
  return tracing.on ? context.with(ROOT_CONTEXT, fn) : fn();
}

/** Marks the active span failed (an error the server did not expect), without the error's message. */
export function failActiveSpan(): void {
  if (tracing.on) trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR });
}

/** Links the active span to other traces (the changes a command reports). */
export function linkActiveSpan(links: Link[]): void {
  if (tracing.on) trace.getActiveSpan()?.addLinks(links);
}

/** The trace id of the active span, when there is one and it is sampled. */
export function activeTraceId(): string | undefined {
  if (!tracing.on) return undefined;
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && sc.traceFlags & TraceFlags.SAMPLED ? sc.traceId : undefined;
}

/** trace_id and span_id of the active span, for a log line (see createLogger). */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && sc.traceFlags & TraceFlags.SAMPLED ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

/** The active context as headers to send along (gRPC metadata, a Multiplex frame, a Kafka message). */
export function traceHeaders(ctx: Context = context.active()): TraceHeaders {
  const headers: TraceHeaders = {};
  propagation.inject(ctx, headers);
  return headers;
}

/** The span context that headers carry, as a link; undefined when they carry none. */
export function linkFrom(headers: TraceHeaders): Link | undefined {
  const sc = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));
  return sc && trace.isSpanContextValid(sc) ? { context: sc } : undefined;
}

// gRPC ------------------------------------------------------------------------

/** Metadata as the propagator reads it (the subset of grpc.Metadata it needs). */
interface MetadataLike {
  get(key: string): Array<string | Buffer>;
  getMap(): Record<string, string | Buffer>;
}

const metadataGetter: TextMapGetter<MetadataLike> = {
  keys: (m) => Object.keys(m.getMap()),
  get: (m, key) => {
    const v = m.get(key)[0];
    return typeof v === 'string' ? v : undefined;
  },
};

const rpcAttributes = (service: string, method: string): Attributes => ({
  'rpc.system': 'grpc',
  'rpc.service': service,
  'rpc.method': method,
});

/** The gRPC status of a failed call: its `code`, or UNKNOWN (2). */
const statusOf = (err: unknown): number => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : 2;
};

/**
 * A client call in a client span: `call` gets the headers to send with it
 * (as metadata, or in its Multiplex frame). Call only while `tracing.on`.
 */
export function traceClientCall<T>(
  service: string,
  method: string,
  multiplexed: boolean,
  call: (headers: TraceHeaders) => Promise<T>,
): Promise<T> {
  return inSpan(
    `${service}/${method}`,
    { kind: SpanKind.CLIENT, attributes: { ...rpcAttributes(service, method), 'kimap.rpc.multiplexed': multiplexed } },
    (span) =>
      call(traceHeaders()).then(
        (res) => {
          span.setAttribute('rpc.grpc.status_code', 0);
          return res;
        },
        (err: unknown) => {
          span.setAttribute('rpc.grpc.status_code', statusOf(err));
          throw err;
        },
      ),
  );
}

/** The server span of one call, started by startServerSpan. */
export interface ServerSpan {
  /** Runs `fn` with the span active (the SQL and the calls it makes become its children). */
  run<T>(fn: () => T): T;
  /** Ends the span with the call's gRPC status. */
  end(code: number): void;
}

/**
 * The server span of a call, a child of the trace context its metadata
 * carries (a root when it carries none). Call only while `tracing.on`.
 */
export function startServerSpan(service: string, method: string, metadata: MetadataLike): ServerSpan {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const span = tracer.startSpan(`${service}/${method}`, { kind: SpanKind.SERVER, attributes: rpcAttributes(service, method) }, parent);
  const active = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(active, fn),
    end(code) {
      span.setAttribute('rpc.grpc.status_code', code);
      // A server span fails on the statuses that say the server failed (OTel's gRPC conventions).
      if (SERVER_ERRORS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
const SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);
