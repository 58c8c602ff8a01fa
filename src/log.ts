// Structured logs (pino): JSON lines for machines, or short lines on a terminal.
import { pino, destination, stdTimeFunctions, type Logger as PinoLogger } from 'pino';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

function wrap(p: PinoLogger): Logger {
  return {
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

export function createLogger(name: string, level = process.env.STACKD_LOG_LEVEL ?? 'info'): Logger {
  return wrap(pino({ name, level, base: undefined, timestamp: stdTimeFunctions.isoTime }, destination(2)));
}
