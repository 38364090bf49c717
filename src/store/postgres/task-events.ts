// The task event log on PostgreSQL: bounded reads below the safe horizon for the live stream,
// and age-based retention. Rows are written by the triggers of migration 0007.
import type { TaskEvent, TaskEventKind } from "../../core/task-event.js";
import type { StepStatus, TaskStatus } from "../../core/status.js";
import type { TaskEventPage, TaskEventQuery } from "../store.js";
import { checkTaskEventQuery, scannedPage, TASK_EVENT_SCAN_WINDOW } from "../task-event-scan.js";
import type { EventHorizon } from "./event-horizon.js";
import type { PostgresConnection } from "./postgres-connection.js";

interface TaskEventRow {
  upper: number | null;
  id: number | null;
  tenant: string;
  task_id: string;
  definition_id: string | null;
  kind: string;
  step: string | null;
  attempt: number | null;
  status: string;
  message: string | null;
  created_at: Date;
}

// -- $1 after id, $2 horizon, $3 tenant or NULL, $4 task id or NULL, $5 definition id or NULL,
// -- $6 limit, $7 scan window. One row per event, or one row of NULLs (still carrying `upper`):
// the window (after, upper] starts at the first stored id after $1 and stops at the horizon.
const SELECT_EVENTS = `
WITH bounds AS (
  SELECT LEAST($2::bigint, min(id) - 1 + $7::bigint) AS upper FROM task_events WHERE id > $1::bigint AND id <= $2::bigint
)
SELECT b.upper, e.id, e.tenant, e.task_id, e.definition_id, e.kind, e.step, e.attempt, e.status, e.message, e.created_at
FROM bounds b LEFT JOIN LATERAL (
  SELECT * FROM task_events
  WHERE id > $1::bigint AND id <= b.upper
    AND ($3::text IS NULL OR tenant = $3::text)
    AND ($4::text IS NULL OR task_id = $4::text)
    AND ($5::text IS NULL OR definition_id = $5::text)
  ORDER BY id LIMIT $6::int
) e ON true
ORDER BY e.id`;

// -- $1 before, $2 limit. Walks at most $2 of the oldest rows (ids roughly follow recording
// time) and deletes those before the first one recorded at or after $1. The newest row stays,
// as on SQLite (where it keeps rowids from being reused), so both stores behave alike.
const DELETE_BEFORE = `
WITH oldest AS (SELECT id, created_at FROM task_events ORDER BY id LIMIT $2::int)
DELETE FROM task_events
WHERE id IN (SELECT id FROM oldest)
  AND id < COALESCE((SELECT min(id) FROM oldest WHERE created_at >= $1::timestamptz), 9223372036854775807)
  AND id < (SELECT max(id) FROM task_events)`;

function mapRow(row: TaskEventRow): TaskEvent {
  return {
    id: Number(row.id),
    tenant: row.tenant,
    taskId: row.task_id,
    definitionId: row.definition_id,
    kind: row.kind as TaskEventKind,
    step: row.step,
    attempt: row.attempt,
    status: row.status as TaskStatus | StepStatus,
    message: row.message,
    createdAt: row.created_at,
  };
}

/** `Store.latestTaskEventId`: the safe horizon. */
export async function latestTaskEventId(conn: PostgresConnection, horizon: EventHorizon): Promise<number> {
  return (await horizon.advance(conn)).horizon;
}

/** `Store.listTaskEvents`. */
export async function listTaskEvents(conn: PostgresConnection, horizon: EventHorizon, query: TaskEventQuery): Promise<TaskEventPage> {
  checkTaskEventQuery(query);
  const bounds = await horizon.advance(conn);
  const { rows } = await conn.query<TaskEventRow>(SELECT_EVENTS, [
    query.afterId,
    bounds.horizon,
    query.tenant,
    query.taskId ?? null,
    query.definitionId ?? null,
    query.limit,
    TASK_EVENT_SCAN_WINDOW,
  ]);
  const upper = rows[0]?.upper ?? null;
  const events = rows.filter((r) => r.id !== null).map(mapRow);
  return scannedPage({
    events,
    limit: query.limit,
    afterId: query.afterId,
    upper: upper === null ? null : Number(upper),
    horizon: bounds.horizon,
    latestId: bounds.latestId,
  });
}

/** `Store.deleteTaskEventsBefore`. */
export async function deleteTaskEventsBefore(conn: PostgresConnection, before: Date, limit: number): Promise<number> {
  return (await conn.query(DELETE_BEFORE, [before, limit])).rowCount ?? 0;
}
