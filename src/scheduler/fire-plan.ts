// What one due definition does at a tick: which fire times make tasks, which are skipped and
// why (misfire and overlap policies), and the next fire time. Pure: the firing loop applies it.
import type { Schedule, SkipReason } from "../core/definition.js";
import type { TaskStatus } from "../core/status.js";
import { computeNextFireAt } from "./fire-times.js";

/** Fire times skipped for one reason, summed up in one record. */
export interface PlannedSkip {
  reason: SkipReason;
  /** The first skipped fire time. */
  scheduledAt: Date;
  count: number;
  blockingTaskId: string | null;
}

/** The outcome of planning one due definition. */
export interface FirePlan {
  /** One task per time, in order. */
  fireTimes: Date[];
  skips: PlannedSkip[];
  /** The fire time after this tick's horizon (null: none planned — once done, fixedDelay waiting). */
  nextFireAt: Date | null;
  /** With `replace`: the still-active task to cancel once the new one exists. */
  cancelTaskId: string | null;
}

/** What the planner needs to know about the definition. */
export interface PlanInput {
  schedule: Schedule;
  /** The due time stored on the definition (<= now). */
  nextFireAt: Date;
  /** The definition's creation time (fixedRate anchor). */
  anchor: Date;
  lastTaskId: string | null;
  lastTaskStatus: TaskStatus | null;
  now: Date;
  /**
   * Fire times up to this instant are made now (the fire-ahead window, >= now): their tasks
   * are created early with `runAt` = their fire time. @default now
   */
  horizon?: Date;
  /** A fire time older than `now - misfireGraceMs` counts as missed. */
  misfireGraceMs: number;
}

/** Stop walking missed fire times after this many (a day of every-second fires). */
export const MAX_MISSED_WALK = 100_000;

const isActive = (s: TaskStatus | null): boolean => s === "pending" || s === "running";

/**
 * Plans a due definition. Fire times within the grace period are on time and all fire.
 * Older ones are missed: `skip` drops them, `fireOnce` fires the latest of them once (unless an
 * on-time fire already stands in for it), `fireAll` fires them all up to `max` (the latest
 * ones; the rest are recorded as misfire skips). Then overlap: with the previous task still
 * active, `forbid` skips every fire (recorded); `replace` fires the latest and cancels the
 * previous task; and neither makes more than one task per tick.
 */
export function planFires(input: PlanInput): FirePlan {
  const { schedule, now } = input;
  const cutoff = now.getTime() - input.misfireGraceMs;
  const next = (t: Date): Date | null => computeNextFireAt(schedule, t, input.anchor);
  const missed: Date[] = [];
  let missedCount = 0;
  let t: Date | null = input.nextFireAt;
  // Missed times: keep only as many as the policy can use (fireAll keeps the latest `max`).
  const keep = schedule.misfire.policy === "fireAll" ? schedule.misfire.max : 1;
  while (t !== null && t.getTime() < cutoff && missedCount < MAX_MISSED_WALK) {
    missedCount++;
    missed.push(t);
    if (missed.length > keep) missed.shift();
    t = next(t);
  }
  if (t !== null && t.getTime() < cutoff) t = next(new Date(cutoff - 1));
  const onTime: Date[] = [];
  const horizonMs = Math.max(now.getTime(), input.horizon?.getTime() ?? now.getTime());
  while (t !== null && t.getTime() <= horizonMs) {
    onTime.push(t);
    t = next(t);
  }
  const skips: PlannedSkip[] = [];
  let fireTimes: Date[];
  const firstMissed = input.nextFireAt;
  if (missedCount === 0) fireTimes = onTime;
  else if (schedule.misfire.policy === "skip") {
    skips.push({ reason: "misfire", scheduledAt: firstMissed, count: missedCount, blockingTaskId: null });
    fireTimes = onTime;
  } else if (schedule.misfire.policy === "fireOnce") {
    const fired = onTime.length > 0 ? 0 : 1;
    if (missedCount - fired > 0) skips.push({ reason: "misfire", scheduledAt: firstMissed, count: missedCount - fired, blockingTaskId: null });
    fireTimes = onTime.length > 0 ? onTime : [missed[missed.length - 1]];
  } else {
    if (missedCount > missed.length) skips.push({ reason: "misfire", scheduledAt: firstMissed, count: missedCount - missed.length, blockingTaskId: null });
    fireTimes = [...missed, ...onTime];
  }
  let cancelTaskId: string | null = null;
  const active = isActive(input.lastTaskStatus) ? input.lastTaskId : null;
  if (schedule.overlap === "forbid" && fireTimes.length > 0) {
    // One task at most: with the previous one active, none.
    const kept = active ? [] : fireTimes.slice(0, 1);
    const dropped = fireTimes.slice(kept.length);
    if (dropped.length > 0) skips.push({ reason: "overlap", scheduledAt: dropped[0], count: dropped.length, blockingTaskId: active ?? null });
    fireTimes = kept;
  } else if (schedule.overlap === "replace" && fireTimes.length > 0) {
    // Each fire would replace the one before it at once: only the latest is worth making.
    if (fireTimes.length > 1) skips.push({ reason: "overlap", scheduledAt: fireTimes[0], count: fireTimes.length - 1, blockingTaskId: null });
    fireTimes = fireTimes.slice(-1);
    cancelTaskId = active;
  }
  // fixedDelay's next fire is armed when this fire's task ends (or, with nothing fired, one
  // delay from now, so a skipped catch-up does not come straight back); once is done.
  let nextFireAt: Date | null = t;
  if (schedule.kind === "once") nextFireAt = null;
  if (schedule.kind === "fixedDelay") nextFireAt = fireTimes.length > 0 ? null : new Date(now.getTime() + schedule.delayMs);
  return { fireTimes, skips, nextFireAt, cancelTaskId };
}
