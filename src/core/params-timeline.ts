// The params each step of a task saw and left behind, derived from what the store keeps: the
// params the task was dispatched with (`initialParams`) and the `setParam` patch each step's
// success merged in (`paramsSet`). Pure: the API, the CLI and the dashboard all show this.
import type { JsonObject } from "./json.js";
import type { Step, Task } from "./task.js";

/** What one step saw and left. */
export interface StepParamsView {
  /** The task's params when the step started: initial params + earlier successes' patches, in order. */
  paramsBefore: JsonObject;
  /** `paramsBefore` with this step's own patch; null while the step has not succeeded. */
  paramsAfter: JsonObject | null;
}

/**
 * One entry per step, in step order. Only steps that succeeded contribute: a failed, skipped,
 * cancelled or pending step wrote nothing (a retry resets the patches of the steps it runs
 * again, so a rerun's before/after describe the current run, not an earlier one).
 */
export function paramsTimeline(task: Pick<Task, "initialParams"> & { steps: readonly Pick<Step, "status" | "paramsSet">[] }): StepParamsView[] {
  let current: JsonObject = { ...task.initialParams };
  return task.steps.map((step) => {
    const paramsBefore = current;
    if (step.status !== "succeeded") return { paramsBefore, paramsAfter: null };
    const paramsAfter = step.paramsSet === null ? paramsBefore : { ...paramsBefore, ...step.paramsSet };
    current = paramsAfter;
    return { paramsBefore, paramsAfter };
  });
}

/** A step as the API and `show --json` present it: the stored step plus what it saw and left. */
export type StepWithParams = Step & StepParamsView;

/** A task as the API and `show --json` present it: each step carries its params before and after. */
export type TaskWithParams<T extends Task = Task> = Omit<T, "steps"> & { steps: StepWithParams[] };

/** `task` with each step's `paramsBefore`/`paramsAfter` added (a new object; `task` is unchanged). */
export function withParamsTimeline<T extends Task>(task: T): TaskWithParams<T> {
  const views = paramsTimeline(task);
  return { ...task, steps: task.steps.map((step, i) => ({ ...step, ...views[i] })) };
}
