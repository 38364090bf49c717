// Reads behind the Prometheus metrics on SQLite: task counts by status and type, queue depths.
import type { TaskStatus } from "../../core/status.js";
import type { QueueStats, TaskTypeCount } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";

// -- no parameters
const COUNT_BY_STATUS_AND_TYPE = `SELECT status, type, COUNT(*) AS n FROM tasks GROUP BY status, type ORDER BY status, type`;

// -- @now ms. Walks the partial index of pending rows, which carries queue, runAt and the cancel flag.
const PENDING_BY_QUEUE = `
SELECT current_queue AS queue,
  SUM(run_at <= @now AND cancel_requested = 0) AS ready,
  SUM(run_at > @now) AS scheduled,
  MIN(CASE WHEN run_at <= @now AND cancel_requested = 0 THEN run_at END) AS oldest
FROM tasks WHERE status = 'pending' GROUP BY current_queue`;

// -- no parameters. Walks the partial index of running rows (lease sweeps use it).
const RUNNING_BY_QUEUE = `SELECT current_queue AS queue, COUNT(*) AS n FROM tasks WHERE status = 'running' GROUP BY current_queue`;

/** `Store.countTasksByStatusAndType`. */
export function countTasksByStatusAndType(conn: SqliteConnection): TaskTypeCount[] {
  return (conn.stmt(COUNT_BY_STATUS_AND_TYPE).all() as { status: TaskStatus; type: string; n: number }[]).map((r) => ({
    status: r.status,
    type: r.type,
    count: r.n,
  }));
}

/** `Store.queueStats`; run inside one read transaction. */
export function queueStats(conn: SqliteConnection, now: Date): QueueStats[] {
  const byQueue = new Map<string, QueueStats>();
  const entry = (queue: string): QueueStats => {
    let stats = byQueue.get(queue);
    if (stats === undefined) byQueue.set(queue, (stats = { queue, ready: 0, scheduled: 0, running: 0, oldestReadyAt: null }));
    return stats;
  };
  const pending = conn.stmt(PENDING_BY_QUEUE).all({ now: now.getTime() }) as { queue: string; ready: number; scheduled: number; oldest: number | null }[];
  for (const r of pending) {
    const stats = entry(r.queue);
    stats.ready = r.ready;
    stats.scheduled = r.scheduled;
    stats.oldestReadyAt = r.oldest === null ? null : new Date(r.oldest);
  }
  for (const r of conn.stmt(RUNNING_BY_QUEUE).all() as { queue: string; n: number }[]) entry(r.queue).running = r.n;
  return [...byQueue.values()].sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
}
