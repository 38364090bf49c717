// The claim path of the SQLite store: take ready tasks under a fresh lease, and renew leases.
import type { Lease } from "../../core/task.js";
import type { ClaimedTask, ClaimRequest, LeaseRenewal } from "../store.js";
import { mapTaskRow, type TaskRow } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { selectStepRows } from "./task-reads.js";

// -- @now ms, @queues JSON array, @executors JSON array, @limit
// INDEXED BY pins the partial index on ready work: its order is the claim order, so the scan
// stops after LIMIT matches, and an ANALYZE can never swap in a status or tenant index.
const SELECT_READY = `
SELECT id, current_step FROM tasks INDEXED BY tasks_ready
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
RETURNING *`;

// -- @id task id, @idx step index, @now ms
/** Starts a step: shared by claims and by a chain going on under the same lease. */
export const START_STEP = `
UPDATE steps SET status = 'running', attempts = attempts + 1, started_at = @now, ended_at = NULL, message = NULL
WHERE task_id = @id AND idx = @idx`;

/** `Store.claimTasks`: one transaction, one indexed read, two updates per task claimed. */
export function claimTasks(conn: SqliteConnection, req: ClaimRequest): ClaimedTask[] {
  if (req.limit < 1 || req.queues.length === 0 || req.executors.length === 0) return [];
  const now = req.now.getTime();
  return conn.write(() => {
    const ready = conn.stmt(SELECT_READY).all({
      now,
      queues: JSON.stringify(req.queues),
      executors: JSON.stringify(req.executors),
      limit: Math.floor(req.limit),
    }) as { id: string; current_step: number }[];
    const claimed: ClaimedTask[] = [];
    const claim = conn.stmt(CLAIM_TASK);
    const start = conn.stmt(START_STEP);
    const leaseUntil = now + req.leaseMs;
    for (const { id, current_step } of ready) {
      const row = claim.get({ id, node: req.nodeId, leaseUntil, now }) as TaskRow | undefined;
      if (row === undefined) continue;
      start.run({ id, idx: current_step, now });
      claimed.push({ task: mapTaskRow(row, selectStepRows(conn, id)), lease: { taskId: id, nodeId: req.nodeId, token: row.lease_token } });
    }
    return claimed;
  });
}

// -- @id, @token, @node, @now ms, @leaseUntil ms; the fence of every lease-carrying write.
const RENEW_LEASE = `
UPDATE tasks SET lease_until = @leaseUntil
WHERE id = @id AND lease_token = @token AND status = 'running' AND locked_by = @node AND lease_until >= @now
RETURNING cancel_requested`;

/** `Store.renewLeases`: one transaction for the whole heartbeat. */
export function renewLeases(conn: SqliteConnection, leases: Lease[], leaseUntil: Date, now: Date): LeaseRenewal[] {
  if (leases.length === 0) return [];
  const until = leaseUntil.getTime();
  const at = now.getTime();
  return conn.write(() => {
    const renew = conn.stmt(RENEW_LEASE);
    return leases.map((lease) => {
      const row = renew.get({ id: lease.taskId, token: lease.token, node: lease.nodeId, now: at, leaseUntil: until }) as
        | { cancel_requested: number }
        | undefined;
      return { taskId: lease.taskId, held: row !== undefined, cancelRequested: row !== undefined && row.cancel_requested === 1 };
    });
  });
}
