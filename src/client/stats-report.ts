// The statistics report of `GET /api/v1/stats` (and the dashboard's charts): counts, success rate,
// throughput buckets, duration percentiles by type and the oldest waiting task over a window.
import type { TaskStatus } from "../core/status.js";
import type { StatsBucket, TypeDurations } from "../core/task-stats.js";
import { parseOrThrow } from "../core/validation/zod-errors.js";
import { statsQuerySchema } from "../core/validation/server-inputs.js";
import type { Store, TenantScope } from "../store/store.js";

/** The default window and bucket count. */
export const DEFAULT_STATS_WINDOW_MS = 3_600_000;
export const DEFAULT_STATS_BUCKETS = 60;

/** What `buildStatsReport` returns. */
export interface StatsReport {
  window: { from: Date; to: Date; ms: number; bucketMs: number };
  /** Tasks created in the window, by their status now. */
  counts: Record<TaskStatus, number>;
  /** Tasks that ended in the window, by outcome (`failed` includes `timeout`). */
  ended: { succeeded: number; failed: number; cancelled: number };
  /** succeeded / (succeeded + failed) of the tasks that ended in the window; null when none did. Cancelled tasks are left out (an operator's choice, not a failure). */
  successRate: number | null;
  /** Ended tasks per bucket, oldest first: the throughput and failure charts. */
  buckets: StatsBucket[];
  /** Execution time of the tasks that succeeded in the window, by type. */
  durations: TypeDurations[];
  /** The ready task that has waited longest for a worker (runAt passed), with how long. */
  oldestWaiting: { id: string; type: string; queue: string; runAt: Date; waitingMs: number } | null;
}

/** Validates a stats query (`{ window: "1h", buckets: 60 }`) and computes the report for `tenant`. */
export async function buildStatsReport(store: Store, tenant: TenantScope, query: unknown, now: Date = new Date()): Promise<StatsReport> {
  const q = parseOrThrow(statsQuerySchema, query ?? {}, "invalid stats query");
  const ms = q.window ?? DEFAULT_STATS_WINDOW_MS;
  const bucketMs = Math.max(1000, Math.ceil(ms / (q.buckets ?? DEFAULT_STATS_BUCKETS)));
  const from = new Date(now.getTime() - ms);
  const [counts, stats] = await Promise.all([
    store.countTasksByStatus({ tenant, createdFrom: from }),
    store.taskStats({ tenant, from, to: now, bucketMs, now }),
  ]);
  const ended = { succeeded: 0, failed: 0, cancelled: 0 };
  for (const b of stats.buckets) {
    ended.succeeded += b.succeeded;
    ended.failed += b.failed;
    ended.cancelled += b.cancelled;
  }
  const decided = ended.succeeded + ended.failed;
  const oldest = stats.oldestReady;
  return {
    window: { from, to: now, ms, bucketMs },
    counts,
    ended,
    successRate: decided === 0 ? null : ended.succeeded / decided,
    buckets: stats.buckets,
    durations: stats.durations,
    oldestWaiting: oldest ? { ...oldest, waitingMs: Math.max(0, now.getTime() - oldest.runAt.getTime()) } : null,
  };
}
