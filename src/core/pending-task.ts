// The Task a store hands back for a task it just inserted: every field as a fresh dispatch
// stores it (pending, step 0, no tries). Both adapters build it from the NewTask instead of
// reading the row back.
import type { JsonObject, JsonValue } from "./json.js";
import type { NewTask, Task } from "./task.js";

/**
 * The JSON parts of the new task, already detached from the caller's objects (each adapter
 * copies them its own way: SQLite parses the texts it just inserted).
 */
export interface DetachedTaskJson {
  params: JsonObject;
  /** A second copy: initialParams must not share objects with params. */
  initialParams: JsonObject;
  payload: JsonValue;
  steps: { params: JsonObject; payload: JsonValue }[];
}

/** The stored form of `task`, freshly inserted. Dates are copied; nothing is shared with `task`. */
export function pendingTask(task: NewTask, json: DetachedTaskJson): Task {
  const createdAt = task.createdAt.getTime();
  return {
    id: task.id,
    tenant: task.tenant,
    type: task.type,
    name: task.name,
    index: task.index,
    indexType: task.indexType,
    queue: task.queue,
    priority: task.priority,
    creator: task.creator,
    params: json.params,
    initialParams: json.initialParams,
    payload: json.payload,
    steps: task.steps.map((s, index) => ({
      index,
      name: s.name,
      alias: s.alias,
      executor: s.executor,
      params: json.steps[index].params,
      payload: json.steps[index].payload,
      queue: s.queue,
      status: "pending",
      message: null,
      attempts: 0,
      maxTries: s.maxTries,
      backoff: { ...s.backoff },
      timeoutMs: s.timeoutMs,
      skipOnFailed: s.skipOnFailed,
      startedAt: null,
      endedAt: null,
      executionMs: null,
      output: null,
      paramsSet: null,
    })),
    currentStep: 0,
    status: "pending",
    message: null,
    progress: 0,
    progressMessage: null,
    result: null,
    runAt: new Date(task.runAt.getTime()),
    timeoutMs: task.timeoutMs,
    startTimeoutMs: task.startTimeoutMs,
    deadlineAt: null,
    retryCount: 0,
    callbacks: [...(task.callbacks ?? [])],
    callbackStatus: null,
    callbackMessage: null,
    callbackAttempts: 0,
    definitionId: task.definitionId,
    scheduledAt: task.scheduledAt ? new Date(task.scheduledAt.getTime()) : null,
    cancelRequested: false,
    lockedBy: null,
    leaseUntil: null,
    leaseToken: 0,
    createdAt: new Date(createdAt),
    startedAt: null,
    endedAt: null,
    updatedAt: new Date(createdAt),
    executionMs: null,
  };
}
