// Sweeps any live node runs: recover tasks whose lease expired, time out overdue pending tasks.
import { decideAfterFailedTry } from "../../core/step-outcome.js";
import type { TaskStatus } from "../../core/status.js";
import type { NewLogEntry } from "../../core/task.js";
import type { RecoveredLease } from "../store.js";
import type { PostgresConnection, SqlRunner } from "./postgres-connection.js";
import { mapStepJson, msBetween, type StepJson } from "./row-mapping.js";
import { advanceChain, endTask, retryLater, type MoveTarget } from "./task-transitions.js";

// -- $1 now, $2 limit. SKIP LOCKED: two sweepers (or a sweeper and a late worker write) never
// wait on each other, and each row is recovered by exactly one of them.
const SELECT_EXPIRED = `
SELECT t.id, t.lease_token, t.locked_by, t.current_step, t.step_count, t.cancel_requested,
  (SELECT row_to_json(s) FROM steps s WHERE s.task_id = t.id AND s.idx = t.current_step) AS step
FROM tasks t
WHERE t.status = 'running' AND t.lease_until < $1::timestamptz
ORDER BY t.lease_until
LIMIT $2
FOR UPDATE OF t SKIP LOCKED`;

interface ExpiredRow {
  id: string;
  lease_token: number;
  locked_by: string | null;
  current_step: number;
  step_count: number;
  cancel_requested: boolean;
  step: StepJson | null;
}

/**
 * `Store.recoverExpiredLeases`: one transaction locks the batch (skipping rows another sweeper
 * holds); each row then moves with one statement of the same transaction, decided by
 * `decideAfterFailedTry` as if the try had failed (a retry runs at once: the worker died,
 * not the step).
 */
export async function recoverExpiredLeases(conn: PostgresConnection, now: Date, limit: number): Promise<RecoveredLease[]> {
  const max = Math.max(0, Math.floor(limit));
  if (max === 0) return [];
  return conn.ordered.transaction(async (tx) => {
    const rows = (await tx.prepared<ExpiredRow>(SELECT_EXPIRED, [now, max])).rows;
    const recovered: RecoveredLease[] = [];
    for (const row of rows) {
      const taskStatus = await recoverOne(tx, row, now);
      if (taskStatus !== undefined) recovered.push({ taskId: row.id, stepIndex: row.current_step, nodeId: row.locked_by, taskStatus });
    }
    return recovered;
  });
}

async function recoverOne(tx: SqlRunner, row: ExpiredRow, now: Date): Promise<TaskStatus | undefined> {
  const message = `lease expired: worker ${row.locked_by ?? "unknown"} stopped renewing`;
  const logs = (taskStatus: TaskStatus): NewLogEntry[] => [
    {
      taskId: row.id,
      stepIndex: row.step === null ? null : row.current_step,
      attempt: row.step === null ? null : row.step.attempts,
      at: now,
      level: "warn",
      message,
      fields: { nodeId: row.locked_by, taskStatus },
    },
  ];
  const m = (taskStatus: TaskStatus): MoveTarget => ({
    taskId: row.id,
    token: row.lease_token,
    nodeId: row.locked_by,
    now,
    stepIndex: row.current_step,
    logs: logs(taskStatus),
  });
  const fail = async () =>
    (await endTask(tx, "expired", [{ ...m("failed"), stepStatus: "failed", stepMessage: message, taskStatus: "failed", taskMessage: message, bumpToken: true }]))[0];
  // No current step (cannot happen through the port): nothing to re-run, end the task.
  if (row.step === null) return fail();
  if (row.cancel_requested) {
    return (await retryLater(tx, "expired", [{ ...m("cancelled"), message, runAt: now, bumpToken: true }]))[0];
  }
  const decision = decideAfterFailedTry(mapStepJson(row.step), { stepStatus: "failed", nonRetryable: false, now, canContinue: false });
  switch (decision.kind) {
    case "retry":
      return (await retryLater(tx, "expired", [{ ...m("pending"), message, runAt: now, bumpToken: true }]))[0];
    case "skip": {
      const after: TaskStatus = row.current_step + 1 >= row.step_count ? "succeeded" : "pending";
      return (await advanceChain(tx, "expired", [{ ...m(after), stepStatus: "skipped", stepMessage: message, continueNext: false, bumpToken: true }]))[0];
    }
    case "end":
      return fail();
  }
}

// -- $1 now, $2 limit. Past the task deadline first, then past the start deadline; the WHEREs
// repeat the partial indexes' terms so they are used. Rows another sweeper holds are skipped.
const EXPIRE_OVERDUE = `
WITH late AS (
  SELECT id, 'task timeout exceeded' AS message, 0 AS kind, deadline_at AS due_at FROM tasks
  WHERE status = 'pending' AND deadline_at IS NOT NULL AND deadline_at < $1::timestamptz
  ORDER BY deadline_at LIMIT $2
  FOR UPDATE SKIP LOCKED
), unstarted AS (
  SELECT id, 'start timeout exceeded' AS message, 1 AS kind, start_deadline_at AS due_at FROM tasks
  WHERE status = 'pending' AND started_at IS NULL AND start_deadline_at IS NOT NULL AND start_deadline_at < $1::timestamptz
    AND id NOT IN (SELECT id FROM late)
  ORDER BY start_deadline_at LIMIT $2
  FOR UPDATE SKIP LOCKED
), picked AS (
  SELECT * FROM (SELECT * FROM late UNION ALL SELECT * FROM unstarted) x ORDER BY kind, due_at LIMIT $2
), ended AS (
  UPDATE tasks t SET status = 'timeout', message = p.message, ended_at = $1::timestamptz,
    execution_ms = ${msBetween("$1::timestamptz", "t.started_at")}, locked_by = NULL, lease_until = NULL,
    lease_token = t.lease_token + 1, updated_at = $1::timestamptz,
    callback_status = CASE WHEN cardinality(t.callbacks) > 0 THEN 'pending' END,
    callback_run_at = CASE WHEN cardinality(t.callbacks) > 0 THEN $1::timestamptz END,
    callback_attempts = 0, callback_message = NULL, callback_lease_until = NULL
  FROM picked p WHERE t.id = p.id AND t.status = 'pending'
  RETURNING t.id, t.current_step, p.message, p.kind, p.due_at
), steps_ended AS (
  UPDATE steps s SET status = 'timeout', message = e.message, ended_at = $1::timestamptz
  FROM ended e WHERE s.task_id = e.id AND s.idx = e.current_step
)
SELECT id FROM ended ORDER BY kind, due_at`;

/** `Store.expireOverdueTasks`: one statement for the batch; returns the ids timed out. */
export async function expireOverdueTasks(db: SqlRunner, now: Date, limit: number): Promise<string[]> {
  const max = Math.max(0, Math.floor(limit));
  if (max === 0) return [];
  return (await db.prepared<{ id: string }>(EXPIRE_OVERDUE, [now, max])).rows.map((r) => r.id);
}
