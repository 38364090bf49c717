// The claim path of the SQLite store: take ready tasks under a fresh lease, and renew leases.
import type { Lease } from "../../core/task.js";
import type { ClaimedTask, ClaimRequest, LeaseRenewal } from "../store.js";
import { mapTaskRow, stepRowFromTuple, taskRowFromTuple, STEPS_COLUMNS, TASKS_COLUMNS, type StepRow } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { selectStepRows } from "./task-reads.js";

// -- @now ms, @queues JSON array, @executors JSON array, @limit
// INDEXED BY pins the partial index on ready work: its order is the claim order, so the scan
// stops after LIMIT matches, and an ANALYZE can never swap in a status or tenant index.
const SELECT_READY = `
SELECT id FROM tasks INDEXED BY tasks_ready
WHERE status = 'pending' AND run_at <= @now AND cancel_requested = 0
  AND current_queue IN (SELECT value FROM json_each(@queues))
  AND current_executor IN (SELECT value FROM json_each(@executors))
ORDER BY priority DESC, run_at, id
LIMIT @limit`;

// -- @id, @node, @leaseUntil ms, @now ms
// deadline_at is set on the first start only (retries of a step keep the task's clock).
const CLAIM_TASK = `
UPDATE tasks SET
  status = 'running', locked_by = @node, lease_until = @leaseUntil, lease_token = lease_token + 1,
  started_at = COALESCE(started_at, @now),
  deadline_at = COALESCE(deadline_at, COALESCE(started_at, @now) + timeout_ms),
  updated_at = @now
WHERE id = @id AND status = 'pending'
RETURNING ${TASKS_COLUMNS}`;

// -- @id task id, @idx step index, @now ms
/** Starts a step: shared by claims and by a chain going on under the same lease. */
export const START_STEP = `
UPDATE steps SET status = 'running', attempts = attempts + 1, started_at = @now, ended_at = NULL, message = NULL
WHERE task_id = @id AND idx = @idx`;

// -- @id task id, @idx step index, @now ms; START_STEP handing the step back (one-step tasks)
const START_STEP_RETURNING = `${START_STEP}
RETURNING ${STEPS_COLUMNS}`;

/**
 * `Store.claimTasks` inside the caller's write transaction: one indexed read, then two
 * updates per task claimed (a one-step task's steps need no further read).
 */
export function claimTasks(conn: SqliteConnection, req: ClaimRequest): ClaimedTask[] {
  if (req.limit < 1 || req.queues.length === 0 || req.executors.length === 0) return [];
  const now = req.now.getTime();
  const ready = conn.stmt(SELECT_READY).all({
    now,
    queues: JSON.stringify(req.queues),
    executors: JSON.stringify(req.executors),
    limit: Math.floor(req.limit),
  }) as { id: string }[];
  const claimed: ClaimedTask[] = [];
  const claim = conn.raw(CLAIM_TASK);
  const start = conn.raw(START_STEP_RETURNING);
  const leaseUntil = now + req.leaseMs;
  for (const { id } of ready) {
    const tuple = claim.get({ id, node: req.nodeId, leaseUntil, now }) as unknown[] | undefined;
    if (tuple === undefined) continue;
    const row = taskRowFromTuple(tuple);
    const started = start.get({ id, idx: row.current_step, now }) as unknown[] | undefined;
    const steps: StepRow[] = row.step_count === 1 && started !== undefined ? [stepRowFromTuple(started)] : selectStepRows(conn, id);
    claimed.push({ task: mapTaskRow(row, steps), lease: { taskId: id, nodeId: req.nodeId, token: row.lease_token } });
  }
  return claimed;
}

// -- @id, @token, @node, @now ms, @leaseUntil ms; the fence of every lease-carrying write.
const RENEW_LEASE = `
UPDATE tasks SET lease_until = @leaseUntil
WHERE id = @id AND lease_token = @token AND status = 'running' AND locked_by = @node AND lease_until >= @now
RETURNING cancel_requested`;

/** `Store.renewLeases` inside the caller's write transaction (one for the whole heartbeat). */
export function renewLeases(conn: SqliteConnection, leases: Lease[], leaseUntil: Date, now: Date): LeaseRenewal[] {
  const until = leaseUntil.getTime();
  const at = now.getTime();
  const renew = conn.stmt(RENEW_LEASE);
  return leases.map((lease) => {
    const row = renew.get({ id: lease.taskId, token: lease.token, node: lease.nodeId, now: at, leaseUntil: until }) as
      | { cancel_requested: number }
      | undefined;
    return { taskId: lease.taskId, held: row !== undefined, cancelRequested: row !== undefined && row.cancel_requested === 1 };
  });
}
