// The claim path of the PostgreSQL store: take ready tasks under a fresh lease, and renew leases.
import type { Lease } from "../../core/task.js";
import type { ClaimedTask, ClaimRequest, LeaseRenewal } from "../store.js";
import type { SqlRunner } from "./postgres-connection.js";
import { mapTaskRow, type TaskRow } from "./row-mapping.js";

// -- $1 node, $2 now, $3 lease until, $4 queues, $5 executors, $6 limit
// One statement: pick with FOR UPDATE SKIP LOCKED (concurrent claimers pass over each other's
// rows instead of queueing on them), start the task and its current step, return both with
// every other step. deadline_at is set on the first start only (step retries keep the
// task's clock). Steps are merged from the step update's RETURNING because the rest of the
// statement sees the table as it was before it.
// Runs on the connection's `ordered` lane (see ORDERED_SETTINGS): the pick is always the walk
// of tasks_ready in claim order and the rest primary-key probes, stale statistics or not.
const CLAIM_TASKS = `
WITH claimed AS (
  UPDATE tasks t SET
    status = 'running', locked_by = $1, lease_until = $3::timestamptz, lease_token = t.lease_token + 1,
    started_at = COALESCE(t.started_at, $2::timestamptz),
    deadline_at = COALESCE(t.deadline_at, COALESCE(t.started_at, $2::timestamptz) + t.timeout_ms * interval '1 millisecond'),
    updated_at = $2::timestamptz
  WHERE t.id IN (
    SELECT r.id FROM tasks r
    WHERE r.status = 'pending' AND r.run_at <= $2::timestamptz AND NOT r.cancel_requested
      AND r.current_queue = ANY($4::text[]) AND r.current_executor = ANY($5::text[])
    ORDER BY r.priority DESC, r.run_at, r.id
    LIMIT $6
    FOR UPDATE SKIP LOCKED)
  RETURNING t.*
), started AS (
  UPDATE steps s SET status = 'running', attempts = s.attempts + 1, started_at = $2::timestamptz, ended_at = NULL, message = NULL
  FROM claimed c WHERE s.task_id = c.id AND s.idx = c.current_step
  RETURNING s.*
)
SELECT c.*, (
  SELECT json_agg(x ORDER BY x.idx) FROM (
    SELECT * FROM started st WHERE st.task_id = c.id
    UNION ALL
    SELECT * FROM steps s WHERE s.task_id = c.id AND s.idx <> c.current_step
  ) x
) AS steps
FROM claimed c
ORDER BY c.priority DESC, c.run_at, c.id`;

// -- $1 node, $2 now, $3 lease until, $4 ids picked (and row-locked) by pickLimited
// The same start as CLAIM_TASKS for tasks already chosen within the cluster-wide limits.
const CLAIM_PICKED = CLAIM_TASKS.replace(
  /WHERE t\.id IN \(\s*SELECT r\.id FROM tasks r[\s\S]*?FOR UPDATE SKIP LOCKED\)/,
  "WHERE t.id = ANY($4::text[]) AND t.status = 'pending'",
);

/** Claims tasks already picked (and locked) inside the caller's transaction, in claim order. */
export async function claimPicked(tx: SqlRunner, req: ClaimRequest, ids: string[]): Promise<ClaimedTask[]> {
  if (ids.length === 0) return [];
  const leaseUntil = new Date(req.now.getTime() + req.leaseMs);
  const rows = (await tx.prepared<TaskRow>(CLAIM_PICKED, [req.nodeId, req.now, leaseUntil, ids])).rows;
  return rows.map((row) => ({ task: mapTaskRow(row), lease: { taskId: row.id, nodeId: req.nodeId, token: row.lease_token } }));
}

/** `Store.claimTasks`: one statement, one round trip, whatever the batch size. */
export async function claimTasks(db: SqlRunner, req: ClaimRequest): Promise<ClaimedTask[]> {
  const limit = Math.floor(req.limit);
  if (!(limit >= 1) || req.queues.length === 0 || req.executors.length === 0) return [];
  const leaseUntil = new Date(req.now.getTime() + req.leaseMs);
  const rows = (await db.prepared<TaskRow>(CLAIM_TASKS, [req.nodeId, req.now, leaseUntil, req.queues, req.executors, limit])).rows;
  return rows.map((row) => ({ task: mapTaskRow(row), lease: { taskId: row.id, nodeId: req.nodeId, token: row.lease_token } }));
}

// -- $1 task ids, $2 tokens, $3 node ids, $4 lease until, $5 now; the fence of every lease-carrying write.
// Rows are locked in id order so two heartbeats over overlapping tasks cannot deadlock.
const RENEW_LEASES = `
WITH l AS (
  SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) AS l(id, token, node)
), held AS (
  SELECT t.id, t.lease_token FROM tasks t JOIN l ON t.id = l.id
  WHERE t.lease_token = l.token AND t.status = 'running' AND t.locked_by = l.node AND t.lease_until >= $5::timestamptz
  ORDER BY t.id
  FOR UPDATE OF t
)
UPDATE tasks t SET lease_until = $4::timestamptz
FROM held WHERE t.id = held.id
RETURNING t.id, t.lease_token, t.cancel_requested`;

/** `Store.renewLeases`: one statement for the whole heartbeat. */
export async function renewLeases(db: SqlRunner, leases: Lease[], leaseUntil: Date, now: Date): Promise<LeaseRenewal[]> {
  if (leases.length === 0) return [];
  const rows = (
    await db.prepared<{ id: string; lease_token: number; cancel_requested: boolean }>(RENEW_LEASES, [
      leases.map((l) => l.taskId),
      leases.map((l) => l.token),
      leases.map((l) => l.nodeId),
      leaseUntil,
      now,
    ])
  ).rows;
  const held = new Map(rows.map((r) => [`${r.id}\u0000${r.lease_token}`, r.cancel_requested]));
  return leases.map((lease) => {
    const cancel = held.get(`${lease.taskId}\u0000${lease.token}`);
    return { taskId: lease.taskId, held: cancel !== undefined, cancelRequested: cancel === true };
  });
}
