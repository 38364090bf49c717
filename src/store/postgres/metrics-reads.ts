// Reads behind the Prometheus metrics on PostgreSQL: task counts by status and type, queue depths.
import type { TaskStatus } from "../../core/status.js";
import type { QueueStats, TaskTypeCount } from "../store.js";
import type { SqlRunner } from "./postgres-connection.js";

// -- no parameters
const COUNT_BY_STATUS_AND_TYPE = `SELECT status, type, count(*) AS n FROM tasks GROUP BY status, type ORDER BY status, type`;

// -- $1 now. Pending rows only (the partial ready index), then running rows (the lease index).
const BY_QUEUE = `
SELECT current_queue AS queue,
  count(*) FILTER (WHERE status = 'pending' AND run_at <= $1 AND NOT cancel_requested) AS ready,
  count(*) FILTER (WHERE status = 'pending' AND run_at > $1) AS scheduled,
  count(*) FILTER (WHERE status = 'running') AS running,
  min(run_at) FILTER (WHERE status = 'pending' AND run_at <= $1 AND NOT cancel_requested) AS oldest
FROM (
  SELECT current_queue, status, run_at, cancel_requested FROM tasks WHERE status = 'pending'
  UNION ALL
  SELECT current_queue, status, run_at, cancel_requested FROM tasks WHERE status = 'running'
) active
GROUP BY current_queue ORDER BY current_queue COLLATE "C"`;

/** `Store.countTasksByStatusAndType`. */
export async function countTasksByStatusAndType(db: SqlRunner): Promise<TaskTypeCount[]> {
  const { rows } = await db.query<{ status: TaskStatus; type: string; n: number }>(COUNT_BY_STATUS_AND_TYPE);
  return rows.map((r) => ({ status: r.status, type: r.type, count: Number(r.n) }));
}

/** `Store.queueStats`. */
export async function queueStats(db: SqlRunner, now: Date): Promise<QueueStats[]> {
  const { rows } = await db.query<{ queue: string; ready: number; scheduled: number; running: number; oldest: Date | null }>(BY_QUEUE, [now]);
  return rows.map((r) => ({
    queue: r.queue,
    ready: Number(r.ready),
    scheduled: Number(r.scheduled),
    running: Number(r.running),
    oldestReadyAt: r.oldest,
  }));
}
