// SQLite adapter behaviour beyond the shared contract: group commit, closing, lock timeouts,
// and the query plans the hot paths depend on.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { makeTask } from "../support/task-factory.js";

const root = mkdtempSync(join(tmpdir(), "taskrail-sqlite-store-"));
let n = 0;
const freshPath = () => join(root, `db-${++n}.db`);
after(() => rmSync(root, { recursive: true, force: true }));

describe("SqliteStore", () => {
  test("writes issued in one event-loop turn each succeed or fail on their own", async () => {
    const store = await openSqliteStore(freshPath());
    try {
      const keep = makeTask({ index: "k" });
      const dup = makeTask({ index: "k" });
      const other = makeTask();
      const results = await Promise.allSettled([store.createTask(keep, "fail"), store.createTask(dup, "fail"), store.createTask(other, "fail")]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
      assert.equal((results[1] as PromiseRejectedResult).reason.code, "DUPLICATE_TASK");
      assert.equal((await store.listTasks({}, { limit: 10 })).total, 2);
      assert.equal(await store.getTask(dup.id, null), null);
    } finally {
      await store.close();
    }
  });

  test("a write issued before close is committed, and later calls fail as unavailable", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const task = makeTask();
    const pending = store.createTask(task, "fail");
    await store.close();
    assert.equal((await pending).created, true);
    await store.close();
    await assert.rejects(store.getTask(task.id, null), { code: "STORE_UNAVAILABLE" });
    await assert.rejects(store.createTask(makeTask(), "fail"), { code: "STORE_UNAVAILABLE" });
    const reopened = await openSqliteStore(path);
    assert.equal((await reopened.getTask(task.id, null))?.id, task.id);
    await reopened.close();
  });

  test("a database locked by another writer past the busy timeout reports the store unavailable", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const blocker = new Database(path);
    try {
      store.connection.db.pragma("busy_timeout = 50");
      blocker.exec("BEGIN IMMEDIATE");
      await assert.rejects(store.createTask(makeTask(), "fail"), { code: "STORE_UNAVAILABLE" });
      blocker.exec("ROLLBACK");
      assert.equal((await store.createTask(makeTask(), "fail")).created, true);
    } finally {
      blocker.close();
      await store.close();
    }
  });

  test("claims read the partial index on ready work, not a scan of finished tasks", async () => {
    const store = await openSqliteStore(freshPath());
    try {
      const plan = store.connection.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM tasks INDEXED BY tasks_ready
           WHERE status = 'pending' AND run_at <= 0 AND cancel_requested = 0
             AND current_queue IN (SELECT value FROM json_each('["q"]'))
             AND current_executor IN (SELECT value FROM json_each('["e"]'))
           ORDER BY priority DESC, run_at, id LIMIT 5`,
        )
        .all() as { detail: string }[];
      const details = plan.map((p) => p.detail).join(" | ");
      assert.match(details, /USING (COVERING )?INDEX tasks_ready/);
      assert.doesNotMatch(details, /TEMP B-TREE/);
    } finally {
      await store.close();
    }
  });
});
