// Periodic repair any live node performs: recover tasks of dead workers (expired leases) and
// time out pending tasks past their deadline. Each row moves once, whoever sweeps.
import type { Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { isTerminalTaskStatus } from "../core/status.js";
import type { Store } from "../store/store.js";
import type { WorkerStats } from "./worker-stats.js";

const SWEEP_BATCH = 200;

/** Lease recovery and deadline enforcement loop. */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly stats: WorkerStats,
    private readonly intervalMs: number,
    /** A node silent this long is dead (its leases end at once). */
    private readonly nodeDeadAfterMs: number,
    /** Called when a sweep made work ready or terminal (wake the claim/callback loops). */
    private readonly onChange: () => void,
  ) {}

  /** Starts sweeping every `intervalMs`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sweeping. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep. Exposed for tests. */
  sweep(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      const now = new Date(this.clock.now());
      const dead = await this.store.markDeadNodes(now, this.nodeDeadAfterMs);
      for (const id of dead) this.logger.warn({ deadNode: id }, "node stopped heartbeating: marked dead, its leases ended");
      const recovered = await this.store.recoverExpiredLeases(now, SWEEP_BATCH);
      for (const r of recovered) {
        this.stats.leasesRecovered++;
        this.logger.warn({ taskId: r.taskId, step: r.stepIndex, deadNode: r.nodeId }, "lease expired: step returned for another worker");
        this.events.emit("lease:recovered", { taskId: r.taskId, stepIndex: r.stepIndex, nodeId: r.nodeId, taskStatus: r.taskStatus });
        if (isTerminalTaskStatus(r.taskStatus)) this.emitEnded(r.taskId);
      }
      const expired = await this.store.expireOverdueTasks(now, SWEEP_BATCH);
      for (const id of expired) this.emitEnded(id);
      if (recovered.length > 0 || expired.length > 0) this.onChange();
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, "sweep failed");
    }
  }

  private emitEnded(taskId: string): void {
    if (!this.events.has("task:ended")) return;
    void this.store.getTask(taskId, null).then(
      (t) => t && this.events.emit("task:ended", { taskId: t.id, tenant: t.tenant, status: t.status, message: t.message }),
      () => {},
    );
  }
}
