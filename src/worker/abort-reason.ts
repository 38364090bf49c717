// Why a step's signal fired; the reason decides which outcome the worker records.
import { TaskrailError, type ErrorCode } from "../core/errors.js";

/** What made the worker abort a running step. */
export type AbortKind = "cancel" | "step-timeout" | "task-timeout" | "lease-lost" | "shutdown";

const CODES: Record<AbortKind, ErrorCode> = {
  cancel: "CANCELLED",
  "step-timeout": "STEP_TIMEOUT",
  "task-timeout": "TASK_TIMEOUT",
  "lease-lost": "LEASE_LOST",
  shutdown: "SHUTDOWN",
};

/** The `reason` of a step's AbortSignal: executors may inspect `kind` (or `code`). */
export class StepAbortedError extends TaskrailError {
  constructor(readonly kind: AbortKind, message: string) {
    super(CODES[kind], message);
  }
}

/** The abort reason of `signal` when taskrail fired it, else undefined. */
export function abortKindOf(signal: AbortSignal): AbortKind | undefined {
  return signal.aborted && signal.reason instanceof StepAbortedError ? signal.reason.kind : undefined;
}
