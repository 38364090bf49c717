// Cron expressions through croner (docs/decisions/0003-cron-library.md): 5 fields (minute
// precision) or 6 (seconds first), an IANA timezone, DST handled by the library. Compiled
// patterns are cached: the scheduler asks for the same few expressions over and over.
import { Cron } from "croner";

/** A compiled cron expression in one timezone. */
export interface CronSchedule {
  /** The first fire time strictly after `after`, or null when the expression never fires again. */
  nextAfter(after: Date): Date | null;
}

const cache = new Map<string, CronSchedule>();
const CACHE_MAX = 10_000;

/** A problem with an expression or timezone, named per field. */
export interface CronProblem {
  field: "cron" | "timezone";
  message: string;
}

/** Null when `timezone` is a valid IANA name, else why not. */
export function checkTimezone(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return null;
  } catch {
    return `unknown timezone ${JSON.stringify(timezone)} (use an IANA name such as "Europe/Berlin" or "UTC")`;
  }
}

function build(expression: string, timezone: string | null): Cron {
  // paused: the Cron object is only a calculator here; it must never start its own timer.
  return new Cron(expression, { paused: true, mode: "5-or-6-parts", timezone: timezone ?? "UTC" });
}

/** Null when the expression compiles in `timezone` and fires at least once more, else the problem. */
export function checkCron(expression: string, timezone: string | null, now: Date = new Date()): CronProblem | null {
  if (timezone !== null) {
    const bad = checkTimezone(timezone);
    if (bad) return { field: "timezone", message: bad };
  }
  const fields = expression.trim().split(/\s+/).length;
  if (!expression.trim().startsWith("@") && fields !== 5 && fields !== 6) {
    return { field: "cron", message: `must have 5 fields (minute hour day month weekday) or 6 (second first), got ${fields}: ${JSON.stringify(expression)}` };
  }
  let cron: Cron;
  try {
    cron = build(expression, timezone);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, "") : String(err);
    return { field: "cron", message: `invalid cron expression ${JSON.stringify(expression)}: ${why}` };
  }
  if (cron.nextRun(now) === null) return { field: "cron", message: `cron expression ${JSON.stringify(expression)} never fires` };
  return null;
}

/** Compiles (or takes from the cache) `expression` in `timezone` (null = UTC). Check it first with `checkCron`. */
export function compileCron(expression: string, timezone: string | null): CronSchedule {
  const key = `${timezone ?? "UTC"}\u0000${expression}`;
  let compiled = cache.get(key);
  if (compiled === undefined) {
    const cron = build(expression, timezone);
    compiled = {
      nextAfter(after: Date): Date | null {
        // croner works in whole seconds and returns the first run strictly after the second
        // `after` falls in; a fire time is always a whole second, so this is "strictly after".
        return cron.nextRun(after);
      },
    };
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, compiled);
  }
  return compiled;
}
