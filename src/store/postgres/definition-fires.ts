// Firing definitions on PostgreSQL: every fire of a batch is a compare-and-set on (enabled,
// version, nextFireAt) that moves nextFireAt; the tasks and skip records of the fires that won
// are written in the same transaction, so a fire is written whole or not at all and never
// twice. One transaction and three statements per batch, whatever its size.
import type { Task } from "../../core/task.js";
import type { DefinitionFire, DefinitionFireOutcome, NewSkippedFire } from "../store.js";
import { findActiveDuplicatesIn, insertTasksIn } from "./dispatch.js";
import type { PostgresConnection } from "./postgres-connection.js";
import { taskFromNewTask } from "./row-mapping.js";

// $1 ids, $2 expected versions, $3 expected next fire times (null allowed), $4 new next fire
// times, $5 last fire times (null: keep), $6 last task ids (null: keep)
// IS NOT DISTINCT FROM: a definition with no planned fire (null) can be guarded too.
const MOVE = `
UPDATE definitions AS d SET next_fire_at = x.next, version = d.version + 1,
  last_fire_at = coalesce(x.last_fire, d.last_fire_at), last_task_id = coalesce(x.last_task, d.last_task_id)
FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::text[])
  AS x(id, version, expected, next, last_fire, last_task)
WHERE d.id = x.id AND d.enabled AND d.version = x.version AND d.next_fire_at IS NOT DISTINCT FROM x.expected
RETURNING d.id`;

// $1 definition ids, $2 scheduled ats, $3 counts, $4 reasons, $5 blocking task ids, $6 now
const INSERT_SKIPS = `
INSERT INTO definition_skips (definition_id, scheduled_at, count, reason, blocking_task_id, recorded_at)
SELECT definition_id, scheduled_at, count, reason, blocking_task_id, $6
FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::text[], $5::text[]) AS x(definition_id, scheduled_at, count, reason, blocking_task_id)`;

/** `Store.fireDefinitions`. */
export async function fireDefinitions(conn: PostgresConnection, fires: DefinitionFire[], now: Date): Promise<DefinitionFireOutcome[]> {
  // Rows are locked in id order, so two concurrent callers (a leader change) never deadlock.
  const order = fires.map((_, i) => i).sort((a, b) => (fires[a].definitionId < fires[b].definitionId ? -1 : 1));
  const sorted = order.map((i) => fires[i]);
  return conn.transaction(async (tx) => {
    const last = sorted.map((f) => f.tasks[f.tasks.length - 1]);
    const won = new Set(
      (
        await tx.query<{ id: string }>(MOVE, [
          sorted.map((f) => f.definitionId),
          sorted.map((f) => f.expectedVersion),
          sorted.map((f) => f.expectedNextFireAt),
          sorted.map((f) => f.nextFireAt),
          last.map((t) => t?.scheduledAt ?? null),
          last.map((t) => t?.id ?? null),
        ])
      ).rows.map((r) => r.id),
    );
    const winners = fires.filter((f) => won.has(f.definitionId));
    const tasks = winners.flatMap((f) => f.tasks);
    const inserted = await insertTasksIn(tx, tasks);
    const clashed = tasks.filter((t) => !inserted.has(t.id));
    const holders = clashed.length > 0 ? await findActiveDuplicatesIn(tx, clashed) : [];
    const skips: (NewSkippedFire & { definitionId: string })[] = [];
    clashed.forEach((t, i) =>
      skips.push({ definitionId: t.definitionId!, scheduledAt: t.scheduledAt ?? now, count: 1, reason: "duplicate", blockingTaskId: holders[i] ?? null }),
    );
    for (const f of winners) for (const s of f.skips) skips.push({ ...s, definitionId: f.definitionId });
    if (skips.length > 0) {
      await tx.query(INSERT_SKIPS, [
        skips.map((s) => s.definitionId),
        skips.map((s) => s.scheduledAt),
        skips.map((s) => s.count),
        skips.map((s) => s.reason),
        skips.map((s) => s.blockingTaskId),
        now,
      ]);
    }
    return fires.map((f): DefinitionFireOutcome => {
      if (!won.has(f.definitionId)) return { fired: false, reason: "moved" };
      const created: Task[] = f.tasks.filter((t) => inserted.has(t.id)).map(taskFromNewTask);
      return { fired: true, tasks: created };
    });
  });
}
