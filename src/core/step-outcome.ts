// What follows a failed try: retry after backoff, skip (skipOnFailed) or end the task.
import { computeBackoffMs } from "./backoff.js";
import type { Step } from "./task.js";

/** What happens after a failed try. */
export type AfterFailedTry =
  | { kind: "retry"; runAt: Date }
  | { kind: "skip"; continueNext: boolean }
  | { kind: "end"; taskStatus: "failed" | "timeout" };

/** Inputs of the decision besides the step. */
export interface FailedTryFacts {
  /** How the try ended. */
  stepStatus: "failed" | "timeout";
  /** The executor threw NonRetryableError (or the failure can never pass, e.g. a bad template). */
  nonRetryable: boolean;
  now: Date;
  /** Whether the worker could run the next step itself, used when the step is skipped. */
  canContinue: boolean;
  random?: () => number;
}

/**
 * Decides the transition after a failed try of `step` (whose `attempts` already counts the
 * try that failed): tries left → retry at now + backoff; else skipOnFailed → skip; else end.
 */
export function decideAfterFailedTry(step: Pick<Step, "attempts" | "maxTries" | "backoff" | "skipOnFailed">, facts: FailedTryFacts): AfterFailedTry {
  if (!facts.nonRetryable && step.attempts < step.maxTries) {
    const waitMs = computeBackoffMs(step.backoff, step.attempts, facts.random);
    return { kind: "retry", runAt: new Date(facts.now.getTime() + waitMs) };
  }
  if (step.skipOnFailed) return { kind: "skip", continueNext: facts.canContinue };
  return { kind: "end", taskStatus: facts.stepStatus === "timeout" ? "timeout" : "failed" };
}
