import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";
import { killAll, readStarts, startWorkerProcess, until } from "../support/worker-processes.js";

test("a worker killed with SIGKILL mid-run loses no task and re-runs only the steps it held", { timeout: 120_000 }, async () => {
  const db = tempSqliteUrl();
  const journal = join(db.dir, "journal.log");
  writeFileSync(journal, "");
  const tr = await createTaskrail({ db: db.url });
  const children: ChildProcess[] = [];
  try {
    const specs = Array.from({ length: 1000 }, (_, i) => ({
      type: "crash",
      name: `t${i}`,
      steps: ["a", "b", "c"].map((name) => ({ name, executor: "record", tries: 3 })),
    }));
    await tr.client.dispatchMany(specs);

    const victim = await startWorkerProcess(db.url, journal, "victim");
    children.push(victim);
    await until(async () => (await tr.client.countTasksByStatus()).succeeded >= 250, 60_000, "250 tasks");
    victim.kill("SIGKILL");
    await new Promise((r) => victim.once("exit", r));
    assert.ok((await tr.client.countTasksByStatus()).succeeded < 1000, "the victim was killed mid-run");

    children.push(await startWorkerProcess(db.url, journal, "survivor-1"), await startWorkerProcess(db.url, journal, "survivor-2"));
    await until(async () => (await tr.client.countTasksByStatus()).succeeded === 1000, 90_000, "all tasks");

    const starts = readStarts(journal);
    assert.equal(starts.size, 3000, "every step ran");
    const rerun = [...starts.entries()].filter(([, pids]) => pids.length > 1);
    // Only the steps the victim held when it died may run twice: at most its concurrency.
    assert.ok(rerun.length <= 16, `${rerun.length} steps re-ran`);
    for (const [key, pids] of rerun) {
      assert.equal(pids.length, 2, `${key} ran ${pids.length} times`);
      assert.equal(pids[0], victim.pid, `${key}: the first run was the killed worker's`);
    }
  } finally {
    killAll(children);
    await tr.close();
    db.cleanup();
  }
});
