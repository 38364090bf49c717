// The Logger port: an injected structured logger with scoped children; never log param values.

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** What taskrail logs through; `pino` satisfies it, see `createDefaultLogger`. */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  /** A logger whose lines all carry `bindings` (e.g. `{ nodeId, taskId, step }`). */
  child(bindings: LogFields): Logger;
}

/** A logger that drops everything (library default until the user gives one). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
});
