// One better-sqlite3 connection: pragmas, a prepared-statement cache, transactions and the
// mapping of SQLite's busy/IO failures to StoreUnavailableError.
import Database from "better-sqlite3";
import { StoreUnavailableError, TaskrailError } from "../../core/errors.js";

/** A prepared statement of the cache. */
export type SqliteStatement = Database.Statement<unknown[], unknown>;

/** SQLite result codes that mean "the database could not serve this", not "your input is wrong". */
const UNAVAILABLE_CODE_RE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|CORRUPT|NOTADB|PROTOCOL|NOMEM|PERM)/;

/**
 * Wraps a better-sqlite3 `Database`. Statements are prepared once per SQL text and reused;
 * writes run in `BEGIN IMMEDIATE` so two processes never deadlock upgrading a read lock.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly runner: Database.Transaction<(fn: () => unknown) => unknown>;
  private closed = false;

  constructor(path: string, options: { readonly: boolean }) {
    try {
      this.db = new Database(path, { readonly: options.readonly, fileMustExist: options.readonly });
      // busy_timeout first: the journal_mode switch itself may wait for another process.
      this.db.pragma("busy_timeout = 5000");
      if (!options.readonly) {
        this.db.pragma("journal_mode = WAL");
        this.db.pragma("synchronous = NORMAL");
      }
      this.db.pragma("foreign_keys = ON");
      // 32 MiB page cache: indexes of a few million tasks stay hot without unbounded memory.
      this.db.pragma("cache_size = -32768");
    } catch (err) {
      throw toStoreError(err, `cannot open sqlite database ${path}`);
    }
    this.runner = this.db.transaction((fn: () => unknown) => fn());
  }

  /** The cached prepared statement of `sql` (prepared on first use). */
  stmt(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction; any throw rolls everything back. */
  write<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return this.runner.immediate(fn) as T;
    } catch (err) {
      throw toStoreError(err, "sqlite write failed");
    }
  }

  /** Runs `fn` in one read transaction (a consistent snapshot across its statements). */
  read<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return this.runner.deferred(fn) as T;
    } catch (err) {
      throw toStoreError(err, "sqlite read failed");
    }
  }

  /** Closes the connection; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError("sqlite store is closed");
  }
}

/** True for a SQLite UNIQUE constraint failure (de-duplication index or primary key). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Database.SqliteError && (err.code === "SQLITE_CONSTRAINT_UNIQUE" || err.code === "SQLITE_CONSTRAINT_PRIMARYKEY");
}

/** Passes taskrail errors through; turns busy/IO/closed failures into StoreUnavailableError. */
function toStoreError(err: unknown, context: string): unknown {
  if (err instanceof TaskrailError) return err;
  if (err instanceof Database.SqliteError && UNAVAILABLE_CODE_RE.test(err.code)) {
    return new StoreUnavailableError(`${context}: ${err.message} (${err.code})`, { cause: err });
  }
  if (err instanceof TypeError && /database connection is not open/i.test(err.message)) {
    return new StoreUnavailableError(`${context}: the connection is closed`, { cause: err });
  }
  return err;
}
