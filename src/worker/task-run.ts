// Runs one claimed task under its lease: each step's executor with its context, timeouts and
// abort, then the fenced outcome write; the chain goes on in place while this worker can run it.
import type { Clock } from "../core/clock.js";
import { NonRetryableError, TemplateError, errorMessage } from "../core/errors.js";
import type { EventBus } from "../core/events.js";
import { toJsonValue, type JsonObject, type JsonValue } from "../core/json.js";
import type { Logger } from "../core/logger.js";
import { hasPlaceholders, renderParams, type RenderScope } from "../core/render.js";
import { isTerminalTaskStatus, type TaskStatus } from "../core/status.js";
import type { StepContext } from "../core/step-context.js";
import { decideAfterFailedTry } from "../core/step-outcome.js";
import type { Lease, Task } from "../core/task.js";
import type { Store, StepWriteResult } from "../store/store.js";
import { StepAbort, StepAbortedError, type AbortKind } from "./abort-reason.js";
import type { ExecutorRegistry } from "./executor-registry.js";
import { ProgressWriter } from "./progress-writer.js";
import { StepLogBuffer } from "./step-log-buffer.js";
import type { ResolvedWorkerOptions } from "./worker-options.js";
import type { WorkerStats } from "./worker-stats.js";

/** What a TaskRun needs from its worker. */
export interface TaskRunDeps {
  store: Store;
  registry: ExecutorRegistry;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  options: ResolvedWorkerOptions;
  nodeId: string;
  stats: WorkerStats;
  /** True when this worker serves queue `q`. */
  servesQueue(queue: string): boolean;
  /** True once the worker is stopping (no new step starts in place). */
  isStopping(): boolean;
  /** Renews leases soon (`ctx.heartbeat()`). */
  requestHeartbeat(): void;
  /** Takes an execution slot for a step run in place: undefined when taken at once. */
  acquireSlot(): Promise<void> | undefined;
  /** Gives the slot back once the step's executor settled (its outcome is written after). */
  releaseSlot(): void;
  /** A step of this worker's will be ready again at `runAt`. */
  onRetryScheduled(runAt: Date): void;
  /** The task reached a terminal status through this worker. */
  onTerminal(task: Task, status: TaskStatus): void;
}

/** What rendering sees when no param holds a placeholder (it is then never consulted). */
const EMPTY_SCOPE: RenderScope = Object.freeze({ params: {}, steps: {}, task: {} });

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown; abandoned?: boolean };

/** One claimed task being run by this worker. */
export class TaskRun {
  readonly taskId: string;
  readonly lease: Lease;
  private task: Task;
  private controller: StepAbort | null = null;
  /** An abort that arrived between steps: applied to the next step at once. */
  private pendingAbort: { kind: AbortKind; message: string; graceMs: number } | null = null;
  private graceMs: number;
  private logs: StepLogBuffer | null = null;
  private progress: ProgressWriter | null = null;
  private finished = false;
  /** Whether this run holds an execution slot (it starts with the one `launch` took). */
  private holdsSlot = true;

  constructor(claimed: { task: Task; lease: Lease }, private readonly deps: TaskRunDeps) {
    this.task = claimed.task;
    this.lease = claimed.lease;
    this.taskId = claimed.task.id;
    this.graceMs = deps.options.abortGraceMs;
  }

  /** True once the run wrote its last outcome (or gave up the task). */
  get done(): boolean {
    return this.finished;
  }

  /** Fires the running step's signal; the outcome is recorded when it settles or after `graceMs`. */
  abort(kind: AbortKind, message: string, graceMs = this.deps.options.abortGraceMs): void {
    if (this.finished) return;
    const c = this.controller;
    if (c && c.reason === null) {
      this.graceMs = graceMs;
      c.abort(new StepAbortedError(kind, message));
    } else if (!c && !this.pendingAbort) {
      this.pendingAbort = { kind, message, graceMs };
    }
  }

  /** Writes buffered log lines under the lease (heartbeat flush). */
  async flushLogs(): Promise<void> {
    const buffer = this.logs;
    if (!buffer || buffer.size === 0) return;
    const lines = buffer.drain();
    const ok = await this.deps.store.appendLogs(lines, this.lease, new Date(this.deps.clock.now()));
    if (!ok) this.refused("logs");
  }

  /** Runs steps until the task leaves this worker. Never throws. */
  async run(): Promise<void> {
    let stepIndex: number | null = this.task.currentStep;
    try {
      while (stepIndex !== null) {
        if (!this.holdsSlot) {
          const wait = this.deps.acquireSlot();
          if (wait !== undefined) await wait;
          this.holdsSlot = true;
        }
        stepIndex = await this.runStep(stepIndex);
      }
    } catch (err) {
      // A store error (database down, …): the lease will expire and another node re-runs the step.
      this.deps.logger.error({ taskId: this.taskId, err: errorMessage(err) }, "task run stopped by an error; its lease will expire");
      this.deps.events.emit("worker:error", { nodeId: this.deps.nodeId, where: "task-run", error: err });
    } finally {
      this.finished = true;
      this.controller = null;
      this.freeSlot();
    }
  }

  /** Gives the execution slot back (once) while the outcome is written or the run ends. */
  private freeSlot(): void {
    if (this.holdsSlot) {
      this.holdsSlot = false;
      this.deps.releaseSlot();
    }
  }

  private async runStep(index: number): Promise<number | null> {
    const { deps } = this;
    const task = this.task;
    const step = task.steps[index];
    const attempt = step.attempts;
    const startedMs = deps.clock.now();
    deps.stats.stepsStarted++;
    if (deps.events.has("step:started")) {
      deps.events.emit("step:started", { taskId: task.id, tenant: task.tenant, stepIndex: index, step: step.name, attempt, nodeId: deps.nodeId });
    }
    const logs = (this.logs = new StepLogBuffer(task.id, index, attempt, deps.clock));
    const controller = (this.controller = new StepAbort());
    let progress: ProgressWriter | null = null;
    /** False once the step settled: a late ctx.progress() is ignored, as a closed writer would. */
    let stepOpen = true;
    if (this.pendingAbort) {
      const p = this.pendingAbort;
      this.pendingAbort = null;
      this.abort(p.kind, p.message, p.graceMs);
    }
    const timers = this.armTimers(step.timeoutMs, task.deadlineAt);

    let settled: Settled;
    const paramsPatch: JsonObject = {};
    let taskPayload: JsonValue | undefined;
    let rendered: JsonObject | null = null;
    try {
      const merged = { ...task.params, ...step.params };
      // The scope (every step's output, the task's fields) is built only when something uses it.
      rendered = renderParams(merged, hasPlaceholders(merged) ? this.renderScope(merged) : EMPTY_SCOPE);
    } catch (err) {
      settled = { ok: false, error: err };
    }
    if (rendered) {
      const executor = deps.registry.executor(step.executor);
      const ctx: StepContext = {
        params: rendered,
        payload: step.payload,
        taskPayload: task.payload,
        task,
        step,
        attempt,
        get signal() {
          return controller.signal;
        },
        setParam: (key, value) => {
          if (typeof key !== "string" || key === "") throw new TypeError("setParam: key must be a non-empty string");
          paramsPatch[key] = toJsonValue(value);
        },
        setTaskPayload: (value) => {
          taskPayload = toJsonValue(value);
        },
        progress: (pct, message) => {
          if (!stepOpen) return;
          // Made on first use: most steps never report progress.
          progress ??= this.progress = new ProgressWriter(deps, this.lease, task, () => this.refused("progress"));
          progress.report(pct, message ?? null);
        },
        log: logs.stepLog(),
        heartbeat: () => deps.requestHeartbeat(),
      };
      settled = executor
        ? await this.settle(Promise.resolve().then(() => executor(ctx)), controller)
        : { ok: false, error: new NonRetryableError(`no executor "${step.executor}" on node ${deps.options.nodeName}`) };
    }
    clearTimeout(timers.step);
    clearTimeout(timers.task);
    this.controller = null;
    this.freeSlot();
    stepOpen = false;
    if (progress !== null) await (progress as ProgressWriter).close();
    const now = new Date(deps.clock.now());
    const abortKind = controller.kind;

    if (abortKind === "lease-lost") return this.leaseLost();
    if (abortKind === "shutdown" && !settled!.ok) return this.release(now, logs);
    if (abortKind === "cancel" && !settled!.ok) {
      logs.add("warn", "cancel requested: step signal fired", null);
      const res = await deps.store.cancelStep(this.lease, { stepIndex: index, message: "cancelled by request", now, logs: logs.drain() });
      if (!res.ok) return this.refused("cancel");
      deps.events.emit("step:cancelled", { taskId: task.id, tenant: task.tenant, stepIndex: index, step: step.name });
      return this.ended(res);
    }
    if (abortKind === "step-timeout" || abortKind === "task-timeout") {
      const message = controller.reason!.message;
      return this.fail(index, "timeout", message, abortKind === "task-timeout" ? "task-timeout" : "retryable", now, logs);
    }
    if (settled!.ok) return this.complete(index, toJsonValue(settled!.value), paramsPatch, taskPayload, now, logs, startedMs);
    const err = settled!.error;
    // A bad template fails the same way on every try: no point retrying it.
    const nonRetryable = err instanceof NonRetryableError || err instanceof TemplateError;
    return this.fail(index, "failed", errorMessage(err), nonRetryable ? "non-retryable" : "retryable", now, logs);
  }

  private async complete(
    index: number,
    output: JsonValue,
    patch: JsonObject,
    taskPayload: JsonValue | undefined,
    now: Date,
    logs: StepLogBuffer,
    startedMs: number,
  ): Promise<number | null> {
    const { deps } = this;
    const task = this.task;
    const step = task.steps[index];
    const hasPatch = Object.keys(patch).length > 0;
    const res = await deps.store.completeStep(this.lease, {
      stepIndex: index,
      output,
      paramsPatch: hasPatch ? patch : null,
      taskPayload,
      continueNext: this.canContinue(index + 1),
      now,
      logs: logs.size > 0 ? logs.drain() : undefined,
    });
    if (!res.ok) return this.refused("step success");
    deps.stats.stepsSucceeded++;
    // Mirror the write locally: the next step renders from these params and outputs.
    step.status = "succeeded";
    step.output = output;
    step.endedAt = now;
    if (hasPatch) task.params = { ...task.params, ...patch };
    if (taskPayload !== undefined) task.payload = taskPayload;
    task.result = output;
    task.currentStep = index + 1;
    if (deps.events.has("step:succeeded")) {
      deps.events.emit("step:succeeded", { taskId: task.id, tenant: task.tenant, stepIndex: index, step: step.name, attempt: step.attempts, durationMs: now.getTime() - startedMs });
    }
    return this.advance(res, now);
  }

  private async fail(
    index: number,
    stepStatus: "failed" | "timeout",
    message: string,
    kind: "retryable" | "non-retryable" | "task-timeout",
    now: Date,
    logs: StepLogBuffer,
  ): Promise<number | null> {
    const { deps } = this;
    const task = this.task;
    const step = task.steps[index];
    const then =
      kind === "task-timeout"
        ? ({ kind: "end", taskStatus: "timeout" } as const) // the whole task is over: no retry, no skip
        : decideAfterFailedTry(step, { stepStatus, nonRetryable: kind === "non-retryable", now, canContinue: this.canContinue(index + 1) });
    logs.add(stepStatus === "timeout" ? "warn" : "error", `try ${step.attempts} of ${step.maxTries} ${stepStatus === "timeout" ? "timed out" : "failed"}: ${message}`, null);
    const res = await deps.store.failStep(this.lease, { stepIndex: index, stepStatus, message, then, now, logs: logs.drain() });
    if (!res.ok) return this.refused("step failure");
    deps.stats.stepsFailed++;
    step.message = message;
    deps.events.emit("step:failed", {
      taskId: task.id,
      tenant: task.tenant,
      stepIndex: index,
      step: step.name,
      attempt: step.attempts,
      status: stepStatus,
      message,
      willRetry: then.kind === "retry" && res.taskStatus === "pending",
      retryAt: then.kind === "retry" ? then.runAt : null,
    });
    if (then.kind === "retry") {
      if (res.taskStatus === "pending") deps.onRetryScheduled(then.runAt);
      return this.ended(res);
    }
    if (then.kind === "skip") {
      step.status = "skipped";
      task.currentStep = index + 1;
      deps.events.emit("step:skipped", { taskId: task.id, tenant: task.tenant, stepIndex: index, step: step.name, message });
      return this.advance(res, now);
    }
    return this.ended(res);
  }

  /** After a step succeeded or was skipped: go on in place, or note where the task went. */
  private advance(res: Extract<StepWriteResult, { ok: true }>, now: Date): number | null {
    if (res.startedStep === null) return this.ended(res);
    const next = this.task.steps[res.startedStep];
    next.status = "running";
    next.attempts += 1;
    next.startedAt = now;
    next.message = null;
    return res.startedStep;
  }

  private ended(res: Extract<StepWriteResult, { ok: true }>): null {
    const status = res.taskStatus;
    if (isTerminalTaskStatus(status)) {
      this.task.status = status;
      this.deps.stats.tasksEnded++;
      this.deps.onTerminal(this.task, status);
    }
    return null;
  }

  private async release(now: Date, logs: StepLogBuffer): Promise<null> {
    logs.add("info", `worker ${this.deps.options.nodeName} shutting down: step released for another worker`, null);
    await this.deps.store.appendLogs(logs.drain(), this.lease, now);
    const res = await this.deps.store.releaseTask(this.lease, now);
    if (!res.ok) return this.refused("release");
    return null;
  }

  private leaseLost(): null {
    this.deps.stats.leasesLost++;
    this.deps.logger.warn({ taskId: this.taskId }, "lease lost: step abandoned, its outcome will not be recorded");
    this.deps.events.emit("lease:lost", { taskId: this.taskId, nodeId: this.deps.nodeId });
    return null;
  }

  /** A fenced write was refused: the lease moved on. Logged and counted, never applied. */
  private refused(write: string): null {
    this.deps.stats.refusedWrites++;
    this.deps.logger.warn({ taskId: this.taskId, write }, "write refused: lease no longer held");
    this.deps.events.emit("write:refused", { taskId: this.taskId, nodeId: this.deps.nodeId, write });
    return null;
  }

  /**
   * Whether this worker may start step `index` in place: same queue as the step that just ran
   * (a step on another queue goes back through a claim, so that queue's routing and limits
   * apply), and this worker has its executor.
   */
  private canContinue(index: number): boolean {
    const next = this.task.steps[index];
    const current = this.task.steps[index - 1];
    if (!next || !current || this.deps.isStopping() || this.pendingAbort) return false;
    const nextQueue = next.queue ?? this.task.queue;
    if (nextQueue !== (current.queue ?? this.task.queue)) return false;
    return this.deps.registry.executor(next.executor) !== undefined && this.deps.servesQueue(nextQueue);
  }

  private armTimers(stepTimeoutMs: number | null, deadlineAt: Date | null): { step?: NodeJS.Timeout; task?: NodeJS.Timeout } {
    const timers: { step?: NodeJS.Timeout; task?: NodeJS.Timeout } = {};
    if (stepTimeoutMs !== null) {
      timers.step = setTimeout(() => this.abort("step-timeout", `step timed out after ${stepTimeoutMs}ms`), stepTimeoutMs);
    }
    if (deadlineAt) {
      const left = deadlineAt.getTime() - this.deps.clock.now();
      timers.task = setTimeout(() => this.abort("task-timeout", "task timeout exceeded"), Math.max(0, left));
    }
    return timers;
  }

  /** Waits for the executor; once the signal fired, waits at most the grace period more. */
  private settle(promise: Promise<unknown>, abort: StepAbort): Promise<Settled> {
    return new Promise<Settled>((resolve) => {
      let graceTimer: NodeJS.Timeout | undefined;
      promise.then(
        (value) => {
          clearTimeout(graceTimer);
          resolve({ ok: true, value });
        },
        (error: unknown) => {
          clearTimeout(graceTimer);
          resolve({ ok: false, error });
        },
      );
      const onAbort = (): void => {
        // A lost lease needs no grace: nothing this run does can be recorded any more.
        const grace = abort.kind === "lease-lost" ? 0 : this.graceMs;
        graceTimer = setTimeout(() => resolve({ ok: false, error: abort.reason, abandoned: true }), grace);
      };
      abort.onAbort(onAbort);
    });
  }

  private renderScope(params: JsonObject): RenderScope {
    const task = this.task;
    const steps: RenderScope["steps"] = {};
    for (const s of task.steps) steps[s.name] = { output: s.output, status: s.status, message: s.message };
    return {
      params,
      steps,
      task: {
        id: task.id,
        tenant: task.tenant,
        type: task.type,
        name: task.name,
        index: task.index,
        indexType: task.indexType,
        queue: task.queue,
        priority: task.priority,
        creator: task.creator,
        retryCount: task.retryCount,
        createdAt: task.createdAt.toISOString(),
        definitionId: task.definitionId,
      },
    };
  }
}
