// A fake StepContext for executor unit tests: records what the executor writes, abortable on demand.
import { DEFAULT_BACKOFF } from "../../src/core/backoff.js";
import type { JsonObject, JsonValue } from "../../src/core/json.js";
import type { StepContext, TaskView } from "../../src/core/step-context.js";
import type { LogLevel, Step, Task } from "../../src/core/task.js";

/** One line an executor wrote through `ctx.log`. */
export interface FakeLogLine {
  level: LogLevel;
  message: string;
  fields: JsonObject | undefined;
}

/** One `ctx.progress` call. */
export interface FakeProgress {
  progressPct: number;
  message: string | undefined;
}

/** What a test may set on the fake context; everything else gets a plain default. */
export interface FakeStepContextInit {
  params?: JsonObject;
  payload?: JsonValue;
  taskPayload?: JsonValue;
  attempt?: number;
  /** Overrides on the default step (name `"step"`, executor `"test"`). */
  step?: Partial<Step>;
  /** Overrides on the default task (id `"task-1"`, type `"test"`). */
  task?: Partial<Omit<Task, "steps">>;
}

/** The fake context plus the records a test asserts on. */
export interface FakeStepContext {
  readonly ctx: StepContext;
  /** Every `setParam` in call order (a later write of a key wins in `params`). */
  readonly setParams: Array<{ key: string; value: JsonValue }>;
  /** The params written so far, last write per key. */
  readonly writtenParams: JsonObject;
  /** Every `setTaskPayload` value in call order. */
  readonly taskPayloads: JsonValue[];
  readonly logs: FakeLogLine[];
  readonly progress: FakeProgress[];
  /** How many times the executor called `heartbeat()`. */
  readonly heartbeats: () => number;
  /** Fires `ctx.signal` with `reason` (like a worker's cancel or step timeout). */
  abort(reason?: unknown): void;
  /** Messages of the log lines at `level`, for compact assertions. */
  messages(level?: LogLevel): string[];
}

/** Builds a fake context whose `signal` comes from an AbortController the test controls. */
export function createFakeStepContext(init: FakeStepContextInit = {}): FakeStepContext {
  const controller = new AbortController();
  const now = new Date();
  const step: Step = {
    index: 0,
    name: "step",
    alias: null,
    executor: "test",
    params: init.params ?? {},
    payload: init.payload ?? null,
    queue: null,
    status: "running",
    message: null,
    attempts: init.attempt ?? 1,
    maxTries: 1,
    backoff: DEFAULT_BACKOFF,
    timeoutMs: null,
    skipOnFailed: false,
    startedAt: now,
    endedAt: null,
    executionMs: null,
    output: null,
    paramsSet: null,
    ...init.step,
  };
  const task: TaskView = {
    id: "task-1",
    tenant: "default",
    type: "test",
    name: null,
    index: null,
    indexType: null,
    queue: "default",
    priority: 0,
    creator: null,
    params: {},
    initialParams: {},
    payload: init.taskPayload ?? null,
    currentStep: 0,
    status: "running",
    message: null,
    progress: 0,
    progressMessage: null,
    result: null,
    runAt: now,
    timeoutMs: null,
    startTimeoutMs: null,
    deadlineAt: null,
    retryCount: 0,
    callbacks: [],
    callbackStatus: null,
    callbackMessage: null,
    callbackAttempts: 0,
    definitionId: null,
    scheduledAt: null,
    cancelRequested: false,
    lockedBy: "node-test",
    leaseUntil: null,
    leaseToken: 1,
    createdAt: now,
    startedAt: now,
    endedAt: null,
    updatedAt: now,
    executionMs: null,
    ...init.task,
    steps: [step],
  };

  const setParams: Array<{ key: string; value: JsonValue }> = [];
  const writtenParams: JsonObject = {};
  const taskPayloads: JsonValue[] = [];
  const logs: FakeLogLine[] = [];
  const progress: FakeProgress[] = [];
  let heartbeats = 0;
  const log = (level: LogLevel) => (message: string, fields?: JsonObject) => {
    logs.push({ level, message, fields });
  };

  const ctx: StepContext = {
    params: Object.freeze({ ...(init.params ?? {}) }),
    payload: init.payload ?? null,
    taskPayload: init.taskPayload ?? null,
    task,
    step,
    attempt: init.attempt ?? 1,
    signal: controller.signal,
    setParam(key, value) {
      setParams.push({ key, value });
      writtenParams[key] = value;
    },
    setTaskPayload(value) {
      taskPayloads.push(value);
    },
    progress(progressPct, message) {
      progress.push({ progressPct, message });
    },
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    heartbeat() {
      heartbeats += 1;
    },
  };

  return {
    ctx,
    setParams,
    writtenParams,
    taskPayloads,
    logs,
    progress,
    heartbeats: () => heartbeats,
    abort: (reason?: unknown) => controller.abort(reason),
    messages: (level?: LogLevel) => logs.filter((l) => level === undefined || l.level === level).map((l) => l.message),
  };
}
