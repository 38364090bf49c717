// Row shapes of the SQLite schema and their mapping to domain types (ms → Date, TEXT → JSON).
import type { BackoffKind } from "../../core/backoff.js";
import type { JsonObject, JsonValue } from "../../core/json.js";
import type { StepStatus, TaskStatus } from "../../core/status.js";
import type { CallbackStatus, LogLevel, NewTask, Step, Task, TaskLogEntry } from "../../core/task.js";

/** A `tasks` row as better-sqlite3 returns it (times in ms, JSON as TEXT). */
export interface TaskRow {
  id: string;
  tenant: string;
  type: string;
  name: string | null;
  index_key: string | null;
  index_type: string | null;
  queue: string;
  priority: number;
  creator: string | null;
  params: string;
  payload: string;
  step_count: number;
  current_step: number;
  current_executor: string | null;
  current_queue: string | null;
  status: TaskStatus;
  message: string | null;
  progress: number;
  progress_message: string | null;
  result: string | null;
  run_at: number;
  timeout_ms: number | null;
  start_timeout_ms: number | null;
  deadline_at: number | null;
  retry_count: number;
  callbacks: string;
  callback_status: CallbackStatus | null;
  callback_message: string | null;
  callback_attempts: number;
  callback_run_at: number | null;
  callback_lease_until: number | null;
  callback_token: number;
  definition_id: string | null;
  scheduled_at: number | null;
  cancel_requested: number;
  locked_by: string | null;
  lease_until: number | null;
  lease_token: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
  execution_ms: number | null;
}

/** A `steps` row. */
export interface StepRow {
  task_id: string;
  idx: number;
  name: string;
  alias: string | null;
  executor: string;
  params: string;
  payload: string;
  queue: string | null;
  status: StepStatus;
  message: string | null;
  attempts: number;
  max_tries: number;
  backoff_kind: BackoffKind;
  backoff_delay_ms: number;
  backoff_max_ms: number;
  backoff_jitter: number;
  timeout_ms: number | null;
  skip_on_failed: number;
  started_at: number | null;
  ended_at: number | null;
  execution_ms: number | null;
  output: string | null;
}

/** A `task_logs` row. */
export interface LogRow {
  id: number;
  task_id: string;
  tenant: string;
  step_index: number | null;
  attempt: number | null;
  at: number;
  level: LogLevel;
  message: string;
  fields: string | null;
}

/** ms → Date, keeping null. */
export function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** Date → ms, keeping null/undefined as null. */
export function toMs(date: Date | null | undefined): number | null {
  return date ? date.getTime() : null;
}

/** JSON value → TEXT; `undefined` is stored as JSON `null` so every read gives a value back. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value) ?? "null";
}

function parseJson(text: string | null): JsonValue {
  return text === null ? null : (JSON.parse(text) as JsonValue);
}

/** Maps a step row to a Step. */
export function mapStepRow(row: StepRow): Step {
  return {
    index: row.idx,
    name: row.name,
    alias: row.alias,
    executor: row.executor,
    params: JSON.parse(row.params) as JsonObject,
    payload: parseJson(row.payload),
    queue: row.queue,
    status: row.status,
    message: row.message,
    attempts: row.attempts,
    maxTries: row.max_tries,
    backoff: { kind: row.backoff_kind, delayMs: row.backoff_delay_ms, maxMs: row.backoff_max_ms, jitter: row.backoff_jitter },
    timeoutMs: row.timeout_ms,
    skipOnFailed: row.skip_on_failed === 1,
    startedAt: toDate(row.started_at),
    endedAt: toDate(row.ended_at),
    executionMs: row.execution_ms,
    output: parseJson(row.output),
  };
}

/** Maps a task row and its (ordered) step rows to a Task. */
export function mapTaskRow(row: TaskRow, steps: StepRow[]): Task {
  return {
    id: row.id,
    tenant: row.tenant,
    type: row.type,
    name: row.name,
    index: row.index_key,
    indexType: row.index_type,
    queue: row.queue,
    priority: row.priority,
    creator: row.creator,
    params: JSON.parse(row.params) as JsonObject,
    payload: parseJson(row.payload),
    steps: steps.map(mapStepRow),
    currentStep: row.current_step,
    status: row.status,
    message: row.message,
    progress: row.progress,
    progressMessage: row.progress_message,
    result: parseJson(row.result),
    runAt: new Date(row.run_at),
    timeoutMs: row.timeout_ms,
    startTimeoutMs: row.start_timeout_ms,
    deadlineAt: toDate(row.deadline_at),
    retryCount: row.retry_count,
    callbacks: JSON.parse(row.callbacks) as string[],
    callbackStatus: row.callback_status,
    callbackMessage: row.callback_message,
    callbackAttempts: row.callback_attempts,
    definitionId: row.definition_id,
    scheduledAt: toDate(row.scheduled_at),
    cancelRequested: row.cancel_requested === 1,
    lockedBy: row.locked_by,
    leaseUntil: toDate(row.lease_until),
    leaseToken: row.lease_token,
    createdAt: new Date(row.created_at),
    startedAt: toDate(row.started_at),
    endedAt: toDate(row.ended_at),
    updatedAt: new Date(row.updated_at),
    executionMs: row.execution_ms,
  };
}

/** Maps a log row to a TaskLogEntry. */
export function mapLogRow(row: LogRow): TaskLogEntry {
  return {
    id: row.id,
    taskId: row.task_id,
    stepIndex: row.step_index,
    attempt: row.attempt,
    at: new Date(row.at),
    level: row.level,
    message: row.message,
    fields: row.fields === null ? null : (JSON.parse(row.fields) as JsonObject),
  };
}

/**
 * The Task a fresh insert of `task` stored, built without reading it back (dispatch is hot).
 * Values pass through JSON once so the caller never shares objects with its input.
 */
export function taskFromNewTask(task: NewTask): Task {
  const copy = JSON.parse(JSON.stringify({ params: task.params, payload: task.payload ?? null, steps: task.steps })) as Pick<NewTask, "params" | "payload" | "steps">;
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
    params: copy.params,
    payload: copy.payload,
    steps: copy.steps.map((s, index) => ({
      index,
      name: s.name,
      alias: s.alias,
      executor: s.executor,
      params: s.params,
      payload: s.payload ?? null,
      queue: s.queue,
      status: "pending",
      message: null,
      attempts: 0,
      maxTries: s.maxTries,
      backoff: s.backoff,
      timeoutMs: s.timeoutMs,
      skipOnFailed: s.skipOnFailed,
      startedAt: null,
      endedAt: null,
      executionMs: null,
      output: null,
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
    callbacks: [...task.callbacks],
    callbackStatus: null,
    callbackMessage: null,
    callbackAttempts: 0,
    definitionId: task.definitionId,
    scheduledAt: toDate(toMs(task.scheduledAt)),
    cancelRequested: false,
    lockedBy: null,
    leaseUntil: null,
    leaseToken: 0,
    createdAt: new Date(task.createdAt.getTime()),
    startedAt: null,
    endedAt: null,
    updatedAt: new Date(task.createdAt.getTime()),
    executionMs: null,
  };
}
