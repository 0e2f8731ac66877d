// A logger that keeps its lines, for tests of what is logged.
import { pino, type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger at `level` whose lines (parsed) land in `lines`. */
export function capturingLogger(level = 'debug'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level, base: { service: 'test' } }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

/** pino's number for a level name. */
export const LOG_LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
