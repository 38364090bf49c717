// What an executor and a callback see (DESIGN.md §1 "Step context", "Callback").
import type { JsonObject, JsonValue } from "./json.js";
import type { Step, Task } from "./task.js";

/** Log methods of a step: lines land in the persisted task log with the step's outcome. */
export interface StepLog {
  debug(message: string, fields?: JsonObject): void;
  info(message: string, fields?: JsonObject): void;
  warn(message: string, fields?: JsonObject): void;
  error(message: string, fields?: JsonObject): void;
}

/** Read-only view of the task an executor runs in. */
export type TaskView = Readonly<Omit<Task, "steps">> & { readonly steps: readonly Readonly<Step>[] };

/** The argument of every executor. */
export interface StepContext {
  /** Task params overlaid with the step's own, `{{ }}` rendered at step start. */
  readonly params: Readonly<JsonObject>;
  /** The step's payload. */
  readonly payload: JsonValue;
  /** The task's payload. */
  readonly taskPayload: JsonValue;
  readonly task: TaskView;
  readonly step: Readonly<Step>;
  /** 1 for the first try. */
  readonly attempt: number;
  /** Fires on cancel, step or task timeout, lease loss and shutdown; `reason` says which. */
  readonly signal: AbortSignal;
  /** Shares a variable with later steps; saved atomically with this step's success. */
  setParam(key: string, value: JsonValue): void;
  /** Replaces the task payload; saved with this step's success. */
  setTaskPayload(value: JsonValue): void;
  /** Reports progress 0–100 (throttled writes); a task that succeeds ends at 100. */
  progress(progressPct: number, message?: string): void;
  readonly log: StepLog;
  /** Proves liveness during long synchronous stretches; renews the lease soon. */
  heartbeat(): void;
}

/** A registered executor: its return value (JSON) becomes the step's output. */
export type Executor = (ctx: StepContext) => unknown;

/** The argument of every callback: called once per terminal transition of a task. */
export interface CallbackContext {
  /** The task as it ended. */
  readonly task: Task;
  /** The step that ended it (the last one run), or null if none ran. */
  readonly step: Step | null;
  /** The failure message when the task did not succeed, else null. */
  readonly error: string | null;
  /** 1 for the first try of this delivery. */
  readonly attempt: number;
  /** Fires when the callback's timeout passes or the worker shuts down. */
  readonly signal: AbortSignal;
}

/** A registered callback; a throw fails this delivery try (never the task). */
export type Callback = (ctx: CallbackContext) => unknown;
