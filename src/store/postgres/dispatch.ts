// Dispatch into the PostgreSQL store: insert tasks with their steps, or find their active duplicates.
import { DuplicateTaskError, ValidationError, type FieldError } from "../../core/errors.js";
import type { NewTask } from "../../core/task.js";
import type { CreateTaskResult, DuplicatePolicy } from "../store.js";
import type { PostgresConnection, SqlRunner } from "./postgres-connection.js";
import type { ItemOutcome } from "./statement-batcher.js";
import { taskFromNewTask, toJsonText } from "./row-mapping.js";
import { getTask, getTasksById } from "./task-reads.js";

// -- $1 ids, $2 tenants, $3 types, $4 names, $5 index keys, $6 index types, $7 queues, $8 priorities,
// -- $9 creators, $10 params (json texts, also stored as initial_params), $11 payloads (json texts), $12 step counts,
// -- $13 first executors, $14 first effective queues, $15 run ats, $16 timeouts ms,
// -- $17 start timeouts ms, $18 callbacks (json texts of string arrays), $19 definition ids,
// -- $20 scheduled ats, $21 created ats;
// -- $22.. one array per step column over every step of every task (see STEP_COLUMNS).
// Tasks and steps go in as parallel arrays: one statement (one round trip, one commit) for any
// number of tasks. ON CONFLICT DO NOTHING (no target: the id key and the active-index key
// alike) leaves clashing tasks out of RETURNING, with no exception; steps are inserted only
// for the tasks that went in. Clashes between tasks of the same call are resolved the same way.
const INSERT_TASKS = `
WITH t AS (
  INSERT INTO tasks (
    id, tenant, type, name, index_key, index_type, queue, priority, creator, params, payload,
    step_count, current_step, current_executor, current_queue, status, run_at, timeout_ms,
    start_timeout_ms, start_deadline_at, callbacks, definition_id, scheduled_at, created_at, updated_at, initial_params
  )
  SELECT id, tenant, type, name, index_key, index_type, queue, priority, creator, params::jsonb, payload::jsonb,
    step_count, 0, executor, current_queue, 'pending', run_at, timeout_ms,
    start_timeout_ms, created_at + start_timeout_ms * interval '1 millisecond',
    ARRAY(SELECT jsonb_array_elements_text(callbacks::jsonb)), definition_id, scheduled_at, created_at, created_at, params::jsonb
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
    $9::text[], $10::text[], $11::text[], $12::int[], $13::text[], $14::text[], $15::timestamptz[], $16::bigint[],
    $17::bigint[], $18::text[], $19::text[], $20::timestamptz[], $21::timestamptz[])
    WITH ORDINALITY AS n(id, tenant, type, name, index_key, index_type, queue, priority,
    creator, params, payload, step_count, executor, current_queue, run_at, timeout_ms,
    start_timeout_ms, callbacks, definition_id, scheduled_at, created_at, ord)
  ORDER BY ord
  ON CONFLICT DO NOTHING
  RETURNING id
), s AS (
  INSERT INTO steps (
    task_id, idx, name, alias, executor, params, payload, queue, status, attempts, max_tries,
    backoff_kind, backoff_delay_ms, backoff_max_ms, backoff_jitter, timeout_ms, skip_on_failed
  )
  SELECT x.task_id, x.idx, x.name, x.alias, x.executor, x.params::jsonb, x.payload::jsonb, x.queue, 'pending', 0,
    x.max_tries, x.backoff_kind, x.backoff_delay_ms, x.backoff_max_ms, x.backoff_jitter, x.timeout_ms, x.skip_on_failed
  FROM unnest($22::text[], $23::int[], $24::text[], $25::text[], $26::text[], $27::text[], $28::text[],
    $29::text[], $30::int[], $31::text[], $32::bigint[], $33::bigint[], $34::float8[], $35::bigint[], $36::boolean[])
    AS x(task_id, idx, name, alias, executor, params, payload, queue, max_tries, backoff_kind,
    backoff_delay_ms, backoff_max_ms, backoff_jitter, timeout_ms, skip_on_failed)
  WHERE x.task_id IN (SELECT id FROM t)
)
SELECT id FROM t`;

// -- INSERT_TASKS's $1..$36, $37 channel. The same insert that also sends the "work is ready"
// NOTIFY when it inserted a task, so listeners wake at its commit instead of one round trip
// later (see ReadyNotifier). Only for a batch with no other insert in flight: transactions
// that NOTIFY commit one at a time.
const INSERT_TASKS_NOTIFY = INSERT_TASKS.replace(
  /\nSELECT id FROM t$/,
  `, n AS MATERIALIZED (
  SELECT pg_notify($37::text, '') FROM t LIMIT 1
)
SELECT t.id FROM t LEFT JOIN n ON true`,
);

// -- $1 tenants, $2 types, $3 index types, $4 index keys; the WHERE repeats the unique index's
// terms so it is used.
const SELECT_ACTIVE_DUPLICATES = `
SELECT t.id, k.ord FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(tenant, type, index_type, index_key, ord)
JOIN tasks t ON t.tenant = k.tenant AND t.type = k.type AND COALESCE(t.index_type, '') = COALESCE(k.index_type, '')
  AND t.index_key = k.index_key AND t.index_key IS NOT NULL AND t.status IN ('pending', 'running')`;

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

/** The INSERT_TASKS parameters for `tasks`. */
function insertParams(tasks: readonly NewTask[]): unknown[] {
  const col = <T>(pick: (t: NewTask) => T): T[] => tasks.map(pick);
  const steps = tasks.flatMap((t) => t.steps.map((s, idx) => ({ taskId: t.id, idx, s })));
  const stepCol = <T>(pick: (x: (typeof steps)[number]) => T): T[] => steps.map(pick);
  return [
    col((t) => t.id),
    col((t) => t.tenant),
    col((t) => t.type),
    col((t) => t.name),
    col((t) => t.index),
    col((t) => t.indexType),
    col((t) => t.queue),
    col((t) => t.priority),
    col((t) => t.creator),
    col((t) => toJsonText(t.params ?? {})),
    col((t) => toJsonText(t.payload)),
    col((t) => t.steps.length),
    col((t) => t.steps[0].executor),
    col((t) => t.steps[0].queue ?? t.queue),
    col((t) => t.runAt),
    col((t) => t.timeoutMs ?? null),
    col((t) => t.startTimeoutMs ?? null),
    col((t) => JSON.stringify(t.callbacks ?? [])),
    col((t) => t.definitionId ?? null),
    col((t) => t.scheduledAt ?? null),
    col((t) => t.createdAt),
    stepCol((x) => x.taskId),
    stepCol((x) => x.idx),
    stepCol((x) => x.s.name),
    stepCol((x) => x.s.alias ?? null),
    stepCol((x) => x.s.executor),
    stepCol((x) => toJsonText(x.s.params ?? {})),
    stepCol((x) => toJsonText(x.s.payload)),
    stepCol((x) => x.s.queue ?? null),
    stepCol((x) => x.s.maxTries),
    stepCol((x) => x.s.backoff.kind),
    stepCol((x) => x.s.backoff.delayMs),
    stepCol((x) => x.s.backoff.maxMs),
    stepCol((x) => x.s.backoff.jitter),
    stepCol((x) => x.s.timeoutMs ?? null),
    stepCol((x) => x.s.skipOnFailed === true),
  ];
}

/** Ids of the active tasks holding each task's business key (undefined: none, or no index). */
async function findActiveDuplicates(db: SqlRunner, tasks: readonly NewTask[]): Promise<(string | undefined)[]> {
  const found: (string | undefined)[] = tasks.map(() => undefined);
  const keyed = tasks.map((t, i) => ({ t, i })).filter((x) => x.t.index !== null && x.t.index !== undefined);
  if (keyed.length === 0) return found;
  const rows = (
    await db.query<{ id: string; ord: number }>(SELECT_ACTIVE_DUPLICATES, [
      keyed.map((x) => x.t.tenant),
      keyed.map((x) => x.t.type),
      keyed.map((x) => x.t.indexType),
      keyed.map((x) => x.t.index),
    ])
  ).rows;
  for (const row of rows) found[keyed[Number(row.ord) - 1].i] = row.id;
  return found;
}

function idTaken(task: NewTask): ValidationError {
  return new ValidationError([{ path: "id", message: `a task with id ${task.id} already exists` }], "invalid task");
}

/** One `createTask` call waiting for its batch. */
export interface CreateTaskItem {
  task: NewTask;
  onDuplicate: DuplicatePolicy;
}

/** A NOTIFY sent by the insert itself: on `channel`; the items it announced go into `announced`. */
export interface InsertNotify {
  channel: string;
  announced: WeakSet<CreateTaskItem>;
}

/**
 * Writes many `createTask` calls with one insert statement (see StatementBatcher); each call
 * keeps its own outcome. Clashes are resolved afterwards: the active duplicate is returned
 * (`return`) or reported (`fail`); a clash whose duplicate ended in between is retried alone.
 * With `notify`, the insert statement also sends the ready notification.
 */
export async function createTaskBatch(conn: PostgresConnection, items: CreateTaskItem[], notify: InsertNotify | null = null): Promise<ItemOutcome<CreateTaskResult>[]> {
  for (const item of items) checkNewTask(item.task, "");
  const params = insertParams(items.map((i) => i.task));
  const rows = notify ? (await conn.prepared<{ id: string }>(INSERT_TASKS_NOTIFY, [...params, notify.channel])).rows : (await conn.prepared<{ id: string }>(INSERT_TASKS, params)).rows;
  const inserted = new Set(rows.map((r) => r.id));
  if (notify) for (const item of items) if (inserted.has(item.task.id)) notify.announced.add(item);
  const outcomes: (ItemOutcome<CreateTaskResult> | undefined)[] = items.map((i) =>
    inserted.has(i.task.id) ? { ok: true, value: { task: taskFromNewTask(i.task), created: true } } : undefined,
  );
  const missingAt = items.map((_, k) => k).filter((k) => outcomes[k] === undefined);
  if (missingAt.length === 0) return outcomes as ItemOutcome<CreateTaskResult>[];
  const duplicates = await findActiveDuplicates(conn, missingAt.map((k) => items[k].task));
  const existing = await getTasksById(conn, duplicates.filter((id): id is string => id !== undefined));
  await Promise.all(
    missingAt.map(async (k, j) => {
      const { task, onDuplicate } = items[k];
      const dup = duplicates[j] === undefined ? undefined : existing.get(duplicates[j]!);
      if (dup !== undefined && onDuplicate === "fail") outcomes[k] = { ok: false, error: new DuplicateTaskError(dup.id, task.index ?? "") };
      else if (dup !== undefined) outcomes[k] = { ok: true, value: { task: dup, created: false } };
      else outcomes[k] = await createTaskAlone(conn, task, onDuplicate).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    }),
  );
  return outcomes as ItemOutcome<CreateTaskResult>[];
}

/** One task, one statement; on a clash whose duplicate ended meanwhile the insert is retried. */
async function createTaskAlone(conn: PostgresConnection, task: NewTask, onDuplicate: DuplicatePolicy): Promise<CreateTaskResult> {
  const params = insertParams([task]);
  for (let attempt = 1; attempt <= 3; attempt++) {
    const inserted = (await conn.prepared<{ id: string }>(INSERT_TASKS, params)).rows;
    if (inserted.length === 1) return { task: taskFromNewTask(task), created: true };
    const [existingId] = await findActiveDuplicates(conn, [task]);
    if (existingId === undefined) {
      if ((await getTask(conn, task.id, null)) !== null) throw idTaken(task);
      continue;
    }
    if (onDuplicate === "fail") throw new DuplicateTaskError(existingId, task.index ?? "");
    const existing = await getTask(conn, existingId, null);
    if (existing !== null) return { task: existing, created: false };
  }
  throw idTaken(task);
}

/**
 * `Store.createTasks`: every task in one transaction and one insert statement; duplicates
 * (of stored tasks or of an earlier task of the same call) come back with `created: false`.
 * A task whose id is already taken fails the whole call (nothing is written).
 */
export async function createTasks(conn: PostgresConnection, tasks: NewTask[]): Promise<CreateTaskResult[]> {
  tasks.forEach((t, i) => checkNewTask(t, `${i}.`));
  const ids = new Set<string>();
  tasks.forEach((t, i) => {
    if (ids.has(t.id)) throw new ValidationError([{ path: `${i}.id`, message: `id ${t.id} appears twice in one call` }], "invalid task");
    ids.add(t.id);
  });
  if (tasks.length === 0) return [];
  return conn.transaction(async (tx) => {
    const inserted = new Set((await tx.prepared<{ id: string }>(INSERT_TASKS, insertParams(tasks))).rows.map((r) => r.id));
    const results: (CreateTaskResult | undefined)[] = tasks.map((t) => (inserted.has(t.id) ? { task: taskFromNewTask(t), created: true } : undefined));
    const missingAt = tasks.map((_, i) => i).filter((i) => results[i] === undefined);
    if (missingAt.length === 0) return results as CreateTaskResult[];
    const duplicates = await findActiveDuplicates(tx, missingAt.map((i) => tasks[i]));
    const bad = missingAt.find((_, k) => duplicates[k] === undefined);
    if (bad !== undefined) throw idTaken(tasks[bad]);
    const existing = await getTasksById(tx, duplicates as string[]);
    missingAt.forEach((i, k) => {
      const task = existing.get(duplicates[k]!);
      if (task === undefined) throw idTaken(tasks[i]);
      results[i] = { task, created: false };
    });
    return results as CreateTaskResult[];
  });
}

/**
 * Inserts `tasks` with their steps inside the caller's transaction (one statement); returns
 * the ids that went in. A task clashing with an active task's index is left out (no error).
 */
export async function insertTasksIn(tx: SqlRunner, tasks: readonly NewTask[]): Promise<Set<string>> {
  if (tasks.length === 0) return new Set();
  return new Set((await tx.prepared<{ id: string }>(INSERT_TASKS, insertParams(tasks))).rows.map((r) => r.id));
}

/** The active tasks holding the business keys of `tasks` (undefined: none, or no index). */
export const findActiveDuplicatesIn = findActiveDuplicates;
