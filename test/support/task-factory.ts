// Builds NewTask values for tests through the real task spec (validation and defaults apply).
import type { StepSpec, TaskSpec } from "../../src/core/validation/task-spec.js";
import { resolveTaskSpec } from "../../src/core/validation/task-spec.js";
import type { NewTask } from "../../src/core/task.js";

/** A fixed instant tests start from (far from "now", so nothing depends on the wall clock). */
export const T0 = new Date("2030-01-01T00:00:00.000Z");

/** `T0` plus `ms`. */
export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

/** What `makeTask` accepts: any task-file field, plus shortcuts. */
export interface MakeTaskOptions extends Partial<Omit<TaskSpec, "steps">> {
  /** Either a number of steps (`s0`, `s1`, … on `executor`) or the steps themselves. */
  steps?: number | StepSpec[];
  /** Executor of generated steps. @default "noop" */
  executor?: string;
  /** Applied to every generated step (tries, skipOnFailed, backoff, queue, …). */
  step?: Partial<StepSpec>;
  tenant?: string;
  /** Creation time (and default runAt). @default T0 */
  now?: Date;
  definitionId?: string | null;
}

/**
 * A NewTask of type `options.type` (default "test"). `makeTask({ steps: 3, step: { tries: 2 } })`
 * gives three `noop` steps named s0..s2 with two tries each.
 */
export function makeTask(options: MakeTaskOptions = {}): NewTask {
  const { steps = 1, executor = "noop", step = {}, tenant, now = T0, definitionId, ...spec } = options;
  const stepSpecs: StepSpec[] =
    typeof steps === "number" ? Array.from({ length: steps }, (_, i) => ({ name: `s${i}`, executor, ...step })) : steps;
  return resolveTaskSpec({ type: "test", ...spec, steps: stepSpecs }, { tenant, now, definitionId });
}

/** `count` tasks built by `makeTask(options)`, in creation (id) order. */
export function makeTasks(count: number, options: MakeTaskOptions = {}): NewTask[] {
  return Array.from({ length: count }, () => makeTask(options));
}
