// Definitions on SQLite: create, update, delete, read, list, enable/disable, due reads and
// skip records. Fires (the compare-and-set with task creation) live in definition-fires.ts.
import type { Definition, DueDefinition, ScheduleKind, SkippedFire, SkipReason } from "../../core/definition.js";
import { DefinitionExistsError, DefinitionNotFoundError } from "../../core/errors.js";
import type { JsonObject } from "../../core/json.js";
import type { TaskStatus } from "../../core/status.js";
import { decodeDefinitionCursor, encodeDefinitionCursor } from "../definition-cursor.js";
import type { DefinitionFilter, DefinitionPage, DefinitionUpdate, NewDefinition, PageRequest, TenantScope } from "../store.js";
import { withdrawEarlyFires } from "./early-fires.js";
import { toDate, toMs } from "./row-mapping.js";
import { isUniqueViolation, type SqliteConnection } from "./sqlite-connection.js";

interface DefinitionRow {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  enabled: number;
  spec: string;
  schedule_kind: ScheduleKind | null;
  next_fire_at: number | null;
  last_fire_at: number | null;
  last_task_id: string | null;
  version: number;
  created_at: number;
  updated_at: number;
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
    enabled: r.enabled === 1,
    spec: JSON.parse(r.spec) as JsonObject,
    scheduleKind: r.schedule_kind,
    nextFireAt: toDate(r.next_fire_at),
    lastFireAt: toDate(r.last_fire_at),
    lastTaskId: r.last_task_id,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

// -- @id, @tenant, @name, @description, @enabled 0/1, @spec JSON, @kind, @delayMs, @next ms, @now ms
const INSERT = `
INSERT INTO definitions (id, tenant, name, description, enabled, spec, schedule_kind, fixed_delay_ms, next_fire_at, version, created_at, updated_at)
VALUES (@id, @tenant, @name, @description, @enabled, @spec, @kind, @delayMs, @next, 1, @now, @now)`;
// -- @tenant, @name
const SELECT_BY_NAME = `SELECT ${COLUMNS} FROM definitions d WHERE d.tenant = @tenant AND d.name = @name`;
// -- @id
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM definitions d WHERE d.id = @id`;
// -- @id, @version expected, @description, @enabled, @spec, @kind, @delayMs, @next, @now
const UPDATE = `
UPDATE definitions SET description = @description, enabled = @enabled, spec = @spec, schedule_kind = @kind,
  fixed_delay_ms = @delayMs, next_fire_at = @next, version = version + 1, updated_at = @now
WHERE id = @id AND version = @version`;
// -- @tenant, @name, @enabled 0/1, @now
const SET_ENABLED = `
UPDATE definitions SET enabled = @enabled, version = version + 1, updated_at = @now
WHERE tenant = @tenant AND name = @name AND enabled <> @enabled`;
// -- @tenant, @name
const DELETE = `DELETE FROM definitions WHERE tenant = @tenant AND name = @name`;
// -- @now ms, @limit
const SELECT_DUE = `
SELECT ${COLUMNS}, t.status AS last_task_status FROM definitions d LEFT JOIN tasks t ON t.id = d.last_task_id
WHERE d.enabled = 1 AND d.next_fire_at IS NOT NULL AND d.next_fire_at <= @now
ORDER BY d.next_fire_at, d.id LIMIT @limit`;
// -- @now ms, @limit: fixedDelay definitions whose latest task is no longer active (or gone)
const ARM_FIXED_DELAY = `
UPDATE definitions SET
  next_fire_at = coalesce((SELECT t.ended_at FROM tasks t WHERE t.id = definitions.last_task_id), @now) + fixed_delay_ms,
  version = version + 1
WHERE id IN (
  SELECT d.id FROM definitions d
  WHERE d.schedule_kind = 'fixedDelay' AND d.next_fire_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = d.last_task_id AND t.status IN ('pending', 'running'))
  LIMIT @limit)`;
// -- @definitionId, @limit
const SELECT_SKIPS = `
SELECT id, definition_id, scheduled_at, count, reason, blocking_task_id, recorded_at FROM definition_skips
WHERE definition_id = @definitionId ORDER BY id DESC LIMIT @limit`;

function rowOf(conn: SqliteConnection, sql: string, params: Record<string, unknown>): Definition | null {
  const row = conn.stmt(sql).get(params) as DefinitionRow | undefined;
  return row ? mapDefinitionRow(row) : null;
}

/** `Store.createDefinition`. */
export function createDefinition(conn: SqliteConnection, def: NewDefinition): Definition {
  try {
    conn.stmt(INSERT).run({
      id: def.id,
      tenant: def.tenant,
      name: def.name,
      description: def.description,
      enabled: def.enabled ? 1 : 0,
      spec: JSON.stringify(def.spec),
      kind: def.scheduleKind,
      delayMs: def.fixedDelayMs,
      next: toMs(def.nextFireAt),
      now: def.createdAt.getTime(),
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DefinitionExistsError(def.name);
    throw err;
  }
  return rowOf(conn, SELECT_BY_ID, { id: def.id })!;
}

/** `Store.updateDefinition`. */
export function updateDefinition(conn: SqliteConnection, u: DefinitionUpdate): Definition | null {
  const info = conn.stmt(UPDATE).run({
    id: u.id,
    version: u.expectedVersion,
    description: u.description,
    enabled: u.enabled ? 1 : 0,
    spec: JSON.stringify(u.spec),
    kind: u.scheduleKind,
    delayMs: u.fixedDelayMs,
    next: toMs(u.nextFireAt),
    now: u.now.getTime(),
  });
  const current = rowOf(conn, SELECT_BY_ID, { id: u.id });
  if (current === null) throw new DefinitionNotFoundError(u.id);
  if (info.changes !== 1) return null;
  if (u.withdrawEarlyFires) withdrawEarlyFires(conn, u.id, u.now);
  return current;
}

/** `Store.deleteDefinition` (skip records go by ON DELETE CASCADE), inside the caller's write. */
export function deleteDefinition(conn: SqliteConnection, tenant: string, name: string, now: Date): boolean {
  const def = rowOf(conn, SELECT_BY_NAME, { tenant, name });
  if (def === null) return false;
  withdrawEarlyFires(conn, def.id, now);
  return conn.stmt(DELETE).run({ tenant, name }).changes === 1;
}

/** `Store.getDefinition`. */
export function getDefinition(conn: SqliteConnection, tenant: string, name: string): Definition | null {
  return rowOf(conn, SELECT_BY_NAME, { tenant, name });
}

/** `Store.getDefinitionById`. */
export function getDefinitionById(conn: SqliteConnection, id: string, tenant: TenantScope): Definition | null {
  const def = rowOf(conn, SELECT_BY_ID, { id });
  return def && (tenant === null || def.tenant === tenant) ? def : null;
}

/** `Store.setDefinitionEnabled`, inside the caller's write. */
export function setDefinitionEnabled(conn: SqliteConnection, tenant: string, name: string, enabled: boolean, now: Date): Definition | null {
  conn.stmt(SET_ENABLED).run({ tenant, name, enabled: enabled ? 1 : 0, now: now.getTime() });
  const def = rowOf(conn, SELECT_BY_NAME, { tenant, name });
  if (def !== null && !enabled) withdrawEarlyFires(conn, def.id, now);
  return def;
}

/** `Store.listDefinitions`: filters built from bound values only. */
export function listDefinitions(conn: SqliteConnection, filter: DefinitionFilter, page: PageRequest): DefinitionPage {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.tenant !== undefined && filter.tenant !== null) {
    where.push("d.tenant = @tenant");
    params.tenant = filter.tenant;
  }
  if (filter.enabled !== undefined) {
    where.push("d.enabled = @enabled");
    params.enabled = filter.enabled ? 1 : 0;
  }
  if (filter.namePrefix !== undefined && filter.namePrefix !== "") {
    where.push("substr(d.name, 1, length(@prefix)) = @prefix");
    params.prefix = filter.namePrefix;
  }
  const total = (conn.stmt(`SELECT count(*) AS n FROM definitions d ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`).get(params) as { n: number }).n;
  if (page.cursor) {
    const after = decodeDefinitionCursor(page.cursor);
    where.push("(d.tenant > @afterTenant OR (d.tenant = @afterTenant AND d.name > @afterName))");
    params.afterTenant = after.tenant;
    params.afterName = after.name;
  }
  params.limit = page.limit + 1;
  const rows = conn
    .stmt(`SELECT ${COLUMNS} FROM definitions d ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.tenant, d.name LIMIT @limit`)
    .all(params) as DefinitionRow[];
  const items = rows.slice(0, page.limit).map(mapDefinitionRow);
  const last = items[items.length - 1];
  return { items, total, nextCursor: rows.length > page.limit && last ? encodeDefinitionCursor(last.tenant, last.name) : null };
}

/** `Store.listDueDefinitions`. */
export function listDueDefinitions(conn: SqliteConnection, now: Date, limit: number): DueDefinition[] {
  const rows = conn.stmt(SELECT_DUE).all({ now: now.getTime(), limit }) as (DefinitionRow & { last_task_status: TaskStatus | null })[];
  return rows.map((r) => ({ definition: mapDefinitionRow(r), lastTaskStatus: r.last_task_status }));
}

/** `Store.armFixedDelayDefinitions`. */
export function armFixedDelayDefinitions(conn: SqliteConnection, now: Date, limit: number): number {
  return conn.stmt(ARM_FIXED_DELAY).run({ now: now.getTime(), limit }).changes;
}

/** `Store.listSkippedFires`. */
export function listSkippedFires(conn: SqliteConnection, definitionId: string, limit: number): SkippedFire[] {
  const rows = conn.stmt(SELECT_SKIPS).all({ definitionId, limit }) as {
    id: number;
    definition_id: string;
    scheduled_at: number;
    count: number;
    reason: SkipReason;
    blocking_task_id: string | null;
    recorded_at: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    definitionId: r.definition_id,
    scheduledAt: new Date(r.scheduled_at),
    count: r.count,
    reason: r.reason,
    blockingTaskId: r.blocking_task_id,
    recordedAt: new Date(r.recorded_at),
  }));
}
