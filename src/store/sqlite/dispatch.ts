// Dispatch into the SQLite store: insert a task with its steps, or find its active duplicate.
import { DuplicateTaskError, ValidationError, type FieldError } from "../../core/errors.js";
import type { JsonObject, JsonValue } from "../../core/json.js";
import { pendingTask } from "../../core/pending-task.js";
import type { NewTask, Task } from "../../core/task.js";
import type { CreateTaskResult, DuplicatePolicy } from "../store.js";
import { toJsonText, toMs } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { getTask } from "./task-reads.js";

// -- @id, @tenant, @type, @name, @index, @indexType, @queue, @priority, @creator, @params JSON,
// -- @payload JSON, @stepCount, @executor (step 0), @currentQueue (step 0's effective queue),
// -- @runAt ms, @timeoutMs, @startTimeoutMs, @callbacks JSON array, @definitionId,
// -- @scheduledAt ms, @createdAt ms; @params is also the task's initial_params (kept for ever).
// ON CONFLICT DO NOTHING: a clash on the active-index unique index is reported by changes = 0
// and answered with the existing task, with no exception unwinding the transaction.
const INSERT_TASK = `
INSERT INTO tasks (
  id, tenant, type, name, index_key, index_type, queue, priority, creator, params, payload,
  step_count, current_step, current_executor, current_queue, status, run_at, timeout_ms,
  start_timeout_ms, callbacks, definition_id, scheduled_at, created_at, updated_at, initial_params
) VALUES (
  @id, @tenant, @type, @name, @index, @indexType, @queue, @priority, @creator, @params, @payload,
  @stepCount, 0, @executor, @currentQueue, 'pending', @runAt, @timeoutMs,
  @startTimeoutMs, @callbacks, @definitionId, @scheduledAt, @createdAt, @createdAt, @params
) ON CONFLICT DO NOTHING`;

// -- @taskId, @idx, @name, @alias, @executor, @params JSON, @payload JSON, @queue, @maxTries,
// -- @backoffKind, @backoffDelayMs, @backoffMaxMs, @backoffJitter, @timeoutMs, @skipOnFailed 0/1
const INSERT_STEP = `
INSERT INTO steps (
  task_id, idx, name, alias, executor, params, payload, queue, status, attempts, max_tries,
  backoff_kind, backoff_delay_ms, backoff_max_ms, backoff_jitter, timeout_ms, skip_on_failed
) VALUES (
  @taskId, @idx, @name, @alias, @executor, @params, @payload, @queue, 'pending', 0, @maxTries,
  @backoffKind, @backoffDelayMs, @backoffMaxMs, @backoffJitter, @timeoutMs, @skipOnFailed
)`;

// -- @tenant, @type, @indexType, @index; the WHERE repeats the unique index's so it is used.
const SELECT_ACTIVE_DUPLICATE = `
SELECT id FROM tasks
WHERE tenant = @tenant AND type = @type AND ifnull(index_type, '') = ifnull(@indexType, '')
  AND index_key = @index AND index_key IS NOT NULL AND status IN ('pending', 'running')`;

/** The active task holding `task`'s business key, if any. */
export function findActiveDuplicate(
  conn: SqliteConnection,
  task: { tenant: string; type: string; index: string | null; indexType: string | null },
): string | undefined {
  if (task.index === null) return undefined;
  const row = conn.stmt(SELECT_ACTIVE_DUPLICATE).get({ tenant: task.tenant, type: task.type, indexType: task.indexType, index: task.index }) as
    | { id: string }
    | undefined;
  return row?.id;
}

/** Checks what the schema cannot express clearly; throws one ValidationError per task. */
export function checkNewTask(task: NewTask, prefix: string): void {
  const problems: FieldError[] = [];
  if (typeof task.id !== "string" || task.id.length === 0) problems.push({ path: `${prefix}id`, message: "must be a non-empty string" });
  if (!Array.isArray(task.steps) || task.steps.length === 0) problems.push({ path: `${prefix}steps`, message: "a task needs at least one step" });
  else {
    const names = new Set<string>();
    task.steps.forEach((s, i) => {
      if (names.has(s.name)) problems.push({ path: `${prefix}steps.${i}.name`, message: `duplicate step name "${s.name}"` });
      names.add(s.name);
    });
  }
  if (!(task.runAt instanceof Date) || Number.isNaN(task.runAt.getTime())) problems.push({ path: `${prefix}runAt`, message: "must be a valid Date" });
  if (!(task.createdAt instanceof Date) || Number.isNaN(task.createdAt.getTime())) {
    problems.push({ path: `${prefix}createdAt`, message: "must be a valid Date" });
  }
  if (problems.length > 0) throw new ValidationError(problems, "invalid task");
}

/**
 * `Store.createTask` inside the caller's write transaction: inserts the task and its steps,
 * or resolves its active duplicate per `onDuplicate`. Check it first with `checkNewTask`.
 */
export function insertTask(conn: SqliteConnection, task: NewTask, onDuplicate: DuplicatePolicy): CreateTaskResult {
  const first = task.steps[0];
  const params = toJsonText(task.params ?? {});
  const payload = toJsonText(task.payload);
  const info = conn.stmt(INSERT_TASK).run({
    id: task.id,
    tenant: task.tenant,
    type: task.type,
    name: task.name,
    index: task.index,
    indexType: task.indexType,
    queue: task.queue,
    priority: task.priority,
    creator: task.creator,
    params,
    payload,
    stepCount: task.steps.length,
    executor: first.executor,
    currentQueue: first.queue ?? task.queue,
    runAt: task.runAt.getTime(),
    timeoutMs: task.timeoutMs,
    startTimeoutMs: task.startTimeoutMs,
    callbacks: JSON.stringify(task.callbacks ?? []),
    definitionId: task.definitionId,
    scheduledAt: toMs(task.scheduledAt),
    createdAt: task.createdAt.getTime(),
  });
  if (info.changes === 0) {
    const existingId = findActiveDuplicate(conn, task);
    if (existingId === undefined) {
      throw new ValidationError([{ path: "id", message: `a task with id ${task.id} already exists` }], "invalid task");
    }
    if (onDuplicate === "fail") throw new DuplicateTaskError(existingId, task.index ?? "");
    return { task: getTask(conn, existingId, null)!, created: false };
  }
  const insertStep = conn.stmt(INSERT_STEP);
  const stepTexts = task.steps.map((s, idx) => {
    const texts = { params: toJsonText(s.params ?? {}), payload: toJsonText(s.payload) };
    insertStep.run({
      taskId: task.id,
      idx,
      name: s.name,
      alias: s.alias,
      executor: s.executor,
      params: texts.params,
      payload: texts.payload,
      queue: s.queue,
      maxTries: s.maxTries,
      backoffKind: s.backoff.kind,
      backoffDelayMs: s.backoff.delayMs,
      backoffMaxMs: s.backoff.maxMs,
      backoffJitter: s.backoff.jitter,
      timeoutMs: s.timeoutMs,
      skipOnFailed: s.skipOnFailed ? 1 : 0,
    });
    return texts;
  });
  return { task: storedTask(task, { params, payload }, stepTexts), created: true };
}

/**
 * The Task an insert of `task` stored, built without reading it back (dispatch is hot). JSON
 * values are parsed from the texts just written, so the caller never shares objects with its
 * input and reads back exactly what a later getTask would.
 */
function storedTask(task: NewTask, texts: { params: string; payload: string }, stepTexts: { params: string; payload: string }[]): Task {
  return pendingTask(task, {
    params: JSON.parse(texts.params) as JsonObject,
    initialParams: JSON.parse(texts.params) as JsonObject,
    payload: JSON.parse(texts.payload) as JsonValue,
    steps: stepTexts.map((t) => ({ params: JSON.parse(t.params) as JsonObject, payload: JSON.parse(t.payload) as JsonValue })),
  });
}
