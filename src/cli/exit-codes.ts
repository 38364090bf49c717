// The CLI's exit codes (docs/cli.md lists them) and the mapping from error codes to them.
import type { ErrorCode } from "../core/errors.js";
import type { TaskStatus } from "../core/status.js";

/** Exit codes of the `taskrail` binary; scripts rely on them, so their meaning never changes. */
export const EXIT = {
  /** The command did what was asked (with `--wait`/`--follow`: the task succeeded). */
  ok: 0,
  /** With `--wait`/`--follow`: the task ended `failed`, `timeout` or `cancelled`. */
  taskNotSucceeded: 1,
  /** Bad usage or input: unknown command/flag, bad flag value, invalid task file or options. */
  usage: 2,
  /** The task (or step) named does not exist. */
  notFound: 3,
  /** The task is not in a state that allows the move (or a duplicate is refused). */
  conflict: 4,
  /** The store could not be reached or opened. */
  storeUnavailable: 5,
  /** Anything unexpected (a bug, or an error without a taskrail code). */
  internal: 70,
  /** Interrupted by SIGINT while waiting or following. */
  interrupted: 130,
} as const;

/** One of the CLI's exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_ERROR_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  VALIDATION_FAILED: EXIT.usage,
  TEMPLATE_ERROR: EXIT.usage,
  UNKNOWN_EXECUTOR: EXIT.usage,
  UNKNOWN_CALLBACK: EXIT.usage,
  CONFIG_INVALID: EXIT.usage,
  STORE_URL_INVALID: EXIT.usage,
  TASK_NOT_FOUND: EXIT.notFound,
  STEP_NOT_FOUND: EXIT.notFound,
  INVALID_TRANSITION: EXIT.conflict,
  DUPLICATE_TASK: EXIT.conflict,
  DEFINITION_NOT_FOUND: EXIT.notFound,
  DEFINITION_EXISTS: EXIT.conflict,
  DEFINITION_CONFLICT: EXIT.conflict,
  STORE_UNAVAILABLE: EXIT.storeUnavailable,
  WAIT_TIMEOUT: EXIT.taskNotSucceeded,
  TOKEN_NOT_FOUND: EXIT.notFound,
  FORBIDDEN: EXIT.usage,
  UNAUTHORIZED: EXIT.usage,
};

/** The exit code for an error code (`internal` for codes no command expects). */
export function exitCodeForError(code: string | undefined): ExitCode {
  return (code !== undefined && BY_ERROR_CODE[code as ErrorCode]) || EXIT.internal;
}

/** The exit code of `--wait` and `--follow` for a task's final status. */
export function exitCodeForStatus(status: TaskStatus): ExitCode {
  return status === "succeeded" ? EXIT.ok : EXIT.taskNotSucceeded;
}
