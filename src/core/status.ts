// Task and step state machines (DESIGN.md §2): the statuses and which moves are allowed.

/** Every status a task can be in. */
export const TASK_STATUSES = ["pending", "running", "succeeded", "failed", "timeout", "cancelled"] as const;
/** A task's status. `pending` covers "waiting for runAt", "for a worker" and "for a step retry". */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Every status a step can be in. */
export const STEP_STATUSES = ["pending", "running", "succeeded", "failed", "timeout", "cancelled", "skipped"] as const;
/** A step's status. */
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Task statuses from which nothing moves on its own. */
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ["succeeded", "failed", "timeout", "cancelled"];
/** Terminal task statuses that `retry` accepts. */
export const RETRYABLE_TASK_STATUSES: readonly TaskStatus[] = ["failed", "timeout", "cancelled"];
/** Non-terminal task statuses: de-duplication by index holds among these. */
export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = ["pending", "running"];

const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ["running", "cancelled", "timeout"],
  // running → pending: a try failed with tries left, or the lease expired.
  running: ["pending", "succeeded", "failed", "timeout", "cancelled"],
  succeeded: [],
  // retry (and skip of the failed step) bring a failed task back to pending.
  failed: ["pending"],
  timeout: ["pending"],
  cancelled: ["pending"],
};

const STEP_TRANSITIONS: Record<StepStatus, readonly StepStatus[]> = {
  pending: ["running", "cancelled", "skipped", "timeout"],
  running: ["pending", "succeeded", "failed", "timeout", "cancelled", "skipped"],
  succeeded: ["pending"],
  failed: ["pending", "skipped"],
  timeout: ["pending", "skipped"],
  cancelled: ["pending", "skipped"],
  skipped: ["pending"],
};

/** True when `status` is terminal for a task. */
export function isTerminalTaskStatus(status: TaskStatus): boolean {
  return TERMINAL_TASK_STATUSES.includes(status);
}

/** True when the task state machine allows `from → to`. */
export function canTransitionTask(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** True when the step state machine allows `from → to`. */
export function canTransitionStep(from: StepStatus, to: StepStatus): boolean {
  return STEP_TRANSITIONS[from].includes(to);
}

/** True for a step that counts as done for the chain (the next step may start). */
export function isStepDone(status: StepStatus): boolean {
  return status === "succeeded" || status === "skipped";
}
