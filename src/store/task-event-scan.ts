// Shared by both adapters: checks a `listTaskEvents` query and turns one bounded scan of the
// event log into a page (the scan window keeps a filtered read cheap however sparse its matches).
import { ValidationError, type FieldError } from "../core/errors.js";
import type { TaskEvent } from "../core/task-event.js";
import type { TaskEventPage, TaskEventQuery } from "./store.js";

/** Largest page `listTaskEvents` serves. */
export const MAX_TASK_EVENT_PAGE = 1000;

/**
 * At most this many ids are scanned per call. A stream filtered to one tenant or task reads
 * over other rows; without a bound, a reconnect after a long gap would scan the whole log in
 * one statement. Callers read again at once while `caughtUp` is false.
 */
export const TASK_EVENT_SCAN_WINDOW = 5000;

/** Throws ValidationError naming every bad field of `query`. */
export function checkTaskEventQuery(query: TaskEventQuery): void {
  const fields: FieldError[] = [];
  if (!Number.isSafeInteger(query.afterId) || query.afterId < 0) {
    fields.push({ path: "afterId", message: `must be an integer >= 0, got ${String(query.afterId)}` });
  }
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_TASK_EVENT_PAGE) {
    fields.push({ path: "limit", message: `must be an integer from 1 to ${MAX_TASK_EVENT_PAGE}, got ${String(query.limit)}` });
  }
  if (fields.length > 0) throw new ValidationError(fields);
}

/**
 * The ids one call scans: (`afterId`, `upper`], where the window starts at the first stored
 * id after `afterId` (retention and aborted PostgreSQL transactions leave gaps) and never
 * passes `horizon`, the largest final id. Null when nothing final is stored after `afterId`.
 */
export function scanUpperBound(firstIdAfter: number | null, horizon: number): number | null {
  if (firstIdAfter === null || firstIdAfter > horizon) return null;
  return Math.min(horizon, firstIdAfter - 1 + TASK_EVENT_SCAN_WINDOW);
}

/** What one scan saw: the page it read and the bounds it read within. */
export interface EventScan {
  /** Matching events of (`afterId`, `upper`], ascending, at most `limit`. */
  events: TaskEvent[];
  limit: number;
  afterId: number;
  /** From `scanUpperBound`; null when nothing was scanned. */
  upper: number | null;
  /** Largest final id: no id at or below it can appear later. */
  horizon: number;
  /** Largest id handed out so far (final or not): below it, more may come. */
  latestId: number;
}

/** The page of a scan (see TaskEventPage for the meaning of each field). */
export function scannedPage(scan: EventScan): TaskEventPage {
  const { events, limit, afterId, upper, horizon, latestId } = scan;
  if (upper !== null && events.length >= limit) {
    return { events, nextAfterId: events[events.length - 1].id, caughtUp: false };
  }
  // Every id up to `upper` (or, with nothing final stored past `afterId`, up to `horizon`) is
  // final and was looked at: matching or not, none of them needs reading again.
  const nextAfterId = Math.max(afterId, upper ?? horizon);
  return { events, nextAfterId, caughtUp: nextAfterId >= latestId };
}
