// Tracing for tests: the SDK started as the services start it, with the spans
// kept in memory rather than exported.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type RunningTracing } from '../tracing.js';

export type { ReadableSpan };

export interface TestTracing {
  /** The spans ended so far. */
  spans(): ReadableSpan[];
  stop(): Promise<void>;
}

export async function traceToMemory(service: string): Promise<TestTracing> {
  const exporter = new InMemorySpanExporter();
  const running: RunningTracing | undefined = await startTracing(service, { exporter });
  if (!running) throw new Error('tracing did not start');
  return {
    spans: () => exporter.getFinishedSpans(),
    stop: () => running.shutdown(),
  };
}
