// The Store port: the only door to the database. Every method is one atomic, state-guarded
// transition; a guard miss is reported as a value (or a typed error for operator calls).
import type { CallbackStatus, Lease, NewLogEntry, NewTask, Task, TaskLogEntry } from "../core/task.js";
import type { JsonObject, JsonValue } from "../core/json.js";
import type { TaskStatus } from "../core/status.js";
import type { AfterFailedTry } from "../core/step-outcome.js";
import type { NodeRecord, NodeRegistration } from "../core/node.js";
import type { TaskLimit } from "../core/task-limit.js";
import type { TaskEvent } from "../core/task-event.js";
import type { ApiToken, NewApiToken } from "../core/api-token.js";
import type { AuditPage, AuditQuery, NewAuditEntry } from "../core/audit.js";
import type { TaskStats, TaskStatsRequest } from "../core/task-stats.js";
import type { Definition, DueDefinition, ScheduleKind, SkippedFire, SkipReason } from "../core/definition.js";

/**
 * Which tenant a read or operator call is limited to. `null` means every tenant (admin);
 * a string limits the call to that tenant: rows of other tenants behave as if absent.
 */
export type TenantScope = string | null;

/** Filters of `listTasks` and `countTasksByStatus`; every field narrows, absent fields don't. */
export interface TaskFilter {
  tenant?: TenantScope;
  status?: TaskStatus[];
  type?: string;
  index?: string;
  indexType?: string;
  creator?: string;
  queue?: string;
  definitionId?: string;
  /** createdAt >= createdFrom */
  createdFrom?: Date;
  /** createdAt < createdTo */
  createdTo?: Date;
}

/** A page request: newest first, `cursor` is the `nextCursor` of the previous page. */
export interface PageRequest {
  /** 1..1000 */
  limit: number;
  cursor?: string | null;
}

/** Where a task list stops counting its total (see TaskPage.total). */
export const TASK_TOTAL_CAP = 10_000;

/** One page of tasks with the total count matching the filter (all pages). */
export interface TaskPage {
  items: Task[];
  /**
   * Tasks matching the filter (all pages), counted exactly up to TASK_TOTAL_CAP; past it the
   * count stops there and `totalCapped` is true ("10,000+"): counting a million rows on every
   * page would cost more than the page itself.
   */
  total: number;
  /** True when more than TASK_TOTAL_CAP tasks match: `total` is then the cap, a lower bound. */
  totalCapped: boolean;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** What `createTask` does when an active task with the same index exists. */
export type DuplicatePolicy = "return" | "fail";

/** Result of `createTask`: the stored task, and whether this call created it. */
export interface CreateTaskResult {
  task: Task;
  created: boolean;
}

/** A worker's request for ready tasks. */
export interface ClaimRequest {
  nodeId: string;
  /** Queues the worker serves (current step's effective queue must be one of them). */
  queues: string[];
  /** Executors the worker has (current step's executor must be one of them). */
  executors: string[];
  /** At most this many tasks. */
  limit: number;
  /** Lease length from `now`. */
  leaseMs: number;
  now: Date;
}

/**
 * A task a worker now holds. Its current step is already `running` with `attempts`
 * incremented, `startedAt` set, and the task's `startedAt`/`deadlineAt` set on first start.
 */
export interface ClaimedTask {
  task: Task;
  lease: Lease;
}

/** Heartbeat answer for one lease. */
export interface LeaseRenewal {
  taskId: string;
  /** False when the lease moved on (expired and recovered, cancelled, …): stop at once. */
  held: boolean;
  /** An operator asked to cancel: fire the step's signal. */
  cancelRequested: boolean;
}

/** Outcome of a fenced worker write. */
export type StepWriteResult =
  | {
      ok: true;
      /** Task status after the write. */
      taskStatus: TaskStatus;
      /** Index of the step this write started (chain went on in the same worker), or null. */
      startedStep: number | null;
    }
  | {
      ok: false;
      /** `lease_lost`: token moved on, status not running, or lease expired at `now`. */
      reason: "lease_lost";
    };

/** A successful try. */
export interface CompleteStepRequest {
  stepIndex: number;
  output: JsonValue;
  /** Keys the step `setParam`'d: merged into task params in the same write. */
  paramsPatch: JsonObject | null;
  /** Replacement task payload (`setTaskPayload`), or undefined to keep it. */
  taskPayload?: JsonValue;
  /**
   * Start the next step in the same write (attempts+1, running) instead of returning the
   * task to `pending`. Ignored when this was the last step or a cancel was requested.
   */
  continueNext: boolean;
  now: Date;
  /** Log lines flushed with the outcome. */
  logs?: NewLogEntry[];
}

/** A failed (or timed out) try. */
export interface FailStepRequest {
  stepIndex: number;
  /** What the try ended as. */
  stepStatus: "failed" | "timeout";
  message: string;
  /** Decided by `decideAfterFailedTry` in core. */
  then: AfterFailedTry;
  now: Date;
  logs?: NewLogEntry[];
}

/** A running step recorded `cancelled` (the task ends `cancelled`). */
export interface CancelStepRequest {
  stepIndex: number;
  message: string;
  now: Date;
  logs?: NewLogEntry[];
}

/** What `recoverExpiredLeases` did to one task. */
export interface RecoveredLease {
  taskId: string;
  stepIndex: number;
  /** The dead holder. */
  nodeId: string | null;
  /** Task status after recovery: `pending` (step will re-run) or terminal (tries exhausted). */
  taskStatus: TaskStatus;
}

/** A callback delivery a worker now holds. */
export interface CallbackJob {
  task: Task;
  /** Fences `completeCallback`. */
  token: number;
  /** 1 for the first try of this terminal transition. */
  attempt: number;
}

/** A worker's request for callback deliveries. */
export interface ClaimCallbacksRequest {
  nodeId: string;
  /** Callback names this worker has; only tasks whose callbacks are all among them. */
  names: string[];
  limit: number;
  leaseMs: number;
  now: Date;
}

/** Outcome of a callback delivery try. */
export interface CompleteCallbackRequest {
  status: Extract<CallbackStatus, "succeeded" | "failed">;
  message: string | null;
  /** With `failed`: try again at this time (tries left), else the failure is final. */
  retryAt: Date | null;
  now: Date;
}

/** `requestCancel` result. */
export interface CancelResult {
  task: Task;
  /** True when the task was pending and is now `cancelled`; false when a running task was asked. */
  immediate: boolean;
}

/** Log page request. */
export interface LogQuery {
  afterId?: number;
  limit: number;
  stepIndex?: number;
}

/** A definition as handed to the store: validated, id assigned, first fire time computed. */
export interface NewDefinition {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  enabled: boolean;
  spec: JsonObject;
  scheduleKind: ScheduleKind | null;
  /** For fixedDelay schedules: the delay, so the store can arm the next fire when a task ends. */
  fixedDelayMs: number | null;
  nextFireAt: Date | null;
  createdAt: Date;
}

/** A full replacement of a definition's user fields, guarded by the version read before. */
export interface DefinitionUpdate {
  id: string;
  expectedVersion: number;
  description: string | null;
  enabled: boolean;
  spec: JsonObject;
  scheduleKind: ScheduleKind | null;
  fixedDelayMs: number | null;
  nextFireAt: Date | null;
  now: Date;
  /**
   * Withdraw (cancel) the tasks fired ahead whose fire time is still after `now`, in the same
   * transaction: set when the schedule changes or the update disables the definition.
   */
  withdrawEarlyFires: boolean;
}

/** Filters of `listDefinitions`. */
export interface DefinitionFilter {
  tenant?: TenantScope;
  enabled?: boolean;
  /** Definitions whose name starts with this. */
  namePrefix?: string;
}

/** One page of definitions (by tenant, then name). */
export interface DefinitionPage {
  items: Definition[];
  total: number;
  nextCursor: string | null;
}

/** Fire times recorded as skipped (see SkippedFire). */
export interface NewSkippedFire {
  scheduledAt: Date;
  count: number;
  reason: SkipReason;
  blockingTaskId: string | null;
}

/**
 * One definition's fire: its tasks and skips are written and `nextFireAt` moved in one
 * transaction, only when the definition is still enabled, at `expectedVersion`, with
 * `nextFireAt` equal to `expectedNextFireAt` (compare-and-set).
 */
export interface DefinitionFire {
  definitionId: string;
  expectedVersion: number;
  expectedNextFireAt: Date | null;
  /** Tasks to create (each with `definitionId` and `scheduledAt` set), in fire-time order. */
  tasks: NewTask[];
  skips: NewSkippedFire[];
  nextFireAt: Date | null;
}

/** What became of one DefinitionFire. */
export type DefinitionFireOutcome =
  | {
      fired: true;
      /** The tasks created (a task whose index clashed with an active task is left out and recorded as a `duplicate` skip). */
      tasks: Task[];
    }
  | {
      fired: false;
      /** `moved`: another fire, change, disable or delete got there first; nothing was written. */
      reason: "moved";
    };

/** The scheduler leader lease (one row). */
export interface SchedulerLease {
  holderId: string;
  holderName: string;
  /** Bumped each time the lease changes hands. */
  term: number;
  acquiredAt: Date;
  leaseUntil: Date;
  /** The holder's latest firing pass, and its lag (max of fire time − scheduled time). */
  lastTickAt: Date | null;
  lagMs: number | null;
}

/** Acquire (or keep) the scheduler lease. */
export interface AcquireSchedulerLeaseRequest {
  holderId: string;
  holderName: string;
  leaseMs: number;
  now: Date;
}

/** Renew the scheduler lease and report the latest tick. */
export interface RenewSchedulerLeaseRequest {
  holderId: string;
  term: number;
  leaseMs: number;
  now: Date;
  lastTickAt: Date | null;
  lagMs: number | null;
}

/** `listTaskEvents` request: events after `afterId` in id order, narrowed by every field given. */
export interface TaskEventQuery {
  /** Return events with a larger id (0 = from the oldest retained). */
  afterId: number;
  tenant: TenantScope;
  taskId?: string;
  definitionId?: string;
  /** 1..1000 */
  limit: number;
}

/** One read of the event log. */
export interface TaskEventPage {
  /** Matching events, ascending id, all final: no event with a smaller id can appear later. */
  events: TaskEvent[];
  /**
   * Pass as the next `afterId`. It can be past the last returned event: rows of other
   * tenants/tasks that were read over are never read again.
   */
  nextAfterId: number;
  /**
   * False when more may be readable at once (the page or the scan window was full), or when
   * recent events are not final yet (PostgreSQL: transactions still in flight): read again soon.
   */
  caughtUp: boolean;
}

/** How many tasks have one status and type (metrics). */
export interface TaskTypeCount {
  status: TaskStatus;
  type: string;
  count: number;
}

/** The work waiting in and running from one queue (a task counts in its current step's queue). */
export interface QueueStats {
  queue: string;
  /** Pending, runAt <= now, no cancel pending: claimable now by a worker that serves the queue. */
  ready: number;
  /** Pending with runAt in the future (scheduled, or waiting for a retry backoff). */
  scheduled: number;
  /** Running (one running step each). */
  running: number;
  /** runAt of the longest-waiting ready task, or null when none is ready. */
  oldestReadyAt: Date | null;
}

/**
 * The storage port. Implemented by `store/sqlite` and `store/postgres`; both pass the one
 * contract suite in `test/contract/`. Errors thrown: `TaskNotFoundError`,
 * `InvalidTransitionError`, `DuplicateTaskError`, `StepNotFoundError`,
 * `StoreUnavailableError` (connection trouble) — identical across backends.
 */
export interface Store {
  /** `sqlite` or `postgres`. */
  readonly kind: "sqlite" | "postgres";

  /** Releases connections. Idempotent. */
  close(): Promise<void>;

  // ---- dispatch and reads ----

  /**
   * Inserts a task with its steps (all `pending`, currentStep 0). When an active
   * (`pending`/`running`) task has the same (tenant, type, indexType, index) and `index` is
   * set: `return` gives that task back with `created: false`; `fail` throws DuplicateTaskError.
   */
  createTask(task: NewTask, onDuplicate: DuplicatePolicy): Promise<CreateTaskResult>;

  /** Bulk `createTask` in one transaction (duplicates returned, as with `return`). */
  createTasks(tasks: NewTask[]): Promise<CreateTaskResult[]>;

  /** The task with its steps, or null when absent or outside `tenant`. */
  getTask(id: string, tenant: TenantScope): Promise<Task | null>;

  /** Tasks matching `filter`, newest first (by id), with the total count. */
  listTasks(filter: TaskFilter, page: PageRequest): Promise<TaskPage>;

  /** Count of tasks per status matching `filter` (every status present, 0 when none). */
  countTasksByStatus(filter: TaskFilter): Promise<Record<TaskStatus, number>>;

  // ---- worker path (fenced by Lease) ----

  /**
   * Claims up to `limit` ready tasks (pending, runAt <= now, not cancel-requested, current
   * step's queue and executor served) ordered by priority desc, runAt, id; each claim bumps
   * the lease token and starts the current step (see ClaimedTask). Cluster-wide limits hold:
   * never more running steps in a limited queue or type than its `maxRunning`, never more
   * claims in a queue's rate window than its `rate.count` (a task over budget is passed over).
   */
  claimTasks(req: ClaimRequest): Promise<ClaimedTask[]>;

  /** Extends every still-held lease to `leaseUntil`; reports lost leases and cancel requests. */
  renewLeases(leases: Lease[], leaseUntil: Date, now: Date): Promise<LeaseRenewal[]>;

  /**
   * Records a successful try: step `succeeded` with output; params patch merged; task result
   * = output; currentStep advanced. Then: last step → task `succeeded` (progress 100); cancel
   * requested → task `cancelled`; `continueNext` → next step started under the same lease;
   * else task `pending` (runAt = now) with its lease released.
   */
  completeStep(lease: Lease, req: CompleteStepRequest): Promise<StepWriteResult>;

  /**
   * Records a failed/timed-out try, then per `then`: `retry` → step and task `pending` at
   * `runAt`, lease released; `skip` → step `skipped`, chain goes on as in completeStep;
   * `end` → step keeps `stepStatus`, task ends with `taskStatus` and the step's message.
   * A pending cancel request turns `retry` into the task ending `cancelled`.
   */
  failStep(lease: Lease, req: FailStepRequest): Promise<StepWriteResult>;

  /** Records the running step `cancelled` and the task `cancelled`. */
  cancelStep(lease: Lease, req: CancelStepRequest): Promise<StepWriteResult>;

  /**
   * Gives a held task back at once (graceful shutdown): step and task `pending`, runAt = now,
   * the interrupted try not counted (attempts - 1). A task with a cancel request pending ends
   * `cancelled` instead (step `cancelled`), since no claim takes a cancel-requested task.
   */
  releaseTask(lease: Lease, now: Date): Promise<StepWriteResult>;

  /** Writes progress (0–100) and message; false when the lease is not held. */
  updateProgress(lease: Lease, progressPct: number, message: string | null, now: Date): Promise<boolean>;

  /** Appends log lines; with a lease, only while it is held (false = refused, nothing written). */
  appendLogs(entries: NewLogEntry[], lease: Lease | null, now: Date): Promise<boolean>;

  // ---- sweeps (any live node may run them; each row moves once) ----

  /**
   * Running tasks whose lease ended before `now`: the running step goes back to `pending`
   * (the try stays counted); with no tries left it fails (`skipOnFailed` → skipped) and the
   * task goes on or ends `failed` with message "lease expired". Token bumped.
   */
  recoverExpiredLeases(now: Date, limit: number): Promise<RecoveredLease[]>;

  /**
   * Pending tasks past their deadline (deadlineAt, or createdAt + startTimeoutMs before any
   * start) end `timeout`. Running ones are timed out by their worker or after lease recovery.
   * Returns the ids.
   */
  expireOverdueTasks(now: Date, limit: number): Promise<string[]>;

  /**
   * Claims terminal tasks whose callbacks are due (callbackStatus `pending` with callback
   * runAt <= now, or `running` with an expired callback lease).
   */
  claimCallbacks(req: ClaimCallbacksRequest): Promise<CallbackJob[]>;

  /** Records a callback try's outcome; false when the token moved on. */
  completeCallback(taskId: string, token: number, req: CompleteCallbackRequest): Promise<boolean>;

  // ---- operator transitions ----

  /**
   * Pending → `cancelled` at once (its current step `cancelled`); running → cancelRequested
   * set. Throws TaskNotFoundError / InvalidTransitionError (terminal task).
   */
  requestCancel(id: string, tenant: TenantScope, now: Date): Promise<CancelResult>;

  /**
   * Failed/timeout/cancelled → `pending`: the step `fromStep` (default: the current, failed
   * step) and every later step reset to `pending` with attempts 0; earlier steps and the
   * params they wrote kept; startedAt/deadline/endedAt/callback state cleared; retryCount+1;
   * token bumped. Throws TaskNotFoundError, StepNotFoundError, InvalidTransitionError,
   * DuplicateTaskError (an active task with the same index appeared meanwhile).
   */
  retryTask(id: string, tenant: TenantScope, fromStep: string | null, now: Date): Promise<Task>;

  /**
   * On a failed/timeout/cancelled task whose current step is `step`: marks it `skipped` and
   * resumes the chain after it (task `pending`, or `succeeded` if it was the last step).
   */
  skipStep(id: string, tenant: TenantScope, step: string, now: Date): Promise<Task>;

  /** Log lines of a task in id order; TaskNotFoundError when the task is absent/outside tenant. */
  listLogs(taskId: string, tenant: TenantScope, query: LogQuery): Promise<TaskLogEntry[]>;

  // ---- nodes ----

  /** Records a starting process (upsert by id, state `alive`, heartbeat = now). */
  registerNode(node: NodeRegistration, now: Date): Promise<void>;

  /** A node's heartbeat; false when it is no longer `alive` (marked dead: register again). */
  heartbeatNode(id: string, inFlight: number, now: Date): Promise<boolean>;

  /** A clean shutdown: state `stopped`. */
  stopNode(id: string, now: Date): Promise<void>;

  /** Every known node, alive first, then by name. */
  listNodes(): Promise<NodeRecord[]>;

  /**
   * Alive nodes whose last heartbeat is older than `now - deadAfterMs` become `dead`, and the
   * leases they hold end now, so the next `recoverExpiredLeases` returns their steps. Nodes
   * stopped or dead for over a day are forgotten. Returns the ids marked dead.
   */
  markDeadNodes(now: Date, deadAfterMs: number): Promise<string[]>;

  // ---- cluster-wide limits ----

  /**
   * Sets (upserts) a limit; one with neither `maxRunning` nor `rate` is removed. Claims honour
   * limits within about a second of a change (each process caches the list for 1 s).
   */
  setLimit(limit: TaskLimit): Promise<void>;

  /** Every limit, by scope then name. */
  listLimits(): Promise<TaskLimit[]>;

  // ---- wake-ups ----

  /**
   * Optional: calls `listener` soon after another process made work ready (PostgreSQL:
   * LISTEN/NOTIFY, coalesced, sent outside write transactions). Absent where in-process
   * events and polling suffice (SQLite). Returns the function that unsubscribes.
   */
  subscribeReadyWork?(listener: () => void): Promise<() => Promise<void>>;

  // ---- server: API tokens, audit log, statistics (issue 5) ----

  /**
   * Stores a token. With `onlyIfNone`, only when no token exists at all (atomic: of two
   * servers starting together on an empty store, one creates the first admin token). Returns
   * whether it was stored.
   */
  createApiToken(token: NewApiToken, options?: { onlyIfNone?: boolean }): Promise<boolean>;

  /** The unrevoked token whose secret hashes to `secretHash`, or null. */
  findApiTokenByHash(secretHash: string): Promise<ApiToken | null>;

  /** Tokens (revoked ones too), oldest first; a tenant string limits them to that tenant. */
  listApiTokens(tenant: TenantScope): Promise<ApiToken[]>;

  /**
   * Revokes a token (inside `tenant` when a string). Returns the revoked token, or null when
   * absent or outside `tenant`; revoking twice keeps the first revocation time.
   */
  revokeApiToken(id: string, tenant: TenantScope, now: Date): Promise<ApiToken | null>;

  /** Appends audit entries in one write. */
  appendAuditEntries(entries: NewAuditEntry[]): Promise<void>;

  /** Audit entries matching `query`, newest first. */
  listAuditEntries(query: AuditQuery): Promise<AuditPage>;

  /**
   * Tasks that ended in the window by bucket and outcome, execution-time percentiles of the
   * ones that succeeded by type, and the oldest ready task (all inside `req.tenant`).
   */
  taskStats(req: TaskStatsRequest): Promise<TaskStats>;
  // ---- definitions and the scheduler (issue 4) ----
  // Definitions are addressed by (tenant, name), unique per tenant; lists take a TenantScope.

  /** Stores a new definition; DefinitionExistsError when the tenant already has that name. */
  createDefinition(def: NewDefinition): Promise<Definition>;

  /**
   * Replaces a definition's user fields and its next fire time (version + 1). Returns null
   * when the version moved since it was read (CAS miss); DefinitionNotFoundError when absent.
   */
  updateDefinition(update: DefinitionUpdate): Promise<Definition | null>;

  /**
   * Deletes the definition and its skip records; false when absent. Its tasks stay, except the
   * ones fired ahead whose fire time is still after `now`: those are withdrawn (cancelled) in
   * the same transaction.
   */
  deleteDefinition(tenant: string, name: string, now: Date): Promise<boolean>;

  /** The definition, or null. */
  getDefinition(tenant: string, name: string): Promise<Definition | null>;

  /** The definition with that id, or null when absent or outside `tenant`. */
  getDefinitionById(id: string, tenant: TenantScope): Promise<Definition | null>;

  /** Definitions by tenant then name, with the total matching. */
  listDefinitions(filter: DefinitionFilter, page: PageRequest): Promise<DefinitionPage>;

  /**
   * Enables or disables (version + 1 when it changes; `nextFireAt` is kept, so a re-enabled
   * definition catches up by its misfire policy). Null when absent. A disable also withdraws
   * (cancels) the tasks fired ahead whose fire time is still after `now`, in the same transaction.
   */
  setDefinitionEnabled(tenant: string, name: string, enabled: boolean, now: Date): Promise<Definition | null>;

  /** Enabled definitions with `nextFireAt <= now`, earliest first, with their latest task's status. */
  listDueDefinitions(now: Date, limit: number): Promise<DueDefinition[]>;

  /**
   * Applies fires, each on its own compare-and-set (see DefinitionFire), all in one
   * transaction: a fire whose guard misses writes nothing and is reported `moved`. On success
   * the version goes up, `lastFireAt`/`lastTaskId` follow the last task.
   */
  fireDefinitions(fires: DefinitionFire[], now: Date): Promise<DefinitionFireOutcome[]>;

  /**
   * fixedDelay definitions waiting for their task (`nextFireAt` null) whose latest task has
   * ended (or is gone) get `nextFireAt = endedAt + delay` (now + delay when gone). Returns
   * how many were armed.
   */
  armFixedDelayDefinitions(now: Date, limit: number): Promise<number>;

  /** Skip records of a definition, newest first. */
  listSkippedFires(definitionId: string, limit: number): Promise<SkippedFire[]>;

  /**
   * Takes the scheduler lease when it is free, expired or already this holder's (renewing
   * it); the term goes up when it changes hands. Returns the lease when held, else null.
   */
  acquireSchedulerLease(req: AcquireSchedulerLeaseRequest): Promise<SchedulerLease | null>;

  /** Extends the lease while this holder and term still hold it; false when it moved on. */
  renewSchedulerLease(req: RenewSchedulerLeaseRequest): Promise<boolean>;

  /** Ends this holder's lease now (a clean stop) so another process takes over at once. */
  releaseSchedulerLease(holderId: string, now: Date): Promise<void>;

  /** The lease row (held or expired), or null when no scheduler ever ran. */
  getSchedulerLease(): Promise<SchedulerLease | null>;

  // ---- task event log (live events; rows written by database triggers) ----

  /**
   * Events after `afterId` matching the query, ascending id. Only final events are returned:
   * once an id was returned, no event with a smaller id ever appears (on PostgreSQL, where
   * sequence ids are not commit-ordered, events wait below a safe horizon until every
   * transaction that could still commit a smaller id has ended).
   */
  listTaskEvents(query: TaskEventQuery): Promise<TaskEventPage>;

  /**
   * The id a stream starting "now" resumes after: every event with a larger id is still to
   * come, none with a smaller or equal id will appear later. 0 when the log is empty.
   */
  latestTaskEventId(): Promise<number>;

  /**
   * Retention: deletes up to `limit` events recorded before `before` (oldest first); returns
   * how many. The newest event is always kept, so ids are never handed out twice.
   */
  deleteTaskEventsBefore(before: Date, limit: number): Promise<number>;

  // ---- metrics reads (refreshed periodically by the Prometheus collectors) ----

  /**
   * Task counts per (status, type), every tenant. Reads the whole tasks table: callers bound
   * how often (the metrics collector caches it for its refresh interval).
   */
  countTasksByStatusAndType(): Promise<TaskTypeCount[]>;

  /** Per queue with pending or running tasks: ready, scheduled and running counts, oldest ready runAt. */
  queueStats(now: Date): Promise<QueueStats[]>;
}
