// The scheduler: every tick it keeps (or tries to take) the leader lease and, while leading,
// runs a firing pass. Any number of schedulers may run against one store; one leads at a time
// and another takes over within about one lease after the leader dies.
import { systemClock, type Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import { newId } from "../core/ids.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { Store } from "../store/store.js";
import { FiringPass, type FiringPassResult } from "./firing-pass.js";
import { LeaderLease, type LeaderState } from "./leader-lease.js";
import { resolveSchedulerOptions, type ResolvedSchedulerOptions, type SchedulerOptions } from "./scheduler-options.js";

/** Lifecycle of a scheduler. */
export type SchedulerState = "idle" | "running" | "stopping" | "stopped";

/** What a scheduler is built from. */
export interface SchedulerDeps {
  store: Store;
  events: EventBus;
  clock?: Clock;
  logger?: Logger;
}

/** What one tick did. */
export interface SchedulerTickResult {
  leader: boolean;
  /** The firing pass, when this scheduler led. */
  pass: FiringPassResult | null;
}

/** One process's scheduler. */
export class Scheduler {
  /** This scheduler's id in the lease. */
  readonly id = newId();
  readonly options: ResolvedSchedulerOptions;
  private readonly store: Store;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lease: LeaderLease;
  private readonly pass: FiringPass;
  private stateValue: SchedulerState = "idle";
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<SchedulerTickResult> | null = null;
  private lastTick: { at: Date; lagMs: number | null } | null = null;

  constructor(deps: SchedulerDeps, options: SchedulerOptions = {}) {
    this.options = resolveSchedulerOptions(options);
    this.store = deps.store;
    this.clock = deps.clock ?? systemClock;
    this.logger = (deps.logger ?? silentLogger).child({ schedulerId: this.id, nodeName: this.options.nodeName });
    this.lease = new LeaderLease(deps.store, deps.events, this.clock, this.id, this.options.nodeName, this.options.leaseMs, this.options.renewMs);
    this.pass = new FiringPass(deps.store, deps.events, this.clock, this.logger, this.options, this.id);
    deps.events.on("scheduler:leader-acquired", (e) => e.holderId === this.id && this.logger.info({ term: e.term }, "scheduler leader"));
    deps.events.on("scheduler:leader-lost", (e) => {
      if (e.holderId !== this.id) return;
      if (e.reason === "stopped") this.logger.info({ reason: e.reason }, "scheduler lead released");
      else this.logger.warn({ reason: e.reason }, "scheduler no longer leader");
    });
    this.events = deps.events;
  }

  /** Lifecycle state. */
  get state(): SchedulerState {
    return this.stateValue;
  }

  /** `leader` while this scheduler holds the lease. */
  get role(): LeaderState {
    return this.lease.state;
  }

  /** Lag of this scheduler's latest firing pass (ms), or null before its first pass as leader. */
  get lastLagMs(): number | null {
    return this.lastTick?.lagMs ?? null;
  }

  /** Starts ticking (timers are unref'd: a library scheduler never keeps its process alive). */
  start(): void {
    if (this.stateValue !== "idle") throw new Error(`scheduler cannot start from state ${this.stateValue}`);
    this.stateValue = "running";
    this.schedule(0);
  }

  /**
   * One tick: lease upkeep, then a firing pass while leading. `start()` runs it on a timer;
   * tests with an injected clock call it directly. Concurrent calls share one run.
   */
  tick(): Promise<SchedulerTickResult> {
    this.ticking ??= this.runTick().finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** Stops ticking, waits for the tick in flight (up to `deadlineMs`) and releases the lease. */
  async stop(options: { deadlineMs?: number } = {}): Promise<void> {
    if (this.stateValue === "stopped" || this.stateValue === "idle") {
      this.stateValue = "stopped";
      return;
    }
    this.stateValue = "stopping";
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ticking) {
      const deadline = options.deadlineMs ?? 10_000;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([this.ticking.catch(() => undefined), new Promise((r) => (timeout = setTimeout(r, deadline)))]);
      clearTimeout(timeout);
    }
    try {
      await this.lease.release();
    } catch (err) {
      // The lease then simply expires; another scheduler takes over a lease later.
      this.logger.warn({ err: errorMessage(err) }, "could not release the scheduler lease");
    }
    this.stateValue = "stopped";
  }

  private async runTick(): Promise<SchedulerTickResult> {
    const role = await this.lease.maintain({ lastTickAt: this.lastTick?.at ?? null, lagMs: this.lastTick?.lagMs ?? null });
    if (role !== "leader" || this.stateValue === "stopping") return { leader: role === "leader", pass: null };
    const pass = await this.pass.run(() => this.lease.state === "leader" && this.stateValue !== "stopping");
    // Lag as status shows it: how late the latest fires were (fired ahead counts as on time).
    this.lastTick = { at: new Date(this.clock.now()), lagMs: Math.max(0, pass.lagMs ?? 0) };
    return { leader: true, pass };
  }

  private schedule(delayMs: number): void {
    if (this.stateValue !== "running") return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick().then(
        (r) => this.schedule(r.leader ? this.options.tickMs : this.options.renewMs),
        (err: unknown) => {
          this.events.emit("scheduler:error", { holderId: this.id, where: "tick", definitionId: null, error: err });
          this.logger.error({ err: errorMessage(err) }, "scheduler tick failed");
          this.schedule(this.options.renewMs);
        },
      );
    }, delayMs);
    this.timer.unref();
  }
}
