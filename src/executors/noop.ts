// The `noop` built-in executor: does nothing and succeeds, for demos, tests and placeholder steps.
import type { Executor } from "../core/step-context.js";

/** Takes no params and returns `null` (the step's output). */
export const noopExecutor: Executor = () => null;
