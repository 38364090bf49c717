// The composition root for one process: opens the store, registers executors and callbacks,
// builds the client, and starts/stops the worker.
import { systemClock, type Clock } from "../core/clock.js";
import { EventBus } from "../core/events.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { Callback, Executor } from "../core/step-context.js";
import { TaskrailClient, type ClientOptions } from "../client/taskrail-client.js";
import { createBuiltinExecutors, type BuiltinExecutorOptions } from "../executors/builtin-executors.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { ExecutorRegistry } from "../worker/executor-registry.js";
import { Worker, type WorkerState } from "../worker/worker.js";
import type { WorkerOptions } from "../worker/worker-options.js";
import { TaskEventRetention, type TaskEventRetentionOptions } from "../worker/task-event-retention.js";
import { packageVersion } from "./package-info.js";
import { Scheduler } from "../scheduler/scheduler.js";
import type { SchedulerOptions } from "../scheduler/scheduler-options.js";

/** Options of `createTaskrail`. */
export interface TaskrailOptions {
  /** Store URL (`sqlite:PATH`, `postgres://…`) or an open Store. @default env TASKRAIL_DATABASE_URL, else `sqlite:./taskrail.db` */
  db?: string | Store;
  /** Executors by name (the executors module's default export has this shape). */
  executors?: Record<string, Executor>;
  /** Callbacks by name. */
  callbacks?: Record<string, Callback>;
  /** Built-in executors' options (`shell.allow` …), or false to register none. @default {} */
  builtins?: BuiltinExecutorOptions | false;
  /** Options of the worker started by `startWorker()`. */
  worker?: WorkerOptions;
  /** Options of the scheduler started by `startScheduler()`. */
  scheduler?: SchedulerOptions;
  /** Tenant of the client (`null` = admin, all tenants). @default "default" */
  tenant?: string | null;
  /** Creator recorded on dispatched tasks. */
  creator?: string;
  /** Refuse dispatches naming executors/callbacks this process has not registered. @default true when `executors` is given */
  validateNames?: boolean;
  /**
   * Retention of the task event log (live events), swept while a worker runs in this process,
   * or false to keep events forever. @default { maxAge: "24h", interval: "1m" }
   */
  eventRetention?: TaskEventRetentionOptions | false;
  logger?: Logger;
  clock?: Clock;
}

/** One process's taskrail: store, registry, client and (when started) worker. */
export class Taskrail {
  readonly events: EventBus;
  readonly registry = new ExecutorRegistry();
  readonly client: TaskrailClient;
  private workerValue: Worker | null = null;
  private readonly eventRetention: TaskEventRetention | null;
  private schedulerValue: Scheduler | null = null;

  constructor(
    readonly store: Store,
    private readonly options: TaskrailOptions,
    private readonly ownsStore: boolean,
  ) {
    const logger = options.logger ?? silentLogger;
    this.events = new EventBus((event, err) => logger.warn({ event, err: String(err) }, "event listener threw"));
    if (options.builtins !== false) {
      for (const [name, fn] of Object.entries(createBuiltinExecutors(options.builtins ?? {}))) this.registry.registerExecutor(name, fn);
    }
    for (const [name, fn] of Object.entries(options.executors ?? {})) this.registry.registerExecutor(name, fn);
    for (const [name, fn] of Object.entries(options.callbacks ?? {})) this.registry.registerCallback(name, fn);
    const validate = options.validateNames ?? options.executors !== undefined;
    const clientOptions: ClientOptions = {
      tenant: options.tenant,
      creator: options.creator,
      knownExecutors: validate ? () => this.registry.executorNames() : undefined,
      knownCallbacks: validate ? () => this.registry.callbackNames() : undefined,
    };
    this.client = new TaskrailClient(store, this.events, clientOptions, options.clock ?? systemClock);
    // Resolved now so bad options fail at creation, not when the worker starts.
    this.eventRetention =
      options.eventRetention === false ? null : new TaskEventRetention(store, options.eventRetention, options.clock, logger);
  }

  /** The worker, once started. */
  get worker(): Worker | null {
    return this.workerValue;
  }

  /** Registers an executor (before the worker starts, or it is not offered in claims until then). */
  registerExecutor(name: string, executor: Executor): this {
    this.registry.registerExecutor(name, executor);
    return this;
  }

  /** Registers a callback. */
  registerCallback(name: string, callback: Callback): this {
    this.registry.registerCallback(name, callback);
    return this;
  }

  /** Starts a worker in this process. */
  startWorker(options?: WorkerOptions): Worker {
    if (this.workerValue && this.workerValue.state !== "stopped") throw new Error("a worker is already running in this taskrail");
    const worker = new Worker(
      { store: this.store, registry: this.registry, events: this.events, clock: this.options.clock, logger: this.options.logger, version: packageVersion() },
      options ?? this.options.worker,
    );
    worker.start();
    this.workerValue = worker;
    this.eventRetention?.start();
    return worker;
  }

  /** The scheduler, once started. */
  get scheduler(): Scheduler | null {
    return this.schedulerValue;
  }

  /**
   * Starts a scheduler in this process: it competes for the leader lease and, while leading,
   * fires due definitions. Safe to run in many processes at once.
   */
  startScheduler(options?: SchedulerOptions): Scheduler {
    if (this.schedulerValue && this.schedulerValue.state !== "stopped") throw new Error("a scheduler is already running in this taskrail");
    const scheduler = new Scheduler({ store: this.store, events: this.events, clock: this.options.clock, logger: this.options.logger }, options ?? this.options.scheduler);
    scheduler.start();
    this.schedulerValue = scheduler;
    return scheduler;
  }

  /** Worker state, or `stopped` when none runs. */
  get workerState(): WorkerState {
    return this.workerValue?.state ?? "stopped";
  }

  /**
   * Stops the scheduler (its lease is released so another process leads at once) and the
   * worker (graceful, up to `deadlineMs`), then closes the store if it was opened here.
   */
  async close(options: { deadlineMs?: number } = {}): Promise<void> {
    await this.schedulerValue?.stop(options);
    await this.workerValue?.stop(options);
    await this.eventRetention?.stop();
    if (this.ownsStore) await this.store.close();
  }
}

/** Opens the store and builds a Taskrail (the worker is started with `startWorker()`). */
export async function createTaskrail(options: TaskrailOptions = {}): Promise<Taskrail> {
  if (options.db !== undefined && typeof options.db !== "string") return new Taskrail(options.db, options, false);
  const store = await openStore(options.db);
  return new Taskrail(store, options, true);
}
