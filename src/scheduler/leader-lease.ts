// The scheduler's side of the leader lease: take it when free, renew it while leading, notice
// when it moved on, release it on stop. Leading only decides who *tries* to fire; exactly-once
// comes from the compare-and-set of each fire, so two processes that both believe they lead
// for a moment still never create a fire time twice.
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/events.js";
import type { SchedulerLease, Store } from "../store/store.js";

/** Where the lease stands for this process. */
export type LeaderState = "follower" | "leader";

/** One process's view of the scheduler leader lease. */
export class LeaderLease {
  private held: SchedulerLease | null = null;
  private lastRenewAtMs = 0;

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly holderId: string,
    private readonly nodeName: string,
    private readonly leaseMs: number,
    private readonly renewMs: number,
  ) {}

  /** `leader` while this process holds an unexpired lease (by its own clock). */
  get state(): LeaderState {
    return this.held !== null && this.held.leaseUntil.getTime() > this.clock.now() ? "leader" : "follower";
  }

  /** The lease while held. */
  get lease(): SchedulerLease | null {
    return this.held;
  }

  /**
   * Takes the lease when free or expired, or renews it when due (every `renewMs`), recording
   * the latest tick and lag. Returns the state after.
   */
  async maintain(tick: { lastTickAt: Date | null; lagMs: number | null }): Promise<LeaderState> {
    const nowMs = this.clock.now();
    const now = new Date(nowMs);
    if (this.held === null) {
      if (nowMs - this.lastRenewAtMs < this.renewMs && this.lastRenewAtMs !== 0) return "follower";
      this.lastRenewAtMs = nowMs;
      const lease = await this.store.acquireSchedulerLease({ holderId: this.holderId, holderName: this.nodeName, leaseMs: this.leaseMs, now });
      if (lease !== null) {
        this.held = lease;
        this.events.emit("scheduler:leader-acquired", { holderId: this.holderId, nodeName: this.nodeName, term: lease.term });
      }
      return this.state;
    }
    if (nowMs - this.lastRenewAtMs >= this.renewMs) {
      const renewed = await this.store.renewSchedulerLease({ holderId: this.holderId, term: this.held.term, leaseMs: this.leaseMs, now, ...tick });
      this.lastRenewAtMs = nowMs;
      if (!renewed) {
        this.lose("lease-moved");
        return "follower";
      }
      this.held = { ...this.held, leaseUntil: new Date(nowMs + this.leaseMs), lastTickAt: tick.lastTickAt, lagMs: tick.lagMs };
    }
    if (this.held.leaseUntil.getTime() <= nowMs) {
      // Renewals failed (store unreachable) until the lease ran out: another process may lead now.
      this.lose("lease-expired");
      return "follower";
    }
    return "leader";
  }

  /** Ends the lease in the store (clean stop) so another process takes over at once. */
  async release(): Promise<void> {
    if (this.held === null) return;
    this.lose("stopped");
    await this.store.releaseSchedulerLease(this.holderId, new Date(this.clock.now()));
  }

  private lose(reason: "lease-moved" | "lease-expired" | "stopped"): void {
    this.held = null;
    this.events.emit("scheduler:leader-lost", { holderId: this.holderId, nodeName: this.nodeName, reason });
  }
}
