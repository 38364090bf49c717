// Three worker processes on one PostgreSQL schema; one is SIGKILLed mid-run.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import { createPostgresSchemaHarness, postgresUrl, requirePostgres } from "../support/postgres.js";
import { killAll, readStarts, startWorkerProcess, until } from "../support/worker-processes.js";

if (await requirePostgres()) {
  test("three workers, 5,000 three-step tasks, one SIGKILLed: every task succeeds and only held steps re-run", { timeout: 300_000 }, async () => {
    const schema = createPostgresSchemaHarness("cluster");
    const dir = mkdtempSync(join(tmpdir(), "taskrail-cluster-"));
    const journal = join(dir, "journal.log");
    writeFileSync(journal, "");
    const url = `${postgresUrl()}?schema=${schema.schema}`;
    const tr = await createTaskrail({ db: await schema.open() });
    const children: ChildProcess[] = [];
    try {
      const specs = Array.from({ length: 5000 }, (_, i) => ({
        type: "cluster",
        name: `t${i}`,
        steps: ["a", "b", "c"].map((name) => ({ name, executor: "record", tries: 3 })),
      }));
      for (let i = 0; i < specs.length; i += 1000) await tr.client.dispatchMany(specs.slice(i, i + 1000));

      const workers = await Promise.all(["w1", "w2", "w3"].map((n) => startWorkerProcess(url, journal, n)));
      children.push(...workers);
      const victim = workers[1];
      await until(async () => (await tr.client.countTasksByStatus()).succeeded >= 1000, 120_000, "1,000 tasks");
      victim.kill("SIGKILL");
      await new Promise((r) => victim.once("exit", r));
      assert.ok((await tr.client.countTasksByStatus()).succeeded < 5000, "the victim died mid-run");

      await until(async () => (await tr.client.countTasksByStatus()).succeeded === 5000, 240_000, "all 5,000 tasks");
      const counts = await tr.client.countTasksByStatus();
      assert.equal(counts.succeeded, 5000, JSON.stringify(counts));

      const starts = readStarts(journal);
      assert.equal(starts.size, 15_000, "every step ran");
      const rerun = [...starts.entries()].filter(([, pids]) => pids.length > 1);
      assert.ok(rerun.length <= 16, `${rerun.length} steps re-ran; only the victim's in-flight ones may`);
      for (const [key, pids] of rerun) {
        assert.equal(pids.length, 2, `${key} ran ${pids.length} times`);
        assert.equal(pids[0], victim.pid, `${key}: the re-run step had been held by the killed worker`);
      }
    } finally {
      killAll(children);
      await tr.close();
      await schema.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
