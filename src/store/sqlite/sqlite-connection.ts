// One better-sqlite3 connection: pragmas, a prepared-statement cache, group-committed write
// transactions and the mapping of SQLite's busy/IO failures to StoreUnavailableError.
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreUnavailableError, TaskrailError } from "../../core/errors.js";
import { NamedStatement } from "./named-statement.js";
import { WalCheckpointer } from "./wal-checkpointer.js";

/** SQLite result codes that mean "the database could not serve this", not "your input is wrong". */
const UNAVAILABLE_CODE_RE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|CORRUPT|NOTADB|PROTOCOL|NOMEM|PERM)/;

/** Most writes one group commit carries; bounds how long one transaction holds the lock. */
const MAX_BATCH = 256;

/**
 * Write batches after which WAL checkpoints move to a background thread (see WalCheckpointer).
 * Short-lived connections (CLI calls, tests) never pay for starting a thread.
 */
const CHECKPOINTER_AFTER_BATCHES = 200;

/** While the thread checkpoints, the writer only steps in if the WAL grows past this (pages). */
const BACKSTOP_AUTOCHECKPOINT = 10_000;

/** Thrown through a fast-path batch transaction to roll it back when one of its writes fails. */
const WRITE_FAILED = Symbol("write failed");

interface QueuedWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Wraps a better-sqlite3 `Database`. Statements are prepared once per SQL text and reused;
 * writes run in `BEGIN IMMEDIATE` so two processes never deadlock upgrading a read lock.
 *
 * Group commit: `enqueue`d writes issued in the same event-loop turn run in one transaction
 * and settle after the COMMIT. Each write is still atomic (a failing one is undone alone) and
 * sees the ones before it, so the outcome equals running them one by one, but a WAL commit
 * (page writes, and the fsyncs of periodic checkpoints) is paid once per batch instead of
 * once per write: measured ~110 µs → ~35 µs per completed step with 32 workers.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  private readonly statements = new Map<string, NamedStatement>();
  private readonly rawStatements = new Map<string, NamedStatement>();
  private readonly runner: Database.Transaction<(fn: () => unknown) => unknown>;
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  private batches = 0;
  private readonly checkpointer: WalCheckpointer | null;

  constructor(path: string, options: { readonly: boolean }) {
    try {
      this.db = new Database(path, { readonly: options.readonly, fileMustExist: options.readonly });
      // busy_timeout first: the journal_mode switch itself may wait for another process.
      this.db.pragma("busy_timeout = 5000");
      if (!options.readonly) {
        this.db.pragma("journal_mode = WAL");
        this.db.pragma("synchronous = NORMAL");
        // After a checkpoint resets the WAL, trim the file back so a burst does not pin disk space.
        this.db.pragma("journal_size_limit = 67108864");
        // Statement journals in memory. Inside a transaction every statement that may write
        // several rows and abort (a multi-row claim, any write that fires an event trigger)
        // copies each page it touches to a statement journal first; past 64 KiB SQLite
        // spills that journal to a file in /var/tmp, and then every page copy is two
        // pwrite() calls: measured 24 of the 27 syscalls per one-step task, and 79 → 61 µs
        // CPU per run-phase task, 70 → 35 µs per enqueued task, when kept in memory (a task
        // insert alone: 105 → 32 µs, bench/sqlite-temp-store.mjs). Temporary tables and sort
        // spills live in memory too, bounded by the query.
        this.db.pragma("temp_store = MEMORY");
      }
      this.db.pragma("foreign_keys = ON");
      // 32 MiB page cache: indexes of a few million tasks stay hot without unbounded memory.
      this.db.pragma("cache_size = -32768");
    } catch (err) {
      throw toStoreError(err, `cannot open sqlite database ${path}`);
    }
    this.runner = this.db.transaction((fn: () => unknown) => fn());
    const onDisk = !options.readonly && path !== ":memory:" && path !== "";
    // Absolute, so the thread finds the same file whatever the working directory becomes.
    this.checkpointer = onDisk ? new WalCheckpointer(resolve(path), () => this.checkpointInline()) : null;
  }

  /** The background checkpointer died: the writer checkpoints by itself again (SQLite's default). */
  private checkpointInline(): void {
    if (!this.closed) this.db.pragma("wal_autocheckpoint = 1000");
  }

  private countBatch(): void {
    if (this.checkpointer === null || ++this.batches !== CHECKPOINTER_AFTER_BATCHES) return;
    try {
      this.checkpointer.start();
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT}`);
    } catch {
      // No thread (e.g. a restricted runtime): keep checkpointing inline.
    }
  }

  /** The cached prepared statement of `sql` (prepared on first use; `@name` parameters). */
  stmt(sql: string): NamedStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = NamedStatement.prepare(this.db, sql, false);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Like `stmt`, but rows come back as arrays in column order (cheaper for wide rows). */
  raw(sql: string): NamedStatement {
    let statement = this.rawStatements.get(sql);
    if (statement === undefined) {
      statement = NamedStatement.prepare(this.db, sql, true);
      this.rawStatements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` as one atomic write, group-committed with the other writes of this event-loop
   * turn; resolves after the COMMIT. A throw of `fn` undoes only `fn`'s own writes.
   */
  enqueue<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError("sqlite store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Runs every queued write now (also called by close, so nothing queued is dropped). */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
      this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
      this.runBatch(batch);
    }
  };

  private runBatch(batch: QueuedWrite[]): void {
    if (this.closed) {
      for (const w of batch) w.reject(new StoreUnavailableError("sqlite store is closed"));
      return;
    }
    this.countBatch();
    if (batch.length === 1) {
      const [w] = batch;
      try {
        w.resolve(this.write(w.fn));
      } catch (err) {
        w.reject(err);
      }
      return;
    }
    // Fast path: the writes back to back, no savepoints. A write that throws may have done
    // part of its work, so then the whole transaction is rolled back and the batch re-runs
    // with a savepoint per write (writes are pure functions of the database and their input).
    const values: unknown[] = new Array(batch.length);
    try {
      this.runner.immediate(() => {
        for (let i = 0; i < batch.length; i++) {
          try {
            values[i] = batch[i].fn();
          } catch {
            throw WRITE_FAILED;
          }
        }
      });
      for (let i = 0; i < batch.length; i++) batch[i].resolve(values[i]);
      return;
    } catch (err) {
      if (err !== WRITE_FAILED) {
        // BEGIN or COMMIT failed: nothing of the batch is stored, every write fails.
        const mapped = toStoreError(err, "sqlite write failed");
        for (const w of batch) w.reject(mapped);
        return;
      }
    }
    this.runBatchWithSavepoints(batch);
  }

  private runBatchWithSavepoints(batch: QueuedWrite[]): void {
    const outcomes: { ok: boolean; value: unknown }[] = new Array(batch.length);
    try {
      this.runner.immediate(() => {
        for (let i = 0; i < batch.length; i++) {
          try {
            // Nested call of the transaction function = SAVEPOINT … RELEASE (ROLLBACK TO on throw).
            outcomes[i] = { ok: true, value: this.runner(batch[i].fn) };
          } catch (err) {
            outcomes[i] = { ok: false, value: err };
          }
        }
      });
    } catch (err) {
      const mapped = toStoreError(err, "sqlite write failed");
      for (const w of batch) w.reject(mapped);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i];
      if (outcome.ok) batch[i].resolve(outcome.value);
      else batch[i].reject(toStoreError(outcome.value, "sqlite write failed"));
    }
  }

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction now; any throw rolls everything back. */
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

  /** Runs queued writes, closes the connection and stops the checkpoint thread; idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.flush();
      this.closed = true;
      this.statements.clear();
      this.rawStatements.clear();
      this.db.close();
    }
    await this.checkpointer?.stop();
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
