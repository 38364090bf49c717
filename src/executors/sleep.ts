// The `sleep` built-in executor: waits `ms` (wall time) and stops early when the step is aborted.
import { z } from "zod";
import { NonRetryableError, ValidationError } from "../core/errors.js";
import type { Executor, StepContext } from "../core/step-context.js";
import { durationSchema } from "../core/validation/task-spec.js";
import { fieldErrorsFromZod } from "../core/validation/zod-errors.js";

/** Longest wait one Node timer can hold; a larger delay would fire at once (with a warning). */
const MAX_SLEEP_MS = 2_147_483_647;

// Not strict: ctx.params is the task's params overlaid with the step's, so other keys are normal.
const sleepParamsSchema = z.object({
  ms: durationSchema.refine((ms) => ms <= MAX_SLEEP_MS, `must be at most ${MAX_SLEEP_MS} ms (about 24.8 days)`),
});

/** What the `sleep` executor returns. */
export interface SleepOutput {
  /** The requested duration, in ms. */
  sleptMs: number;
}

/**
 * Params `{ ms }`: a number of ms >= 0 or a duration string like `"500ms"` / `"2s"`.
 * Resolves with `{ sleptMs }`; when `ctx.signal` fires it rejects at once with the signal's
 * reason and clears its timer. Bad params throw a NonRetryableError naming the field.
 */
export const sleepExecutor: Executor = (ctx: StepContext): Promise<SleepOutput> => {
  const parsed = sleepParamsSchema.safeParse(ctx.params);
  if (!parsed.success) {
    const details = new ValidationError(fieldErrorsFromZod(parsed.error));
    return Promise.reject(new NonRetryableError(`invalid sleep params: ${details.message}`, { cause: details }));
  }
  const { ms } = parsed.data;
  const { signal } = ctx;
  if (signal.aborted) return Promise.reject(signal.reason);

  return new Promise<SleepOutput>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve({ sleptMs: ms });
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
};
