// Domain types of tasks, steps, leases and task logs (DESIGN.md §1). Times are Dates, durations ms.
import type { BackoffPolicy } from "./backoff.js";
import type { JsonObject, JsonValue } from "./json.js";
import type { StepStatus, TaskStatus } from "./status.js";

/** The tenant every row belongs to when none is named. */
export const DEFAULT_TENANT = "default";
/** The queue a task goes to when none is named. */
export const DEFAULT_QUEUE = "default";

/** Delivery state of a task's callbacks for its latest terminal transition. */
export type CallbackStatus = "pending" | "running" | "succeeded" | "failed";

/** One step of a task as stored. */
export interface Step {
  /** Position in the chain, from 0. */
  index: number;
  /** Unique within its task. */
  name: string;
  alias: string | null;
  /** Registered executor name. */
  executor: string;
  params: JsonObject;
  payload: JsonValue;
  /** Queue override for this step; null runs it on the task's queue. */
  queue: string | null;
  status: StepStatus;
  message: string | null;
  /** Tries started so far (reset by retry). */
  attempts: number;
  /** Total tries allowed (1 = no retry). */
  maxTries: number;
  backoff: BackoffPolicy;
  /** Step timeout; null = none. */
  timeoutMs: number | null;
  skipOnFailed: boolean;
  startedAt: Date | null;
  endedAt: Date | null;
  executionMs: number | null;
  /** What the executor returned on success. */
  output: JsonValue;
  /** The `setParam` patch this step's success merged into the task's params; null when it wrote none or has not succeeded. */
  paramsSet: JsonObject | null;
}

/** One run of a chain of steps, as stored. */
export interface Task {
  id: string;
  tenant: string;
  type: string;
  name: string | null;
  /** Business key for lookup and de-duplication. */
  index: string | null;
  indexType: string | null;
  queue: string;
  priority: number;
  creator: string | null;
  /** Shared variables: what steps `setParam` lands here. */
  params: JsonObject;
  /** The params the task was dispatched with (a retry keeps them). */
  initialParams: JsonObject;
  payload: JsonValue;
  steps: Step[];
  /** Index of the step that runs (or ran last); equals `steps.length` once all are done. */
  currentStep: number;
  status: TaskStatus;
  message: string | null;
  progress: number;
  progressMessage: string | null;
  /** Output of the last step that succeeded. */
  result: JsonValue;
  /** Not before this time. */
  runAt: Date;
  /** Task timeout counted from its first step start; null = none. */
  timeoutMs: number | null;
  /** Bound on waiting before the first step starts; null = none. */
  startTimeoutMs: number | null;
  /** When the running task times out (startedAt + timeoutMs). */
  deadlineAt: Date | null;
  /** How many times the task was retried by an operator. */
  retryCount: number;
  /** Callback names called once per terminal transition. */
  callbacks: string[];
  callbackStatus: CallbackStatus | null;
  callbackMessage: string | null;
  callbackAttempts: number;
  definitionId: string | null;
  scheduledAt: Date | null;
  cancelRequested: boolean;
  /** Node holding the lease while running. */
  lockedBy: string | null;
  leaseUntil: Date | null;
  /** Fencing token: bumped by every claim, release and recovery. */
  leaseToken: number;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  updatedAt: Date;
  executionMs: number | null;
}

/** A step as handed to the store at dispatch (resolved options, units in ms). */
export interface NewStep {
  name: string;
  alias: string | null;
  executor: string;
  params: JsonObject;
  payload: JsonValue;
  queue: string | null;
  maxTries: number;
  backoff: BackoffPolicy;
  timeoutMs: number | null;
  skipOnFailed: boolean;
}

/** A task as handed to the store at dispatch: validated, defaults applied, id assigned. */
export interface NewTask {
  id: string;
  tenant: string;
  type: string;
  name: string | null;
  index: string | null;
  indexType: string | null;
  queue: string;
  priority: number;
  creator: string | null;
  params: JsonObject;
  payload: JsonValue;
  steps: NewStep[];
  runAt: Date;
  timeoutMs: number | null;
  startTimeoutMs: number | null;
  callbacks: string[];
  definitionId: string | null;
  scheduledAt: Date | null;
  createdAt: Date;
}

/** Proof that a worker holds a task: every write it makes for the task carries it. */
export interface Lease {
  taskId: string;
  nodeId: string;
  /** Fencing token: a write whose token is not the task's current one is refused. */
  token: number;
}

/** Level of a task log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A task log line to append. */
export interface NewLogEntry {
  taskId: string;
  /** Step index the line belongs to, or null for task-level lines. */
  stepIndex: number | null;
  /** Try of that step (attempt number), or null. */
  attempt: number | null;
  at: Date;
  level: LogLevel;
  message: string;
  fields: JsonObject | null;
}

/** A stored task log line. */
export interface TaskLogEntry extends NewLogEntry {
  /** Increasing id: page and follow with `afterId`. */
  id: number;
}

/** The step a task is on, or undefined once every step is done. */
export function currentStepOf(task: Pick<Task, "steps" | "currentStep">): Step | undefined {
  return task.steps[task.currentStep];
}
