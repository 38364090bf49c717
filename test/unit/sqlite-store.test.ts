// SQLite adapter behaviour beyond the shared contract: group commit, closing, lock timeouts,
// the query plans the hot paths depend on, and the background WAL checkpointer.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { WalCheckpointer } from "../../src/store/sqlite/wal-checkpointer.js";
import { makeTask, makeTasks, T0 } from "../support/task-factory.js";

const execFileAsync = promisify(execFile);
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

  test("statement journals stay in memory (temp_store = MEMORY): triggered writes never spill to temp files", async () => {
    // Every status change fires the task_events trigger, so each write runs in a statement
    // sub-transaction; with SQLite's default (FILE) its journal went to /var/tmp past 64 KiB.
    const store = await openSqliteStore(freshPath());
    try {
      assert.equal(store.connection.db.pragma("temp_store", { simple: true }), 2);
      await store.createTasks(makeTasks(500));
      assert.equal((await store.listTasks({}, { limit: 1 })).total, 500);
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

describe("SqliteStore across processes", () => {
  // A claimer process: from `startAt` on, claims 2 at a time until nothing is left and prints
  // the ids it got. The shared start and a 1 ms pause between claims (as a worker's own work
  // would leave) make the two processes take turns at the write lock.
  const CLAIMER = `
    const [module, path, node, now, startAt] = process.argv.slice(1);
    const { openSqliteStore } = await import(module);
    const store = await openSqliteStore(path);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
    const ids = [];
    for (;;) {
      const claimed = await store.claimTasks({ nodeId: node, queues: ["default"], executors: ["noop"], limit: 2, leaseMs: 60000, now: new Date(Number(now)) });
      if (claimed.length === 0) break;
      for (const c of claimed) ids.push(c.task.id);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await store.close();
    process.stdout.write(JSON.stringify(ids));
  `;

  test("claimers in parallel processes on one file never claim a task twice", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const tasks = makeTasks(400);
    await store.createTasks(tasks);
    const module = new URL("../../src/store/sqlite/sqlite-store.ts", import.meta.url).href;
    const startAt = String(Date.now() + 2000);
    const claimer = async (node: string) => {
      const args = ["--import", "tsx", "--input-type=module", "-e", CLAIMER, module, path, node, String(T0.getTime()), startAt];
      const { stdout } = await execFileAsync(process.execPath, args, { cwd: fileURLToPath(new URL("../..", import.meta.url)) });
      return JSON.parse(stdout) as string[];
    };
    try {
      const [a, b] = await Promise.all([claimer("process-a"), claimer("process-b")]);
      const all = [...a, ...b];
      assert.ok(a.length > 0 && b.length > 0, `both processes claimed (${a.length} and ${b.length})`);
      assert.equal(new Set(all).size, all.length, "no task was claimed by both processes");
      assert.deepEqual([...all].sort(), tasks.map((t) => t.id).sort());
      assert.equal((await store.countTasksByStatus({})).running, 400);
    } finally {
      await store.close();
    }
  });
});

describe("WalCheckpointer", () => {
  test("the thread copies committed WAL frames into the database file until stopped", async () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("CREATE TABLE t (x TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run("x".repeat(200));
    })();
    const before = statSync(path).size;
    const checkpointer = new WalCheckpointer(path, (err) => assert.fail(String(err)), 10);
    checkpointer.start();
    try {
      const deadline = Date.now() + 5000;
      while (statSync(path).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(statSync(path).size > before, "the database file grew: frames were checkpointed");
    } finally {
      await checkpointer.stop();
      db.close();
    }
    assert.equal(checkpointer.running, false);
  });

  test("a thread that cannot open the database reports the failure", async () => {
    // The thread is unref'd (it never keeps a process alive), so hold the loop open meanwhile.
    const keepAlive = setTimeout(() => {}, 10_000);
    const failure = new Promise<unknown>((resolve) => {
      new WalCheckpointer(join(root, "missing-dir", "x.db"), resolve, 10).start();
    });
    try {
      assert.match(String(await failure), /unable to open|SQLITE_CANTOPEN|directory does not exist/i);
    } finally {
      clearTimeout(keepAlive);
    }
  });
});
