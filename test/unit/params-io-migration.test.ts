// Migration 0009 (SQLite) on a database with tasks: their initial params become their current
// params, and no step is known to have set any.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { listMigrationFiles } from "../../src/store/migration-files.js";
import { applyMigrations, SQLITE_MIGRATIONS_DIR } from "../../src/store/sqlite/apply-migrations.js";
import { SqliteConnection } from "../../src/store/sqlite/sqlite-connection.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const root = mkdtempSync(join(tmpdir(), "taskrail-params-io-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("existing tasks get initial_params = params and their steps params_set NULL", async () => {
  const path = join(root, "old.db");
  const all = listMigrationFiles(SQLITE_MIGRATIONS_DIR);
  const conn = new SqliteConnection(path, { readonly: false });
  applyMigrations(conn, all.filter((m) => m.version < 9));
  conn.stmt(`
    INSERT INTO tasks (id, tenant, type, queue, params, payload, step_count, current_step, status, run_at, created_at, updated_at)
    VALUES ('old-1', 'default', 't', 'default', '{"a":1,"fromStep":"x"}', 'null', 1, 1, 'succeeded', 0, 0, 0)`).run({});
  conn.stmt(`
    INSERT INTO steps (task_id, idx, name, executor, params, payload, status, attempts, max_tries, backoff_kind, backoff_delay_ms, backoff_max_ms)
    VALUES ('old-1', 0, 's0', 'noop', '{}', 'null', 'succeeded', 1, 1, 'fixed', 0, 0)`).run({});
  assert.deepEqual(applyMigrations(conn, all), all.filter((m) => m.version >= 9).map((m) => m.version));
  conn.close();

  const store = await openSqliteStore(path);
  try {
    const task = await store.getTask("old-1", null);
    assert.deepEqual(task?.initialParams, { a: 1, fromStep: "x" });
    assert.deepEqual(task?.steps.map((s) => s.paramsSet), [null]);
  } finally {
    await store.close();
  }
});
