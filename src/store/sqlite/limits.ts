// Cluster-wide limits on SQLite: storage, and the limited claim. Writes are serialised by the
// file's write lock, so the counts read and the windows spent inside one claim are exact.
import type { LimitState, TaskLimit } from "../../core/task-limit.js";
import { computeClaimBudgets, exhausted, limitsApply, pickWithinBudgets } from "../../core/task-limit.js";
import type { ClaimRequest } from "../store.js";
import type { LimitedPick } from "./claim.js";
import type { TaskRow } from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";

interface LimitRow {
  scope: "queue" | "type";
  name: string;
  max_running: number | null;
  rate_count: number | null;
  rate_interval_ms: number | null;
  window_start: number | null;
  window_used: number;
}

function toState(r: LimitRow): LimitState {
  return {
    scope: r.scope,
    name: r.name,
    maxRunning: r.max_running,
    rate: r.rate_count !== null && r.rate_interval_ms !== null ? { count: r.rate_count, intervalMs: r.rate_interval_ms } : null,
    windowStartMs: r.window_start,
    windowUsed: r.window_used,
  };
}

// @scope, @name, @maxRunning, @rateCount, @rateIntervalMs
const UPSERT_LIMIT = `
  INSERT INTO task_limits (scope, name, max_running, rate_count, rate_interval_ms)
  VALUES (@scope, @name, @maxRunning, @rateCount, @rateIntervalMs)
  ON CONFLICT (scope, name) DO UPDATE SET
    max_running = excluded.max_running, rate_count = excluded.rate_count,
    rate_interval_ms = excluded.rate_interval_ms, window_start = NULL, window_used = 0`;
// @scope, @name
const DELETE_LIMIT = `DELETE FROM task_limits WHERE scope = @scope AND name = @name`;
const LIST_LIMITS = `SELECT * FROM task_limits ORDER BY scope, name`;

/** `Store.setLimit`. */
export function setLimit(conn: SqliteConnection, limit: TaskLimit): void {
  if (limit.maxRunning === null && limit.rate === null) {
    conn.stmt(DELETE_LIMIT).run({ scope: limit.scope, name: limit.name });
    return;
  }
  conn.stmt(UPSERT_LIMIT).run({
    scope: limit.scope,
    name: limit.name,
    maxRunning: limit.maxRunning,
    rateCount: limit.rate?.count ?? null,
    rateIntervalMs: limit.rate?.intervalMs ?? null,
  });
}

/** Limits with their window state. */
function readLimits(conn: SqliteConnection): LimitState[] {
  return (conn.stmt(LIST_LIMITS).all() as LimitRow[]).map(toState);
}

/** `Store.listLimits`. */
export function listLimits(conn: SqliteConnection): TaskLimit[] {
  return readLimits(conn).map(({ windowStartMs: _w, windowUsed: _u, ...limit }) => limit);
}

// @queues JSON array of limited queues, @types JSON array of limited types
const COUNT_RUNNING = `
  SELECT current_queue AS queue, type, count(*) AS n FROM tasks
  WHERE status = 'running'
    AND (current_queue IN (SELECT value FROM json_each(@queues)) OR type IN (SELECT value FROM json_each(@types)))
  GROUP BY current_queue, type`;
// @name queue, @start ms, @used
const SAVE_WINDOW = `UPDATE task_limits SET window_start = @start, window_used = @used WHERE scope = 'queue' AND name = @name`;

/**
 * Inside the claim's write: the pick under the limits that apply to `req`, or undefined when
 * none does (the plain claim). The scan reads past rows the budgets reject, boundedly.
 */
export function limitedPick(conn: SqliteConnection, req: ClaimRequest): LimitedPick | undefined {
  const limits = readLimits(conn);
  if (!limitsApply(limits, req.queues)) return undefined;
  const applicable = limits.filter((l) => l.scope === "type" || req.queues.includes(l.name));
  const running = { queue: new Map<string, number>(), type: new Map<string, number>() };
  if (applicable.some((l) => l.maxRunning !== null)) {
    const rows = conn.stmt(COUNT_RUNNING).all({
      queues: JSON.stringify(applicable.filter((l) => l.scope === "queue").map((l) => l.name)),
      types: JSON.stringify(applicable.filter((l) => l.scope === "type").map((l) => l.name)),
    }) as { queue: string; type: string; n: number }[];
    for (const r of rows) {
      running.queue.set(r.queue, (running.queue.get(r.queue) ?? 0) + r.n);
      running.type.set(r.type, (running.type.get(r.type) ?? 0) + r.n);
    }
  }
  const budgets = computeClaimBudgets(applicable, running, req.now.getTime());
  const out = exhausted(budgets);
  return {
    scan: Math.floor(req.limit) * 4,
    exhaustedQueues: out.queues,
    exhaustedTypes: out.types,
    choose: (rows: TaskRow[]) => {
      const picked = pickWithinBudgets(
        rows.map((row) => ({ id: row.id, queue: row.current_queue ?? row.queue, type: row.type, row })),
        budgets,
        Math.floor(req.limit),
      );
      for (const [name, w] of budgets.windows) conn.stmt(SAVE_WINDOW).run({ name, start: w.startMs, used: w.used });
      return picked.map((p) => p.row);
    },
  };
}
