// API tokens, the audit log and task statistics on SQLite (the tables of 0006_server.sql).
import type { ApiToken, NewApiToken, Role } from "../../core/api-token.js";
import type { AuditEntry, AuditOutcome, AuditPage, AuditQuery, NewAuditEntry } from "../../core/audit.js";
import { fillBuckets, type BucketCountRow, type TaskStats, type TaskStatsRequest, type TypeDurations } from "../../core/task-stats.js";
import type { TenantScope } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";

interface TokenRow {
  id: string;
  tenant: string;
  role: Role;
  name: string | null;
  created_at: number;
  revoked_at: number | null;
}

const TOKEN_COLUMNS = `id, tenant, role, name, created_at, revoked_at`;

function mapToken(r: TokenRow): ApiToken {
  return { id: r.id, tenant: r.tenant, role: r.role, name: r.name, createdAt: new Date(r.created_at), revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at) };
}

// @id, @tenant, @role, @name, @secretHash, @createdAt
const INSERT_TOKEN = `
  INSERT INTO api_tokens (id, tenant, role, name, secret_hash, created_at)
  VALUES (@id, @tenant, @role, @name, @secretHash, @createdAt)`;
// no parameters
const ANY_TOKEN = `SELECT 1 FROM api_tokens LIMIT 1`;

/** Stores a token (with `onlyIfNone`: only into an empty table; the write lock makes it atomic). */
export function createApiToken(conn: SqliteConnection, token: NewApiToken, onlyIfNone: boolean): boolean {
  if (onlyIfNone && conn.stmt(ANY_TOKEN).get() !== undefined) return false;
  conn.stmt(INSERT_TOKEN).run({ ...token, createdAt: token.createdAt.getTime() });
  return true;
}

// @hash sha-256 hex of the secret
const FIND_TOKEN = `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE secret_hash = @hash AND revoked_at IS NULL`;

/** The unrevoked token of a secret hash. */
export function findApiTokenByHash(conn: SqliteConnection, hash: string): ApiToken | null {
  const row = conn.stmt(FIND_TOKEN).get({ hash }) as TokenRow | undefined;
  return row === undefined ? null : mapToken(row);
}

// @tenant or NULL (all)
const LIST_TOKENS = `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE (@tenant IS NULL OR tenant = @tenant) ORDER BY created_at, id`;

/** Tokens, oldest first. */
export function listApiTokens(conn: SqliteConnection, tenant: TenantScope): ApiToken[] {
  return (conn.stmt(LIST_TOKENS).all({ tenant }) as TokenRow[]).map(mapToken);
}

// @id, @tenant or NULL (all), @now
const REVOKE_TOKEN = `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id AND (@tenant IS NULL OR tenant = @tenant)`;
// @id
const SELECT_TOKEN = `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = @id`;

/** Revokes a token; null when absent or outside the tenant. */
export function revokeApiToken(conn: SqliteConnection, id: string, tenant: TenantScope, now: Date): ApiToken | null {
  if (conn.stmt(REVOKE_TOKEN).run({ id, tenant, now: now.getTime() }).changes === 0) return null;
  return mapToken(conn.stmt(SELECT_TOKEN).get({ id }) as TokenRow);
}

// @at … @errorCode: the entry's fields
const INSERT_AUDIT = `
  INSERT INTO audit_log (at, token_id, tenant, action, target, method, path, status_code, outcome, error_code)
  VALUES (@at, @tokenId, @tenant, @action, @target, @method, @path, @statusCode, @outcome, @errorCode)`;

/** Appends audit entries. */
export function appendAuditEntries(conn: SqliteConnection, entries: readonly NewAuditEntry[]): void {
  const stmt = conn.stmt(INSERT_AUDIT);
  for (const e of entries) stmt.run({ ...e, at: e.at.getTime() });
}

interface AuditRow {
  id: number;
  at: number;
  token_id: string | null;
  tenant: string;
  action: string;
  target: string | null;
  method: string;
  path: string;
  status_code: number;
  outcome: AuditOutcome;
  error_code: string | null;
}

// @tenant, @action, @tokenId, @from (each NULL = any), @beforeId (NULL = newest), @limit
const LIST_AUDIT = `
  SELECT * FROM audit_log
  WHERE (@tenant IS NULL OR tenant = @tenant) AND (@action IS NULL OR action = @action)
    AND (@tokenId IS NULL OR token_id = @tokenId) AND (@from IS NULL OR at >= @from)
    AND (@beforeId IS NULL OR id < @beforeId)
  ORDER BY id DESC LIMIT @limit`;

/** A page of the audit log, newest first. */
export function listAuditEntries(conn: SqliteConnection, q: AuditQuery): AuditPage {
  const rows = conn.stmt(LIST_AUDIT).all({
    tenant: q.tenant ?? null,
    action: q.action ?? null,
    tokenId: q.tokenId ?? null,
    from: q.from?.getTime() ?? null,
    beforeId: q.beforeId ?? null,
    limit: q.limit + 1,
  }) as AuditRow[];
  const items: AuditEntry[] = rows.slice(0, q.limit).map((r) => ({
    id: r.id,
    at: new Date(r.at),
    tokenId: r.token_id,
    tenant: r.tenant,
    action: r.action,
    target: r.target,
    method: r.method,
    path: r.path,
    statusCode: r.status_code,
    outcome: r.outcome,
    errorCode: r.error_code,
  }));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
}

// @from, @to window (ms), @bucket width (ms), @tenant or NULL (all)
const ENDED_BY_BUCKET = `
  SELECT CAST((ended_at - @from) / @bucket AS INTEGER) AS bucket, status, count(*) AS count FROM tasks
  WHERE ended_at >= @from AND ended_at < @to AND (@tenant IS NULL OR tenant = @tenant)
  GROUP BY 1, 2`;

// @from, @to window (ms), @tenant or NULL. Nearest-rank percentiles: rank ceil(p·n), in
// integer arithmetic so the same SQL runs on both stores.
const DURATIONS = `
  WITH d AS (
    SELECT type, execution_ms AS ms,
           row_number() OVER (PARTITION BY type ORDER BY execution_ms) AS rn,
           count(*) OVER (PARTITION BY type) AS n
    FROM tasks
    WHERE status = 'succeeded' AND ended_at >= @from AND ended_at < @to AND execution_ms IS NOT NULL
      AND (@tenant IS NULL OR tenant = @tenant))
  SELECT type, n AS count,
         max(CASE WHEN rn = (50 * n + 99) / 100 THEN ms END) AS p50,
         max(CASE WHEN rn = (90 * n + 99) / 100 THEN ms END) AS p90,
         max(CASE WHEN rn = (99 * n + 99) / 100 THEN ms END) AS p99,
         max(ms) AS max
  FROM d GROUP BY type, n ORDER BY type`;

// @now, @tenant or NULL
const OLDEST_READY = `
  SELECT id, type, queue, run_at FROM tasks
  WHERE status = 'pending' AND run_at <= @now AND (@tenant IS NULL OR tenant = @tenant)
  ORDER BY run_at, id LIMIT 1`;

/** Ended-task buckets, duration percentiles by type and the oldest ready task. */
export function taskStats(conn: SqliteConnection, req: TaskStatsRequest): TaskStats {
  const window = { from: req.from.getTime(), to: req.to.getTime(), tenant: req.tenant };
  const bucketRows = conn.stmt(ENDED_BY_BUCKET).all({ ...window, bucket: req.bucketMs }) as BucketCountRow[];
  const durationRows = conn.stmt(DURATIONS).all(window) as { type: string; count: number; p50: number; p90: number; p99: number; max: number }[];
  const oldest = conn.stmt(OLDEST_READY).get({ now: req.now.getTime(), tenant: req.tenant }) as { id: string; type: string; queue: string; run_at: number } | undefined;
  const durations: TypeDurations[] = durationRows.map((r) => ({ type: r.type, count: r.count, p50Ms: r.p50, p90Ms: r.p90, p99Ms: r.p99, maxMs: r.max }));
  return {
    buckets: fillBuckets(req, bucketRows),
    durations,
    oldestReady: oldest ? { id: oldest.id, type: oldest.type, queue: oldest.queue, runAt: new Date(oldest.run_at) } : null,
  };
}
