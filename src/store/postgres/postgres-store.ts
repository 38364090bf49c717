// The distributed Store: PostgreSQL through a `pg` pool, one schema per store. Every method is
// one statement or one transaction; the SQL lives in the files named below.
import { TaskrailError, ValidationError } from "../../core/errors.js";
import type { TaskStatus } from "../../core/status.js";
import type { Lease, NewLogEntry, NewTask, Task, TaskLogEntry } from "../../core/task.js";
import type {
  CallbackJob,
  CancelResult,
  CancelStepRequest,
  ClaimCallbacksRequest,
  ClaimedTask,
  ClaimRequest,
  CompleteCallbackRequest,
  CompleteStepRequest,
  CreateTaskResult,
  DuplicatePolicy,
  FailStepRequest,
  LeaseRenewal,
  LogQuery,
  PageRequest,
  RecoveredLease,
  StepWriteResult,
  Store,
  QueueStats,
  TaskEventPage,
  TaskEventQuery,
  TaskTypeCount,
  TaskFilter,
  TaskPage,
  TenantScope,
} from "../store.js";
import { applyMigrations } from "./apply-migrations.js";
import { claimCallbacks, completeCallback } from "./callbacks.js";
import { claimPicked, claimTasks, renewLeases } from "./claim.js";
import { LimitCache, listLimits, pickLimited, setLimit } from "./limits.js";
import { limitsApply, type TaskLimit } from "../../core/task-limit.js";
import { checkNewTask, createTaskBatch, createTasks, type CreateTaskItem } from "./dispatch.js";
import { requestCancel, retryTask, skipStep } from "./operator-transitions.js";
import { PostgresConnection } from "./postgres-connection.js";
import { ReadyNotifier } from "./ready-notifier.js";
import { heartbeatNode, listNodes, markDeadNodes, registerNode, stopNode } from "./nodes.js";
import type { ApiToken, NewApiToken } from "../../core/api-token.js";
import type { AuditPage, AuditQuery, NewAuditEntry } from "../../core/audit.js";
import type { TaskStats, TaskStatsRequest } from "../../core/task-stats.js";
import * as server from "./server-tables.js";
import type { NodeRecord, NodeRegistration } from "../../core/node.js";
import { StatementBatcher } from "./statement-batcher.js";
import { appendLogs, cancelStep, completeStep, failStep, releaseTask, updateProgress, writeCompletions, type CompletionBatcher } from "./step-writes.js";
import { expireOverdueTasks, recoverExpiredLeases } from "./sweeps.js";
import { countTasksByStatus, getTask, listLogs, listTasks } from "./task-reads.js";
import { EventHorizon } from "./event-horizon.js";
import { deleteTaskEventsBefore, latestTaskEventId, listTaskEvents } from "./task-events.js";
import { countTasksByStatusAndType, queueStats } from "./metrics-reads.js";
import type { Definition, DueDefinition, SkippedFire } from "../../core/definition.js";
import type {
  AcquireSchedulerLeaseRequest,
  DefinitionFilter,
  DefinitionFire,
  DefinitionFireOutcome,
  DefinitionPage,
  DefinitionUpdate,
  NewDefinition,
  RenewSchedulerLeaseRequest,
  SchedulerLease,
} from "../store.js";
import * as definitions from "./definitions.js";
import { fireDefinitions } from "./definition-fires.js";
import * as schedulerLease from "./scheduler-lease.js";

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /**
   * Schema holding taskrail's tables (created when missing). Overrides the URL's `?schema=`.
   * Identifier characters only: a letter or `_`, then letters, digits or `_` (at most 63).
   * @default "taskrail"
   */
  schema?: string;
  /**
   * Connections in the pool. A worker at concurrency N writes up to N outcomes at once.
   * @default 10
   */
  poolSize?: number;
}

/** A task a worker may take now (or within a second): its creation wakes listeners. */
function isReadyNow(task: NewTask): boolean {
  return task.runAt.getTime() <= task.createdAt.getTime() + 1000;
}

/** The schema used when neither the options nor the URL name one. */
export const DEFAULT_POSTGRES_SCHEMA = "taskrail";

const SCHEMA_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Splits a store URL into the URL to connect with (without taskrail's own `schema` query
 * parameter, which PostgreSQL would reject) and the schema to use.
 */
export function resolvePostgresTarget(url: string, schemaOption?: string): { url: string; schema: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TaskrailError("STORE_URL_INVALID", "invalid PostgreSQL URL: expected postgres://user:password@host:5432/database");
  }
  const fromUrl = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  const schema = schemaOption ?? (fromUrl === null || fromUrl === "" ? DEFAULT_POSTGRES_SCHEMA : fromUrl);
  if (!SCHEMA_NAME_RE.test(schema)) {
    throw new ValidationError([
      { path: "schema", message: `must be a letter or "_" followed by letters, digits or "_" (at most 63), got ${JSON.stringify(schema)}` },
    ]);
  }
  return { url: parsed.toString(), schema };
}

/**
 * The PostgreSQL implementation of the Store port. Any number of processes on any number of
 * hosts may share one schema: claims use FOR UPDATE SKIP LOCKED, every transition is guarded
 * by the state it expects. Connection failures surface as StoreUnavailableError and the pool
 * reconnects on the next call.
 */
export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  /** The pool (exposed for tools and tests in this adapter; not part of the port). */
  readonly connection: PostgresConnection;

  private readonly creations: StatementBatcher<CreateTaskItem, CreateTaskResult>;
  private readonly completions: CompletionBatcher;
  private readonly ready: ReadyNotifier;
  private readonly limits: LimitCache;
  private readonly eventHorizon = new EventHorizon();
  /** createTask calls whose insert sent the ready notification itself (no poke needed). */
  private readonly announced = new WeakSet<CreateTaskItem>();

  constructor(connection: PostgresConnection, poolSize: number) {
    this.connection = connection;
    this.ready = new ReadyNotifier(connection);
    this.limits = new LimitCache(connection);
    const maxInFlight = batchStatementsInFlight(poolSize);
    this.creations = new StatementBatcher({
      maxInFlight,
      maxBatch: 500,
      keyOf: (item) => item.task.id,
      // Alone (an idle or lightly loaded producer), the insert sends the NOTIFY itself: a
      // listener wakes at the commit, a round trip sooner than after a post-commit poke. Its
      // commit then queues behind other processes' NOTIFYing commits, as the poke did; while
      // it waits, this process's next inserts are not alone and batch without a NOTIFY.
      write: (items, alone) =>
        createTaskBatch(connection, items, alone && items.some((i) => isReadyNow(i.task)) ? { channel: this.ready.channel, announced: this.announced } : null),
    });
    this.completions = new StatementBatcher({
      maxInFlight,
      maxBatch: 200,
      keyOf: (move) => move.taskId,
      write: (moves) => writeCompletions(connection.keyed, moves),
    });
  }

  /** The schema this store's tables live in. */
  get schema(): string {
    return this.connection.schema;
  }

  async close(): Promise<void> {
    this.ready.close();
    await this.connection.close();
  }

  async registerNode(node: NodeRegistration, now: Date): Promise<void> {
    return registerNode(this.connection, node, now);
  }

  async heartbeatNode(id: string, inFlight: number, now: Date): Promise<boolean> {
    return heartbeatNode(this.connection, id, inFlight, now);
  }

  async stopNode(id: string, now: Date): Promise<void> {
    return stopNode(this.connection, id, now);
  }

  async listNodes(): Promise<NodeRecord[]> {
    return listNodes(this.connection);
  }

  async markDeadNodes(now: Date, deadAfterMs: number): Promise<string[]> {
    const dead = await markDeadNodes(this.connection, now, deadAfterMs);
    return dead;
  }

  async subscribeReadyWork(listener: () => void): Promise<() => Promise<void>> {
    return this.ready.listen(listener);
  }

  async createTask(task: NewTask, onDuplicate: DuplicatePolicy): Promise<CreateTaskResult> {
    checkNewTask(task, "");
    const item = { task, onDuplicate };
    const result = await this.creations.submit(item);
    if (result.created && isReadyNow(task) && !this.announced.has(item)) this.ready.poke();
    return result;
  }

  async createTasks(tasks: NewTask[]): Promise<CreateTaskResult[]> {
    const results = await createTasks(this.connection, tasks);
    if (results.some((r) => r.created)) this.ready.poke();
    return results;
  }

  async getTask(id: string, tenant: TenantScope): Promise<Task | null> {
    return getTask(this.connection, id, tenant);
  }

  async listTasks(filter: TaskFilter, page: PageRequest): Promise<TaskPage> {
    return listTasks(this.connection, filter, page);
  }

  async countTasksByStatus(filter: TaskFilter): Promise<Record<TaskStatus, number>> {
    return countTasksByStatus(this.connection, filter);
  }

  async claimTasks(req: ClaimRequest): Promise<ClaimedTask[]> {
    const limits = await this.limits.get();
    // No limit on these queues and no type limit: the one-statement claim.
    if (!limitsApply(limits, req.queues)) return claimTasks(this.connection.ordered, req);
    if (req.limit < 1 || req.queues.length === 0 || req.executors.length === 0) return [];
    return this.connection.ordered.transaction(async (tx) => claimPicked(tx, req, await pickLimited(tx, req)));
  }

  async setLimit(limit: TaskLimit): Promise<void> {
    await setLimit(this.connection, limit);
    this.limits.invalidate();
  }

  async listLimits(): Promise<TaskLimit[]> {
    return listLimits(this.connection);
  }

  async renewLeases(leases: Lease[], leaseUntil: Date, now: Date): Promise<LeaseRenewal[]> {
    return renewLeases(this.connection, leases, leaseUntil, now);
  }

  async completeStep(lease: Lease, req: CompleteStepRequest): Promise<StepWriteResult> {
    const res = await completeStep(this.completions, lease, req);
    // A task handed back between steps (next step on another queue/node) is ready for others.
    if (res.ok && res.taskStatus === "pending") this.ready.poke();
    return res;
  }

  async failStep(lease: Lease, req: FailStepRequest): Promise<StepWriteResult> {
    return failStep(this.connection, lease, req);
  }

  async cancelStep(lease: Lease, req: CancelStepRequest): Promise<StepWriteResult> {
    return cancelStep(this.connection, lease, req);
  }

  async releaseTask(lease: Lease, now: Date): Promise<StepWriteResult> {
    const res = await releaseTask(this.connection, lease, now);
    if (res.ok) this.ready.poke();
    return res;
  }

  async updateProgress(lease: Lease, progressPct: number, message: string | null, now: Date): Promise<boolean> {
    return updateProgress(this.connection, lease, progressPct, message, now);
  }

  async appendLogs(entries: NewLogEntry[], lease: Lease | null, now: Date): Promise<boolean> {
    return appendLogs(this.connection, entries, lease, now);
  }

  async recoverExpiredLeases(now: Date, limit: number): Promise<RecoveredLease[]> {
    const recovered = await recoverExpiredLeases(this.connection, now, limit);
    if (recovered.some((r) => r.taskStatus === "pending")) this.ready.poke();
    return recovered;
  }

  async expireOverdueTasks(now: Date, limit: number): Promise<string[]> {
    return expireOverdueTasks(this.connection.ordered, now, limit);
  }

  async claimCallbacks(req: ClaimCallbacksRequest): Promise<CallbackJob[]> {
    return claimCallbacks(this.connection.ordered, req);
  }

  async completeCallback(taskId: string, token: number, req: CompleteCallbackRequest): Promise<boolean> {
    return completeCallback(this.connection, taskId, token, req);
  }

  async requestCancel(id: string, tenant: TenantScope, now: Date): Promise<CancelResult> {
    return requestCancel(this.connection, id, tenant, now);
  }

  async retryTask(id: string, tenant: TenantScope, fromStep: string | null, now: Date): Promise<Task> {
    const task = await retryTask(this.connection, id, tenant, fromStep, now);
    this.ready.poke();
    return task;
  }

  async skipStep(id: string, tenant: TenantScope, step: string, now: Date): Promise<Task> {
    const task = await skipStep(this.connection, id, tenant, step, now);
    if (task.status === "pending") this.ready.poke();
    return task;
  }

  async listLogs(taskId: string, tenant: TenantScope, query: LogQuery): Promise<TaskLogEntry[]> {
    return listLogs(this.connection, taskId, tenant, query);
  }

  // ---- server: API tokens, audit log, statistics ----

  async createApiToken(token: NewApiToken, options: { onlyIfNone?: boolean } = {}): Promise<boolean> {
    return server.createApiToken(this.connection, token, options.onlyIfNone === true);
  }

  async findApiTokenByHash(secretHash: string): Promise<ApiToken | null> {
    return server.findApiTokenByHash(this.connection, secretHash);
  }

  async listApiTokens(tenant: TenantScope): Promise<ApiToken[]> {
    return server.listApiTokens(this.connection, tenant);
  }

  async revokeApiToken(id: string, tenant: TenantScope, now: Date): Promise<ApiToken | null> {
    return server.revokeApiToken(this.connection, id, tenant, now);
  }

  async appendAuditEntries(entries: NewAuditEntry[]): Promise<void> {
    if (entries.length > 0) await server.appendAuditEntries(this.connection, entries);
  }

  async listAuditEntries(query: AuditQuery): Promise<AuditPage> {
    return server.listAuditEntries(this.connection, query);
  }

  async taskStats(req: TaskStatsRequest): Promise<TaskStats> {
    return server.taskStats(this.connection, req);
  }

  // ---- definitions and the scheduler ----

  async createDefinition(def: NewDefinition): Promise<Definition> {
    return definitions.createDefinition(this.connection, def);
  }

  async updateDefinition(update: DefinitionUpdate): Promise<Definition | null> {
    if (!update.withdrawEarlyFires) return definitions.updateDefinition(this.connection, update);
    return this.connection.transaction((tx) => definitions.updateDefinition(tx, update));
  }

  async deleteDefinition(tenant: string, name: string, now: Date): Promise<boolean> {
    return this.connection.transaction((tx) => definitions.deleteDefinition(tx, tenant, name, now));
  }

  async getDefinition(tenant: string, name: string): Promise<Definition | null> {
    return definitions.getDefinition(this.connection, tenant, name);
  }

  async getDefinitionById(id: string, tenant: TenantScope): Promise<Definition | null> {
    return definitions.getDefinitionById(this.connection, id, tenant);
  }

  async listDefinitions(filter: DefinitionFilter, page: PageRequest): Promise<DefinitionPage> {
    return definitions.listDefinitions(this.connection, filter, page);
  }

  async setDefinitionEnabled(tenant: string, name: string, enabled: boolean, now: Date): Promise<Definition | null> {
    if (enabled) return definitions.setDefinitionEnabled(this.connection, tenant, name, enabled, now);
    return this.connection.transaction((tx) => definitions.setDefinitionEnabled(tx, tenant, name, enabled, now));
  }

  async listDueDefinitions(now: Date, limit: number): Promise<DueDefinition[]> {
    return definitions.listDueDefinitions(this.connection, now, limit);
  }

  async fireDefinitions(fires: DefinitionFire[], now: Date): Promise<DefinitionFireOutcome[]> {
    fires.forEach((f, i) => f.tasks.forEach((t, j) => checkNewTask(t, `${i}.tasks.${j}.`)));
    if (fires.length === 0) return [];
    const outcomes = await fireDefinitions(this.connection, fires, now);
    if (outcomes.some((o) => o.fired && o.tasks.length > 0)) this.ready.poke();
    return outcomes;
  }

  async armFixedDelayDefinitions(now: Date, limit: number): Promise<number> {
    return definitions.armFixedDelayDefinitions(this.connection, now, limit);
  }

  async listSkippedFires(definitionId: string, limit: number): Promise<SkippedFire[]> {
    return definitions.listSkippedFires(this.connection, definitionId, limit);
  }

  async acquireSchedulerLease(req: AcquireSchedulerLeaseRequest): Promise<SchedulerLease | null> {
    return schedulerLease.acquireSchedulerLease(this.connection, req);
  }

  async renewSchedulerLease(req: RenewSchedulerLeaseRequest): Promise<boolean> {
    return schedulerLease.renewSchedulerLease(this.connection, req);
  }

  async releaseSchedulerLease(holderId: string, now: Date): Promise<void> {
    return schedulerLease.releaseSchedulerLease(this.connection, holderId, now);
  }

  async getSchedulerLease(): Promise<SchedulerLease | null> {
    return schedulerLease.getSchedulerLease(this.connection);
  }

  // ---- task event log ----

  async listTaskEvents(query: TaskEventQuery): Promise<TaskEventPage> {
    return listTaskEvents(this.connection, this.eventHorizon, query);
  }

  async latestTaskEventId(): Promise<number> {
    return latestTaskEventId(this.connection, this.eventHorizon);
  }

  async deleteTaskEventsBefore(before: Date, limit: number): Promise<number> {
    return deleteTaskEventsBefore(this.connection, before, limit);
  }

  // ---- metrics reads ----

  async countTasksByStatusAndType(): Promise<TaskTypeCount[]> {
    return countTasksByStatusAndType(this.connection);
  }

  async queueStats(now: Date): Promise<QueueStats[]> {
    return queueStats(this.connection, now);
  }
}

/**
 * Statements of each batcher in flight at once, whatever the callers' concurrency: the rest of
 * the pool stays free for claims, heartbeats and reads, and waiting calls pile into the next
 * batch instead of queueing for connections one statement each.
 */
function batchStatementsInFlight(poolSize: number): number {
  return Math.max(1, Math.min(4, Math.floor(poolSize / 3)));
}

/**
 * Connects to the PostgreSQL database `url` names (`postgres://…` or `postgresql://…`,
 * optionally `?schema=NAME`), creates the schema when missing and applies pending migrations
 * (once, however many processes start together). Throws StoreUnavailableError when the
 * server cannot be reached.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const target = resolvePostgresTarget(url, options.schema);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new ValidationError([{ path: "poolSize", message: `must be an integer >= 1, got ${poolSize}` }]);
  }
  const connection = new PostgresConnection(target.url, target.schema, poolSize, batchStatementsInFlight(poolSize));
  try {
    await applyMigrations(connection);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return new PostgresStore(connection, poolSize);
}
