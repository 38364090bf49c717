// Definitions on PostgreSQL: create, update, delete, read, list, enable/disable, due reads and
// skip records. Fires (the compare-and-set with task creation) live in definition-fires.ts.
import type { Definition, DueDefinition, ScheduleKind, SkippedFire, SkipReason } from "../../core/definition.js";
import { DefinitionExistsError, DefinitionNotFoundError } from "../../core/errors.js";
import type { JsonObject } from "../../core/json.js";
import type { TaskStatus } from "../../core/status.js";
import { decodeDefinitionCursor, encodeDefinitionCursor } from "../definition-cursor.js";
import type { DefinitionFilter, DefinitionPage, DefinitionUpdate, NewDefinition, PageRequest, TenantScope } from "../store.js";
import { withdrawEarlyFires } from "./early-fires.js";
import { isUniqueViolation, type SqlRunner } from "./postgres-connection.js";

interface DefinitionRow {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  enabled: boolean;
  spec: JsonObject;
  schedule_kind: ScheduleKind | null;
  next_fire_at: Date | null;
  last_fire_at: Date | null;
  last_task_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `d.id, d.tenant, d.name, d.description, d.enabled, d.spec, d.schedule_kind, d.next_fire_at,
  d.last_fire_at, d.last_task_id, d.version, d.created_at, d.updated_at`;

/** A definition row as the domain type. */
export function mapDefinitionRow(r: DefinitionRow): Definition {
  return {
    id: r.id,
    tenant: r.tenant,
    name: r.name,
    description: r.description,
    enabled: r.enabled,
    spec: r.spec,
    scheduleKind: r.schedule_kind,
    nextFireAt: r.next_fire_at,
    lastFireAt: r.last_fire_at,
    lastTaskId: r.last_task_id,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// $1 id, $2 tenant, $3 name, $4 description, $5 enabled, $6 spec json text, $7 kind, $8 delay ms, $9 next, $10 now
const INSERT = `
INSERT INTO definitions AS d (id, tenant, name, description, enabled, spec, schedule_kind, fixed_delay_ms, next_fire_at, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, 1, $10, $10)
RETURNING ${COLUMNS}`;
// $1 tenant, $2 name
const SELECT_BY_NAME = `SELECT ${COLUMNS} FROM definitions d WHERE d.tenant = $1 AND d.name = $2`;
// $1 id
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM definitions d WHERE d.id = $1`;
// $1 id, $2 expected version, $3 description, $4 enabled, $5 spec, $6 kind, $7 delay ms, $8 next, $9 now
const UPDATE = `
UPDATE definitions AS d SET description = $3, enabled = $4, spec = $5::jsonb, schedule_kind = $6,
  fixed_delay_ms = $7, next_fire_at = $8, version = d.version + 1, updated_at = $9
WHERE d.id = $1 AND d.version = $2
RETURNING ${COLUMNS}`;
// $1 tenant, $2 name, $3 enabled, $4 now
const SET_ENABLED = `
UPDATE definitions AS d SET enabled = $3, version = d.version + 1, updated_at = $4
WHERE d.tenant = $1 AND d.name = $2 AND d.enabled <> $3`;
// $1 tenant, $2 name
const DELETE = `DELETE FROM definitions WHERE tenant = $1 AND name = $2`;
// $1 tenant, $2 name: taken first by a delete, so a fire of the definition in flight either
// committed (its early tasks are withdrawn) or fails its compare-and-set afterwards.
const LOCK_BY_NAME = `SELECT id FROM definitions WHERE tenant = $1 AND name = $2 FOR UPDATE`;
// $1 now, $2 limit
const SELECT_DUE = `
SELECT ${COLUMNS}, t.status AS last_task_status FROM definitions d LEFT JOIN tasks t ON t.id = d.last_task_id
WHERE d.enabled AND d.next_fire_at IS NOT NULL AND d.next_fire_at <= $1
ORDER BY d.next_fire_at, d.id LIMIT $2`;
// $1 now, $2 limit: fixedDelay definitions whose latest task is no longer active (or gone)
const ARM_FIXED_DELAY = `
UPDATE definitions AS d SET
  next_fire_at = coalesce((SELECT t.ended_at FROM tasks t WHERE t.id = d.last_task_id), $1) + d.fixed_delay_ms * interval '1 millisecond',
  version = d.version + 1
WHERE d.id IN (
  SELECT w.id FROM definitions w
  WHERE w.schedule_kind = 'fixedDelay' AND w.next_fire_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = w.last_task_id AND t.status IN ('pending', 'running'))
  LIMIT $2
  FOR UPDATE SKIP LOCKED)
  AND d.next_fire_at IS NULL`;
// $1 definition id, $2 limit
const SELECT_SKIPS = `
SELECT id, definition_id, scheduled_at, count, reason, blocking_task_id, recorded_at FROM definition_skips
WHERE definition_id = $1 ORDER BY id DESC LIMIT $2`;

async function one(db: SqlRunner, sql: string, params: unknown[]): Promise<Definition | null> {
  const row = (await db.query<DefinitionRow>(sql, params)).rows[0];
  return row ? mapDefinitionRow(row) : null;
}

/** `Store.createDefinition`. */
export async function createDefinition(db: SqlRunner, def: NewDefinition): Promise<Definition> {
  try {
    return (await one(db, INSERT, [
      def.id,
      def.tenant,
      def.name,
      def.description,
      def.enabled,
      JSON.stringify(def.spec),
      def.scheduleKind,
      def.fixedDelayMs,
      def.nextFireAt,
      def.createdAt,
    ]))!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new DefinitionExistsError(def.name);
    throw err;
  }
}

/** `Store.updateDefinition`. */
export async function updateDefinition(db: SqlRunner, u: DefinitionUpdate): Promise<Definition | null> {
  const updated = await one(db, UPDATE, [u.id, u.expectedVersion, u.description, u.enabled, JSON.stringify(u.spec), u.scheduleKind, u.fixedDelayMs, u.nextFireAt, u.now]);
  if (updated) {
    if (u.withdrawEarlyFires) await withdrawEarlyFires(db, u.id, u.now);
    return updated;
  }
  if ((await one(db, SELECT_BY_ID, [u.id])) === null) throw new DefinitionNotFoundError(u.id);
  return null;
}

/** `Store.deleteDefinition` (skip records go by ON DELETE CASCADE). */
export async function deleteDefinition(tx: SqlRunner, tenant: string, name: string, now: Date): Promise<boolean> {
  const locked = (await tx.query<{ id: string }>(LOCK_BY_NAME, [tenant, name])).rows[0];
  if (locked === undefined) return false;
  await withdrawEarlyFires(tx, locked.id, now);
  return ((await tx.query(DELETE, [tenant, name])).rowCount ?? 0) === 1;
}

/** `Store.getDefinition`. */
export function getDefinition(db: SqlRunner, tenant: string, name: string): Promise<Definition | null> {
  return one(db, SELECT_BY_NAME, [tenant, name]);
}

/** `Store.getDefinitionById`. */
export async function getDefinitionById(db: SqlRunner, id: string, tenant: TenantScope): Promise<Definition | null> {
  const def = await one(db, SELECT_BY_ID, [id]);
  return def && (tenant === null || def.tenant === tenant) ? def : null;
}

/** `Store.setDefinitionEnabled`; a disable runs in a transaction (`db`) that also withdraws early fires. */
export async function setDefinitionEnabled(db: SqlRunner, tenant: string, name: string, enabled: boolean, now: Date): Promise<Definition | null> {
  await db.query(SET_ENABLED, [tenant, name, enabled, now]);
  const def = await one(db, SELECT_BY_NAME, [tenant, name]);
  if (def !== null && !enabled) await withdrawEarlyFires(db, def.id, now);
  return def;
}

/** `Store.listDefinitions`: filters built from bound values only. */
export async function listDefinitions(db: SqlRunner, filter: DefinitionFilter, page: PageRequest): Promise<DefinitionPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const bind = (v: unknown): string => (params.push(v), `$${params.length}`);
  if (filter.tenant !== undefined && filter.tenant !== null) where.push(`d.tenant = ${bind(filter.tenant)}`);
  if (filter.enabled !== undefined) where.push(`d.enabled = ${bind(filter.enabled)}`);
  if (filter.namePrefix !== undefined && filter.namePrefix !== "") where.push(`left(d.name, length(${bind(filter.namePrefix)})) = $${params.length}`);
  const countSql = `SELECT count(*)::int AS n FROM definitions d ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`;
  const total = (await db.query<{ n: number }>(countSql, [...params])).rows[0].n;
  if (page.cursor) {
    const after = decodeDefinitionCursor(page.cursor);
    where.push(`(d.tenant, d.name) > (${bind(after.tenant)}, ${bind(after.name)})`);
  }
  const sql = `SELECT ${COLUMNS} FROM definitions d ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.tenant, d.name LIMIT ${bind(page.limit + 1)}`;
  const rows = (await db.query<DefinitionRow>(sql, params)).rows;
  const items = rows.slice(0, page.limit).map(mapDefinitionRow);
  const last = items[items.length - 1];
  return { items, total, nextCursor: rows.length > page.limit && last ? encodeDefinitionCursor(last.tenant, last.name) : null };
}

/** `Store.listDueDefinitions`. */
export async function listDueDefinitions(db: SqlRunner, now: Date, limit: number): Promise<DueDefinition[]> {
  const rows = (await db.query<DefinitionRow & { last_task_status: TaskStatus | null }>(SELECT_DUE, [now, limit])).rows;
  return rows.map((r) => ({ definition: mapDefinitionRow(r), lastTaskStatus: r.last_task_status }));
}

/** `Store.armFixedDelayDefinitions`. */
export async function armFixedDelayDefinitions(db: SqlRunner, now: Date, limit: number): Promise<number> {
  return (await db.query(ARM_FIXED_DELAY, [now, limit])).rowCount ?? 0;
}

/** `Store.listSkippedFires`. */
export async function listSkippedFires(db: SqlRunner, definitionId: string, limit: number): Promise<SkippedFire[]> {
  const rows = (
    await db.query<{
      id: number;
      definition_id: string;
      scheduled_at: Date;
      count: number;
      reason: SkipReason;
      blocking_task_id: string | null;
      recorded_at: Date;
    }>(SELECT_SKIPS, [definitionId, limit])
  ).rows;
  return rows.map((r) => ({
    id: Number(r.id),
    definitionId: r.definition_id,
    scheduledAt: r.scheduled_at,
    count: r.count,
    reason: r.reason,
    blockingTaskId: r.blocking_task_id,
    recordedAt: r.recorded_at,
  }));
}
