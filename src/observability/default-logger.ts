// The default Logger: pino (structured JSON, fast), adapted to the Logger port.
import pino from "pino";
import type { LogFields, Logger } from "../core/logger.js";

/** Log levels accepted by `createDefaultLogger`. */
export type LogLevelName = "debug" | "info" | "warn" | "error" | "silent";

/** A pino-backed logger writing JSON lines to stderr (stdout stays free for CLI output). */
export function createDefaultLogger(options: { level?: LogLevelName; name?: string } = {}): Logger {
  const base = pino({ level: options.level ?? "info", name: options.name ?? "taskrail" }, pino.destination(2));
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (fields: LogFields, message: string) => p.debug(fields, message),
    info: (fields: LogFields, message: string) => p.info(fields, message),
    warn: (fields: LogFields, message: string) => p.warn(fields, message),
    error: (fields: LogFields, message: string) => p.error(fields, message),
    child: (bindings: LogFields) => wrap(p.child(bindings)),
  };
}
