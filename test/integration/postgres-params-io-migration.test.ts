// PostgreSQL migration 0008 on a schema with tasks: their initial params become their current
// params, and no step is known to have set any.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { listMigrationFiles } from "../../src/store/migration-files.js";
import { applyMigrations, POSTGRES_MIGRATIONS_DIR } from "../../src/store/postgres/apply-migrations.js";
import { PostgresConnection } from "../../src/store/postgres/postgres-connection.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { dropSchema, freshSchemaName, postgresUrl, requirePostgres } from "../support/postgres.js";

if (await requirePostgres()) {
  const schema = freshSchemaName("params_io_migration");
  after(() => dropSchema(schema));

  test("existing tasks get initial_params = params and their steps params_set NULL", async () => {
    const all = listMigrationFiles(POSTGRES_MIGRATIONS_DIR);
    const conn = new PostgresConnection(postgresUrl(), schema, 2);
    try {
      await applyMigrations(conn, all.filter((m) => m.version < 8));
      await conn.query(`
        INSERT INTO tasks (id, tenant, type, queue, params, payload, step_count, current_step, status, run_at, created_at, updated_at)
        VALUES ('old-1', 'default', 't', 'default', '{"a":1,"fromStep":"x"}', 'null', 1, 1, 'succeeded', now(), now(), now())`);
      await conn.query(`
        INSERT INTO steps (task_id, idx, name, executor, params, payload, status, attempts, max_tries, backoff_kind, backoff_delay_ms, backoff_max_ms)
        VALUES ('old-1', 0, 's0', 'noop', '{}', 'null', 'succeeded', 1, 1, 'fixed', 0, 0)`);
      assert.deepEqual(await applyMigrations(conn, all), all.filter((m) => m.version >= 8).map((m) => m.version));
    } finally {
      await conn.close();
    }
    const store = await openPostgresStore(postgresUrl(), { schema, poolSize: 2 });
    try {
      const task = await store.getTask("old-1", null);
      assert.deepEqual(task?.initialParams, { a: 1, fromStep: "x" });
      assert.deepEqual(task?.steps.map((s) => s.paramsSet), [null]);
    } finally {
      await store.close();
    }
  });
}
