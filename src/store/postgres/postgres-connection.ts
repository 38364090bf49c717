// A `pg` pool bound to one schema: named statements, transactions, and the mapping of
// connection trouble to StoreUnavailableError (the pool reconnects by itself afterwards).
import { createHash } from "node:crypto";
import pg from "pg";
import type { PoolClient, QueryResult, QueryResultRow } from "pg";
import { StoreUnavailableError, TaskrailError } from "../../core/errors.js";

/** What runs SQL: the pool (each call its own implicit transaction) or a transaction. */
export interface SqlRunner {
  /** Runs `sql` unnamed: planned with the actual values every time. */
  query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs `sql` as a named prepared statement: parsed once per connection, plan cached. Only
   * for statements whose best plan never depends on the values (lookups by primary key).
   */
  prepared<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

const INT8_OID = 20;
/** bigint columns hold ms and counts far below 2^53: numbers, not strings. */
const parseInt8 = (text: string): number => Number(text);

/** Node socket errors that mean "the server is not there (any more)". */
const SOCKET_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);
/** SQLSTATEs of a server going away or refusing connections (class 08, admin/crash shutdown, too many clients). */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "53400"]);
/** pg's own messages for a connection that broke or never came. */
const UNAVAILABLE_MESSAGE_RE = /Connection terminated|not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|connection is closed/i;

/** SQLSTATE of a serialization failure or deadlock: the same write may simply be tried again. */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);

/**
 * One `pg.Pool` whose connections all use `search_path = <schema>`, so statements and
 * migrations name tables unqualified. Idle connections that break are dropped by the pool
 * and the next query opens a fresh one: a server restart costs the calls in flight only.
 */
export class PostgresConnection implements SqlRunner {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The URL connected to (for the dedicated LISTEN connection). */
  readonly url: string;
  /**
   * Runs claims and sweeps: statements that walk a partial index in order and stop after
   * LIMIT rows (see ORDERED_SETTINGS). Connections open on first use.
   */
  readonly ordered: SqlRunner & { transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> };
  private readonly orderedPool: pg.Pool;
  /**
   * Runs the batched step completions: statements driven by the moves passed as arrays, every
   * row reached by its primary key (see KEYED_SETTINGS). Connections open on first use.
   */
  readonly keyed: SqlRunner;
  private readonly keyedPool: pg.Pool;
  private readonly names = new Map<string, string>();
  private closed = false;

  /** `keyedPoolSize`: the statements the keyed lane runs at once (the completion batcher's). */
  constructor(url: string, schema: string, poolSize: number, keyedPoolSize = 1) {
    this.url = url;
    this.schema = schema;
    this.pool = createPool(url, schema, poolSize, DEFAULT_SETTINGS);
    this.orderedPool = createPool(url, schema, ORDERED_POOL_SIZE, ORDERED_SETTINGS);
    this.ordered = runnerOf(this.orderedPool, this);
    this.keyedPool = createPool(url, schema, keyedPoolSize, KEYED_SETTINGS);
    this.keyed = runnerOf(this.keyedPool, this);
  }

  async query<R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    this.assertOpen();
    return withRetry(() => this.pool.query<R>(sql, params as unknown[]));
  }

  async prepared<R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    this.assertOpen();
    const name = this.statementName(sql);
    return withRetry(() => this.pool.query<R>({ name, text: sql, values: params as unknown[] }));
  }

  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection; a throw rolls back. A deadlock or
   * serialization failure re-runs the whole function (up to 3 times): `fn` must not keep
   * state outside the transaction.
   */
  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>, pool: pg.Pool = this.pool): Promise<T> {
    this.assertOpen();
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toStoreError(err, "cannot reach PostgreSQL");
      }
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const tx: SqlRunner = {
          query: (sql, params = []) => client.query(sql, params as unknown[]),
          prepared: (sql, params = []) => client.query({ name: this.statementName(sql), text: sql, values: params as unknown[] }),
        };
        const result = await fn(tx);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        if (isConnectionError(err)) broken = err as Error;
        else await client.query("ROLLBACK").catch((rollbackErr: Error) => (broken = rollbackErr));
        if (!broken && attempt < 3 && isRetryable(err)) continue;
        throw toStoreError(err, "PostgreSQL transaction failed");
      } finally {
        // Passing the error destroys the connection instead of returning it to the pool.
        client.release(broken);
      }
    }
  }

  /** Ends every connection; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.orderedPool.end(), this.keyedPool.end()]);
  }

  /** A stable statement name per SQL text (same on every connection of every process). */
  statementName(sql: string): string {
    let name = this.names.get(sql);
    if (name === undefined) {
      name = `taskrail_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
      this.names.set(sql, name);
    }
    return name;
  }

  /** Throws StoreUnavailableError once closed. */
  assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError("postgres store is closed");
  }
}

/**
 * Settings of every connection. JIT off: taskrail's statements touch a few rows each, and a
 * plan whose estimated cost crosses jit_above_cost would spend ~1 s compiling (measured).
 */
const DEFAULT_SETTINGS: Record<string, string> = { jit: "off" };

/**
 * Settings of the connections that claim and sweep. Those statements read "the first LIMIT
 * rows of a partial index in order", then touch those few rows by primary key. When the
 * table's statistics are stale (a burst of enqueues since the last autoanalyze: every fresh
 * schema) the planner believes the index holds a handful of rows and picks a bitmap scan that
 * reads and sorts ALL ready rows: 16-28 ms per claim at 20,000 ready tasks, growing with the
 * backlog. A cached generic plan also guesses `LIMIT $n` as a tenth of the table and
 * hash-joins a full scan of steps. With sorts, bitmap scans, hash and merge joins priced out,
 * the plan left is the ordered index walk that stops after LIMIT rows plus primary-key probes
 * (0.2 ms server time for 32 rows), stats or no stats, so these statements can be prepared.
 * Session settings on a pool of their own: no extra round trip per claim.
 */
const ORDERED_SETTINGS: Record<string, string> = {
  jit: "off",
  enable_sort: "off",
  enable_bitmapscan: "off",
  enable_hashjoin: "off",
  enable_mergejoin: "off",
};

/**
 * Settings of the connections that write batched step completions. Left to choose, PostgreSQL
 * re-planned that statement on every call at low load (a custom plan for a one-element array
 * looks cheaper than the generic plan): 1.2 ms of planning per 0.5 ms of execution
 * (pg_stat_statements: 502 plans for 500 calls), on the path from one step of a chain to the
 * next. So the plan is made once per connection (force_generic_plan). A generic plan is kept
 * for the life of the connection, and this machine's statistics may be those of an empty
 * table; so everything but primary-key probes driven by the moves is priced out, seq scans
 * too: the one plan left holds from ten rows to millions.
 */
const KEYED_SETTINGS: Record<string, string> = {
  ...ORDERED_SETTINGS,
  enable_seqscan: "off",
  plan_cache_mode: "force_generic_plan",
};

/** Connections for claims and sweeps: one claim loop and a sweeper per process. */
const ORDERED_POOL_SIZE = 2;

function createPool(url: string, schema: string, max: number, settings: Record<string, string>): pg.Pool {
  // pg lets the URL's own `options` override the config's: move it into ours instead.
  const parsed = new URL(url);
  const extra = parsed.searchParams.get("options");
  parsed.searchParams.delete("options");
  const ours = [`search_path=${quoteIdentifier(schema)}`, ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)].map((s) => `-c ${s}`).join(" ");
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max,
    options: extra ? `${extra} ${ours}` : ours,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    types: { getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as "text"))) as never },
  });
  // An idle connection killed by the server emits here; without a listener the process
  // would crash. The pool already discards it; the next query reconnects.
  pool.on("error", () => {});
  return pool;
}

function runnerOf(pool: pg.Pool, conn: PostgresConnection): PostgresConnection["ordered"] {
  return {
    query: async (sql, params = []) => {
      conn.assertOpen();
      return withRetry(() => pool.query(sql, params as unknown[]));
    },
    prepared: async (sql, params = []) => {
      conn.assertOpen();
      return withRetry(() => pool.query({ name: conn.statementName(sql), text: sql, values: params as unknown[] }));
    },
    transaction: (fn) => conn.transaction(fn, pool),
  };
}

/** Runs a single statement, re-running it on deadlock / serialization failure. */
async function withRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt < 3 && isRetryable(err)) continue;
      throw toStoreError(err, "PostgreSQL query failed");
    }
  }
}

/** `"name"`: an identifier quoted for SQL (callers validate names first; quotes are doubled anyway). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True when `err` means the server could not be reached or went away mid-call. */
export function isConnectionError(err: unknown): boolean {
  if (err === null || typeof err !== "object") return false;
  const code = codeOf(err);
  if (code !== undefined && (SOCKET_ERROR_CODES.has(code) || code.startsWith("08") || UNAVAILABLE_SQLSTATES.has(code))) return true;
  // Node's happy-eyeballs connect reports every address's failure in an AggregateError.
  if (err instanceof AggregateError && err.errors.some(isConnectionError)) return true;
  return err instanceof Error && UNAVAILABLE_MESSAGE_RE.test(err.message);
}

function isRetryable(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && RETRYABLE_SQLSTATES.has(code);
}

/** True for a unique_violation (23505), optionally on the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (codeOf(err) !== "23505") return false;
  return constraint === undefined || (err as { constraint?: string }).constraint === constraint;
}

/** Passes taskrail errors through; turns connection failures into StoreUnavailableError. */
export function toStoreError(err: unknown, context: string): unknown {
  if (err instanceof TaskrailError) return err;
  if (isConnectionError(err)) {
    const detail = err instanceof Error ? err.message || codeOf(err) || err.name : String(err);
    return new StoreUnavailableError(`${context}: ${detail}`, { cause: err });
  }
  return err;
}
