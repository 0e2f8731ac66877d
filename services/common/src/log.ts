// Structured JSON logs. Passwords and message bodies are never passed to a logger.
// While tracing, a line logged inside a sampled span carries its trace_id and span_id.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { traceLogFields, tracing } from './tracing.js';

export type { Logger };

/** `destination`: where lines go (default stdout). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    redact: { paths: ['password', '*.password'], remove: true },
    mixin: () => (tracing.on ? traceLogFields() : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
