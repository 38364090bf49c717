// Delivers task callbacks: claims due deliveries (persisted, so each terminal transition is
// delivered once even across crashes), runs them with a timeout, records the outcome.
import type { Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { CallbackContext } from "../core/step-context.js";
import type { Step, Task } from "../core/task.js";
import type { CallbackJob, Store } from "../store/store.js";
import type { ExecutorRegistry } from "./executor-registry.js";
import type { ResolvedWorkerOptions } from "./worker-options.js";
import type { WorkerStats } from "./worker-stats.js";

/** The step that ended a task: the current one, or the last when all are done. */
export function endingStepOf(task: Task): Step | null {
  if (task.steps.length === 0) return null;
  const step = task.steps[Math.min(task.currentStep, task.steps.length - 1)];
  return step.status === "pending" && task.currentStep === 0 ? null : step;
}

/** Claims and runs callback deliveries. */
export class CallbackRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly deps: {
      store: Store;
      registry: ExecutorRegistry;
      events: EventBus;
      clock: Clock;
      logger: Logger;
      options: ResolvedWorkerOptions;
      nodeId: string;
      stats: WorkerStats;
    },
  ) {}

  /** Starts polling for due deliveries (only if any callback is registered). */
  start(): void {
    if (this.timer || this.deps.registry.callbackNames().length === 0) return;
    this.timer = setInterval(() => this.wake(), Math.max(this.deps.options.pollIntervalMs, 250));
    this.timer.unref();
  }

  /** Stops polling, aborts running callbacks (their deliveries are retried later) and waits. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const c of this.inFlight) c.abort(new Error("worker shutting down"));
    while (this.running) await this.running;
  }

  /** Looks for due deliveries now. */
  wake(): void {
    if (this.deps.registry.callbackNames().length === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no delivery round is under way (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        const now = this.deps.clock.now();
        const jobs = await this.deps.store.claimCallbacks({
          nodeId: this.deps.nodeId,
          names: this.deps.registry.callbackNames(),
          limit: 32,
          leaseMs: this.deps.options.callbackTimeoutMs + this.deps.options.leaseMs,
          now: new Date(now),
        });
        await Promise.all(jobs.map((job) => this.deliver(job)));
        if (jobs.length === 32) this.again = true;
      } catch (err) {
        this.deps.logger.warn({ err: errorMessage(err) }, "callback round failed");
      }
    } while (this.again && this.timer);
  }

  private async deliver(job: CallbackJob): Promise<void> {
    const { deps } = this;
    const task = job.task;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`callback timed out after ${deps.options.callbackTimeoutMs}ms`)), deps.options.callbackTimeoutMs);
    const ctx: CallbackContext = {
      task,
      step: endingStepOf(task),
      error: task.status === "succeeded" ? null : (task.message ?? task.status),
      attempt: job.attempt,
      signal: controller.signal,
    };
    let failure: string | null = null;
    try {
      for (const name of task.callbacks) {
        const callback = deps.registry.callback(name);
        if (!callback) throw new Error(`callback "${name}" is not registered on this node`);
        await new Promise<void>((resolve, reject) => {
          controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
          Promise.resolve()
            .then(() => callback(ctx))
            .then(() => resolve(), reject);
        });
      }
    } catch (err) {
      failure = errorMessage(err);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    const now = deps.clock.now();
    const final = failure !== null && job.attempt >= deps.options.callbackTries;
    const ok = await deps.store.completeCallback(task.id, job.token, {
      status: failure === null ? "succeeded" : "failed",
      message: failure,
      retryAt: failure !== null && !final ? new Date(now + deps.options.callbackBackoffMs) : null,
      now: new Date(now),
    });
    if (!ok) return;
    if (failure === null) {
      deps.stats.callbacksRun++;
      deps.events.emit("callback:succeeded", { taskId: task.id, tenant: task.tenant, attempt: job.attempt });
    } else {
      deps.stats.callbacksFailed++;
      deps.logger.warn({ taskId: task.id, attempt: job.attempt, err: failure }, "callback failed");
      deps.events.emit("callback:failed", { taskId: task.id, tenant: task.tenant, attempt: job.attempt, message: failure, final });
    }
  }
}
