// Firing definitions on SQLite: per fire, a compare-and-set on (enabled, version, nextFireAt)
// that moves nextFireAt, then its tasks and skip records — all inside the caller's write, so
// a fire is written whole or not at all and never twice.
import type { DefinitionFire, DefinitionFireOutcome, NewSkippedFire } from "../store.js";
import type { Task } from "../../core/task.js";
import { insertTask } from "./dispatch.js";
import { toMs } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";

// -- @id, @version expected, @expected next ms (or null), @next ms, @lastFire ms, @lastTask
// `IS` compares NULL with NULL as equal: a definition with no planned fire can be guarded too.
const MOVE = `
UPDATE definitions SET next_fire_at = @next, version = version + 1,
  last_fire_at = coalesce(@lastFire, last_fire_at), last_task_id = coalesce(@lastTask, last_task_id)
WHERE id = @id AND enabled = 1 AND version = @version AND next_fire_at IS @expected`;

// -- @definitionId, @scheduledAt ms, @count, @reason, @blockingTaskId, @now ms
const INSERT_SKIP = `
INSERT INTO definition_skips (definition_id, scheduled_at, count, reason, blocking_task_id, recorded_at)
VALUES (@definitionId, @scheduledAt, @count, @reason, @blockingTaskId, @now)`;

function recordSkip(conn: SqliteConnection, definitionId: string, skip: NewSkippedFire, now: Date): void {
  conn.stmt(INSERT_SKIP).run({
    definitionId,
    scheduledAt: skip.scheduledAt.getTime(),
    count: skip.count,
    reason: skip.reason,
    blockingTaskId: skip.blockingTaskId,
    now: now.getTime(),
  });
}

/** `Store.fireDefinitions`, inside one write transaction. */
export function fireDefinitions(conn: SqliteConnection, fires: DefinitionFire[], now: Date): DefinitionFireOutcome[] {
  return fires.map((fire): DefinitionFireOutcome => {
    const lastTask = fire.tasks[fire.tasks.length - 1];
    const moved = conn.stmt(MOVE).run({
      id: fire.definitionId,
      version: fire.expectedVersion,
      expected: toMs(fire.expectedNextFireAt),
      next: toMs(fire.nextFireAt),
      lastFire: toMs(lastTask?.scheduledAt ?? null),
      lastTask: lastTask?.id ?? null,
    });
    if (moved.changes !== 1) return { fired: false, reason: "moved" };
    const created: Task[] = [];
    for (const task of fire.tasks) {
      const result = insertTask(conn, task, "return");
      if (result.created) created.push(result.task);
      else recordSkip(conn, fire.definitionId, { scheduledAt: task.scheduledAt ?? now, count: 1, reason: "duplicate", blockingTaskId: result.task.id }, now);
    }
    for (const skip of fire.skips) recordSkip(conn, fire.definitionId, skip, now);
    return { fired: true, tasks: created };
  });
}
