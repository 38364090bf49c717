// The embedded Store: better-sqlite3 in WAL mode. Methods run synchronously inside (one
// transaction each) and return settled promises; the SQL lives in the files named below.
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
  TaskFilter,
  TaskPage,
  TenantScope,
} from "../store.js";
import { applyMigrations, assertMigrated } from "./apply-migrations.js";
import { claimCallbacks, completeCallback } from "./callbacks.js";
import { claimTasks, renewLeases } from "./claim.js";
import { createTask, createTasks } from "./dispatch.js";
import { requestCancel, retryTask, skipStep } from "./operator-transitions.js";
import { SqliteConnection } from "./sqlite-connection.js";
import { appendLogs, cancelStep, completeStep, failStep, releaseTask, updateProgress } from "./step-writes.js";
import { expireOverdueTasks, recoverExpiredLeases } from "./sweeps.js";
import { countTasksByStatus, getTask, listLogs, listTasks } from "./task-reads.js";

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
 * StoreUnavailableError.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  /** The connection (exposed for tools and tests in this adapter; not part of the port). */
  readonly connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.connection = connection;
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  async createTask(task: NewTask, onDuplicate: DuplicatePolicy): Promise<CreateTaskResult> {
    return createTask(this.connection, task, onDuplicate);
  }

  async createTasks(tasks: NewTask[]): Promise<CreateTaskResult[]> {
    return createTasks(this.connection, tasks);
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
    return claimTasks(this.connection, req);
  }

  async renewLeases(leases: Lease[], leaseUntil: Date, now: Date): Promise<LeaseRenewal[]> {
    return renewLeases(this.connection, leases, leaseUntil, now);
  }

  async completeStep(lease: Lease, req: CompleteStepRequest): Promise<StepWriteResult> {
    return completeStep(this.connection, lease, req);
  }

  async failStep(lease: Lease, req: FailStepRequest): Promise<StepWriteResult> {
    return failStep(this.connection, lease, req);
  }

  async cancelStep(lease: Lease, req: CancelStepRequest): Promise<StepWriteResult> {
    return cancelStep(this.connection, lease, req);
  }

  async releaseTask(lease: Lease, now: Date): Promise<StepWriteResult> {
    return releaseTask(this.connection, lease, now);
  }

  async updateProgress(lease: Lease, progressPct: number, message: string | null, now: Date): Promise<boolean> {
    return updateProgress(this.connection, lease, progressPct, message, now);
  }

  async appendLogs(entries: NewLogEntry[], lease: Lease | null, now: Date): Promise<boolean> {
    return appendLogs(this.connection, entries, lease, now);
  }

  async recoverExpiredLeases(now: Date, limit: number): Promise<RecoveredLease[]> {
    return recoverExpiredLeases(this.connection, now, limit);
  }

  async expireOverdueTasks(now: Date, limit: number): Promise<string[]> {
    return expireOverdueTasks(this.connection, now, limit);
  }

  async claimCallbacks(req: ClaimCallbacksRequest): Promise<CallbackJob[]> {
    return claimCallbacks(this.connection, req);
  }

  async completeCallback(taskId: string, token: number, req: CompleteCallbackRequest): Promise<boolean> {
    return completeCallback(this.connection, taskId, token, req);
  }

  async requestCancel(id: string, tenant: TenantScope, now: Date): Promise<CancelResult> {
    return requestCancel(this.connection, id, tenant, now);
  }

  async retryTask(id: string, tenant: TenantScope, fromStep: string | null, now: Date): Promise<Task> {
    return retryTask(this.connection, id, tenant, fromStep, now);
  }

  async skipStep(id: string, tenant: TenantScope, step: string, now: Date): Promise<Task> {
    return skipStep(this.connection, id, tenant, step, now);
  }

  async listLogs(taskId: string, tenant: TenantScope, query: LogQuery): Promise<TaskLogEntry[]> {
    return this.connection.read(() => listLogs(this.connection, taskId, tenant, query));
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
    connection.close();
    throw err;
  }
  return new SqliteStore(connection);
}
