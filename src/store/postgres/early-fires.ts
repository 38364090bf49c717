// Withdrawing fires made ahead of their time (the scheduler's fire-ahead window) when their
// definition is disabled or deleted before that time: "a disabled definition never fires" holds
// even for a task that already exists, because it has not run and may not run yet.
import { EARLY_FIRE_WITHDRAWN_MESSAGE } from "../../core/definition.js";
import type { SqlRunner } from "./postgres-connection.js";
import { msBetween } from "./row-mapping.js";

// -- $1 definition id, $2 now, $3 message. A pending task with a future scheduled time was fired
// ahead (a catch-up fire is never in the future). The same writes as cancelling a pending task.
const WITHDRAW_EARLY_FIRES = `
WITH u AS (
  UPDATE tasks t SET status = 'cancelled', message = $3, ended_at = $2::timestamptz,
    execution_ms = ${msBetween("$2::timestamptz", "t.started_at")}, locked_by = NULL, lease_until = NULL,
    lease_token = t.lease_token + 1, updated_at = $2::timestamptz,
    callback_status = CASE WHEN cardinality(t.callbacks) > 0 THEN 'pending' END,
    callback_run_at = CASE WHEN cardinality(t.callbacks) > 0 THEN $2::timestamptz END,
    callback_attempts = 0, callback_message = NULL, callback_lease_until = NULL
  WHERE t.definition_id = $1 AND t.status = 'pending' AND t.scheduled_at > $2::timestamptz
  RETURNING t.id, t.current_step
), s AS (
  UPDATE steps s SET status = 'cancelled', message = $3, ended_at = $2::timestamptz,
    execution_ms = ${msBetween("$2::timestamptz", "s.started_at")}
  FROM u WHERE s.task_id = u.id AND s.idx = u.current_step
)
SELECT id FROM u`;

/**
 * Cancels the definition's not-yet-due fired-ahead tasks; returns their ids. Run it in the
 * transaction that disabled or locked the definition: a fire of the same definition either
 * committed before (its tasks are seen here) or fails its compare-and-set after.
 */
export async function withdrawEarlyFires(tx: SqlRunner, definitionId: string, now: Date): Promise<string[]> {
  const result = await tx.query<{ id: string }>(WITHDRAW_EARLY_FIRES, [definitionId, now, EARLY_FIRE_WITHDRAWN_MESSAGE]);
  return result.rows.map((r) => r.id);
}
