// Row shapes of the PostgreSQL schema and their mapping to domain types (timestamptz → Date, jsonb → JSON).
import type { BackoffKind } from "../../core/backoff.js";
import type { JsonObject, JsonValue } from "../../core/json.js";
import { pendingTask, type DetachedTaskJson } from "../../core/pending-task.js";
import type { StepStatus, TaskStatus } from "../../core/status.js";
import type { CallbackStatus, LogLevel, NewTask, Step, Task, TaskLogEntry } from "../../core/task.js";

/**
 * A `tasks` row as pg returns it (bigint parsed to number by the connection), plus `steps`:
 * the task's step rows as one `json_agg` ordered by index (reads and claims fetch them in the
 * same statement).
 */
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
  params: JsonObject;
  payload: JsonValue;
  step_count: number;
  current_step: number;
  current_executor: string | null;
  current_queue: string | null;
  status: TaskStatus;
  message: string | null;
  progress: number;
  progress_message: string | null;
  result: JsonValue;
  run_at: Date;
  timeout_ms: number | null;
  start_timeout_ms: number | null;
  deadline_at: Date | null;
  retry_count: number;
  callbacks: string[];
  callback_status: CallbackStatus | null;
  callback_message: string | null;
  callback_attempts: number;
  callback_run_at: Date | null;
  callback_lease_until: Date | null;
  callback_token: number;
  definition_id: string | null;
  scheduled_at: Date | null;
  cancel_requested: boolean;
  locked_by: string | null;
  lease_until: Date | null;
  lease_token: number;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  updated_at: Date;
  execution_ms: number | null;
  /** The params the task was dispatched with. */
  initial_params: JsonObject;
  steps: StepJson[] | null;
}

/** A `steps` row as `json_agg` renders it: times are ISO strings with offset. */
export interface StepJson {
  task_id: string;
  idx: number;
  name: string;
  alias: string | null;
  executor: string;
  params: JsonObject;
  payload: JsonValue;
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
  skip_on_failed: boolean;
  started_at: string | null;
  ended_at: string | null;
  execution_ms: number | null;
  output: JsonValue;
  /** The patch the step's success wrote, or null. */
  params_set: JsonObject | null;
}

/** A `task_logs` row. */
export interface LogRow {
  id: number;
  task_id: string;
  step_index: number | null;
  attempt: number | null;
  at: Date;
  level: LogLevel;
  message: string;
  fields: JsonObject | null;
}

/**
 * `SELECT` list of a task row with its steps; `t` is the tasks alias. Steps are read from the
 * table, so a statement that also updates a step must merge its RETURNING rows itself.
 */
export const TASK_WITH_STEPS = `t.*, (SELECT json_agg(s ORDER BY s.idx) FROM steps s WHERE s.task_id = t.id) AS steps`;

/** SQL: whole ms between two timestamptz expressions (NULL when either is NULL). */
export function msBetween(later: string, earlier: string): string {
  return `(round(extract(epoch FROM (${later} - ${earlier})) * 1000))::bigint`;
}

/** JSON value → text for a `$n::jsonb` parameter; `undefined` is stored as JSON `null`. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value) ?? "null";
}

function toDate(value: string | Date | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/** Maps a step row (from json_agg) to a Step. */
export function mapStepJson(row: StepJson): Step {
  return {
    index: row.idx,
    name: row.name,
    alias: row.alias,
    executor: row.executor,
    params: row.params,
    payload: row.payload ?? null,
    queue: row.queue,
    status: row.status,
    message: row.message,
    attempts: row.attempts,
    maxTries: row.max_tries,
    backoff: { kind: row.backoff_kind, delayMs: row.backoff_delay_ms, maxMs: row.backoff_max_ms, jitter: row.backoff_jitter },
    timeoutMs: row.timeout_ms,
    skipOnFailed: row.skip_on_failed,
    startedAt: toDate(row.started_at),
    endedAt: toDate(row.ended_at),
    executionMs: row.execution_ms,
    output: row.output ?? null,
    paramsSet: row.params_set ?? null,
  };
}

/** Maps a task row (with its `steps` aggregate) to a Task. */
export function mapTaskRow(row: TaskRow): Task {
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
    params: row.params,
    initialParams: row.initial_params,
    payload: row.payload ?? null,
    steps: (row.steps ?? []).map(mapStepJson),
    currentStep: row.current_step,
    status: row.status,
    message: row.message,
    progress: row.progress,
    progressMessage: row.progress_message,
    result: row.result ?? null,
    runAt: row.run_at,
    timeoutMs: row.timeout_ms,
    startTimeoutMs: row.start_timeout_ms,
    deadlineAt: row.deadline_at,
    retryCount: row.retry_count,
    callbacks: row.callbacks,
    callbackStatus: row.callback_status,
    callbackMessage: row.callback_message,
    callbackAttempts: row.callback_attempts,
    definitionId: row.definition_id,
    scheduledAt: row.scheduled_at,
    cancelRequested: row.cancel_requested,
    lockedBy: row.locked_by,
    leaseUntil: row.lease_until,
    leaseToken: row.lease_token,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    updatedAt: row.updated_at,
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
    at: row.at,
    level: row.level,
    message: row.message,
    fields: row.fields,
  };
}

/**
 * The Task a fresh insert of `task` stored, built without reading it back (dispatch is hot).
 * Values pass through JSON once so the caller never shares objects with its input.
 */
export function taskFromNewTask(task: NewTask): Task {
  const copy = JSON.parse(JSON.stringify({ params: task.params ?? {}, payload: task.payload ?? null, steps: task.steps.map((s) => ({ params: s.params ?? {}, payload: s.payload ?? null })) })) as Pick<DetachedTaskJson, "params" | "payload" | "steps">;
  return pendingTask(task, { ...copy, initialParams: JSON.parse(JSON.stringify(copy.params)) as JsonObject });
}
