// Task statistics over a time window: what the dashboard's charts and `GET /api/v1/stats` show.

/** A statistics request: tasks that ended in [from, to), bucketed by `bucketMs`. */
export interface TaskStatsRequest {
  /** The tenant, or null for every tenant. */
  tenant: string | null;
  from: Date;
  to: Date;
  /** Width of a throughput bucket; the window is cut into ceil((to - from) / bucketMs) buckets. */
  bucketMs: number;
  /** For the oldest ready task (pending with runAt <= now). */
  now: Date;
}

/** Tasks that ended in one bucket, by outcome. */
export interface StatsBucket {
  start: Date;
  succeeded: number;
  /** `failed` and `timeout`. */
  failed: number;
  cancelled: number;
}

/** Execution time of the tasks of one type that succeeded in the window (nearest-rank percentiles). */
export interface TypeDurations {
  type: string;
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The ready task that has waited longest for a worker. */
export interface OldestReadyTask {
  id: string;
  type: string;
  queue: string;
  runAt: Date;
}

/** What the store computes for `taskStats`. */
export interface TaskStats {
  /** Every bucket of the window, oldest first (empty ones included, zeros). */
  buckets: StatsBucket[];
  durations: TypeDurations[];
  oldestReady: OldestReadyTask | null;
}

/** A bucket count row as the stores read it: bucket number, terminal status, count. */
export interface BucketCountRow {
  bucket: number;
  status: string;
  count: number;
}

/** Every bucket of the request's window, with the stores' counts filled in (zeros elsewhere). */
export function fillBuckets(req: Pick<TaskStatsRequest, "from" | "to" | "bucketMs">, rows: readonly BucketCountRow[]): StatsBucket[] {
  const n = Math.max(1, Math.ceil((req.to.getTime() - req.from.getTime()) / req.bucketMs));
  const buckets: StatsBucket[] = Array.from({ length: n }, (_, i) => ({
    start: new Date(req.from.getTime() + i * req.bucketMs),
    succeeded: 0,
    failed: 0,
    cancelled: 0,
  }));
  for (const row of rows) {
    const bucket = buckets[row.bucket];
    if (bucket === undefined) continue;
    if (row.status === "succeeded") bucket.succeeded += row.count;
    else if (row.status === "failed" || row.status === "timeout") bucket.failed += row.count;
    else if (row.status === "cancelled") bucket.cancelled += row.count;
  }
  return buckets;
}
