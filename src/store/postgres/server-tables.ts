// API tokens, the audit log and task statistics on PostgreSQL (the tables of 0005_server.sql).
import type { ApiToken, NewApiToken, Role } from "../../core/api-token.js";
import type { AuditOutcome, AuditPage, AuditQuery, NewAuditEntry } from "../../core/audit.js";
import { fillBuckets, type BucketCountRow, type TaskStats, type TaskStatsRequest } from "../../core/task-stats.js";
import type { TenantScope } from "../store.js";
import type { PostgresConnection } from "./postgres-connection.js";

interface TokenRow {
  id: string;
  tenant: string;
  role: Role;
  name: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const TOKEN_COLUMNS = `id, tenant, role, name, created_at, revoked_at`;

function mapToken(r: TokenRow): ApiToken {
  return { id: r.id, tenant: r.tenant, role: r.role, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at };
}

// $1 id, $2 tenant, $3 role, $4 name, $5 secret hash, $6 created at
const INSERT_TOKEN = `
  INSERT INTO api_tokens (id, tenant, role, name, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`;

/**
 * Stores a token. With `onlyIfNone` the table is locked against other writers first, so of two
 * servers starting on an empty store exactly one creates the first admin token.
 */
export async function createApiToken(conn: PostgresConnection, token: NewApiToken, onlyIfNone: boolean): Promise<boolean> {
  const values = [token.id, token.tenant, token.role, token.name, token.secretHash, token.createdAt];
  if (!onlyIfNone) {
    await conn.query(INSERT_TOKEN, values);
    return true;
  }
  return conn.transaction(async (tx) => {
    await tx.query(`LOCK TABLE api_tokens IN SHARE ROW EXCLUSIVE MODE`);
    if ((await tx.query(`SELECT 1 FROM api_tokens LIMIT 1`)).rowCount! > 0) return false;
    await tx.query(INSERT_TOKEN, values);
    return true;
  });
}

// $1 sha-256 hex of the secret
const FIND_TOKEN = `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL`;

/** The unrevoked token of a secret hash. */
export async function findApiTokenByHash(conn: PostgresConnection, hash: string): Promise<ApiToken | null> {
  const row = (await conn.prepared<TokenRow>(FIND_TOKEN, [hash])).rows[0];
  return row === undefined ? null : mapToken(row);
}

// $1 tenant or NULL (all)
const LIST_TOKENS = `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE ($1::text IS NULL OR tenant = $1::text) ORDER BY created_at, id`;

/** Tokens, oldest first. */
export async function listApiTokens(conn: PostgresConnection, tenant: TenantScope): Promise<ApiToken[]> {
  return (await conn.query<TokenRow>(LIST_TOKENS, [tenant])).rows.map(mapToken);
}

// $1 id, $2 tenant or NULL (all), $3 now
const REVOKE_TOKEN = `
  UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $3) WHERE id = $1 AND ($2::text IS NULL OR tenant = $2::text)
  RETURNING ${TOKEN_COLUMNS}`;

/** Revokes a token; null when absent or outside the tenant. */
export async function revokeApiToken(conn: PostgresConnection, id: string, tenant: TenantScope, now: Date): Promise<ApiToken | null> {
  const row = (await conn.query<TokenRow>(REVOKE_TOKEN, [id, tenant, now])).rows[0];
  return row === undefined ? null : mapToken(row);
}

// $1 … $10: one array per column, element i = entry i (one statement however many entries)
const INSERT_AUDIT = `
  INSERT INTO audit_log (at, token_id, tenant, action, target, method, path, status_code, outcome, error_code)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::text[])`;

/** Appends audit entries with one statement. */
export async function appendAuditEntries(conn: PostgresConnection, entries: readonly NewAuditEntry[]): Promise<void> {
  const col = <K extends keyof NewAuditEntry>(k: K): NewAuditEntry[K][] => entries.map((e) => e[k]);
  await conn.prepared(INSERT_AUDIT, [
    col("at"), col("tokenId"), col("tenant"), col("action"), col("target"),
    col("method"), col("path"), col("statusCode"), col("outcome"), col("errorCode"),
  ]);
}

interface AuditRow {
  id: number;
  at: Date;
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

// $1 tenant, $2 action, $3 token id, $4 from (each NULL = any), $5 before id (NULL = newest), $6 limit
const LIST_AUDIT = `
  SELECT * FROM audit_log
  WHERE ($1::text IS NULL OR tenant = $1::text) AND ($2::text IS NULL OR action = $2::text)
    AND ($3::text IS NULL OR token_id = $3::text) AND ($4::timestamptz IS NULL OR at >= $4::timestamptz)
    AND ($5::bigint IS NULL OR id < $5::bigint)
  ORDER BY id DESC LIMIT $6`;

/** A page of the audit log, newest first. */
export async function listAuditEntries(conn: PostgresConnection, q: AuditQuery): Promise<AuditPage> {
  const rows = (await conn.query<AuditRow>(LIST_AUDIT, [q.tenant ?? null, q.action ?? null, q.tokenId ?? null, q.from ?? null, q.beforeId ?? null, q.limit + 1])).rows;
  const items = rows.slice(0, q.limit).map((r) => ({
    id: Number(r.id),
    at: r.at,
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

// $1 from, $2 to, $3 bucket width (ms), $4 tenant or NULL (all)
const ENDED_BY_BUCKET = `
  SELECT floor(extract(epoch FROM ended_at - $1::timestamptz) * 1000 / $3)::int AS bucket, status, count(*)::int AS count
  FROM tasks
  WHERE ended_at >= $1 AND ended_at < $2 AND ($4::text IS NULL OR tenant = $4::text)
  GROUP BY 1, 2`;

// $1 from, $2 to, $3 tenant or NULL. Nearest-rank percentiles: rank ceil(p·n) in integer
// arithmetic, the same SQL as the SQLite store's.
const DURATIONS = `
  WITH d AS (
    SELECT type, execution_ms AS ms,
           row_number() OVER (PARTITION BY type ORDER BY execution_ms) AS rn,
           count(*) OVER (PARTITION BY type) AS n
    FROM tasks
    WHERE status = 'succeeded' AND ended_at >= $1 AND ended_at < $2 AND execution_ms IS NOT NULL
      AND ($3::text IS NULL OR tenant = $3::text))
  SELECT type, n::int AS count,
         max(CASE WHEN rn = (50 * n + 99) / 100 THEN ms END) AS p50,
         max(CASE WHEN rn = (90 * n + 99) / 100 THEN ms END) AS p90,
         max(CASE WHEN rn = (99 * n + 99) / 100 THEN ms END) AS p99,
         max(ms) AS max
  FROM d GROUP BY type, n ORDER BY type`;

// $1 now, $2 tenant or NULL
const OLDEST_READY = `
  SELECT id, type, queue, run_at FROM tasks
  WHERE status = 'pending' AND run_at <= $1 AND ($2::text IS NULL OR tenant = $2::text)
  ORDER BY run_at, id LIMIT 1`;

/** Ended-task buckets, duration percentiles by type and the oldest ready task. */
export async function taskStats(conn: PostgresConnection, req: TaskStatsRequest): Promise<TaskStats> {
  const [buckets, durations, oldest] = await Promise.all([
    conn.query<BucketCountRow>(ENDED_BY_BUCKET, [req.from, req.to, req.bucketMs, req.tenant]),
    conn.query<{ type: string; count: number; p50: number; p90: number; p99: number; max: number }>(DURATIONS, [req.from, req.to, req.tenant]),
    conn.query<{ id: string; type: string; queue: string; run_at: Date }>(OLDEST_READY, [req.now, req.tenant]),
  ]);
  const o = oldest.rows[0];
  return {
    buckets: fillBuckets(req, buckets.rows),
    durations: durations.rows.map((r) => ({ type: r.type, count: r.count, p50Ms: r.p50, p90Ms: r.p90, p99Ms: r.p99, maxMs: r.max })),
    oldestReady: o ? { id: o.id, type: o.type, queue: o.queue, runAt: o.run_at } : null,
  };
}
