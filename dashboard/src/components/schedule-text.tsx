// A definition's schedule in one line: "cron 0 * * * * (Europe/Berlin)", "every 5m", "once at …".
import type { ScheduleSpec } from "../api/types.js";
import { fullTime, shortDuration } from "../format.js";

function duration(value: number | string | undefined): string {
  return typeof value === "number" ? shortDuration(value) : String(value);
}

/** The schedule of a definition file in one line. */
export function scheduleText(schedule: ScheduleSpec | null | undefined): string {
  if (!schedule) return "manual only";
  if (schedule.cron) return `cron ${schedule.cron}${schedule.timezone ? ` (${schedule.timezone})` : ""}`;
  if (schedule.fixedRate !== undefined) return `every ${duration(schedule.fixedRate)}`;
  if (schedule.fixedDelay !== undefined) return `${duration(schedule.fixedDelay)} after each run`;
  if (schedule.once) return `once at ${fullTime(schedule.once)}`;
  return "manual only";
}

/** A misfire policy as written (`"skip"` or `{ policy: "fireAll", max: 10 }`) in words. */
export function misfireText(misfire: ScheduleSpec["misfire"]): string {
  if (!misfire) return "fireOnce (default)";
  if (typeof misfire === "string") return misfire;
  return misfire.max ? `${misfire.policy} (at most ${misfire.max})` : misfire.policy;
}
