import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

function startWorker(dbUrl: string, journal: string, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/worker-process.ts", dbUrl, journal, name, "16"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", () => resolve(child));
  });
}

async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

    const victim = await startWorker(db.url, journal, "victim");
    children.push(victim);
    await until(async () => (await tr.client.countTasksByStatus()).succeeded >= 250, 60_000);
    victim.kill("SIGKILL");
    await new Promise((r) => victim.once("exit", r));
    const succeededAtKill = (await tr.client.countTasksByStatus()).succeeded;
    assert.ok(succeededAtKill < 1000, "the victim was killed mid-run");

    children.push(await startWorker(db.url, journal, "survivor-1"), await startWorker(db.url, journal, "survivor-2"));
    await until(async () => (await tr.client.countTasksByStatus()).succeeded === 1000, 90_000);

    const counts = await tr.client.countTasksByStatus();
    assert.equal(counts.succeeded, 1000, `every task succeeded: ${JSON.stringify(counts)}`);

    const starts = new Map<string, number[]>();
    for (const line of readFileSync(journal, "utf8").split("\n")) {
      const [kind, taskId, step, , pid] = line.split(" ");
      if (kind !== "start") continue;
      const key = `${taskId}/${step}`;
      starts.set(key, [...(starts.get(key) ?? []), Number(pid)]);
    }
    assert.equal(starts.size, 3000, "every step ran");
    const rerun = [...starts.entries()].filter(([, pids]) => pids.length > 1);
    // Only the steps the victim held when it died may run twice: at most its concurrency.
    assert.ok(rerun.length <= 16, `${rerun.length} steps re-ran`);
    for (const [key, pids] of rerun) {
      assert.equal(pids.length, 2, `${key} ran ${pids.length} times`);
      assert.equal(pids[0], victim.pid, `${key}: the first run was the killed worker's`);
      assert.notEqual(pids[1], victim.pid);
    }
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await tr.close();
    db.cleanup();
  }
});
