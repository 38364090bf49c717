// Callback deliveries of the SQLite store: claim due deliveries under a token, record outcomes.
import type { CallbackJob, ClaimCallbacksRequest, CompleteCallbackRequest } from "../store.js";
import { mapTaskRow, taskRowFromTuple, TASKS_COLUMNS } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { selectStepRows } from "./task-reads.js";

/** Only tasks every one of whose callbacks the claimer has. */
const ALL_NAMES_SERVED = `NOT EXISTS (SELECT 1 FROM json_each(tasks.callbacks) WHERE value NOT IN (SELECT value FROM json_each(@names)))`;

// -- @now ms, @names JSON array, @limit; due first deliveries and retries
const SELECT_DUE = `
SELECT id FROM tasks INDEXED BY tasks_callback_due
WHERE callback_status = 'pending' AND callback_run_at <= @now AND ${ALL_NAMES_SERVED}
ORDER BY callback_run_at LIMIT @limit`;

// -- @now ms, @names JSON array, @limit; deliveries whose claimer stopped before finishing
const SELECT_ABANDONED = `
SELECT id FROM tasks INDEXED BY tasks_callback_lease
WHERE callback_status = 'running' AND callback_lease_until < @now AND ${ALL_NAMES_SERVED}
ORDER BY callback_lease_until LIMIT @limit`;

// -- @id, @now ms, @leaseUntil ms; the status guard re-checks what the SELECT saw
const CLAIM_CALLBACK = `
UPDATE tasks SET callback_status = 'running', callback_token = callback_token + 1,
  callback_attempts = callback_attempts + 1, callback_lease_until = @leaseUntil, updated_at = @now
WHERE id = @id AND status IN ('succeeded', 'failed', 'timeout', 'cancelled') AND callbacks <> '[]'
  AND ((callback_status = 'pending' AND callback_run_at <= @now) OR (callback_status = 'running' AND callback_lease_until < @now))
RETURNING ${TASKS_COLUMNS}`;

/** `Store.claimCallbacks` inside the caller's write transaction; each delivery gets a new token. */
export function claimCallbacks(conn: SqliteConnection, req: ClaimCallbacksRequest): CallbackJob[] {
  const limit = Math.floor(req.limit);
  if (limit < 1 || req.names.length === 0) return [];
  const now = req.now.getTime();
  const names = JSON.stringify(req.names);
  const ids = (conn.stmt(SELECT_DUE).all({ now, names, limit }) as { id: string }[]).map((r) => r.id);
  if (ids.length < limit) {
    for (const r of conn.stmt(SELECT_ABANDONED).all({ now, names, limit: limit - ids.length }) as { id: string }[]) ids.push(r.id);
  }
  const jobs: CallbackJob[] = [];
  for (const id of ids) {
    const tuple = conn.raw(CLAIM_CALLBACK).get({ id, now, leaseUntil: now + req.leaseMs }) as unknown[] | undefined;
    if (tuple === undefined) continue;
    const row = taskRowFromTuple(tuple);
    jobs.push({ task: mapTaskRow(row, selectStepRows(conn, id)), token: row.callback_token, attempt: row.callback_attempts });
  }
  return jobs;
}

// -- @id, @token, @status, @message, @runAt ms or NULL (keep), @now ms
const COMPLETE_CALLBACK = `
UPDATE tasks SET callback_status = @status, callback_message = @message,
  callback_run_at = COALESCE(@runAt, callback_run_at), callback_lease_until = NULL, updated_at = @now
WHERE id = @id AND callback_token = @token AND callback_status = 'running'`;

/** `Store.completeCallback`: false when the token moved on or the delivery is not running. */
export function completeCallback(conn: SqliteConnection, taskId: string, token: number, req: CompleteCallbackRequest): boolean {
  const retry = req.status === "failed" && req.retryAt !== null;
  const status = req.status === "succeeded" ? "succeeded" : retry ? "pending" : "failed";
  const runAt = retry ? req.retryAt!.getTime() : null;
  return conn.stmt(COMPLETE_CALLBACK).run({ id: taskId, token, status, message: req.message, runAt, now: req.now.getTime() }).changes === 1;
}
