// The client: dispatch, read, cancel, retry, skip and wait on tasks, scoped to one tenant (or
// all, for admins). It talks to the store directly; the HTTP client mirrors it over the API.
import { systemClock, type Clock } from "../core/clock.js";
import { TaskNotFoundError, WaitTimeoutError } from "../core/errors.js";
import type { EventBus, TaskrailEventName, TaskrailListener } from "../core/events.js";
import type { TaskStatus } from "../core/status.js";
import { waitingReason, type NodeRecord } from "../core/node.js";
import type { TaskLimit } from "../core/task-limit.js";
import { resolveLimitSpec, type LimitSpec } from "../core/validation/limit-spec.js";
import { isTerminalTaskStatus } from "../core/status.js";
import { DEFAULT_TENANT, type Task, type TaskLogEntry } from "../core/task.js";
import { resolveTaskSpec, type TaskSpec } from "../core/validation/task-spec.js";
import { parseTaskQuery, type TaskQuery } from "../core/validation/task-query.js";
import type { DuplicatePolicy, LogQuery, Store, TaskFilter, TaskPage, TenantScope } from "../store/store.js";
import { TaskBuilder, isSeedTaskBuilder, specFromSeedBuilder, type SeedTaskBuilder } from "./task-builder.js";
import type { Definition } from "../core/definition.js";
import type { DefinitionSpec } from "../core/validation/definition-spec.js";
import type { DefinitionQuery } from "../core/validation/definition-query.js";
import type { DefinitionPage } from "../store/store.js";
import { buildStatsReport, type StatsReport } from "./stats-report.js";
import { DefinitionOperations, type ApplyDefinitionResult, type DefinitionDetails, type SchedulerStatus } from "./definition-operations.js";

/** Anything dispatch accepts: a task-file object, a fluent builder, or a seeds'-shape builder. */
export type DispatchInput = TaskSpec | TaskBuilder | SeedTaskBuilder;

/** Options of a client. */
export interface ClientOptions {
  /**
   * Tenant of dispatched tasks and of every read. `null` = admin: reads see every tenant and
   * dispatches go to `default`. @default "default"
   */
  tenant?: string | null;
  /** Recorded as the creator of dispatched tasks (unless the spec names one). */
  creator?: string;
  /** When set, dispatch refuses steps whose executor is not among these. */
  knownExecutors?: () => Iterable<string>;
  /** When set, dispatch refuses callbacks not among these. */
  knownCallbacks?: () => Iterable<string>;
}

/** Options of one dispatch. */
export interface DispatchOptions {
  /** An active task with the same index exists: return it (default) or fail with DUPLICATE_TASK. */
  onDuplicate?: DuplicatePolicy;
  /** Set by the scheduler: the definition that made the task and its fire time. */
  definitionId?: string;
  scheduledAt?: Date;
}

/** Options of `waitForTask`. */
export interface WaitOptions {
  /** Give up (WaitTimeoutError) after this long. @default no limit */
  timeoutMs?: number;
  /** Store poll period, for tasks run by other processes. @default 200 */
  pollMs?: number;
  /** Resolve on these statuses too (default: terminal ones). */
  until?: TaskStatus[];
}

/** Dispatches and manages tasks. */
export class TaskrailClient {
  private readonly scope: TenantScope;
  private readonly tenant: string;
  private readonly definitions: DefinitionOperations;

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly options: ClientOptions = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.scope = options.tenant === undefined ? DEFAULT_TENANT : options.tenant;
    this.tenant = this.scope ?? DEFAULT_TENANT;
    this.definitions = new DefinitionOperations({
      store,
      events,
      clock,
      scope: this.scope,
      creator: options.creator,
      knownExecutors: options.knownExecutors,
      knownCallbacks: options.knownCallbacks,
    });
  }

  /**
   * Validates and stores a task; it is in the database when this resolves. An active task with
   * the same (type, indexType, index) is returned instead (or DUPLICATE_TASK with `fail`).
   */
  async dispatch(input: DispatchInput, options: DispatchOptions = {}): Promise<Task> {
    const newTask = resolveTaskSpec(toSpec(input), {
      tenant: this.tenant,
      creator: this.options.creator,
      now: new Date(this.clock.now()),
      definitionId: options.definitionId,
      scheduledAt: options.scheduledAt,
      knownExecutors: this.options.knownExecutors ? new Set(this.options.knownExecutors()) : undefined,
      knownCallbacks: this.options.knownCallbacks ? new Set(this.options.knownCallbacks()) : undefined,
    });
    const { task, created } = await this.store.createTask(newTask, options.onDuplicate ?? "return");
    if (created) this.events.emit("task:dispatched", { taskId: task.id, tenant: task.tenant, type: task.type });
    return task;
  }

  /** Dispatches many tasks in one transaction (all validated first: one bad spec stores none). */
  async dispatchMany(inputs: DispatchInput[]): Promise<Task[]> {
    const now = new Date(this.clock.now());
    const executors = this.options.knownExecutors ? new Set(this.options.knownExecutors()) : undefined;
    const callbacks = this.options.knownCallbacks ? new Set(this.options.knownCallbacks()) : undefined;
    const newTasks = inputs.map((input) =>
      resolveTaskSpec(toSpec(input), { tenant: this.tenant, creator: this.options.creator, now, knownExecutors: executors, knownCallbacks: callbacks }),
    );
    const results = await this.store.createTasks(newTasks);
    if (results.some((r) => r.created)) {
      const first = results.find((r) => r.created)!.task;
      this.events.emit("task:dispatched", { taskId: first.id, tenant: first.tenant, type: first.type });
    }
    return results.map((r) => r.task);
  }

  /** The task with its steps; TaskNotFoundError when absent (or another tenant's). */
  async getTask(id: string): Promise<Task> {
    const task = await this.store.getTask(id, this.scope);
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  /** A page of tasks, newest first, with the total matching the filters. */
  async listTasks(query: TaskQuery = {}): Promise<TaskPage> {
    const q = parseTaskQuery(query);
    return this.store.listTasks(this.filterOf(q), { limit: q.limit ?? 50, cursor: q.cursor ?? null });
  }

  /** Count of tasks by status (with the same filters as listTasks). */
  async countTasksByStatus(query: Omit<TaskQuery, "limit" | "cursor"> = {}): Promise<Record<TaskStatus, number>> {
    return this.store.countTasksByStatus(this.filterOf(parseTaskQuery(query)));
  }

  /** Cancels a pending task at once, or asks a running one to stop (its signal fires). */
  async cancelTask(id: string): Promise<Task> {
    const { task, immediate } = await this.store.requestCancel(id, this.scope, new Date(this.clock.now()));
    this.events.emit("task:cancel-requested", { taskId: id, tenant: task.tenant, immediate });
    if (immediate) this.events.emit("task:ended", { taskId: id, tenant: task.tenant, status: "cancelled", message: task.message });
    return task;
  }

  /** Retries a failed/timeout/cancelled task from its failed step, or from `fromStep`. */
  async retryTask(id: string, options: { fromStep?: string } = {}): Promise<Task> {
    const task = await this.store.retryTask(id, this.scope, options.fromStep ?? null, new Date(this.clock.now()));
    this.events.emit("task:retried", { taskId: id, tenant: task.tenant, fromStep: task.steps[task.currentStep]?.name ?? "" });
    return task;
  }

  /** Marks the failed step `stepName` skipped and resumes the chain after it. */
  async skipStep(id: string, stepName: string): Promise<Task> {
    const task = await this.store.skipStep(id, this.scope, stepName, new Date(this.clock.now()));
    this.events.emit("task:retried", { taskId: id, tenant: task.tenant, fromStep: task.steps[task.currentStep]?.name ?? "" });
    if (isTerminalTaskStatus(task.status)) this.events.emit("task:ended", { taskId: id, tenant: task.tenant, status: task.status, message: task.message });
    return task;
  }

  /** Task log lines in order (`afterId` to page or follow). */
  listLogs(id: string, query: Partial<LogQuery> = {}): Promise<TaskLogEntry[]> {
    return this.store.listLogs(id, this.scope, { limit: query.limit ?? 500, afterId: query.afterId, stepIndex: query.stepIndex });
  }

  /** Resolves with the task once it is terminal (or in one of `until`). */
  async waitForTask(id: string, options: WaitOptions = {}): Promise<Task> {
    const until = options.until;
    const done = (t: Task): boolean => (until ? until.includes(t.status) : isTerminalTaskStatus(t.status));
    const first = await this.getTask(id);
    if (done(first)) return first;
    const pollMs = options.pollMs ?? 200;
    return new Promise<Task>((resolve, reject) => {
      let settled = false;
      let checking = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        clearTimeout(timeout);
        off();
        fn();
      };
      const check = (): void => {
        if (checking || settled) return;
        checking = true;
        this.getTask(id).then(
          (t) => {
            checking = false;
            if (done(t)) finish(() => resolve(t));
          },
          (err) => finish(() => reject(err)),
        );
      };
      const off = this.events.on("task:ended", (e) => {
        if (e.taskId === id) check();
      });
      const poll = setInterval(check, pollMs);
      const timeout = options.timeoutMs !== undefined ? setTimeout(() => finish(() => reject(new WaitTimeoutError(id, options.timeoutMs!))), options.timeoutMs) : undefined;
    });
  }

  /**
   * Sets a cluster-wide limit, e.g. `{ scope: "queue", name: "emails", maxRunning: 2,
   * rate: { count: 10, interval: "1s" } }`; neither `maxRunning` nor `rate` removes it.
   */
  async setLimit(spec: LimitSpec): Promise<TaskLimit> {
    const limit = resolveLimitSpec(spec);
    await this.store.setLimit(limit);
    return limit;
  }

  /** Every cluster-wide limit. */
  listLimits(): Promise<TaskLimit[]> {
    return this.store.listLimits();
  }

  /**
   * Counts, success rate, throughput buckets, duration percentiles by type and the oldest
   * waiting task of this client's tenant over a window (`{ window: "24h", buckets: 24 }`;
   * default the last hour in 60 buckets). VALIDATION_FAILED names a bad field.
   */
  statsReport(query: { window?: string | number; buckets?: number } = {}): Promise<StatsReport> {
    return buildStatsReport(this.store, this.scope, query, new Date(this.clock.now()));
  }

  /** Every known node (processes running workers), alive first. */
  listNodes(): Promise<NodeRecord[]> {
    return this.store.listNodes();
  }

  /**
   * Why a pending task cannot run yet, from the live nodes ("waiting: no live node serves
   * queue …" / "… offers executor …"), or null when it only waits for a slot or its runAt.
   */
  async waitingReason(task: Task): Promise<string | null> {
    if (task.status !== "pending") return null;
    return waitingReason(task, await this.store.listNodes());
  }

  // ---- definitions (names: the client's tenant; an admin client may write `tenant/name`) ----

  /** Creates a definition (a definition file object); DEFINITION_EXISTS when the name is taken. */
  createDefinition(spec: DefinitionSpec): Promise<Definition> {
    return this.definitions.create(spec);
  }

  /**
   * Creates the definition or updates the one with its name (idempotent: an identical spec
   * changes nothing). The planned fire time survives unless the schedule changed; `enabled`
   * is kept unless the spec sets it.
   */
  applyDefinition(spec: DefinitionSpec): Promise<ApplyDefinitionResult> {
    return this.definitions.apply(spec);
  }

  /** Replaces definition `name` with `spec` (same name); DEFINITION_NOT_FOUND when absent. */
  updateDefinition(name: string, spec: DefinitionSpec): Promise<Definition> {
    return this.definitions.update(name, spec);
  }

  /** Deletes a definition; the tasks it made stay. */
  deleteDefinition(name: string): Promise<void> {
    return this.definitions.delete(name);
  }

  /** The definition with its schedule, `nextFireTimes` (next five) and recent skipped fires. */
  getDefinition(name: string): Promise<DefinitionDetails> {
    return this.definitions.get(name);
  }

  /** The definition with that id (e.g. a task's `definitionId`), or null when absent or another tenant's. */
  getDefinitionById(id: string): Promise<Definition | null> {
    return this.definitions.byId(id);
  }

  /** A page of definitions by tenant then name. */
  listDefinitions(query: DefinitionQuery = {}): Promise<DefinitionPage> {
    return this.definitions.list(query);
  }

  /** Enables a definition; missed fire times are handled by its misfire policy. */
  enableDefinition(name: string): Promise<Definition> {
    return this.definitions.setEnabled(name, true);
  }

  /** Disables a definition: it never fires until enabled again. */
  disableDefinition(name: string): Promise<Definition> {
    return this.definitions.setEnabled(name, false);
  }

  /** Creates one task from the definition at once, whatever its schedule. */
  triggerDefinition(name: string): Promise<Task> {
    return this.definitions.trigger(name);
  }

  /** The tasks the definition made, newest first. */
  definitionHistory(name: string, query: TaskQuery = {}): Promise<TaskPage> {
    return this.definitions.history(name, query);
  }

  /** The scheduler leader (node, id), its last tick and lag. */
  schedulerStatus(): Promise<SchedulerStatus> {
    return this.definitions.schedulerStatus();
  }

  /** Subscribes to an in-process event; returns the unsubscribe function. */
  on<E extends TaskrailEventName>(event: E, listener: TaskrailListener<E>): () => void {
    return this.events.on(event, listener);
  }

  private filterOf(q: ReturnType<typeof parseTaskQuery>): TaskFilter {
    return {
      tenant: this.scope,
      status: q.status,
      type: q.type,
      index: q.index,
      indexType: q.indexType,
      creator: q.creator,
      queue: q.queue,
      definitionId: q.definitionId,
      createdFrom: q.createdFrom,
      createdTo: q.createdTo,
    };
  }
}

function toSpec(input: DispatchInput): unknown {
  if (input instanceof TaskBuilder) return input.toSpec();
  if (isSeedTaskBuilder(input)) return specFromSeedBuilder(input);
  return input;
}
