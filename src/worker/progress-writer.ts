// Throttled progress writes of one step: at most one per progressInterval, the last value always
// written, each under the lease (a stale worker's progress is refused).
import type { Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { Lease, Task } from "../core/task.js";
import type { Store } from "../store/store.js";
import type { ResolvedWorkerOptions } from "./worker-options.js";

interface ProgressDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  options: ResolvedWorkerOptions;
}

/** Writes `ctx.progress()` reports of one step. */
export class ProgressWriter {
  private lastWriteMs = -Infinity;
  private pending: { pct: number; message: string | null } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly deps: ProgressDeps,
    private readonly lease: Lease,
    private readonly task: Pick<Task, "id" | "tenant">,
    private readonly onRefused: () => void,
  ) {}

  /** Records a report; writes now or at the end of the throttle window. */
  report(pct: number, message: string | null): void {
    if (this.closed) return;
    if (typeof pct !== "number" || Number.isNaN(pct)) throw new TypeError(`progress: pct must be a number 0-100, got ${pct}`);
    this.pending = { pct: Math.max(0, Math.min(100, Math.round(pct))), message };
    const waitMs = this.lastWriteMs + this.deps.options.progressIntervalMs - this.deps.clock.now();
    if (waitMs <= 0) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), waitMs);
  }

  /** Writes the last pending report and stops accepting more. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending) this.flush();
    await this.chain;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const report = this.pending;
    if (!report) return;
    this.pending = null;
    this.lastWriteMs = this.deps.clock.now();
    this.chain = this.chain.then(async () => {
      try {
        const ok = await this.deps.store.updateProgress(this.lease, report.pct, report.message, new Date(this.deps.clock.now()));
        if (!ok) return this.onRefused();
        this.deps.events.emit("task:progress", { taskId: this.task.id, tenant: this.task.tenant, progressPct: report.pct, message: report.message });
      } catch (err) {
        this.deps.logger.warn({ taskId: this.task.id, err: errorMessage(err) }, "progress write failed");
      }
    });
  }
}
