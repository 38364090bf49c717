// The task event log on SQLite: bounded reads for the live stream and age-based retention.
// Rows are written by the triggers of migration 0008, never by this code.
import type { TaskEvent, TaskEventKind } from "../../core/task-event.js";
import type { TaskStatus, StepStatus } from "../../core/status.js";
import type { TaskEventPage, TaskEventQuery } from "../store.js";
import { checkTaskEventQuery, scannedPage, scanUpperBound } from "../task-event-scan.js";
import type { SqliteConnection } from "./sqlite-connection.js";

interface TaskEventRow {
  id: number;
  tenant: string;
  task_id: string;
  definition_id: string | null;
  kind: string;
  step: string | null;
  attempt: number | null;
  status: string;
  message: string | null;
  created_at: number;
}

// -- no parameters. One writer at a time: every committed id is final, the largest is the horizon.
const SELECT_LATEST = `SELECT COALESCE(max(id), 0) AS id FROM task_events`;

// -- @after id
const SELECT_FIRST_AFTER = `SELECT min(id) AS id FROM task_events WHERE id > @after`;

// -- @after id, @upper id, @tenant or NULL, @taskId or NULL, @definitionId or NULL, @limit
const SELECT_EVENTS = `
SELECT id, tenant, task_id, definition_id, kind, step, attempt, status, message, created_at
FROM task_events
WHERE id > @after AND id <= @upper
  AND (@tenant IS NULL OR tenant = @tenant)
  AND (@taskId IS NULL OR task_id = @taskId)
  AND (@definitionId IS NULL OR definition_id = @definitionId)
ORDER BY id LIMIT @limit`;

// -- @before ms, @limit. Walks at most @limit of the oldest rows (ids follow recording time)
// and deletes those before the first one recorded at or after @before; the newest row stays
// so its rowid is never reused.
const DELETE_BEFORE = `
WITH oldest AS (SELECT id, created_at FROM task_events ORDER BY id LIMIT @limit)
DELETE FROM task_events
WHERE id IN (SELECT id FROM oldest)
  AND id < COALESCE((SELECT min(id) FROM oldest WHERE created_at >= @before), 9223372036854775807)
  AND id < (SELECT max(id) FROM task_events)`;

/** Maps a row to the domain event. */
export function mapTaskEventRow(row: TaskEventRow): TaskEvent {
  return {
    id: row.id,
    tenant: row.tenant,
    taskId: row.task_id,
    definitionId: row.definition_id,
    kind: row.kind as TaskEventKind,
    step: row.step,
    attempt: row.attempt,
    status: row.status as TaskStatus | StepStatus,
    message: row.message,
    createdAt: new Date(row.created_at),
  };
}

/** `Store.latestTaskEventId`. */
export function latestTaskEventId(conn: SqliteConnection): number {
  return (conn.stmt(SELECT_LATEST).get() as { id: number }).id;
}

/** `Store.listTaskEvents`; run inside one read transaction (one snapshot for every statement). */
export function listTaskEvents(conn: SqliteConnection, query: TaskEventQuery): TaskEventPage {
  checkTaskEventQuery(query);
  const latest = latestTaskEventId(conn);
  const first = (conn.stmt(SELECT_FIRST_AFTER).get({ after: query.afterId }) as { id: number | null }).id;
  const upper = scanUpperBound(first, latest);
  const events =
    upper === null
      ? []
      : (
          conn.stmt(SELECT_EVENTS).all({
            after: query.afterId,
            upper,
            tenant: query.tenant,
            taskId: query.taskId ?? null,
            definitionId: query.definitionId ?? null,
            limit: query.limit,
          }) as TaskEventRow[]
        ).map(mapTaskEventRow);
  return scannedPage({ events, limit: query.limit, afterId: query.afterId, upper, horizon: latest, latestId: latest });
}

/** `Store.deleteTaskEventsBefore`, inside the caller's write transaction. */
export function deleteTaskEventsBefore(conn: SqliteConnection, before: Date, limit: number): number {
  return conn.stmt(DELETE_BEFORE).run({ before: before.getTime(), limit }).changes;
}
