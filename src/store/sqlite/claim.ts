// The claim path of the SQLite store: take ready tasks under a fresh lease, and renew leases.
import type { Lease } from "../../core/task.js";
import type { ClaimedTask, ClaimRequest, LeaseRenewal } from "../store.js";
import { mapTaskRow, stepRowFromJsonTuple, taskRowFromJsonTuple, STEPS_JSON_ARRAY, TASKS_JSON_ARRAY, type StepRow, type TaskRow } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";

// -- @now ms, @queues JSON array, @executors JSON array, @limit
// INDEXED BY pins the partial index on ready work: its order is the claim order and it holds
// the filter columns, so the scan stops after LIMIT matches and reads only the rows it takes;
// an ANALYZE can never swap in a status or tenant index. Whole rows come back: the claim
// patches them in JS instead of reading them again (measured cheaper than RETURNING), each
// as one JSON array text (cheaper to hand to JS than 44 columns: see TASKS_JSON_ARRAY).
const SELECT_READY = `
SELECT ${TASKS_JSON_ARRAY} FROM tasks INDEXED BY tasks_ready
WHERE status = 'pending' AND run_at <= @now AND cancel_requested = 0
  AND current_queue IN (SELECT value FROM json_each(@queues))
  AND current_executor IN (SELECT value FROM json_each(@executors))
ORDER BY priority DESC, run_at, id
LIMIT @limit`;

// -- as SELECT_READY, plus @exQueues / @exTypes JSON arrays: queues and types with no budget
// left under the cluster-wide limits, passed over so they cannot starve the others.
const SELECT_READY_LIMITED = SELECT_READY.replace(
  "ORDER BY",
  `AND current_queue NOT IN (SELECT value FROM json_each(@exQueues))
  AND type NOT IN (SELECT value FROM json_each(@exTypes))
ORDER BY`,
);

// -- @ids JSON array of task ids
const SELECT_STEPS_OF = `
SELECT ${STEPS_JSON_ARRAY} FROM steps WHERE task_id IN (SELECT value FROM json_each(@ids)) ORDER BY task_id, idx`;

// -- @ids JSON array of task ids, @node, @leaseUntil ms, @now ms. One statement for the whole
// batch (measured cheaper than one per task). started_at/deadline_at keep the stored values
// when set: a retry of a step keeps the task's clock.
const CLAIM_TASKS = `
UPDATE tasks SET
  status = 'running', locked_by = @node, lease_until = @leaseUntil, lease_token = lease_token + 1,
  started_at = COALESCE(started_at, @now), deadline_at = COALESCE(deadline_at, COALESCE(started_at, @now) + timeout_ms),
  updated_at = @now
WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'pending'`;

// -- @pairs JSON array of [task id, step index], @now ms: the claimed tasks' current steps.
const START_STEPS = `
UPDATE steps SET status = 'running', attempts = attempts + 1, started_at = @now, ended_at = NULL, message = NULL
WHERE (task_id, idx) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(@pairs))`;

// -- @id task id, @idx step index, @now ms
/** Starts a step: shared by claims and by a chain going on under the same lease. */
export const START_STEP = `
UPDATE steps SET status = 'running', attempts = attempts + 1, started_at = @now, ended_at = NULL, message = NULL
WHERE task_id = @id AND idx = @idx`;

/** Under cluster-wide limits: read `scan` ready rows, claim the ones `choose` keeps (see limits.ts). */
export interface LimitedPick {
  scan: number;
  exhaustedQueues: string[];
  exhaustedTypes: string[];
  choose(rows: TaskRow[]): TaskRow[];
}

/**
 * `Store.claimTasks` inside the caller's write transaction: one indexed read of the tasks,
 * one of their steps, then two updates for the whole batch; the rows read are patched to match.
 */
export function claimTasks(conn: SqliteConnection, req: ClaimRequest, limited?: LimitedPick): ClaimedTask[] {
  if (req.limit < 1 || req.queues.length === 0 || req.executors.length === 0) return [];
  const now = req.now.getTime();
  const params = { now, queues: JSON.stringify(req.queues), executors: JSON.stringify(req.executors), limit: Math.floor(req.limit) };
  const tuples = (
    limited
      ? conn.raw(SELECT_READY_LIMITED).all({ ...params, limit: limited.scan, exQueues: JSON.stringify(limited.exhaustedQueues), exTypes: JSON.stringify(limited.exhaustedTypes) })
      : conn.raw(SELECT_READY).all(params)
  ) as unknown[][];
  if (tuples.length === 0) return [];
  const rows = limited ? limited.choose(tuples.map(taskRowFromJsonTuple)) : tuples.map(taskRowFromJsonTuple);
  if (rows.length === 0) return [];
  const stepsByTask = new Map<string, StepRow[]>();
  for (const tuple of conn.raw(SELECT_STEPS_OF).all({ ids: JSON.stringify(rows.map((r) => r.id)) }) as unknown[][]) {
    const step = stepRowFromJsonTuple(tuple);
    let list = stepsByTask.get(step.task_id);
    if (list === undefined) stepsByTask.set(step.task_id, (list = []));
    list.push(step);
  }
  const leaseUntil = now + req.leaseMs;
  const claimedCount = conn.stmt(CLAIM_TASKS).run({ ids: JSON.stringify(rows.map((r) => r.id)), node: req.nodeId, leaseUntil, now }).changes;
  // Read in this same write transaction as pending: every one must have moved.
  if (claimedCount !== rows.length) throw new Error(`claim moved ${claimedCount} of ${rows.length} tasks read as pending`);
  conn.stmt(START_STEPS).run({ pairs: JSON.stringify(rows.map((r) => [r.id, r.current_step])), now });
  const claimed: ClaimedTask[] = [];
  for (const row of rows) {
    const startedAt = row.started_at ?? now;
    const deadlineAt = row.deadline_at ?? (row.timeout_ms === null ? null : startedAt + row.timeout_ms);
    // The same changes, on the rows already in hand.
    row.status = "running";
    row.locked_by = req.nodeId;
    row.lease_until = leaseUntil;
    row.lease_token += 1;
    row.started_at = startedAt;
    row.deadline_at = deadlineAt;
    row.updated_at = now;
    const steps = stepsByTask.get(row.id) ?? [];
    const step = steps[row.current_step];
    step.status = "running";
    step.attempts += 1;
    step.started_at = now;
    step.ended_at = null;
    step.message = null;
    claimed.push({ task: mapTaskRow(row, steps), lease: { taskId: row.id, nodeId: req.nodeId, token: row.lease_token } });
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
