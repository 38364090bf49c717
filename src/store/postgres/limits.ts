// Cluster-wide limits on PostgreSQL: storage, a short per-process cache for the fast path,
// and the limited claim (limit rows locked, running steps counted, budgets spent).
import type { LimitState, TaskLimit } from "../../core/task-limit.js";
import { computeClaimBudgets, exhausted, pickWithinBudgets } from "../../core/task-limit.js";
import type { SqlRunner } from "./postgres-connection.js";

interface LimitRow {
  scope: "queue" | "type";
  name: string;
  max_running: number | null;
  rate_count: number | null;
  rate_interval_ms: number | null;
  window_start: Date | null;
  window_used: number;
}

function toState(r: LimitRow): LimitState {
  return {
    scope: r.scope,
    name: r.name,
    maxRunning: r.max_running,
    rate: r.rate_count !== null && r.rate_interval_ms !== null ? { count: r.rate_count, intervalMs: Number(r.rate_interval_ms) } : null,
    windowStartMs: r.window_start ? r.window_start.getTime() : null,
    windowUsed: r.window_used,
  };
}

// $1 scope, $2 name, $3 max running, $4 rate count, $5 rate interval ms
const UPSERT_LIMIT = `
  INSERT INTO task_limits (scope, name, max_running, rate_count, rate_interval_ms)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (scope, name) DO UPDATE SET
    max_running = excluded.max_running, rate_count = excluded.rate_count,
    rate_interval_ms = excluded.rate_interval_ms, window_start = NULL, window_used = 0`;
// $1 scope, $2 name
const DELETE_LIMIT = `DELETE FROM task_limits WHERE scope = $1 AND name = $2`;
const LIST_LIMITS = `SELECT * FROM task_limits ORDER BY scope, name`;

/** `Store.setLimit`. */
export async function setLimit(db: SqlRunner, limit: TaskLimit): Promise<void> {
  if (limit.maxRunning === null && limit.rate === null) {
    await db.prepared(DELETE_LIMIT, [limit.scope, limit.name]);
    return;
  }
  await db.prepared(UPSERT_LIMIT, [limit.scope, limit.name, limit.maxRunning, limit.rate?.count ?? null, limit.rate?.intervalMs ?? null]);
}

/** `Store.listLimits`. */
export async function listLimits(db: SqlRunner): Promise<TaskLimit[]> {
  return (await db.prepared<LimitRow>(LIST_LIMITS)).rows.map((r) => {
    const { windowStartMs: _w, windowUsed: _u, ...limit } = toState(r);
    return limit;
  });
}

/**
 * The limits as of at most `ttlMs` ago: claims with no applicable limit skip the limited path.
 * A change made elsewhere is honoured within `ttlMs`. Past half the TTL a claim still uses the
 * cached value and re-reads in the background, so a worker that claims often never waits for
 * this read (it used to put a round trip in front of one claim per second).
 */
export class LimitCache {
  private value: TaskLimit[] | null = null;
  private readAtMs = 0;
  private reading: Promise<TaskLimit[]> | null = null;
  /** Bumped by invalidate(): a read begun before it must not store what it read. */
  private generation = 0;

  constructor(private readonly db: SqlRunner, private readonly ttlMs = 1000) {}

  /** Cached limits (re-read when older than the TTL; refreshed ahead past half of it). */
  async get(): Promise<TaskLimit[]> {
    const ageMs = Date.now() - this.readAtMs;
    if (this.value && ageMs < this.ttlMs) {
      if (ageMs >= this.ttlMs / 2) this.read().catch(() => {});
      return this.value;
    }
    return this.read();
  }

  private read(): Promise<TaskLimit[]> {
    if (this.reading) return this.reading;
    const generation = this.generation;
    const reading = listLimits(this.db).then(
      (v) => {
        if (generation === this.generation) {
          this.value = v;
          this.readAtMs = Date.now();
        }
        if (this.reading === reading) this.reading = null;
        return v;
      },
      (err: unknown) => {
        if (this.reading === reading) this.reading = null;
        throw err;
      },
    );
    this.reading = reading;
    return reading;
  }

  /** Forget the cache (after this process changed a limit). */
  invalidate(): void {
    this.value = null;
    this.reading = null;
    this.generation++;
  }
}

// $1 queues of the claim: the limits that can apply, locked in key order (no deadlocks)
const LOCK_LIMITS = `
  SELECT * FROM task_limits
  WHERE scope = 'type' OR (scope = 'queue' AND name = ANY($1::text[]))
  ORDER BY scope, name
  FOR UPDATE`;
// $1 limited queues, $2 limited types: running steps per queue and per type
const COUNT_RUNNING = `
  SELECT current_queue AS queue, type, count(*)::int AS n FROM tasks
  WHERE status = 'running' AND (current_queue = ANY($1::text[]) OR type = ANY($2::text[]))
  GROUP BY current_queue, type`;
// $1 now, $2 queues, $3 executors, $4 exhausted queues, $5 exhausted types, $6 how many
const CANDIDATES = `
  SELECT r.id, r.current_queue AS queue, r.type FROM tasks r
  WHERE r.status = 'pending' AND r.run_at <= $1::timestamptz AND NOT r.cancel_requested
    AND r.current_queue = ANY($2::text[]) AND r.current_executor = ANY($3::text[])
    AND r.current_queue <> ALL($4::text[]) AND r.type <> ALL($5::text[])
  ORDER BY r.priority DESC, r.run_at, r.id
  LIMIT $6
  FOR UPDATE SKIP LOCKED`;
// $1 queue, $2 window start, $3 window used
const SAVE_WINDOW = `UPDATE task_limits SET window_start = $2, window_used = $3 WHERE scope = 'queue' AND name = $1`;

/**
 * Inside a claim transaction: locks the applicable limits, and returns the ids (in claim
 * order) of at most `limit` ready tasks that fit their budgets, saving the rate windows spent.
 */
export async function pickLimited(
  tx: SqlRunner,
  req: { queues: string[]; executors: string[]; limit: number; now: Date },
): Promise<string[]> {
  const limits = (await tx.query<LimitRow>(LOCK_LIMITS, [req.queues])).rows.map(toState);
  const limitedQueues = limits.filter((l) => l.scope === "queue").map((l) => l.name);
  const limitedTypes = limits.filter((l) => l.scope === "type").map((l) => l.name);
  const running = { queue: new Map<string, number>(), type: new Map<string, number>() };
  if (limits.some((l) => l.maxRunning !== null)) {
    for (const r of (await tx.query<{ queue: string; type: string; n: number }>(COUNT_RUNNING, [limitedQueues, limitedTypes])).rows) {
      running.queue.set(r.queue, (running.queue.get(r.queue) ?? 0) + r.n);
      running.type.set(r.type, (running.type.get(r.type) ?? 0) + r.n);
    }
  }
  const budgets = computeClaimBudgets(limits, running, req.now.getTime());
  const out = exhausted(budgets);
  // Scan past candidates the budgets will reject, but boundedly.
  const candidates = (
    await tx.query<{ id: string; queue: string; type: string }>(CANDIDATES, [req.now, req.queues, req.executors, out.queues, out.types, req.limit * 4])
  ).rows;
  const picked = pickWithinBudgets(candidates, budgets, req.limit);
  for (const [queue, w] of budgets.windows) await tx.query(SAVE_WINDOW, [queue, new Date(w.startMs), w.used]);
  return picked.map((c) => c.id);
}
