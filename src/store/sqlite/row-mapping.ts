// Row shapes of the SQLite schema and their mapping to domain types (ms → Date, TEXT → JSON).
import type { BackoffKind } from "../../core/backoff.js";
import type { JsonObject, JsonValue } from "../../core/json.js";
import type { StepStatus, TaskStatus } from "../../core/status.js";
import type { CallbackStatus, LogLevel, Step, Task, TaskLogEntry } from "../../core/task.js";

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
  /** JSON object text: the params the task was dispatched with. */
  initial_params: string;
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
  /** JSON object text of the patch the step's success wrote, or NULL. */
  params_set: string | null;
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


// better-sqlite3 builds row objects through the V8 API one property at a time, which costs
// ~0.5 µs per column on these wide rows (measured: 24 µs for a task row vs 7 µs as an array).
// Hot reads therefore select an explicit column list in raw (array) mode and build the row
// object here, where V8 creates it from a literal.

/** Columns of `tasks` in the order raw reads return them. */
export const TASKS_COLUMNS = `id, tenant, type, name, index_key, index_type, queue, priority, creator, params, payload, step_count, current_step, current_executor, current_queue, status, message, progress, progress_message, result, run_at, timeout_ms, start_timeout_ms, deadline_at, retry_count, callbacks, callback_status, callback_message, callback_attempts, callback_run_at, callback_lease_until, callback_token, definition_id, scheduled_at, cancel_requested, locked_by, lease_until, lease_token, created_at, started_at, ended_at, updated_at, execution_ms, initial_params`;

/** A raw `tasks` tuple (columns in `TASKS_COLUMNS` order) as a TaskRow. */
export function taskRowFromTuple(t: unknown[]): TaskRow {
  return {
    id: t[0] as TaskRow["id"],
    tenant: t[1] as TaskRow["tenant"],
    type: t[2] as TaskRow["type"],
    name: t[3] as TaskRow["name"],
    index_key: t[4] as TaskRow["index_key"],
    index_type: t[5] as TaskRow["index_type"],
    queue: t[6] as TaskRow["queue"],
    priority: t[7] as TaskRow["priority"],
    creator: t[8] as TaskRow["creator"],
    params: t[9] as TaskRow["params"],
    payload: t[10] as TaskRow["payload"],
    step_count: t[11] as TaskRow["step_count"],
    current_step: t[12] as TaskRow["current_step"],
    current_executor: t[13] as TaskRow["current_executor"],
    current_queue: t[14] as TaskRow["current_queue"],
    status: t[15] as TaskRow["status"],
    message: t[16] as TaskRow["message"],
    progress: t[17] as TaskRow["progress"],
    progress_message: t[18] as TaskRow["progress_message"],
    result: t[19] as TaskRow["result"],
    run_at: t[20] as TaskRow["run_at"],
    timeout_ms: t[21] as TaskRow["timeout_ms"],
    start_timeout_ms: t[22] as TaskRow["start_timeout_ms"],
    deadline_at: t[23] as TaskRow["deadline_at"],
    retry_count: t[24] as TaskRow["retry_count"],
    callbacks: t[25] as TaskRow["callbacks"],
    callback_status: t[26] as TaskRow["callback_status"],
    callback_message: t[27] as TaskRow["callback_message"],
    callback_attempts: t[28] as TaskRow["callback_attempts"],
    callback_run_at: t[29] as TaskRow["callback_run_at"],
    callback_lease_until: t[30] as TaskRow["callback_lease_until"],
    callback_token: t[31] as TaskRow["callback_token"],
    definition_id: t[32] as TaskRow["definition_id"],
    scheduled_at: t[33] as TaskRow["scheduled_at"],
    cancel_requested: t[34] as TaskRow["cancel_requested"],
    locked_by: t[35] as TaskRow["locked_by"],
    lease_until: t[36] as TaskRow["lease_until"],
    lease_token: t[37] as TaskRow["lease_token"],
    created_at: t[38] as TaskRow["created_at"],
    started_at: t[39] as TaskRow["started_at"],
    ended_at: t[40] as TaskRow["ended_at"],
    updated_at: t[41] as TaskRow["updated_at"],
    execution_ms: t[42] as TaskRow["execution_ms"],
    initial_params: t[43] as TaskRow["initial_params"],
  };
}

/**
 * `TASKS_COLUMNS` packed by SQLite into one JSON array text per row. Why: better-sqlite3 builds
 * a raw row with one V8 API element store per column, and 44 of them cost more than SQLite
 * writing the array and V8's JSON.parse reading it (measured on 32-row claim reads: 4.0 →
 * 2.0 µs per row). Exact for `tasks`: its columns are INTEGER (ms, counters: all below 2^53)
 * and TEXT, which round-trip through JSON unchanged; a REAL or BLOB column would not.
 */
export const TASKS_JSON_ARRAY = `json_array(${TASKS_COLUMNS})`;

/** A row read as `SELECT ${TASKS_JSON_ARRAY}` in raw mode (a one-element tuple) as a TaskRow. */
export function taskRowFromJsonTuple(t: unknown[]): TaskRow {
  return taskRowFromTuple(JSON.parse(t[0] as string) as unknown[]);
}

/** Columns of `steps` in the order raw reads return them. */
export const STEPS_COLUMNS = `task_id, idx, name, alias, executor, params, payload, queue, status, message, attempts, max_tries, backoff_kind, backoff_delay_ms, backoff_max_ms, backoff_jitter, timeout_ms, skip_on_failed, started_at, ended_at, execution_ms, output, params_set`;

/** A raw `steps` tuple (columns in `STEPS_COLUMNS` order) as a StepRow. */
export function stepRowFromTuple(t: unknown[]): StepRow {
  return {
    task_id: t[0] as StepRow["task_id"],
    idx: t[1] as StepRow["idx"],
    name: t[2] as StepRow["name"],
    alias: t[3] as StepRow["alias"],
    executor: t[4] as StepRow["executor"],
    params: t[5] as StepRow["params"],
    payload: t[6] as StepRow["payload"],
    queue: t[7] as StepRow["queue"],
    status: t[8] as StepRow["status"],
    message: t[9] as StepRow["message"],
    attempts: t[10] as StepRow["attempts"],
    max_tries: t[11] as StepRow["max_tries"],
    backoff_kind: t[12] as StepRow["backoff_kind"],
    backoff_delay_ms: t[13] as StepRow["backoff_delay_ms"],
    backoff_max_ms: t[14] as StepRow["backoff_max_ms"],
    backoff_jitter: t[15] as StepRow["backoff_jitter"],
    timeout_ms: t[16] as StepRow["timeout_ms"],
    skip_on_failed: t[17] as StepRow["skip_on_failed"],
    started_at: t[18] as StepRow["started_at"],
    ended_at: t[19] as StepRow["ended_at"],
    execution_ms: t[20] as StepRow["execution_ms"],
    output: t[21] as StepRow["output"],
    params_set: t[22] as StepRow["params_set"],
  };
}

/**
 * `STEPS_COLUMNS` as two values per row (see TASKS_JSON_ARRAY): a JSON array text with a null
 * in place of the REAL `backoff_jitter` (JSON would render it with 15 significant digits), and
 * the jitter itself, exact.
 */
export const STEPS_JSON_ARRAY = `json_array(${STEPS_COLUMNS.replace("backoff_jitter", "NULL")}), backoff_jitter`;

/** Index of `backoff_jitter` in `STEPS_COLUMNS`. */
const JITTER_INDEX = STEPS_COLUMNS.split(", ").indexOf("backoff_jitter");

/** A row read as `SELECT ${STEPS_JSON_ARRAY}` in raw mode as a StepRow. */
export function stepRowFromJsonTuple(t: unknown[]): StepRow {
  const tuple = JSON.parse(t[0] as string) as unknown[];
  tuple[JITTER_INDEX] = t[1];
  return stepRowFromTuple(tuple);
}

/** Columns of `task_logs` in the order raw reads return them. */
export const TASK_LOGS_COLUMNS = `id, task_id, tenant, step_index, attempt, at, level, message, fields`;

/** A raw `task_logs` tuple (columns in `TASK_LOGS_COLUMNS` order) as a LogRow. */
export function logRowFromTuple(t: unknown[]): LogRow {
  return {
    id: t[0] as LogRow["id"],
    task_id: t[1] as LogRow["task_id"],
    tenant: t[2] as LogRow["tenant"],
    step_index: t[3] as LogRow["step_index"],
    attempt: t[4] as LogRow["attempt"],
    at: t[5] as LogRow["at"],
    level: t[6] as LogRow["level"],
    message: t[7] as LogRow["message"],
    fields: t[8] as LogRow["fields"],
  };
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
    paramsSet: row.params_set === null ? null : (JSON.parse(row.params_set) as JsonObject),
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
    initialParams: JSON.parse(row.initial_params) as JsonObject,
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
