// A queue limited to 2 running steps never has more than 2 across 3 worker processes (sampled).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTaskrail } from "../../src/runtime/taskrail.js";
import { createPostgresSchemaHarness, postgresUrl, requirePostgres } from "../support/postgres.js";
import { killAll, startWorkerProcess } from "../support/worker-processes.js";

if (await requirePostgres()) {
  test("a queue limited to 2 running steps never runs more than 2 across 3 nodes", { timeout: 180_000 }, async () => {
    const schema = createPostgresSchemaHarness("limits");
    const dir = mkdtempSync(join(tmpdir(), "taskrail-limits-"));
    const journal = join(dir, "journal.log");
    writeFileSync(journal, "");
    const url = `${postgresUrl()}?schema=${schema.schema}`;
    const tr = await createTaskrail({ db: await schema.open() });
    const children: ChildProcess[] = [];
    try {
      await tr.client.setLimit({ scope: "queue", name: "default", maxRunning: 2 });
      const specs = Array.from({ length: 150 }, (_, i) => ({ type: "limited", name: `t${i}`, steps: ["a", "b", "c"].map((name) => ({ name, executor: "record" })) }));
      await tr.client.dispatchMany(specs);
      children.push(...(await Promise.all(["l1", "l2", "l3"].map((n) => startWorkerProcess(url, journal, n, 8)))));

      let maxRunning = 0;
      let samples = 0;
      for (;;) {
        const counts = await tr.client.countTasksByStatus();
        samples++;
        maxRunning = Math.max(maxRunning, counts.running);
        if (counts.succeeded === 150) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.ok(samples > 20, `sampled ${samples} times`);
      assert.ok(maxRunning <= 2, `at most 2 running at once, saw ${maxRunning}`);
      assert.equal(maxRunning, 2, "the limit was reached (the workers had 24 slots between them)");
    } finally {
      killAll(children);
      await tr.close();
      await schema.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
