// Feeds one server-sent-events connection from the durable event log: polls the store (so
// events of workers in other processes arrive), wakes early on in-process engine events,
// writes each event with its id, and keeps quiet connections alive with comment lines.
import type { ServerResponse } from "node:http";
import { once } from "node:events";
import type { EventBus, TaskrailEventName } from "../core/events.js";
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { TaskEvent } from "../core/task-event.js";
import type { Store, TenantScope } from "../store/store.js";
import { WakeSignal } from "./wake-signal.js";

/** Timing of a stream, in ms. */
export interface TaskEventStreamTiming {
  /** Longest wait between two reads of the store when nothing woke the stream. */
  pollIntervalMs: number;
  /** Shortest wait between two reads, however often in-process events poke (bounds store load). */
  minPollIntervalMs: number;
  /** A comment line after this much silence keeps proxies from closing the connection. */
  heartbeatMs: number;
  /** Suggested reconnection delay sent to clients (`retry:`). */
  retryMs: number;
}

/** What one stream delivers. */
export interface TaskEventStreamFilter {
  tenant: TenantScope;
  taskId?: string;
  definitionId?: string;
  /** Deliver events with a larger id. */
  afterId: number;
}

/** Engine events after which the log has (or soon has) new rows: a read is worth doing now. */
const WAKING_EVENTS: readonly TaskrailEventName[] = [
  "task:dispatched",
  "task:cancel-requested",
  "task:retried",
  "task:ended",
  "step:started",
  "step:succeeded",
  "step:failed",
  "step:skipped",
  "step:cancelled",
  "lease:recovered",
];

/** Events read per store call. */
const PAGE_SIZE = 500;
/** Wait before reading again while recent events are not final yet (PostgreSQL horizon). */
const UNSETTLED_RETRY_MS = 25;

/** The SSE frame of one event: `event:` is the noun (`task` or `step`), `data:` the event as JSON. */
export function formatTaskEvent(event: TaskEvent): string {
  const data = {
    id: event.id,
    kind: event.kind,
    tenant: event.tenant,
    taskId: event.taskId,
    definitionId: event.definitionId,
    step: event.step,
    attempt: event.attempt,
    status: event.status,
    message: event.message,
    at: event.createdAt.toISOString(),
  };
  const noun = event.kind.startsWith("step:") ? "step" : "task";
  // JSON.stringify never emits a raw newline, so the data fits one `data:` line.
  return `id: ${event.id}\nevent: ${noun}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams events matching `filter` to `res` (headers already sent) until the client goes
 * away (`closed` resolves). Store failures are logged and retried at the poll interval; the
 * client sees heartbeats meanwhile and misses nothing, since reads resume at the same id.
 */
export async function pumpTaskEvents(
  deps: { store: Store; events?: EventBus; logger: Logger },
  res: ServerResponse,
  filter: TaskEventStreamFilter,
  timing: TaskEventStreamTiming,
  closed: Promise<void>,
): Promise<void> {
  const wake = new WakeSignal();
  let open = true;
  void closed.then(() => {
    open = false;
    wake.poke();
  });
  const unsubscribe = WAKING_EVENTS.map((name) => deps.events?.on(name, () => wake.poke()));
  let lastWriteAt = Date.now();
  const write = async (chunk: string): Promise<void> => {
    // Backpressure: a slow client holds this stream back rather than the process's memory.
    if (!res.write(chunk) && open) await Promise.race([once(res, "drain"), closed]);
    lastWriteAt = Date.now();
  };
  let afterId = filter.afterId;
  try {
    await write(`retry: ${timing.retryMs}\n: streaming task events after ${afterId}\n\n`);
    while (open) {
      const readAt = Date.now();
      let caughtUp = true;
      let delivered = 0;
      try {
        const page = await deps.store.listTaskEvents({ ...filter, afterId, limit: PAGE_SIZE });
        for (const event of page.events) {
          if (!open) return;
          await write(formatTaskEvent(event));
        }
        afterId = page.nextAfterId;
        caughtUp = page.caughtUp;
        delivered = page.events.length;
      } catch (err) {
        deps.logger.warn({ err: errorMessage(err), afterId }, "event stream read failed; retrying");
      }
      if (!open) return;
      if (!caughtUp) {
        // A full page: read on at once. Events not final yet: come back in a moment.
        if (delivered === 0) await wake.sleep(UNSETTLED_RETRY_MS);
        continue;
      }
      if (Date.now() - lastWriteAt >= timing.heartbeatMs) await write(": heartbeat\n\n");
      // At least the minimum interval after this read, however often pokes come.
      const sinceRead = Date.now() - readAt;
      if (sinceRead < timing.minPollIntervalMs) await sleepUnlessClosed(timing.minPollIntervalMs - sinceRead, closed);
      const untilHeartbeat = timing.heartbeatMs - (Date.now() - lastWriteAt);
      await wake.sleep(Math.max(0, Math.min(timing.pollIntervalMs, untilHeartbeat)));
    }
  } finally {
    for (const off of unsubscribe) off?.();
  }
}

function sleepUnlessClosed(ms: number, closed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), closed]).finally(() => clearTimeout(timer));
}
