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

/**
 * The abort side of one step's try. Its AbortSignal is made only when the executor reads
 * `ctx.signal` (most never do, and an AbortController with its listener costs a few µs per
 * step on the hot path); an abort before that is recorded and the signal is born aborted.
 */
export class StepAbort {
  private controller: AbortController | null = null;
  private reasonValue: StepAbortedError | null = null;
  private listener: (() => void) | null = null;

  /** The signal handed to the executor. */
  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.reasonValue !== null) this.controller.abort(this.reasonValue);
    }
    return this.controller.signal;
  }

  /** Why the step was aborted, or null while it was not. */
  get reason(): StepAbortedError | null {
    return this.reasonValue;
  }

  /** The kind of the abort, or undefined while none happened. */
  get kind(): AbortKind | undefined {
    return this.reasonValue?.kind;
  }

  /** Fires the abort once (later calls change nothing): the signal, then the `onAbort` listener. */
  abort(reason: StepAbortedError): void {
    if (this.reasonValue !== null) return;
    this.reasonValue = reason;
    this.controller?.abort(reason);
    const listener = this.listener;
    this.listener = null;
    listener?.();
  }

  /** Runs `fn` once when the abort fires (at once if it already did). One listener at a time. */
  onAbort(fn: () => void): void {
    if (this.reasonValue !== null) fn();
    else this.listener = fn;
  }
}
