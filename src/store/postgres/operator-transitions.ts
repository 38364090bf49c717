// Operator transitions of the PostgreSQL store: cancel, retry (from a step) and skip a step.
// Rare and read-then-write: each is one transaction holding the task row (FOR UPDATE).
import { DuplicateTaskError, InvalidTransitionError, StepNotFoundError, TaskNotFoundError } from "../../core/errors.js";
import { RETRYABLE_TASK_STATUSES, type TaskStatus } from "../../core/status.js";
import type { Task } from "../../core/task.js";
import type { CancelResult, TenantScope } from "../store.js";
import { isUniqueViolation, type PostgresConnection, type SqlRunner } from "./postgres-connection.js";
import { msBetween } from "./row-mapping.js";
import { requireTask } from "./task-reads.js";

/** The de-duplication index: a restart that clashes on it becomes DuplicateTaskError. */
const ACTIVE_INDEX = "tasks_active_index";

interface LockedRow {
  id: string;
  tenant: string;
  type: string;
  index_key: string | null;
  index_type: string | null;
  status: TaskStatus;
  current_step: number;
  step_count: number;
  cancel_requested: boolean;
  step_names: string[];
}

// -- $1 task id, $2 tenant or NULL (any)
const LOCK_TASK = `
SELECT t.id, t.tenant, t.type, t.index_key, t.index_type, t.status, t.current_step, t.step_count, t.cancel_requested,
  ARRAY(SELECT s.name FROM steps s WHERE s.task_id = t.id ORDER BY s.idx) AS step_names
FROM tasks t WHERE t.id = $1 AND ($2::text IS NULL OR t.tenant = $2::text)
FOR UPDATE OF t`;

async function lockTask(tx: SqlRunner, id: string, tenant: TenantScope): Promise<LockedRow> {
  const row = (await tx.prepared<LockedRow>(LOCK_TASK, [id, tenant])).rows[0];
  if (row === undefined) throw new TaskNotFoundError(id);
  return row;
}

// -- $1 task id, $2 now: the pending task and its current step end cancelled at once
const CANCEL_PENDING = `
WITH u AS (
  UPDATE tasks t SET status = 'cancelled', message = 'cancelled', ended_at = $2::timestamptz,
    execution_ms = ${msBetween("$2::timestamptz", "t.started_at")}, locked_by = NULL, lease_until = NULL,
    lease_token = t.lease_token + 1, updated_at = $2::timestamptz,
    callback_status = CASE WHEN cardinality(t.callbacks) > 0 THEN 'pending' END,
    callback_run_at = CASE WHEN cardinality(t.callbacks) > 0 THEN $2::timestamptz END,
    callback_attempts = 0, callback_message = NULL, callback_lease_until = NULL
  WHERE t.id = $1 AND t.status = 'pending'
  RETURNING t.id, t.current_step
)
UPDATE steps s SET status = 'cancelled', message = 'cancelled', ended_at = $2::timestamptz,
  execution_ms = ${msBetween("$2::timestamptz", "s.started_at")}
FROM u WHERE s.task_id = u.id AND s.idx = u.current_step`;

// -- $1 task id, $2 now; a running task's worker sees the flag on its next heartbeat
const SET_CANCEL_REQUESTED = `UPDATE tasks SET cancel_requested = true, updated_at = $2::timestamptz WHERE id = $1 AND NOT cancel_requested`;

/** `Store.requestCancel`. */
export async function requestCancel(conn: PostgresConnection, id: string, tenant: TenantScope, now: Date): Promise<CancelResult> {
  return conn.transaction(async (tx) => {
    const row = await lockTask(tx, id, tenant);
    if (row.status === "pending") {
      await tx.prepared(CANCEL_PENDING, [id, now]);
      return { task: await requireTask(tx, id, null), immediate: true };
    }
    if (row.status === "running") {
      await tx.prepared(SET_CANCEL_REQUESTED, [id, now]);
      return { task: await requireTask(tx, id, null), immediate: false };
    }
    throw new InvalidTransitionError(`task ${id} is ${row.status}; only pending or running tasks can be cancelled`);
  });
}

/** Throws unless the task ended failed/timeout/cancelled. */
function checkRetryable(row: LockedRow, verb: string): void {
  if (!RETRYABLE_TASK_STATUSES.includes(row.status)) {
    throw new InvalidTransitionError(`task ${row.id} is ${row.status}; only failed, timeout or cancelled tasks can be ${verb}`);
  }
}

// -- $1 tenant, $2 type, $3 index type, $4 index key, $5 task id (excluded)
const SELECT_OTHER_ACTIVE = `
SELECT id FROM tasks
WHERE tenant = $1 AND type = $2 AND COALESCE(index_type, '') = COALESCE($3::text, '') AND index_key = $4
  AND index_key IS NOT NULL AND status IN ('pending', 'running') AND id <> $5
LIMIT 1`;

/** Going back to pending re-enters the active de-duplication set: refuse a clash up front. */
async function checkNoActiveDuplicate(db: SqlRunner, row: LockedRow): Promise<void> {
  if (row.index_key === null) return;
  const other = (await db.prepared<{ id: string }>(SELECT_OTHER_ACTIVE, [row.tenant, row.type, row.index_type, row.index_key, row.id])).rows[0];
  if (other !== undefined) throw new DuplicateTaskError(other.id, row.index_key);
}

// -- $1 task id, $2 from: every step from `from` on starts over
const RESET_STEPS = `
UPDATE steps SET status = 'pending', attempts = 0, message = NULL, output = NULL, params_set = NULL,
  started_at = NULL, ended_at = NULL, execution_ms = NULL
WHERE task_id = $1 AND idx >= $2::int`;

/** Task columns a restart clears (retry, and skip when steps remain); $1 id, $2 from, $3 now. */
const RESTART_COLUMNS = `
  status = 'pending', run_at = $3::timestamptz, message = NULL, progress = 0, progress_message = NULL,
  started_at = NULL, deadline_at = NULL, ended_at = NULL, execution_ms = NULL, cancel_requested = false,
  callback_status = NULL, callback_message = NULL, callback_attempts = 0, callback_run_at = NULL,
  callback_lease_until = NULL, retry_count = t.retry_count + 1, locked_by = NULL, lease_until = NULL,
  lease_token = t.lease_token + 1, updated_at = $3::timestamptz,
  current_step = $2::int,
  current_executor = (SELECT s.executor FROM steps s WHERE s.task_id = t.id AND s.idx = $2::int),
  current_queue = (SELECT COALESCE(s.queue, t.queue) FROM steps s WHERE s.task_id = t.id AND s.idx = $2::int)`;

// -- $1 task id, $2 from, $3 now; result = output of the last step before `from` that succeeded
const RESTART_TASK = `
UPDATE tasks t SET ${RESTART_COLUMNS},
  result = (SELECT s.output FROM steps s WHERE s.task_id = t.id AND s.idx < $2::int AND s.status = 'succeeded' ORDER BY s.idx DESC LIMIT 1)
WHERE t.id = $1`;

// -- $1 task id, $2 from, $3 now; result kept (the skipped step wrote none)
const RESTART_TASK_AFTER_SKIP = `UPDATE tasks t SET ${RESTART_COLUMNS} WHERE t.id = $1`;

// -- $1 task id, $2 next, $3 now: the skipped step was the last one
const SUCCEED_AFTER_SKIP = `
UPDATE tasks t SET status = 'succeeded', message = NULL, progress = 100, current_step = $2::int,
  current_executor = NULL, current_queue = NULL, ended_at = $3::timestamptz,
  execution_ms = ${msBetween("$3::timestamptz", "t.started_at")},
  cancel_requested = false, locked_by = NULL, lease_until = NULL, lease_token = t.lease_token + 1, updated_at = $3::timestamptz,
  callback_status = CASE WHEN cardinality(t.callbacks) > 0 THEN 'pending' END,
  callback_run_at = CASE WHEN cardinality(t.callbacks) > 0 THEN $3::timestamptz END,
  callback_attempts = 0, callback_message = NULL, callback_lease_until = NULL
WHERE t.id = $1`;

// -- $1 task id, $2 step index, $3 now: the failed step's message stays as the record of why it was skipped
const SKIP_STEP = `UPDATE steps SET status = 'skipped', ended_at = COALESCE(ended_at, $3::timestamptz) WHERE task_id = $1 AND idx = $2::int`;

/** Runs a restart inside a transaction, turning a de-duplication clash into DuplicateTaskError. */
async function inRestart<T>(conn: PostgresConnection, id: string, fn: (tx: SqlRunner, keep: (row: LockedRow) => void) => Promise<T>): Promise<T> {
  let locked: LockedRow | undefined;
  try {
    return await conn.transaction((tx) => fn(tx, (row) => (locked = row)));
  } catch (err) {
    if (!isUniqueViolation(err, ACTIVE_INDEX) || locked === undefined) throw err;
    const row: LockedRow = locked;
    const other = (await conn.prepared<{ id: string }>(SELECT_OTHER_ACTIVE, [row.tenant, row.type, row.index_type, row.index_key, id])).rows[0];
    throw new DuplicateTaskError(other?.id ?? "?", row.index_key ?? "");
  }
}

/** `Store.retryTask`. */
export async function retryTask(conn: PostgresConnection, id: string, tenant: TenantScope, fromStep: string | null, now: Date): Promise<Task> {
  return inRestart(conn, id, async (tx, keep) => {
    const row = await lockTask(tx, id, tenant);
    keep(row);
    checkRetryable(row, "retried");
    const current = Math.min(row.current_step, row.step_names.length - 1);
    let from = current;
    if (fromStep !== null) {
      from = row.step_names.indexOf(fromStep);
      if (from < 0) throw new StepNotFoundError(id, fromStep);
      if (from > current) {
        throw new InvalidTransitionError(
          `task ${id} cannot be retried from step "${fromStep}": it comes after the current step "${row.step_names[current]}"`,
        );
      }
    }
    await checkNoActiveDuplicate(tx, row);
    // The task first: its result reads the outputs before `from`, which the reset keeps.
    await tx.prepared(RESTART_TASK, [id, from, now]);
    await tx.prepared(RESET_STEPS, [id, from]);
    return requireTask(tx, id, null);
  });
}

/** `Store.skipStep`. */
export async function skipStep(conn: PostgresConnection, id: string, tenant: TenantScope, stepName: string, now: Date): Promise<Task> {
  return inRestart(conn, id, async (tx, keep) => {
    const row = await lockTask(tx, id, tenant);
    keep(row);
    checkRetryable(row, "resumed by skipping a step");
    const idx = row.step_names.indexOf(stepName);
    if (idx < 0) throw new StepNotFoundError(id, stepName);
    if (idx !== row.current_step) {
      const current = row.step_names[row.current_step];
      throw new InvalidTransitionError(
        `task ${id} cannot skip step "${stepName}": only the current step${current === undefined ? "" : ` "${current}"`} can be skipped`,
      );
    }
    await tx.prepared(SKIP_STEP, [id, idx, now]);
    const next = idx + 1;
    if (next >= row.step_names.length) await tx.prepared(SUCCEED_AFTER_SKIP, [id, next, now]);
    else {
      await checkNoActiveDuplicate(tx, row);
      await tx.prepared(RESTART_TASK_AFTER_SKIP, [id, next, now]);
    }
    return requireTask(tx, id, null);
  });
}
