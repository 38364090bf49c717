// Reads of the PostgreSQL store: one task, filtered pages, counts per status and task logs.
import { TaskNotFoundError, ValidationError, type FieldError } from "../../core/errors.js";
import { TASK_STATUSES, type TaskStatus } from "../../core/status.js";
import type { Task, TaskLogEntry } from "../../core/task.js";
import { TASK_TOTAL_CAP, type LogQuery, type PageRequest, type TaskFilter, type TaskPage, type TenantScope } from "../store.js";
import type { SqlRunner } from "./postgres-connection.js";
import { mapLogRow, mapTaskRow, TASK_WITH_STEPS, type LogRow, type TaskRow } from "./row-mapping.js";

/** Largest page `listTasks` and `listLogs` serve. */
export const MAX_PAGE_LIMIT = 1000;

// -- $1 task id, $2 tenant or NULL (any)
const SELECT_TASK = `
SELECT ${TASK_WITH_STEPS} FROM tasks t WHERE t.id = $1 AND ($2::text IS NULL OR t.tenant = $2::text)`;

// -- $1 task ids
const SELECT_TASKS = `SELECT ${TASK_WITH_STEPS} FROM tasks t WHERE t.id = ANY($1::text[])`;

/** The task row `id` with its steps if it exists and is inside `tenant`, else undefined. */
export async function selectTaskRow(db: SqlRunner, id: string, tenant: TenantScope): Promise<TaskRow | undefined> {
  return (await db.prepared<TaskRow>(SELECT_TASK, [id, tenant])).rows[0];
}

/** The task with its steps, or null when absent or outside `tenant`. */
export async function getTask(db: SqlRunner, id: string, tenant: TenantScope): Promise<Task | null> {
  const row = await selectTaskRow(db, id, tenant);
  return row === undefined ? null : mapTaskRow(row);
}

/** Like getTask but throws TaskNotFoundError. */
export async function requireTask(db: SqlRunner, id: string, tenant: TenantScope): Promise<Task> {
  const task = await getTask(db, id, tenant);
  if (task === null) throw new TaskNotFoundError(id);
  return task;
}

/** Tasks by id (any tenant), in no particular order; absent ids are left out. */
export async function getTasksById(db: SqlRunner, ids: readonly string[]): Promise<Map<string, Task>> {
  const rows = ids.length === 0 ? [] : (await db.query<TaskRow>(SELECT_TASKS, [ids])).rows;
  return new Map(rows.map((r) => [r.id, mapTaskRow(r)]));
}

/** WHERE terms (without the cursor) and their parameters for a filter; `$n` numbered from 1. */
function filterSql(filter: TaskFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, op: string, value: unknown, cast = "") => {
    params.push(value);
    where.push(`${column} ${op} $${params.length}${cast}`);
  };
  if (typeof filter.tenant === "string") add("tenant", "=", filter.tenant);
  if (filter.status !== undefined && filter.status.length > 0) {
    const bad = filter.status.filter((s) => !TASK_STATUSES.includes(s));
    if (bad.length > 0) {
      throw new ValidationError([{ path: "status", message: `must be one of ${TASK_STATUSES.join(", ")}, got ${bad.map((s) => `"${s}"`).join(", ")}` }]);
    }
    params.push(filter.status);
    where.push(`status = ANY($${params.length}::text[])`);
  }
  if (filter.type !== undefined) add("type", "=", filter.type);
  if (filter.index !== undefined) add("index_key", "=", filter.index);
  if (filter.indexType !== undefined) add("index_type", "=", filter.indexType);
  if (filter.creator !== undefined) add("creator", "=", filter.creator);
  if (filter.queue !== undefined) add("queue", "=", filter.queue);
  if (filter.definitionId !== undefined) add("definition_id", "=", filter.definitionId);
  if (filter.createdFrom !== undefined) add("created_at", ">=", filter.createdFrom, "::timestamptz");
  if (filter.createdTo !== undefined) add("created_at", "<", filter.createdTo, "::timestamptz");
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
 * A page of tasks, newest first, and the filter's total. Built from the filter's shape and
 * run unnamed (planned per call: a filter on a rare status and one on every task want
 * different plans). Page and count go out as one statement.
 * SQL: -- filter values in field order, then $k cursor id, $k+1 limit + 1
 */
export async function listTasks(db: SqlRunner, filter: TaskFilter, page: PageRequest): Promise<TaskPage> {
  checkLimit(page.limit);
  const { where, params } = filterSql(filter);
  const pageWhere = [...where];
  const pageParams = [...params];
  if (page.cursor) {
    pageParams.push(page.cursor);
    pageWhere.push(`id < $${pageParams.length}`);
  }
  pageParams.push(page.limit + 1);
  // One row more than asked tells whether a next page exists. The count repeats the filter
  // (same placeholders) without the cursor, and stops one past the cap (bounded cost).
  const countSql = `SELECT count(*) FROM (SELECT 1 FROM tasks ${whereClause(where)} LIMIT ${TASK_TOTAL_CAP + 1}) c`;
  const sql = `
WITH page AS (SELECT * FROM tasks ${whereClause(pageWhere)} ORDER BY id DESC LIMIT $${pageParams.length})
SELECT ${TASK_WITH_STEPS}, (${countSql}) AS total_count
FROM page t ORDER BY t.id DESC`;
  let rows = (await db.query<TaskRow & { total_count: number }>(sql, pageParams)).rows;
  let counted: number;
  if (rows.length === 0) {
    // An empty page (e.g. past the end) still reports the filter's total.
    counted = Number((await db.query<{ n: number }>(`${countSql.replace("SELECT count(*)", "SELECT count(*) AS n")}`, params)).rows[0].n);
  } else counted = Number(rows[0].total_count);
  const hasMore = rows.length > page.limit;
  if (hasMore) rows = rows.slice(0, page.limit);
  return {
    items: rows.map(mapTaskRow),
    total: Math.min(counted, TASK_TOTAL_CAP),
    totalCapped: counted > TASK_TOTAL_CAP,
    nextCursor: hasMore ? rows[rows.length - 1].id : null,
  };
}

/** Count per status of the tasks matching `filter`; every status is present. */
export async function countTasksByStatus(db: SqlRunner, filter: TaskFilter): Promise<Record<TaskStatus, number>> {
  const { where, params } = filterSql(filter);
  const sql = `SELECT status, count(*) AS n FROM tasks ${whereClause(where)} GROUP BY status`;
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const row of (await db.query<{ status: TaskStatus; n: number }>(sql, params)).rows) counts[row.status] = Number(row.n);
  return counts;
}

// -- $1 task id, $2 tenant or NULL, $3 exclusive lower id bound, $4 step index or NULL (all), $5 limit
// The visibility check rides along: `task` is empty when the task is absent or outside tenant.
const SELECT_LOGS = `
WITH task AS (SELECT id FROM tasks WHERE id = $1 AND ($2::text IS NULL OR tenant = $2::text))
SELECT (SELECT count(*) FROM task) AS visible, l.*
FROM (SELECT 1) one
LEFT JOIN LATERAL (
  SELECT id, task_id, step_index, attempt, at, level, message, fields FROM task_logs
  WHERE task_id = (SELECT id FROM task) AND id > $3 AND ($4::int IS NULL OR step_index = $4::int)
  ORDER BY id LIMIT $5
) l ON true`;

/** Log lines of a visible task in id order; TaskNotFoundError otherwise. */
export async function listLogs(db: SqlRunner, taskId: string, tenant: TenantScope, query: LogQuery): Promise<TaskLogEntry[]> {
  checkLimit(query.limit);
  const rows = (
    await db.prepared<LogRow & { visible: number }>(SELECT_LOGS, [taskId, tenant, query.afterId ?? 0, query.stepIndex ?? null, query.limit])
  ).rows;
  if (rows.length === 0 || Number(rows[0].visible) === 0) throw new TaskNotFoundError(taskId);
  return rows.filter((r) => r.id !== null).map(mapLogRow);
}
