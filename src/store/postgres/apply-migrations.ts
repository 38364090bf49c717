// Applies the numbered PostgreSQL migrations not yet recorded in `<schema>.taskrail_migrations`.
import { listMigrationFiles, type MigrationFile } from "../migration-files.js";
import { quoteIdentifier, type PostgresConnection } from "./postgres-connection.js";

/** Where the PostgreSQL migrations live (copied next to the compiled code by the build). */
export const POSTGRES_MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);

/** First key of the advisory lock migrations hold ("tr" in ASCII); the second is the schema's hash. */
const MIGRATION_LOCK_CLASS = 0x7472;

// -- $1 lock class, $2 schema name
// Transaction-scoped: released by COMMIT/ROLLBACK, also when the process dies mid-migration.
const LOCK_SCHEMA = `SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))`;

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS taskrail_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

// -- no parameters
const SELECT_APPLIED = `SELECT version FROM taskrail_migrations ORDER BY version`;

// -- $1 version, $2 file name
const INSERT_APPLIED = `INSERT INTO taskrail_migrations (version, name) VALUES ($1, $2)`;

/**
 * Creates the schema when missing and applies every migration of `files` not recorded yet,
 * all in one transaction holding an advisory lock on the schema: many processes starting at
 * once queue on the lock, the first migrates, the others then find nothing to do. A failing
 * migration rolls back every one of this call. Returns the versions applied by this call.
 */
export async function applyMigrations(conn: PostgresConnection, files: MigrationFile[] = listMigrationFiles(POSTGRES_MIGRATIONS_DIR)): Promise<number[]> {
  const schema = quoteIdentifier(conn.schema);
  return conn.transaction(async (tx) => {
    await tx.query(LOCK_SCHEMA, [MIGRATION_LOCK_CLASS, conn.schema]);
    // Identifiers cannot be bound; the name was validated (identifier characters only).
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(`SET LOCAL search_path = ${schema}`);
    await tx.query(CREATE_TABLE);
    const done = new Set((await tx.query<{ version: number }>(SELECT_APPLIED)).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      // No parameters: sent as one simple query, so a file may hold many statements.
      await tx.query(file.sql);
      await tx.query(INSERT_APPLIED, [file.version, file.name]);
      applied.push(file.version);
    }
    return applied;
  });
}
