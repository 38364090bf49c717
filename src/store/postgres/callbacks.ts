// Callback deliveries of the PostgreSQL store: claim due deliveries under a token, record outcomes.
import type { CallbackJob, ClaimCallbacksRequest, CompleteCallbackRequest } from "../store.js";
import type { SqlRunner } from "./postgres-connection.js";
import { mapTaskRow, TASK_WITH_STEPS, type TaskRow } from "./row-mapping.js";

// -- $1 now, $2 callback names served, $3 limit, $4 callback lease until.
// Due first deliveries and retries, then deliveries whose claimer stopped before finishing;
// only tasks every one of whose callbacks the claimer has (`callbacks <@ names`). SKIP LOCKED
// lets several nodes claim at once without waiting on each other. The UPDATE re-checks what
// the pick saw.
const CLAIM_CALLBACKS = `
WITH due AS (
  SELECT id, 0 AS kind, callback_run_at AS at FROM tasks
  WHERE callback_status = 'pending' AND callback_run_at <= $1::timestamptz AND callbacks <@ $2::text[]
  ORDER BY callback_run_at LIMIT $3
  FOR UPDATE SKIP LOCKED
), abandoned AS (
  SELECT id, 1 AS kind, callback_lease_until AS at FROM tasks
  WHERE callback_status = 'running' AND callback_lease_until < $1::timestamptz AND callbacks <@ $2::text[]
  ORDER BY callback_lease_until LIMIT $3
  FOR UPDATE SKIP LOCKED
), picked AS (
  SELECT * FROM (SELECT * FROM due UNION ALL SELECT * FROM abandoned) x ORDER BY kind, at LIMIT $3
), claimed AS (
  UPDATE tasks t SET callback_status = 'running', callback_token = t.callback_token + 1,
    callback_attempts = t.callback_attempts + 1, callback_lease_until = $4::timestamptz, updated_at = $1::timestamptz
  FROM picked p
  WHERE t.id = p.id AND t.status IN ('succeeded', 'failed', 'timeout', 'cancelled') AND cardinality(t.callbacks) > 0
    AND ((t.callback_status = 'pending' AND t.callback_run_at <= $1::timestamptz)
      OR (t.callback_status = 'running' AND t.callback_lease_until < $1::timestamptz))
  RETURNING t.*, p.kind AS pick_kind, p.at AS pick_at
)
SELECT ${TASK_WITH_STEPS} FROM claimed t ORDER BY t.pick_kind, t.pick_at`;

/** `Store.claimCallbacks`: one statement; each delivery gets a new token. */
export async function claimCallbacks(db: SqlRunner, req: ClaimCallbacksRequest): Promise<CallbackJob[]> {
  const limit = Math.floor(req.limit);
  if (!(limit >= 1) || req.names.length === 0) return [];
  const leaseUntil = new Date(req.now.getTime() + req.leaseMs);
  const rows = (await db.prepared<TaskRow>(CLAIM_CALLBACKS, [req.now, req.names, limit, leaseUntil])).rows;
  return rows.map((row) => ({ task: mapTaskRow(row), token: row.callback_token, attempt: row.callback_attempts }));
}

// -- $1 task id, $2 token, $3 status, $4 message, $5 run at or NULL (keep), $6 now
const COMPLETE_CALLBACK = `
UPDATE tasks SET callback_status = $3::text, callback_message = $4::text,
  callback_run_at = COALESCE($5::timestamptz, callback_run_at), callback_lease_until = NULL, updated_at = $6::timestamptz
WHERE id = $1 AND callback_token = $2::int AND callback_status = 'running'`;

/** `Store.completeCallback`: false when the token moved on or the delivery is not running. */
export async function completeCallback(db: SqlRunner, taskId: string, token: number, req: CompleteCallbackRequest): Promise<boolean> {
  const retry = req.status === "failed" && req.retryAt !== null;
  const status = req.status === "succeeded" ? "succeeded" : retry ? "pending" : "failed";
  const result = await db.prepared(COMPLETE_CALLBACK, [taskId, token, status, req.message, retry ? req.retryAt : null, req.now]);
  return result.rowCount === 1;
}
