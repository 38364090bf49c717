// Applies the numbered SQLite migrations not yet recorded in `taskrail_migrations`, in order.
import { StoreUnavailableError } from "../../core/errors.js";
import { listMigrationFiles, type MigrationFile } from "../migration-files.js";
import type { SqliteConnection } from "./sqlite-connection.js";

/** Where the SQLite migrations live (copied next to the compiled code by the build). */
export const SQLITE_MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS taskrail_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

// -- no parameters
const SELECT_APPLIED = `SELECT version FROM taskrail_migrations ORDER BY version`;

// -- @version number, @name file name, @appliedAt ms
const INSERT_APPLIED = `INSERT INTO taskrail_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)`;

/**
 * Applies every migration of `files` whose version is not recorded yet, each in its own
 * `BEGIN IMMEDIATE` transaction that re-reads the applied set first, so two processes
 * opening one fresh file at once apply each migration exactly once. Returns the versions
 * applied by this call.
 */
export function applyMigrations(conn: SqliteConnection, files: MigrationFile[] = listMigrationFiles(SQLITE_MIGRATIONS_DIR)): number[] {
  conn.write(() => conn.db.exec(CREATE_TABLE));
  const applied: number[] = [];
  for (const file of files) {
    conn.write(() => {
      const done = new Set(appliedVersions(conn));
      if (done.has(file.version)) return;
      conn.db.exec(file.sql);
      conn.db.prepare(INSERT_APPLIED).run({ version: file.version, name: file.name, appliedAt: Date.now() });
      applied.push(file.version);
    });
  }
  return applied;
}

/** Versions recorded as applied, ascending (empty when the table does not exist yet). */
export function appliedVersions(conn: SqliteConnection): number[] {
  const exists = conn.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'taskrail_migrations'`).get();
  if (!exists) return [];
  return (conn.db.prepare(SELECT_APPLIED).all() as { version: number }[]).map((r) => r.version);
}

/**
 * For read-only connections, which cannot migrate: fails unless every migration of `files`
 * is already applied, so a reader never runs against a schema it does not know.
 */
export function assertMigrated(conn: SqliteConnection, files: MigrationFile[] = listMigrationFiles(SQLITE_MIGRATIONS_DIR)): void {
  const done = new Set(appliedVersions(conn));
  const missing = files.filter((f) => !done.has(f.version));
  if (missing.length > 0) {
    throw new StoreUnavailableError(
      `sqlite database is not migrated (missing ${missing.map((f) => f.name).join(", ")}); open it read-write or run "taskrail migrate"`,
    );
  }
}
