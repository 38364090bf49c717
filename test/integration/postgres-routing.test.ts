// A task pinned to node:b runs on b and only b; with b down it waits, and runs when b is back.
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
  test("a task pinned to node:b waits while b is down and runs only on b", { timeout: 120_000 }, async () => {
    const schema = createPostgresSchemaHarness("routing");
    const dir = mkdtempSync(join(tmpdir(), "taskrail-routing-"));
    const journal = join(dir, "journal.log");
    writeFileSync(journal, "");
    const url = `${postgresUrl()}?schema=${schema.schema}`;
    const tr = await createTaskrail({ db: await schema.open() });
    const children: ChildProcess[] = [];
    try {
      const a = await startWorkerProcess(url, journal, "a", 4);
      const c = await startWorkerProcess(url, journal, "c", 4);
      children.push(a, c);
      const steps = ["one", "two"].map((name) => ({ name, executor: "record" }));
      const pinned = await Promise.all(
        Array.from({ length: 5 }, (_, i) => tr.client.dispatch({ type: "pinned", name: `p${i}`, queue: "node:b", steps })),
      );
      const free = await tr.client.dispatch({ type: "free", steps });
      await tr.client.waitForTask(free.id, { timeoutMs: 20_000 });
      // The other nodes are idle and polling; the pinned tasks still wait for b.
      await new Promise((r) => setTimeout(r, 1000));
      for (const t of pinned) assert.equal((await tr.client.getTask(t.id)).status, "pending", "pinned task waits for b");

      const b = await startWorkerProcess(url, journal, "b", 4);
      children.push(b);
      for (const t of pinned) assert.equal((await tr.client.waitForTask(t.id, { timeoutMs: 30_000 })).status, "succeeded");
      const starts = readStarts(journal);
      for (const t of pinned) {
        for (const step of ["one", "two"]) assert.deepEqual(starts.get(`${t.id}/${step}`), [b.pid], `${step} of ${t.name} ran on b only`);
      }

      // b goes down: a new pinned task waits, and runs once b is back.
      b.kill("SIGKILL");
      await new Promise((r) => b.once("exit", r));
      const later = await tr.client.dispatch({ type: "pinned", name: "later", queue: "node:b", steps });
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await tr.client.getTask(later.id)).status, "pending");
      const b2 = await startWorkerProcess(url, journal, "b", 4);
      children.push(b2);
      assert.equal((await tr.client.waitForTask(later.id, { timeoutMs: 30_000 })).status, "succeeded");
      assert.deepEqual(readStarts(journal).get(`${later.id}/one`), [b2.pid]);
    } finally {
      killAll(children);
      await tr.close();
      await schema.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
