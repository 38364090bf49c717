// Cluster-wide limits on running steps (per queue, per task type) and on claim rate (per queue),
// and the pure budget arithmetic both stores apply inside their claim transaction.

/** What a limit applies to. */
export type LimitScope = "queue" | "type";

/** A limit as stored. `maxRunning` null = no concurrency cap; `rate` null = no rate cap. */
export interface TaskLimit {
  scope: LimitScope;
  name: string;
  /** Most steps running at once across every node. */
  maxRunning: number | null;
  /** At most `count` claims per fixed window of `intervalMs` (queues only). */
  rate: { count: number; intervalMs: number } | null;
}

/** A limit with its rate window state, as read inside a claim. */
export interface LimitState extends TaskLimit {
  windowStartMs: number | null;
  windowUsed: number;
}

/** Claim budgets left under the limits (absent key = unlimited). */
export interface ClaimBudgets {
  queue: Map<string, number>;
  type: Map<string, number>;
  /** Rate windows as they stand for this claim (reset when their interval passed). */
  windows: Map<string, { startMs: number; used: number }>;
}

/**
 * Budgets for one claim: for each limited queue, min(maxRunning - running, rate left in the
 * current window); for each limited type, maxRunning - running. Never negative.
 */
export function computeClaimBudgets(
  limits: readonly LimitState[],
  running: { queue: ReadonlyMap<string, number>; type: ReadonlyMap<string, number> },
  nowMs: number,
): ClaimBudgets {
  const budgets: ClaimBudgets = { queue: new Map(), type: new Map(), windows: new Map() };
  for (const l of limits) {
    let left = Infinity;
    if (l.maxRunning !== null) left = l.maxRunning - ((l.scope === "queue" ? running.queue : running.type).get(l.name) ?? 0);
    if (l.rate && l.scope === "queue") {
      const fresh = l.windowStartMs === null || nowMs >= l.windowStartMs + l.rate.intervalMs;
      const window = fresh ? { startMs: nowMs, used: 0 } : { startMs: l.windowStartMs!, used: l.windowUsed };
      budgets.windows.set(l.name, window);
      left = Math.min(left, l.rate.count - window.used);
    }
    if (left !== Infinity) (l.scope === "queue" ? budgets.queue : budgets.type).set(l.name, Math.max(0, left));
  }
  return budgets;
}

/** Queues and types with no budget left (excluded from the candidate scan). */
export function exhausted(budgets: ClaimBudgets): { queues: string[]; types: string[] } {
  return {
    queues: [...budgets.queue].filter(([, n]) => n <= 0).map(([q]) => q),
    types: [...budgets.type].filter(([, n]) => n <= 0).map(([t]) => t),
  };
}

/**
 * Picks, in claim order, up to `limit` candidates whose queue and type still have budget,
 * spending it as it goes; records rate use per queue in `budgets.windows`.
 */
export function pickWithinBudgets<C extends { id: string; queue: string; type: string }>(candidates: readonly C[], budgets: ClaimBudgets, limit: number): C[] {
  const picked: C[] = [];
  for (const c of candidates) {
    if (picked.length >= limit) break;
    const q = budgets.queue.get(c.queue);
    const t = budgets.type.get(c.type);
    if ((q !== undefined && q <= 0) || (t !== undefined && t <= 0)) continue;
    if (q !== undefined) budgets.queue.set(c.queue, q - 1);
    if (t !== undefined) budgets.type.set(c.type, t - 1);
    const w = budgets.windows.get(c.queue);
    if (w) w.used++;
    picked.push(c);
  }
  return picked;
}

/** True when some limit can affect a claim on `queues` (any type limit does). */
export function limitsApply(limits: readonly TaskLimit[], queues: readonly string[]): boolean {
  return limits.some((l) => l.scope === "type" || queues.includes(l.name));
}
