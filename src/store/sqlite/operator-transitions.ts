// Operator transitions of the SQLite store: cancel, retry (from a step) and skip a step.
import { DuplicateTaskError, InvalidTransitionError, StepNotFoundError } from "../../core/errors.js";
import { RETRYABLE_TASK_STATUSES } from "../../core/status.js";
import type { Task } from "../../core/task.js";
import type { CancelResult, TenantScope } from "../store.js";
import { findActiveDuplicate } from "./dispatch.js";
import type { TaskRow } from "./row-mapping.js";
import { isUniqueViolation, type SqliteConnection } from "./sqlite-connection.js";
import { requireTaskRow, selectStepRows, taskWithSteps } from "./task-reads.js";
import { endTask, finishStep } from "./task-transitions.js";

// -- @id, @now ms; a running task's worker sees the flag on its next heartbeat
const SET_CANCEL_REQUESTED = `UPDATE tasks SET cancel_requested = 1, updated_at = @now WHERE id = @id`;

/** `Store.requestCancel`. */
export function requestCancel(conn: SqliteConnection, id: string, tenant: TenantScope, now: Date): CancelResult {
  const at = now.getTime();
  const row = requireTaskRow(conn, id, tenant);
  if (row.status === "pending") {
    if (row.current_step < row.step_count) finishStep(conn, id, row.current_step, "cancelled", "cancelled", at);
    endTask(conn, id, "cancelled", "cancelled", at, true);
    return { task: reload(conn, id), immediate: true };
  }
  if (row.status === "running") {
    if (row.cancel_requested === 0) conn.stmt(SET_CANCEL_REQUESTED).run({ id, now: at });
    return { task: reload(conn, id), immediate: false };
  }
  throw new InvalidTransitionError(`task ${id} is ${row.status}; only pending or running tasks can be cancelled`);
}

function reload(conn: SqliteConnection, id: string): Task {
  return taskWithSteps(conn, requireTaskRow(conn, id, null));
}

/** Throws unless the task ended failed/timeout/cancelled. */
function checkRetryable(row: TaskRow, verb: string): void {
  if (!RETRYABLE_TASK_STATUSES.includes(row.status)) {
    throw new InvalidTransitionError(`task ${row.id} is ${row.status}; only failed, timeout or cancelled tasks can be ${verb}`);
  }
}

/** Going back to pending re-enters the active de-duplication set: refuse a clash up front. */
function checkNoActiveDuplicate(conn: SqliteConnection, row: TaskRow): void {
  const existing = findActiveDuplicate(conn, { tenant: row.tenant, type: row.type, index: row.index_key, indexType: row.index_type });
  if (existing !== undefined && existing !== row.id) throw new DuplicateTaskError(existing, row.index_key ?? "");
}

// -- @id, @from: every step from `from` on starts over
const RESET_STEPS = `
UPDATE steps SET status = 'pending', attempts = 0, message = NULL, output = NULL, params_set = NULL,
  started_at = NULL, ended_at = NULL, execution_ms = NULL
WHERE task_id = @id AND idx >= @from`;

// -- @id, @from: the result a restart from `from` resumes with
const SELECT_RESULT_BEFORE = `
SELECT output FROM steps WHERE task_id = @id AND idx < @from AND status = 'succeeded' ORDER BY idx DESC LIMIT 1`;

/** Task columns a restart clears (retry, and skip when steps remain). */
const RESTART_COLUMNS = `
  status = 'pending', run_at = @now, message = NULL, progress = 0, progress_message = NULL,
  started_at = NULL, deadline_at = NULL, ended_at = NULL, execution_ms = NULL, cancel_requested = 0,
  callback_status = NULL, callback_message = NULL, callback_attempts = 0, callback_run_at = NULL,
  callback_lease_until = NULL, retry_count = retry_count + 1, locked_by = NULL, lease_until = NULL,
  lease_token = lease_token + 1, updated_at = @now,
  current_step = @from,
  current_executor = (SELECT s.executor FROM steps s WHERE s.task_id = tasks.id AND s.idx = @from),
  current_queue = (SELECT COALESCE(s.queue, tasks.queue) FROM steps s WHERE s.task_id = tasks.id AND s.idx = @from)`;

// -- @id, @from, @now ms, @result JSON or NULL
const RESTART_TASK = `UPDATE tasks SET ${RESTART_COLUMNS}, result = @result WHERE id = @id`;

// -- @id, @from, @now ms; result kept (the skipped step wrote none)
const RESTART_TASK_AFTER_SKIP = `UPDATE tasks SET ${RESTART_COLUMNS} WHERE id = @id`;

// -- @id, @next, @now ms: the skipped step was the last one
const SUCCEED_AFTER_SKIP = `
UPDATE tasks SET status = 'succeeded', message = NULL, progress = 100, current_step = @next,
  current_executor = NULL, current_queue = NULL, ended_at = @now, execution_ms = @now - started_at,
  cancel_requested = 0, locked_by = NULL, lease_until = NULL, lease_token = lease_token + 1, updated_at = @now,
  callback_status = CASE WHEN callbacks <> '[]' THEN 'pending' END,
  callback_run_at = CASE WHEN callbacks <> '[]' THEN @now END,
  callback_attempts = 0, callback_message = NULL, callback_lease_until = NULL
WHERE id = @id`;

/** Runs a restart write, turning a de-duplication clash that slipped through into DuplicateTaskError. */
function restart(conn: SqliteConnection, row: TaskRow, sql: string, params: Record<string, unknown>): void {
  checkNoActiveDuplicate(conn, row);
  try {
    conn.stmt(sql).run(params);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new DuplicateTaskError(findActiveDuplicate(conn, { tenant: row.tenant, type: row.type, index: row.index_key, indexType: row.index_type }) ?? "?", row.index_key ?? "");
  }
}

/** `Store.retryTask`. */
export function retryTask(conn: SqliteConnection, id: string, tenant: TenantScope, fromStep: string | null, now: Date): Task {
  const at = now.getTime();
  const row = requireTaskRow(conn, id, tenant);
  checkRetryable(row, "retried");
  const steps = selectStepRows(conn, id);
  const current = Math.min(row.current_step, steps.length - 1);
  let from = current;
  if (fromStep !== null) {
    from = steps.findIndex((s) => s.name === fromStep);
    if (from < 0) throw new StepNotFoundError(id, fromStep);
    if (from > current) {
      throw new InvalidTransitionError(
        `task ${id} cannot be retried from step "${fromStep}": it comes after the current step "${steps[current].name}"`,
      );
    }
  }
  const prior = conn.stmt(SELECT_RESULT_BEFORE).get({ id, from }) as { output: string | null } | undefined;
  conn.stmt(RESET_STEPS).run({ id, from });
  restart(conn, row, RESTART_TASK, { id, from, now: at, result: prior?.output ?? null });
  return reload(conn, id);
}

/** `Store.skipStep`. */
export function skipStep(conn: SqliteConnection, id: string, tenant: TenantScope, stepName: string, now: Date): Task {
  const at = now.getTime();
  const row = requireTaskRow(conn, id, tenant);
  checkRetryable(row, "resumed by skipping a step");
  const steps = selectStepRows(conn, id);
  const idx = steps.findIndex((s) => s.name === stepName);
  if (idx < 0) throw new StepNotFoundError(id, stepName);
  if (idx !== row.current_step) {
    const current = steps[row.current_step]?.name;
    throw new InvalidTransitionError(
      `task ${id} cannot skip step "${stepName}": only the current step${current === undefined ? "" : ` "${current}"`} can be skipped`,
    );
  }
  conn.stmt(SKIP_STEP).run({ id, idx, now: at });
  const next = idx + 1;
  if (next >= steps.length) conn.stmt(SUCCEED_AFTER_SKIP).run({ id, next, now: at });
  else restart(conn, row, RESTART_TASK_AFTER_SKIP, { id, from: next, now: at });
  return reload(conn, id);
}

// -- @id, @idx, @now ms: the failed step's message stays as the record of why it was skipped
const SKIP_STEP = `UPDATE steps SET status = 'skipped', ended_at = COALESCE(ended_at, @now) WHERE task_id = @id AND idx = @idx`;
