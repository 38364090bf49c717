// The worker: a pool of `concurrency` slots fed by batched claims, woken by dispatches, freed
// slots, due retries and a poll timer; leases kept by the LeaseKeeper; graceful shutdown.
import { systemClock, type Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import { newId } from "../core/ids.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { TaskStatus } from "../core/status.js";
import type { Task } from "../core/task.js";
import type { Store } from "../store/store.js";
import { CallbackRunner } from "./callback-runner.js";
import type { ExecutorRegistry } from "./executor-registry.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { NodePresence } from "./node-presence.js";
import { Sweeper } from "./sweeper.js";
import { TaskRun, type TaskRunDeps } from "./task-run.js";
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from "./worker-options.js";
import { createWorkerStats, type WorkerStats } from "./worker-stats.js";

/** Lifecycle of a worker. */
export type WorkerState = "idle" | "running" | "stopping" | "stopped";

/** What a worker is built from. */
export interface WorkerDeps {
  store: Store;
  registry: ExecutorRegistry;
  events: EventBus;
  clock?: Clock;
  logger?: Logger;
  /** taskrail's version, shown in `nodes`. @default "unknown" */
  version?: string;
}

/** Executes tasks from the store with the registered executors. */
export class Worker {
  readonly nodeId = newId();
  readonly options: ResolvedWorkerOptions;
  readonly stats: WorkerStats = createWorkerStats();
  private stateValue: WorkerState = "idle";
  /** Every task this worker holds: running, or claimed ahead and waiting for a slot. */
  private readonly runs = new Map<string, TaskRun>();
  /** Claimed ahead (prefetch), oldest first, with when they were claimed. */
  private readonly waiting: { run: TaskRun; claimedAtMs: number }[] = [];
  /** Steps executing now: each holds one of the `concurrency` slots. */
  private active = 0;
  /** Chains going on in place, waiting for a slot for their next step (served before `waiting`). */
  private readonly resuming: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly queues: Set<string>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly sweeper: Sweeper;
  private readonly callbacks: CallbackRunner;
  private readonly presence: NodePresence;
  private readonly startedAt = new Date();
  private wakeUp: (() => void) | null = null;
  private wakePending = false;
  private loop: Promise<void> | null = null;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  /** What every TaskRun of this worker shares (one object, not one per claimed task). */
  private readonly runDeps: TaskRunDeps;
  private unsubscribe: (() => void)[] = [];
  private readySubscription: Promise<(() => Promise<void>) | null> | null = null;

  constructor(private readonly deps: WorkerDeps, options: WorkerOptions = {}) {
    this.options = resolveWorkerOptions(options);
    this.clock = deps.clock ?? systemClock;
    this.logger = (deps.logger ?? silentLogger).child({ nodeId: this.nodeId, node: this.options.nodeName });
    // Every node serves its own queue, which is how a task is pinned to one node.
    this.queues = new Set([
      ...this.options.queues,
      `node:${this.options.nodeName}`,
      ...Object.entries(this.options.labels).map(([k, v]) => `label:${k}=${v}`),
    ]);
    this.leaseKeeper = new LeaseKeeper(deps.store, this.clock, this.logger, () => this.runs.values(), this.options.leaseMs, this.options.heartbeatMs);
    this.sweeper = new Sweeper(deps.store, this.clock, deps.events, this.logger, this.stats, this.options.sweepIntervalMs, this.options.leaseMs, () => {
      this.wake();
      this.callbacks.wake();
    });
    this.presence = new NodePresence(
      deps.store,
      this.clock,
      this.logger,
      () => ({
        id: this.nodeId,
        name: this.options.nodeName,
        version: deps.version ?? "unknown",
        labels: { ...this.options.labels },
        queues: [...this.queues],
        executors: deps.registry.executorNames(),
        capacity: this.options.concurrency,
        startedAt: this.startedAt,
      }),
      () => this.active,
      this.options.heartbeatMs,
    );
    this.callbacks = new CallbackRunner({
      store: deps.store,
      registry: deps.registry,
      events: deps.events,
      clock: this.clock,
      logger: this.logger,
      options: this.options,
      nodeId: this.nodeId,
      stats: this.stats,
    });
    this.runDeps = this.makeRunDeps();
  }

  /** `idle` → `running` → `stopping` → `stopped`. */
  get state(): WorkerState {
    return this.stateValue;
  }

  /** Number of steps this worker runs right now. */
  get inFlight(): number {
    return this.active;
  }

  /** Queues served, including `node:<nodeName>`. */
  get servedQueues(): string[] {
    return [...this.queues];
  }

  /** Starts claiming and running tasks. */
  start(): void {
    if (this.stateValue !== "idle") throw new Error(`worker cannot start from state ${this.stateValue}`);
    this.stateValue = "running";
    this.unsubscribe.push(
      this.deps.events.on("task:dispatched", () => this.wake()),
      this.deps.events.on("task:retried", () => this.wake()),
      // In-process cancel requests reach the step at once; other processes' within a heartbeat.
      this.deps.events.on("task:cancel-requested", ({ taskId, immediate }) => {
        if (!immediate) this.runs.get(taskId)?.abort("cancel", "cancel requested");
      }),
    );
    void this.presence.start();
    this.leaseKeeper.start();
    this.sweeper.start();
    this.callbacks.start();
    // Kept referenced: like a server, a running worker keeps its process alive until stop().
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    if (this.deps.store.subscribeReadyWork) {
      // Other processes' dispatches wake this worker at once (PostgreSQL NOTIFY); polling stays as the fallback.
      this.readySubscription = this.deps.store.subscribeReadyWork(() => this.wake()).catch((err: unknown) => {
        this.logger.warn({ err: errorMessage(err) }, "wake-up subscription failed; relying on polling");
        return null;
      });
    }
    this.loop = this.claimLoop();
    this.logger.info({ queues: [...this.queues], concurrency: this.options.concurrency }, "worker started");
  }

  /**
   * Stops claiming, lets in-flight steps finish until `deadlineMs`, then aborts them and
   * releases their leases so other workers take them at once.
   */
  async stop(options: { deadlineMs?: number } = {}): Promise<void> {
    if (this.stateValue === "stopped" || this.stateValue === "idle") {
      this.stateValue = "stopped";
      return;
    }
    if (this.stateValue === "stopping") {
      await this.loop;
      return;
    }
    this.stateValue = "stopping";
    const deadlineMs = options.deadlineMs ?? 10_000;
    clearInterval(this.pollTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.wake();
    await this.loop;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      deadlineTimer = setTimeout(() => resolve("deadline"), deadlineMs);
    });
    const drained = Promise.all(this.running).then(() => "drained" as const);
    const first = await Promise.race([drained, deadline]);
    clearTimeout(deadlineTimer);
    if (first === "deadline") {
      const grace = Math.min(this.options.abortGraceMs, 1000);
      for (const run of this.runs.values()) run.abort("shutdown", "worker shutting down", grace);
      await Promise.all(this.running);
    }
    for (const u of this.unsubscribe) u();
    const stopListening = await this.readySubscription;
    await stopListening?.();
    await this.leaseKeeper.stop();
    await this.sweeper.stop();
    await this.callbacks.stop();
    await this.presence.stop();
    this.stateValue = "stopped";
    this.logger.info({ stats: this.stats }, "worker stopped");
  }

  /** Runs one heartbeat now (tests, and `ctx.heartbeat`). */
  heartbeat(): Promise<void> {
    return this.leaseKeeper.tick();
  }

  /** Runs one sweep now (tests). */
  sweep(): Promise<void> {
    return this.sweeper.sweep();
  }

  /** Resolves once no callback delivery is under way. */
  callbacksIdle(): Promise<void> {
    return this.callbacks.idle();
  }

  /** Asks the claim loop to look for work now. */
  wake(): void {
    if (this.wakeUp) {
      const w = this.wakeUp;
      this.wakeUp = null;
      w();
    } else {
      this.wakePending = true;
    }
  }

  private async claimLoop(): Promise<void> {
    const capacity = this.options.concurrency + this.options.prefetch;
    while (this.stateValue === "running") {
      this.releaseStalePrefetch();
      const room = capacity - this.runs.size;
      let claimedFull = false;
      if (room > 0) {
        const limit = Math.min(room, this.options.claimBatchSize);
        try {
          const claimed = await this.deps.store.claimTasks({
            nodeId: this.nodeId,
            queues: [...this.queues],
            executors: this.deps.registry.executorNames(),
            limit,
            leaseMs: this.options.leaseMs,
            now: new Date(this.clock.now()),
          });
          this.stats.claims++;
          this.stats.tasksClaimed += claimed.length;
          const claimedAtMs = this.clock.now();
          for (const c of claimed) {
            const run = new TaskRun(c, this.runDeps);
            this.runs.set(run.taskId, run);
            this.waiting.push({ run, claimedAtMs });
          }
          this.fillSlots();
          claimedFull = claimed.length === limit;
        } catch (err) {
          this.logger.warn({ err: errorMessage(err) }, "claim failed; retrying after the poll interval");
          this.deps.events.emit("worker:error", { nodeId: this.nodeId, where: "claim", error: err });
        }
      }
      // More work is likely waiting when a claim came back full and there is room again.
      if (claimedFull && this.runs.size < capacity) continue;
      await this.waitForWake();
    }
    // Stopping: tasks claimed ahead never started; give them back at once.
    await this.releaseWaiting(this.waiting.splice(0));
  }

  /**
   * Hands free slots out: first to chains waiting to run their next step in place (their step
   * is already started in the store, so they go on even while stopping), then to waiting tasks.
   */
  private fillSlots(): void {
    while (this.active < this.options.concurrency && this.resuming.length > 0) {
      this.active++;
      this.resuming.shift()!();
    }
    while (this.active < this.options.concurrency && this.waiting.length > 0 && this.stateValue === "running") {
      this.launch(this.waiting.shift()!.run);
    }
  }

  /**
   * A slot for a chain's next step: at once (undefined) when one is free and nobody waits,
   * else a promise that resolves when fillSlots hands one over.
   */
  private acquireSlot(): Promise<void> | undefined {
    if (this.active < this.options.concurrency && this.resuming.length === 0) {
      this.active++;
      return undefined;
    }
    return new Promise((resolve) => this.resuming.push(resolve));
  }

  /**
   * A step's executor settled: its slot goes to the next step while this one's outcome is
   * written (the task stays held under its lease, counted against concurrency + prefetch).
   */
  private releaseSlot(): void {
    this.active--;
    this.fillSlots();
  }

  /** Prefetched tasks that waited past `prefetchTtl` go back to the queue for other workers. */
  private releaseStalePrefetch(): void {
    if (this.waiting.length === 0) return;
    const cutoff = this.clock.now() - this.options.prefetchTtlMs;
    let n = 0;
    while (n < this.waiting.length && this.waiting[n].claimedAtMs < cutoff) n++;
    if (n > 0) void this.releaseWaiting(this.waiting.splice(0, n));
  }

  private async releaseWaiting(items: { run: TaskRun }[]): Promise<void> {
    const now = new Date(this.clock.now());
    await Promise.all(
      items.map(async ({ run }) => {
        try {
          await this.deps.store.releaseTask(run.lease, now);
        } catch (err) {
          this.logger.warn({ taskId: run.taskId, err: errorMessage(err) }, "release of a prefetched task failed; its lease will expire");
        } finally {
          this.runs.delete(run.taskId);
        }
      }),
    );
  }

  private waitForWake(): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      // Yield once so completions queued in this tick free their slots before the next claim.
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise((resolve) => {
      this.wakeUp = () => setImmediate(resolve);
    });
  }

  /** Starts `run` in a slot taken here; the run gives the slot back when its step settles. */
  private launch(run: TaskRun): void {
    this.active++;
    const p = run.run().finally(() => {
      this.runs.delete(run.taskId);
      this.running.delete(p);
      this.fillSlots();
      this.wake();
    });
    this.running.add(p);
  }

  private makeRunDeps(): TaskRunDeps {
    return {
      store: this.deps.store,
      registry: this.deps.registry,
      events: this.deps.events,
      clock: this.clock,
      logger: this.logger,
      options: this.options,
      nodeId: this.nodeId,
      stats: this.stats,
      servesQueue: (q: string) => this.queues.has(q),
      isStopping: () => this.stateValue !== "running",
      requestHeartbeat: () => void this.leaseKeeper.tick(),
      acquireSlot: () => this.acquireSlot(),
      releaseSlot: () => this.releaseSlot(),
      onRetryScheduled: (runAt: Date) => this.wakeAt(runAt),
      onTerminal: (task: Task, status: TaskStatus) => this.onTerminal(task, status),
    };
  }

  private wakeAt(runAt: Date): void {
    const delay = Math.max(0, runAt.getTime() - this.clock.now());
    if (delay >= this.options.pollIntervalMs) return; // the poll timer will find it
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.wake();
    }, delay);
    t.unref();
    this.retryTimers.add(t);
  }

  private onTerminal(task: Task, status: TaskStatus): void {
    if (task.callbacks.length > 0) this.callbacks.wake();
    if (this.deps.events.has("task:ended")) {
      // The message lives in the store; read it only when someone listens.
      void this.deps.store.getTask(task.id, null).then(
        (t) => this.deps.events.emit("task:ended", { taskId: task.id, tenant: task.tenant, status, message: t?.message ?? null }),
        () => this.deps.events.emit("task:ended", { taskId: task.id, tenant: task.tenant, status, message: null }),
      );
    }
  }
}
