// A definition's schedule in one line: "cron 0 * * * * (UTC)", "every 5m", "once at …".
import type { Schedule } from "../api/types.js";
import { fullTime, shortDuration } from "../format.js";

function duration(value: number | string | undefined): string {
  return typeof value === "number" ? shortDuration(value) : String(value);
}

export function scheduleText(schedule: Schedule | null | undefined): string {
  if (!schedule) return "manual only";
  if (schedule.cron) return `cron ${schedule.cron}${schedule.timezone ? ` (${schedule.timezone})` : ""}`;
  if (schedule.fixedRate !== undefined) return `every ${duration(schedule.fixedRate)}`;
  if (schedule.fixedDelay !== undefined) return `${duration(schedule.fixedDelay)} after each run`;
  if (schedule.once) return `once at ${fullTime(schedule.once)}`;
  return "manual only";
}
