// Renews the leases of every task this worker runs, one round trip per heartbeat, and turns the
// answers into aborts: a lost lease stops the step, a cancel request fires its signal.
import type { Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Store } from "../store/store.js";
import type { TaskRun } from "./task-run.js";

/** Heartbeat of one worker's leases. */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly runs: () => Iterable<TaskRun>,
    private readonly leaseMs: number,
    private readonly heartbeatMs: number,
  ) {}

  /** Starts renewing every `heartbeatMs`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Stops renewing (after waiting for a tick under way). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One renewal round; also flushes buffered step logs. Exposed for tests. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.renew().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async renew(): Promise<void> {
    const runs = [...this.runs()].filter((r) => !r.done);
    if (runs.length === 0) return;
    const now = this.clock.now();
    try {
      const answers = await this.store.renewLeases(
        runs.map((r) => r.lease),
        new Date(now + this.leaseMs),
        new Date(now),
      );
      const byId = new Map(runs.map((r) => [r.taskId, r]));
      for (const a of answers) {
        const run = byId.get(a.taskId);
        if (!run) continue;
        if (!a.held) run.abort("lease-lost", "lease lost: another node owns this task now");
        else if (a.cancelRequested) run.abort("cancel", "cancel requested");
      }
      await Promise.all(runs.map((r) => r.flushLogs().catch(() => {})));
    } catch (err) {
      // The store is unreachable: keep running; if it stays away the lease expires and the
      // step is re-run elsewhere, which is the at-least-once contract.
      this.logger.warn({ err: errorMessage(err) }, "lease renewal failed");
    }
  }
}
