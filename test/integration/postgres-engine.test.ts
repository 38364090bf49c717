// The engine on PostgreSQL: separate stores (separate pools, as separate processes would have)
// for the dispatcher and the worker, so cross-process paths — NOTIFY wake-ups, cancel through
// the heartbeat — are what make these pass.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createTaskrail, type Taskrail } from "../../src/runtime/taskrail.js";
import type { StepContext } from "../../src/core/step-context.js";
import { task } from "../../src/client/task-builder.js";
import { createPostgresSchemaHarness, requirePostgres } from "../support/postgres.js";

if (await requirePostgres()) {
  describe("engine on PostgreSQL", () => {
    const schema = createPostgresSchemaHarness("engine");
    let producer: Taskrail;
    let consumer: Taskrail;
    const signalled = new Set<string>();

    before(async () => {
      producer = await createTaskrail({ db: await schema.open() });
      consumer = await createTaskrail({
        db: await schema.open(),
        executors: {
          produce: (ctx: StepContext) => void ctx.setParam("v", 41),
          consume: (ctx: StepContext) => ({ v: Number(ctx.params.v) + 1, rendered: ctx.params.label }),
          hang: (ctx: StepContext) =>
            new Promise((_r, reject) =>
              ctx.signal.addEventListener("abort", () => {
                signalled.add(ctx.task.id);
                reject(ctx.signal.reason);
              }),
            ),
        },
      });
      // A 60 s poll: only a NOTIFY can wake this worker within the tests' time.
      consumer.startWorker({ pollInterval: 60_000, heartbeat: 200, lease: 5_000, sweepInterval: 500, abortGrace: 500 });
      // Let the LISTEN connection come up before the first dispatch.
      await new Promise((r) => setTimeout(r, 300));
    });
    after(async () => {
      await consumer?.close({ deadlineMs: 1000 });
      await producer?.close();
      await schema.cleanup();
    });

    test("a task dispatched by another process wakes an idle worker and its chain shares params", async () => {
      const t = await producer.client.dispatch(task("pg-chain").step("a", "produce").step("b", "consume", { params: { label: "v={{ v }}" } }));
      const done = await producer.client.waitForTask(t.id, { timeoutMs: 10_000 });
      assert.equal(done.status, "succeeded");
      assert.deepEqual(done.result, { v: 42, rendered: "v=41" });
      assert.deepEqual(done.steps.map((s) => s.attempts), [1, 1]);
    });

    test("dispatches under load (inserts in flight together, dispatchMany) wake the idle worker too", async () => {
      // A lone insert carries its own NOTIFY; these take the other path, the notify after commit.
      const single = await Promise.all(Array.from({ length: 20 }, () => producer.client.dispatch(task("pg-load").step("a", "produce"))));
      const many = await producer.client.dispatchMany(Array.from({ length: 5 }, () => task("pg-load-many").step("a", "produce")));
      for (const t of [...single, ...many]) {
        assert.equal((await producer.client.waitForTask(t.id, { timeoutMs: 10_000 })).status, "succeeded");
      }
    });

    test("a cancel requested by another process reaches the running step through the heartbeat", async () => {
      const t = await producer.client.dispatch(task("pg-cancel").step("wait", "hang"));
      await producer.client.waitForTask(t.id, { until: ["running"], timeoutMs: 10_000 });
      await producer.client.cancelTask(t.id);
      const done = await producer.client.waitForTask(t.id, { timeoutMs: 10_000 });
      assert.equal(done.status, "cancelled");
      assert.ok(signalled.has(t.id), "the executor's signal fired");
    });
  });
}
