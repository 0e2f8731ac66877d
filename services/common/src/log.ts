// Structured JSON logs. Passwords and message bodies are never passed to a logger.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: ['password', '*.password'], remove: true },
  });
}
