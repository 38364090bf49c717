// Withdrawing fires made ahead of their time (the scheduler's fire-ahead window) when their
// definition is disabled or deleted before that time: "a disabled definition never fires" holds
// even for a task that already exists, because it has not run and may not run yet.
import { EARLY_FIRE_WITHDRAWN_MESSAGE } from "../../core/definition.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { endTask, finishStep } from "./task-transitions.js";

// -- @definitionId, @now ms: the definition's tasks whose fire time has not come yet. A pending
// task with a future scheduled time was fired ahead (a catch-up fire is never in the future).
const SELECT_EARLY_FIRES = `
SELECT id, current_step FROM tasks
WHERE definition_id = @definitionId AND status = 'pending' AND scheduled_at > @now`;

/** Cancels the definition's not-yet-due fired-ahead tasks inside the caller's write; returns their ids. */
export function withdrawEarlyFires(conn: SqliteConnection, definitionId: string, now: Date): string[] {
  const at = now.getTime();
  const rows = conn.stmt(SELECT_EARLY_FIRES).all({ definitionId, now: at }) as { id: string; current_step: number }[];
  for (const row of rows) {
    finishStep(conn, row.id, row.current_step, "cancelled", EARLY_FIRE_WITHDRAWN_MESSAGE, at);
    endTask(conn, row.id, "cancelled", EARLY_FIRE_WITHDRAWN_MESSAGE, at, true);
  }
  return rows.map((r) => r.id);
}
