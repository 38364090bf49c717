// PostgreSQL test helpers: where the test server is, whether it answers, a private schema per
// test file and its removal. CI=true turns "not reachable" from a skip into a failure.
import { randomBytes } from "node:crypto";
import { test, type TestContext } from "node:test";
import pg from "pg";
import { openPostgresStore, type PostgresStore } from "../../src/store/postgres/postgres-store.js";

/** The server the PostgreSQL tests use: `TASKRAIL_TEST_POSTGRES_URL`, else the local default. */
export function postgresUrl(): string {
  return process.env.TASKRAIL_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
}

/** The URL without a password, for messages. */
function shownUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@/]*@/i, "$1:***@");
}

/** True when `SELECT 1` succeeds within `timeoutMs`. */
export async function isPostgresReachable(url = postgresUrl(), timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Resolves true when PostgreSQL answers. When it does not: with `CI=true` it throws (the test
 * file fails: CI must never pass by skipping the PostgreSQL tests); otherwise it skips with a
 * message naming the URL, through `t.skip()` when a test context is given, else by registering
 * one skipped test at the top level, and resolves false so the caller registers nothing else.
 */
export async function requirePostgres(t?: TestContext): Promise<boolean> {
  const url = postgresUrl();
  if (await isPostgresReachable(url)) return true;
  const where = `PostgreSQL not reachable at ${shownUrl(url)}`;
  if (process.env.CI === "true") {
    throw new Error(`${where}; CI=true, so the PostgreSQL tests fail instead of skipping (start the server or set TASKRAIL_TEST_POSTGRES_URL)`);
  }
  const message = `${where}; skipping`;
  if (t !== undefined) t.skip(message);
  else test(message, { skip: message }, () => {});
  return false;
}

/** A schema name no other test file (or run) uses: `<prefix>_<pid>_<random>`, lowercase, ≤ 63 chars. */
export function freshSchemaName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^([^a-z_])/, "_$1").slice(0, 30);
  return `${clean}_${process.pid}_${randomBytes(5).toString("hex")}`;
}

/** Drops `schema` and everything in it (no error when it does not exist). */
export async function dropSchema(schema: string, url = postgresUrl()): Promise<void> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`refusing to drop schema ${JSON.stringify(schema)}`);
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Stores opened on one private schema, all closed (and the schema dropped) by `cleanup`. */
export interface PostgresSchemaHarness {
  /** The schema every store of this harness uses. */
  readonly schema: string;
  /** Opens a store (its own pool) on the schema; migrations run on the first. */
  open(options?: { poolSize?: number }): Promise<PostgresStore>;
  /** Closes the stores opened so far and empties every table (ids restart): a fresh, empty store. */
  reset(): Promise<void>;
  /** Closes every store opened here and drops the schema. Idempotent. */
  cleanup(): Promise<void>;
}

/** A private schema for one test file (`prefix` names it, e.g. the file's name). */
export function createPostgresSchemaHarness(prefix: string): PostgresSchemaHarness {
  const schema = freshSchemaName(prefix);
  const stores: PostgresStore[] = [];
  let cleaned = false;
  const closeAll = () => Promise.all(stores.splice(0).map((s) => s.close()));
  return {
    schema,
    async open(options = {}) {
      const store = await openPostgresStore(postgresUrl(), { schema, poolSize: options.poolSize ?? 4 });
      stores.push(store);
      return store;
    },
    async reset() {
      await closeAll();
      const client = new pg.Client({ connectionString: postgresUrl() });
      client.on("error", () => {});
      await client.connect();
      try {
        // One statement for every table of the schema but the migration record (listed from the
        // catalog, so tables added by later migrations are emptied too).
        const tables = (
          await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> 'taskrail_migrations'`, [schema])
        ).rows.map((r) => `"${schema}"."${r.name}"`);
        if (tables.length > 0) await client.query(`TRUNCATE ${tables.join(", ")} RESTART IDENTITY CASCADE`);
      } finally {
        await client.end();
      }
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await closeAll();
      await dropSchema(schema);
    },
  };
}
