// When a schedule fires: the first time after a definition is created or changed, the next
// time after a fire, and the next few for `defs show`. Pure functions of the schedule.
import { compileCron } from "../core/cron.js";
import type { Schedule } from "../core/definition.js";

/**
 * The first fire time of `schedule` for a definition created (or rescheduled) at `now`.
 * `anchor` is the definition's creation time: a fixedRate without startAt counts from it, so
 * re-applying an unchanged file never shifts its phase.
 * - cron: the first match strictly after now (or at/after a future startAt);
 * - fixedRate: the first of startAt + k·every (k ≥ 0) at or after now;
 * - fixedDelay: startAt when in the future, else now (the first run starts at once);
 * - once: its time, even when past (the misfire policy decides then).
 */
export function firstFireAt(schedule: Schedule, now: Date, anchor: Date = now): Date | null {
  switch (schedule.kind) {
    case "cron": {
      const from = schedule.startAt && schedule.startAt > now ? new Date(schedule.startAt.getTime() - 1) : now;
      return compileCron(schedule.cron, schedule.timezone).nextAfter(from);
    }
    case "fixedRate": {
      const start = (schedule.startAt ?? anchor).getTime();
      if (start >= now.getTime()) return new Date(start);
      return new Date(start + Math.ceil((now.getTime() - start) / schedule.everyMs) * schedule.everyMs);
    }
    case "fixedDelay":
      return schedule.startAt && schedule.startAt > now ? schedule.startAt : now;
    case "once":
      return schedule.at;
  }
}

/**
 * The fire time following `after` (strictly later), or null when the schedule has none:
 * `once` fires once; `fixedDelay`'s next time depends on when its task ends (see
 * `fixedDelayNextFireAt`). `anchor` as in `firstFireAt`.
 */
export function computeNextFireAt(schedule: Schedule, after: Date, anchor: Date): Date | null {
  switch (schedule.kind) {
    case "cron":
      return compileCron(schedule.cron, schedule.timezone).nextAfter(after);
    case "fixedRate": {
      const start = (schedule.startAt ?? anchor).getTime();
      if (after.getTime() < start) return new Date(start);
      return new Date(start + (Math.floor((after.getTime() - start) / schedule.everyMs) + 1) * schedule.everyMs);
    }
    case "fixedDelay":
    case "once":
      return null;
  }
}

/** A fixedDelay definition's next fire: `delayMs` after its previous task ended. */
export function fixedDelayNextFireAt(delayMs: number, previousEndedAt: Date): Date {
  return new Date(previousEndedAt.getTime() + delayMs);
}

/**
 * Up to `count` fire times from `nextFireAt` on (for `defs show`). fixedDelay shows only the
 * planned one: the later ones depend on when each run ends.
 */
export function upcomingFireTimes(schedule: Schedule, nextFireAt: Date | null, anchor: Date, count = 5): Date[] {
  const out: Date[] = [];
  let t = nextFireAt;
  while (t !== null && out.length < count) {
    out.push(t);
    t = computeNextFireAt(schedule, t, anchor);
  }
  return out;
}
