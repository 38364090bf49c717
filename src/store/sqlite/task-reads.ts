// Reads of the SQLite store: one task, filtered pages, counts per status and task logs.
import { TaskNotFoundError, ValidationError, type FieldError } from "../../core/errors.js";
import { TASK_STATUSES, type TaskStatus } from "../../core/status.js";
import type { Task, TaskLogEntry } from "../../core/task.js";
import { TASK_TOTAL_CAP, type LogQuery, type PageRequest, type TaskFilter, type TaskPage, type TenantScope } from "../store.js";
import {
  logRowFromTuple,
  mapLogRow,
  mapTaskRow,
  stepRowFromTuple,
  taskRowFromTuple,
  STEPS_COLUMNS,
  TASK_LOGS_COLUMNS,
  TASKS_COLUMNS,
  type StepRow,
  type TaskRow,
} from "./row-mapping.js";
import type { SqliteConnection } from "./sqlite-connection.js";

/** Largest page `listTasks` and `listLogs` serve. */
export const MAX_PAGE_LIMIT = 1000;

// -- @id task id
const SELECT_TASK = `SELECT ${TASKS_COLUMNS} FROM tasks WHERE id = @id`;

// -- @id task id
const SELECT_STEPS = `SELECT ${STEPS_COLUMNS} FROM steps WHERE task_id = @id ORDER BY idx`;

// -- @ids JSON array of task ids
const SELECT_STEPS_OF = `
SELECT ${STEPS_COLUMNS} FROM steps WHERE task_id IN (SELECT value FROM json_each(@ids)) ORDER BY task_id, idx`;

/** The task row `id` if it exists and is inside `tenant`, else undefined. */
export function selectTaskRow(conn: SqliteConnection, id: string, tenant: TenantScope): TaskRow | undefined {
  const tuple = conn.raw(SELECT_TASK).get({ id }) as unknown[] | undefined;
  if (tuple === undefined) return undefined;
  const row = taskRowFromTuple(tuple);
  return tenant !== null && row.tenant !== tenant ? undefined : row;
}

/** The step rows of a task, ordered by index. */
export function selectStepRows(conn: SqliteConnection, id: string): StepRow[] {
  return (conn.raw(SELECT_STEPS).all({ id }) as unknown[][]).map(stepRowFromTuple);
}

/** Maps a task row, loading its steps. */
export function taskWithSteps(conn: SqliteConnection, row: TaskRow): Task {
  return mapTaskRow(row, selectStepRows(conn, row.id));
}

/** The task with its steps, or null when absent or outside `tenant`. */
export function getTask(conn: SqliteConnection, id: string, tenant: TenantScope): Task | null {
  const row = selectTaskRow(conn, id, tenant);
  return row === undefined ? null : taskWithSteps(conn, row);
}

/** Like getTask but throws TaskNotFoundError. */
export function requireTaskRow(conn: SqliteConnection, id: string, tenant: TenantScope): TaskRow {
  const row = selectTaskRow(conn, id, tenant);
  if (row === undefined) throw new TaskNotFoundError(id);
  return row;
}

/** WHERE clause (without the cursor) and its named parameters for a filter. */
function filterSql(filter: TaskFilter): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (sql: string, name: string, value: unknown) => {
    where.push(sql);
    params[name] = value;
  };
  if (typeof filter.tenant === "string") add("tenant = @tenant", "tenant", filter.tenant);
  if (filter.status !== undefined && filter.status.length > 0) {
    const bad = filter.status.filter((s) => !TASK_STATUSES.includes(s));
    if (bad.length > 0) {
      throw new ValidationError([{ path: "status", message: `must be one of ${TASK_STATUSES.join(", ")}, got ${bad.map((s) => `"${s}"`).join(", ")}` }]);
    }
    // One placeholder per status (not json_each) so the planner can use the (status, id) index.
    const names = filter.status.map((s, i) => {
      params[`status${i}`] = s;
      return `@status${i}`;
    });
    where.push(`status IN (${names.join(", ")})`);
  }
  if (filter.type !== undefined) add("type = @type", "type", filter.type);
  if (filter.index !== undefined) add("index_key = @index", "index", filter.index);
  if (filter.indexType !== undefined) add("index_type = @indexType", "indexType", filter.indexType);
  if (filter.creator !== undefined) add("creator = @creator", "creator", filter.creator);
  if (filter.queue !== undefined) add("queue = @queue", "queue", filter.queue);
  if (filter.definitionId !== undefined) add("definition_id = @definitionId", "definitionId", filter.definitionId);
  if (filter.createdFrom !== undefined) add("created_at >= @createdFrom", "createdFrom", filter.createdFrom.getTime());
  if (filter.createdTo !== undefined) add("created_at < @createdTo", "createdTo", filter.createdTo.getTime());
  return { where, params };
}

function whereClause(where: string[]): string {
  return where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
}

/** Throws ValidationError unless `limit` is an integer in 1..MAX_PAGE_LIMIT. */
export function checkLimit(limit: number, path = "limit"): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    const problem: FieldError = { path, message: `must be an integer between 1 and ${MAX_PAGE_LIMIT}, got ${limit}` };
    throw new ValidationError([problem]);
  }
}

/**
 * A page of tasks, newest first. Statements are built from the filter's shape and cached by
 * their text, so each distinct filter shape is prepared once.
 * SQL: -- @tenant, @status0.., @type, @index, @indexType, @creator, @queue, @definitionId,
 *      -- @createdFrom ms, @createdTo ms, @cursor id, @limit
 */
export function listTasks(conn: SqliteConnection, filter: TaskFilter, page: PageRequest): TaskPage {
  checkLimit(page.limit);
  const { where, params } = filterSql(filter);
  // The count stops one past the cap: exact totals for ordinary lists, a bounded cost for huge ones.
  const countSql = `SELECT COUNT(*) AS n FROM (SELECT 1 FROM tasks ${whereClause(where)} LIMIT ${TASK_TOTAL_CAP + 1})`;
  const pageWhere = page.cursor ? [...where, "id < @cursor"] : where;
  // One row more than asked tells whether a next page exists without a second query.
  const pageSql = `SELECT ${TASKS_COLUMNS} FROM tasks ${whereClause(pageWhere)} ORDER BY id DESC LIMIT @limit`;
  const tuples = conn.raw(pageSql).all({ ...params, cursor: page.cursor ?? null, limit: page.limit + 1 }) as unknown[][];
  const rows = tuples.map(taskRowFromTuple);
  const counted = (conn.stmt(countSql).get(params) as { n: number }).n;
  const hasMore = rows.length > page.limit;
  const pageRows = hasMore ? rows.slice(0, page.limit) : rows;
  const stepsByTask = new Map<string, StepRow[]>();
  if (pageRows.length > 0) {
    const stepTuples = conn.raw(SELECT_STEPS_OF).all({ ids: JSON.stringify(pageRows.map((r) => r.id)) }) as unknown[][];
    for (const s of stepTuples.map(stepRowFromTuple)) {
      let list = stepsByTask.get(s.task_id);
      if (!list) stepsByTask.set(s.task_id, (list = []));
      list.push(s);
    }
  }
  return {
    items: pageRows.map((r) => mapTaskRow(r, stepsByTask.get(r.id) ?? [])),
    total: Math.min(counted, TASK_TOTAL_CAP),
    totalCapped: counted > TASK_TOTAL_CAP,
    nextCursor: hasMore ? pageRows[pageRows.length - 1].id : null,
  };
}

/** Count per status of the tasks matching `filter`; every status is present. */
export function countTasksByStatus(conn: SqliteConnection, filter: TaskFilter): Record<TaskStatus, number> {
  const { where, params } = filterSql(filter);
  const sql = `SELECT status, COUNT(*) AS n FROM tasks ${whereClause(where)} GROUP BY status`;
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const row of conn.stmt(sql).all(params) as { status: TaskStatus; n: number }[]) counts[row.status] = row.n;
  return counts;
}

// -- @id task id, @afterId exclusive lower bound, @limit
const SELECT_LOGS = `
SELECT ${TASK_LOGS_COLUMNS} FROM task_logs WHERE task_id = @id AND id > @afterId ORDER BY id LIMIT @limit`;

// -- @id task id, @afterId exclusive lower bound, @stepIndex, @limit
const SELECT_STEP_LOGS = `
SELECT ${TASK_LOGS_COLUMNS} FROM task_logs WHERE task_id = @id AND id > @afterId AND step_index = @stepIndex ORDER BY id LIMIT @limit`;

/** Log lines of a visible task in id order; TaskNotFoundError otherwise. */
export function listLogs(conn: SqliteConnection, taskId: string, tenant: TenantScope, query: LogQuery): TaskLogEntry[] {
  checkLimit(query.limit);
  requireTaskRow(conn, taskId, tenant);
  const params = { id: taskId, afterId: query.afterId ?? 0, limit: query.limit, stepIndex: query.stepIndex ?? null };
  const sql = query.stepIndex === undefined ? SELECT_LOGS : SELECT_STEP_LOGS;
  return (conn.raw(sql).all(params) as unknown[][]).map((t) => mapLogRow(logRowFromTuple(t)));
}
