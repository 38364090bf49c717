// The embedded Store: better-sqlite3 in WAL mode. Each write is one atomic unit, group-
// committed with the other writes of the same event-loop turn; reads run at once. The SQL
// lives beside the functions imported below.
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
import { applyMigrations, assertMigrated } from "./apply-migrations.js";
import { claimCallbacks, completeCallback } from "./callbacks.js";
import { claimTasks, renewLeases } from "./claim.js";
import { checkNewTask, insertTask } from "./dispatch.js";
import { requestCancel, retryTask, skipStep } from "./operator-transitions.js";
import { SqliteConnection } from "./sqlite-connection.js";
import { appendLogs, cancelStep, completeStep, failStep, releaseTask, updateProgress } from "./step-writes.js";
import { expireOverdueTasks, recoverExpiredLease, selectExpiredLeases } from "./sweeps.js";
import { countTasksByStatus, getTask, listLogs, listTasks } from "./task-reads.js";
import { deleteTaskEventsBefore, latestTaskEventId, listTaskEvents } from "./task-events.js";
import { countTasksByStatusAndType, queueStats } from "./metrics-reads.js";
import { heartbeatNode, listNodes, markDeadNodes, registerNode, stopNode } from "./nodes.js";
import { limitedPick, listLimits, setLimit } from "./limits.js";
import type { TaskLimit } from "../../core/task-limit.js";
import type { NodeRecord, NodeRegistration } from "../../core/node.js";
import type { ApiToken, NewApiToken } from "../../core/api-token.js";
import type { AuditPage, AuditQuery, NewAuditEntry } from "../../core/audit.js";
import type { TaskStats, TaskStatsRequest } from "../../core/task-stats.js";
import * as server from "./server-tables.js";
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

/** Options of `openSqliteStore`. */
export interface SqliteStoreOptions {
  /**
   * Open without write access (no migrations; the schema must already be current).
   * @default false
   */
  readonly?: boolean;
}

/**
 * The SQLite implementation of the Store port. One instance holds one connection; several
 * instances (or processes) may share a database file: writes take the lock with
 * `BEGIN IMMEDIATE` and wait up to 5 s for it (`busy_timeout`), then fail with
 * StoreUnavailableError. Writes issued in the same event-loop turn share one commit (see
 * SqliteConnection); each still applies atomically and in call order.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  /** The connection (exposed for tools and tests in this adapter; not part of the port). */
  readonly connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.connection = connection;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  async setLimit(limit: TaskLimit): Promise<void> {
    return this.connection.enqueue(() => setLimit(this.connection, limit));
  }

  async listLimits(): Promise<TaskLimit[]> {
    return this.connection.read(() => listLimits(this.connection));
  }

  async registerNode(node: NodeRegistration, now: Date): Promise<void> {
    return this.connection.enqueue(() => registerNode(this.connection, node, now));
  }

  async heartbeatNode(id: string, inFlight: number, now: Date): Promise<boolean> {
    return this.connection.enqueue(() => heartbeatNode(this.connection, id, inFlight, now));
  }

  async stopNode(id: string, now: Date): Promise<void> {
    return this.connection.enqueue(() => stopNode(this.connection, id, now));
  }

  async listNodes(): Promise<NodeRecord[]> {
    return this.connection.read(() => listNodes(this.connection));
  }

  async markDeadNodes(now: Date, deadAfterMs: number): Promise<string[]> {
    return this.connection.enqueue(() => markDeadNodes(this.connection, now, deadAfterMs));
  }

  async createTask(task: NewTask, onDuplicate: DuplicatePolicy): Promise<CreateTaskResult> {
    checkNewTask(task, "");
    return this.connection.enqueue(() => insertTask(this.connection, task, onDuplicate));
  }

  async createTasks(tasks: NewTask[]): Promise<CreateTaskResult[]> {
    tasks.forEach((t, i) => checkNewTask(t, `${i}.`));
    if (tasks.length === 0) return [];
    return this.connection.enqueue(() => tasks.map((t) => insertTask(this.connection, t, "return")));
  }

  async getTask(id: string, tenant: TenantScope): Promise<Task | null> {
    return this.connection.read(() => getTask(this.connection, id, tenant));
  }

  async listTasks(filter: TaskFilter, page: PageRequest): Promise<TaskPage> {
    return this.connection.read(() => listTasks(this.connection, filter, page));
  }

  async countTasksByStatus(filter: TaskFilter): Promise<Record<TaskStatus, number>> {
    return this.connection.read(() => countTasksByStatus(this.connection, filter));
  }

  async claimTasks(req: ClaimRequest): Promise<ClaimedTask[]> {
    if (req.limit < 1 || req.queues.length === 0 || req.executors.length === 0) return [];
    return this.connection.enqueue(() => claimTasks(this.connection, req, limitedPick(this.connection, req)));
  }

  async renewLeases(leases: Lease[], leaseUntil: Date, now: Date): Promise<LeaseRenewal[]> {
    if (leases.length === 0) return [];
    return this.connection.enqueue(() => renewLeases(this.connection, leases, leaseUntil, now));
  }

  async completeStep(lease: Lease, req: CompleteStepRequest): Promise<StepWriteResult> {
    return this.connection.enqueue(() => completeStep(this.connection, lease, req));
  }

  async failStep(lease: Lease, req: FailStepRequest): Promise<StepWriteResult> {
    return this.connection.enqueue(() => failStep(this.connection, lease, req));
  }

  async cancelStep(lease: Lease, req: CancelStepRequest): Promise<StepWriteResult> {
    return this.connection.enqueue(() => cancelStep(this.connection, lease, req));
  }

  async releaseTask(lease: Lease, now: Date): Promise<StepWriteResult> {
    return this.connection.enqueue(() => releaseTask(this.connection, lease, now));
  }

  async updateProgress(lease: Lease, progressPct: number, message: string | null, now: Date): Promise<boolean> {
    return this.connection.enqueue(() => updateProgress(this.connection, lease, progressPct, message, now));
  }

  async appendLogs(entries: NewLogEntry[], lease: Lease | null, now: Date): Promise<boolean> {
    return this.connection.enqueue(() => appendLogs(this.connection, entries, lease, now));
  }

  async recoverExpiredLeases(now: Date, limit: number): Promise<RecoveredLease[]> {
    const ids = this.connection.read(() => selectExpiredLeases(this.connection, now, limit));
    // One write per task: a row another node recovered first (or one that fails) never holds back the rest.
    const outcomes = await Promise.all(ids.map((id) => this.connection.enqueue(() => recoverExpiredLease(this.connection, id, now))));
    return outcomes.filter((o): o is RecoveredLease => o !== undefined);
  }

  async expireOverdueTasks(now: Date, limit: number): Promise<string[]> {
    return this.connection.enqueue(() => expireOverdueTasks(this.connection, now, limit));
  }

  async claimCallbacks(req: ClaimCallbacksRequest): Promise<CallbackJob[]> {
    if (req.limit < 1 || req.names.length === 0) return [];
    return this.connection.enqueue(() => claimCallbacks(this.connection, req));
  }

  async completeCallback(taskId: string, token: number, req: CompleteCallbackRequest): Promise<boolean> {
    return this.connection.enqueue(() => completeCallback(this.connection, taskId, token, req));
  }

  async requestCancel(id: string, tenant: TenantScope, now: Date): Promise<CancelResult> {
    return this.connection.enqueue(() => requestCancel(this.connection, id, tenant, now));
  }

  async retryTask(id: string, tenant: TenantScope, fromStep: string | null, now: Date): Promise<Task> {
    return this.connection.enqueue(() => retryTask(this.connection, id, tenant, fromStep, now));
  }

  async skipStep(id: string, tenant: TenantScope, step: string, now: Date): Promise<Task> {
    return this.connection.enqueue(() => skipStep(this.connection, id, tenant, step, now));
  }

  async listLogs(taskId: string, tenant: TenantScope, query: LogQuery): Promise<TaskLogEntry[]> {
    return this.connection.read(() => listLogs(this.connection, taskId, tenant, query));
  }

  // ---- server: API tokens, audit log, statistics ----

  async createApiToken(token: NewApiToken, options: { onlyIfNone?: boolean } = {}): Promise<boolean> {
    return this.connection.enqueue(() => server.createApiToken(this.connection, token, options.onlyIfNone === true));
  }

  async findApiTokenByHash(secretHash: string): Promise<ApiToken | null> {
    return this.connection.read(() => server.findApiTokenByHash(this.connection, secretHash));
  }

  async listApiTokens(tenant: TenantScope): Promise<ApiToken[]> {
    return this.connection.read(() => server.listApiTokens(this.connection, tenant));
  }

  async revokeApiToken(id: string, tenant: TenantScope, now: Date): Promise<ApiToken | null> {
    return this.connection.enqueue(() => server.revokeApiToken(this.connection, id, tenant, now));
  }

  async appendAuditEntries(entries: NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    return this.connection.enqueue(() => server.appendAuditEntries(this.connection, entries));
  }

  async listAuditEntries(query: AuditQuery): Promise<AuditPage> {
    return this.connection.read(() => server.listAuditEntries(this.connection, query));
  }

  async taskStats(req: TaskStatsRequest): Promise<TaskStats> {
    return this.connection.read(() => server.taskStats(this.connection, req));
  }

  // ---- definitions and the scheduler ----

  async createDefinition(def: NewDefinition): Promise<Definition> {
    return this.connection.enqueue(() => definitions.createDefinition(this.connection, def));
  }

  async updateDefinition(update: DefinitionUpdate): Promise<Definition | null> {
    return this.connection.enqueue(() => definitions.updateDefinition(this.connection, update));
  }

  async deleteDefinition(tenant: string, name: string, now: Date): Promise<boolean> {
    return this.connection.enqueue(() => definitions.deleteDefinition(this.connection, tenant, name, now));
  }

  async getDefinition(tenant: string, name: string): Promise<Definition | null> {
    return this.connection.read(() => definitions.getDefinition(this.connection, tenant, name));
  }

  async getDefinitionById(id: string, tenant: TenantScope): Promise<Definition | null> {
    return this.connection.read(() => definitions.getDefinitionById(this.connection, id, tenant));
  }

  async listDefinitions(filter: DefinitionFilter, page: PageRequest): Promise<DefinitionPage> {
    return this.connection.read(() => definitions.listDefinitions(this.connection, filter, page));
  }

  async setDefinitionEnabled(tenant: string, name: string, enabled: boolean, now: Date): Promise<Definition | null> {
    return this.connection.enqueue(() => definitions.setDefinitionEnabled(this.connection, tenant, name, enabled, now));
  }

  async listDueDefinitions(now: Date, limit: number): Promise<DueDefinition[]> {
    return this.connection.read(() => definitions.listDueDefinitions(this.connection, now, limit));
  }

  async fireDefinitions(fires: DefinitionFire[], now: Date): Promise<DefinitionFireOutcome[]> {
    fires.forEach((f, i) => f.tasks.forEach((t, j) => checkNewTask(t, `${i}.tasks.${j}.`)));
    if (fires.length === 0) return [];
    return this.connection.enqueue(() => fireDefinitions(this.connection, fires, now));
  }

  async armFixedDelayDefinitions(now: Date, limit: number): Promise<number> {
    return this.connection.enqueue(() => definitions.armFixedDelayDefinitions(this.connection, now, limit));
  }

  async listSkippedFires(definitionId: string, limit: number): Promise<SkippedFire[]> {
    return this.connection.read(() => definitions.listSkippedFires(this.connection, definitionId, limit));
  }

  async acquireSchedulerLease(req: AcquireSchedulerLeaseRequest): Promise<SchedulerLease | null> {
    return this.connection.enqueue(() => schedulerLease.acquireSchedulerLease(this.connection, req));
  }

  async renewSchedulerLease(req: RenewSchedulerLeaseRequest): Promise<boolean> {
    return this.connection.enqueue(() => schedulerLease.renewSchedulerLease(this.connection, req));
  }

  async releaseSchedulerLease(holderId: string, now: Date): Promise<void> {
    return this.connection.enqueue(() => schedulerLease.releaseSchedulerLease(this.connection, holderId, now));
  }

  async getSchedulerLease(): Promise<SchedulerLease | null> {
    return this.connection.read(() => schedulerLease.getSchedulerLease(this.connection));
  }

  // ---- task event log ----

  async listTaskEvents(query: TaskEventQuery): Promise<TaskEventPage> {
    return this.connection.read(() => listTaskEvents(this.connection, query));
  }

  async latestTaskEventId(): Promise<number> {
    return this.connection.read(() => latestTaskEventId(this.connection));
  }

  async deleteTaskEventsBefore(before: Date, limit: number): Promise<number> {
    return this.connection.enqueue(() => deleteTaskEventsBefore(this.connection, before, limit));
  }

  // ---- metrics reads ----

  async countTasksByStatusAndType(): Promise<TaskTypeCount[]> {
    return this.connection.read(() => countTasksByStatusAndType(this.connection));
  }

  async queueStats(now: Date): Promise<QueueStats[]> {
    return this.connection.read(() => queueStats(this.connection, now));
  }
}

/**
 * Opens (creating if missing) the SQLite database at `path` (`:memory:` for a private
 * in-memory one) and applies pending migrations. The parent directory must exist.
 */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const readonly = options.readonly === true && path !== ":memory:";
  const connection = new SqliteConnection(path, { readonly });
  try {
    if (readonly) assertMigrated(connection);
    else applyMigrations(connection);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return new SqliteStore(connection);
}
