// PostgreSQL restarted under running workers: they reconnect and every task finishes; while
// the server is down, dispatch fails with STORE_UNAVAILABLE instead of dropping the task.
// Restarts the machine's PostgreSQL, so it lives in test/serial/ (run alone, after the rest).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import { TaskrailError } from "../../src/core/errors.js";
import { createPostgresSchemaHarness, isPostgresReachable, postgresUrl, requirePostgres } from "../support/postgres.js";
import { killAll, startWorkerProcess, until } from "../support/worker-processes.js";

function pgctl(action: "stop" | "start"): void {
  const version = readdirSync("/etc/postgresql")[0];
  execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", action], { stdio: "inherit" });
}

const canControl = (() => {
  try {
    return readdirSync("/etc/postgresql").length > 0 && process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

if (await requirePostgres()) {
  test("workers survive a PostgreSQL restart and dispatch fails loudly while it is down", { timeout: 240_000, skip: canControl ? false : "needs root and a local pg_ctlcluster" }, async () => {
    const schema = createPostgresSchemaHarness("restart");
    const dir = mkdtempSync(join(tmpdir(), "taskrail-restart-"));
    const journal = join(dir, "journal.log");
    writeFileSync(journal, "");
    const url = `${postgresUrl()}?schema=${schema.schema}`;
    const tr = await createTaskrail({ db: await schema.open() });
    const children: ChildProcess[] = [];
    try {
      const specs = Array.from({ length: 1000 }, (_, i) => ({ type: "restart", name: `t${i}`, steps: ["a", "b"].map((name) => ({ name, executor: "record", tries: 5 })) }));
      await tr.client.dispatchMany(specs);
      children.push(await startWorkerProcess(url, journal, "r1", 8), await startWorkerProcess(url, journal, "r2", 8));
      await until(async () => (await tr.client.countTasksByStatus()).succeeded >= 100, 60_000, "100 tasks");

      pgctl("stop");
      try {
        await assert.rejects(
          tr.client.dispatch({ type: "while-down", steps: [{ name: "s", executor: "record" }] }),
          (err: unknown) => err instanceof TaskrailError && err.code === "STORE_UNAVAILABLE",
        );
      } finally {
        pgctl("start");
      }
      await until(() => isPostgresReachable(postgresUrl()), 60_000, "PostgreSQL back");

      await until(async () => (await tr.client.countTasksByStatus()).succeeded === 1000, 180_000, "all tasks after the restart");
      const counts = await tr.client.countTasksByStatus();
      assert.equal(counts.succeeded, 1000, JSON.stringify(counts));
      assert.equal((await tr.client.listTasks({ type: "while-down" })).total, 0, "the refused dispatch stored nothing");
    } finally {
      killAll(children);
      await tr.close();
      await schema.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
