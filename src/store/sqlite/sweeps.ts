// Sweeps any live node runs: recover tasks whose lease expired, time out overdue pending tasks.
import { decideAfterFailedTry } from "../../core/step-outcome.js";
import type { RecoveredLease } from "../store.js";
import { mapStepRow, type StepRow } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { advanceChain, endTask, finishStep, insertLogs } from "./task-transitions.js";

// -- @now ms, @limit
// Running tasks are few (at most the total concurrency), so the (status, id) index and a
// sort serve this sweep; a lease_until index was dropped for costing every claim (0003).
const SELECT_EXPIRED = `
SELECT id FROM tasks INDEXED BY tasks_status_id WHERE status = 'running' AND lease_until < @now ORDER BY lease_until LIMIT @limit`;

// -- @id, @now ms: re-checked inside the row's own transaction (another node may have won).
const SELECT_EXPIRED_ROW = `
SELECT t.tenant, t.current_step, t.step_count, t.cancel_requested, t.locked_by, s.*
FROM tasks t LEFT JOIN steps s ON s.task_id = t.id AND s.idx = t.current_step
WHERE t.id = @id AND t.status = 'running' AND t.lease_until < @now`;

// -- @id, @now ms, @message: the step will re-run at once (the worker died, not the step).
const REQUEUE_TASK = `
UPDATE tasks SET status = 'pending', run_at = @now, message = @message, locked_by = NULL, lease_until = NULL, updated_at = @now
WHERE id = @id`;

// -- @id
const BUMP_TOKEN = `UPDATE tasks SET lease_token = lease_token + 1 WHERE id = @id`;

type ExpiredRow = StepRow & { tenant: string; current_step: number; step_count: number; cancel_requested: number; locked_by: string | null };

/** Ids of running tasks whose lease ended before `now`, oldest lease first. */
export function selectExpiredLeases(conn: SqliteConnection, now: Date, limit: number): string[] {
  const rows = conn.stmt(SELECT_EXPIRED).all({ now: now.getTime(), limit: Math.max(0, Math.floor(limit)) }) as { id: string }[];
  return rows.map((r) => r.id);
}

/**
 * Recovers one task found by `selectExpiredLeases`, inside its own write (so one bad row
 * never holds back the rest); undefined when another node recovered it first.
 */
export function recoverExpiredLease(conn: SqliteConnection, id: string, now: Date): RecoveredLease | undefined {
  const at = now.getTime();
  const row = conn.stmt(SELECT_EXPIRED_ROW).get({ id, now: at }) as ExpiredRow | undefined;
  if (row === undefined) return undefined;
  const idx = row.current_step;
  const message = `lease expired: worker ${row.locked_by ?? "unknown"} stopped renewing`;
  let taskStatus: RecoveredLease["taskStatus"];
  if (row.task_id === null) {
    // No current step (cannot happen through the port): nothing to re-run, end the task.
    endTask(conn, id, "failed", message, at, false);
    taskStatus = "failed";
  } else if (row.cancel_requested === 1) {
    finishStep(conn, id, idx, "cancelled", message, at);
    endTask(conn, id, "cancelled", "cancelled by request", at, false);
    taskStatus = "cancelled";
  } else {
    const decision = decideAfterFailedTry(mapStepRow(row), { stepStatus: "failed", nonRetryable: false, now, canContinue: false });
    if (decision.kind === "retry") {
      finishStep(conn, id, idx, "pending", message, at);
      conn.stmt(REQUEUE_TASK).run({ id, now: at, message });
      taskStatus = "pending";
    } else if (decision.kind === "skip") {
      finishStep(conn, id, idx, "skipped", message, at);
      taskStatus = advanceChain(conn, { id, idx, stepCount: row.step_count, cancelRequested: false }, false, at).taskStatus;
    } else {
      finishStep(conn, id, idx, "failed", message, at);
      endTask(conn, id, "failed", message, at, false);
      taskStatus = "failed";
    }
  }
  conn.stmt(BUMP_TOKEN).run({ id });
  insertLogs(conn, id, row.tenant, [
    {
      taskId: id,
      stepIndex: row.task_id === null ? null : idx,
      attempt: row.task_id === null ? null : row.attempts,
      at: now,
      level: "warn",
      message,
      fields: { nodeId: row.locked_by, taskStatus },
    },
  ]);
  return { taskId: id, stepIndex: idx, nodeId: row.locked_by, taskStatus };
}

// -- @now ms, @limit; the WHERE repeats the partial index's terms so it is used. INDEXED BY
// (here and below): without statistics the planner prefers the (status, id) index plus a
// sort, which reads every pending row; the partial indexes read only rows with a deadline.
const SELECT_PAST_DEADLINE = `
SELECT id FROM tasks INDEXED BY tasks_deadline WHERE status = 'pending' AND deadline_at IS NOT NULL AND deadline_at < @now
ORDER BY deadline_at LIMIT @limit`;

// -- @now ms, @limit
const SELECT_PAST_START_DEADLINE = `
SELECT id FROM tasks INDEXED BY tasks_start_deadline
WHERE status = 'pending' AND started_at IS NULL AND start_timeout_ms IS NOT NULL AND created_at + start_timeout_ms < @now
ORDER BY created_at + start_timeout_ms LIMIT @limit`;

// -- @id, @message, @now ms: the step the task waited on (if any is left) ends with it.
const TIME_OUT_CURRENT_STEP = `
UPDATE steps SET status = 'timeout', message = @message, ended_at = @now
WHERE task_id = @id AND idx = (SELECT current_step FROM tasks WHERE id = @id)`;

/** `Store.expireOverdueTasks` inside the caller's write transaction; returns the ids timed out. */
export function expireOverdueTasks(conn: SqliteConnection, now: Date, limit: number): string[] {
  const at = now.getTime();
  const max = Math.max(0, Math.floor(limit));
  if (max === 0) return [];
  const expired: { id: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const { id } of conn.stmt(SELECT_PAST_DEADLINE).all({ now: at, limit: max }) as { id: string }[]) {
    expired.push({ id, message: "task timeout exceeded" });
    seen.add(id);
  }
  if (expired.length < max) {
    for (const { id } of conn.stmt(SELECT_PAST_START_DEADLINE).all({ now: at, limit: max - expired.length }) as { id: string }[]) {
      if (!seen.has(id)) expired.push({ id, message: "start timeout exceeded" });
    }
  }
  for (const { id, message } of expired) {
    conn.stmt(TIME_OUT_CURRENT_STEP).run({ id, message, now: at });
    endTask(conn, id, "timeout", message, at, true);
  }
  return expired.map((e) => e.id);
}
