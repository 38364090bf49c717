// Contract: the reads behind the Prometheus metrics: task counts by status and type, and the
// ready / scheduled / running counts and oldest ready task of each queue.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { at, makeTask } from "../../support/task-factory.js";
import { claimOne, create, type ContractContext } from "./contract-context.js";

/** Registers the metrics read tests. */
export function describeMetricsReads(ctx: ContractContext): void {
  describe("metrics reads", () => {
    test("tasks are counted per status and type across tenants", async () => {
      assert.deepEqual(await ctx.store.countTasksByStatusAndType(), []);
      await create(ctx.store, makeTask({ type: "mail", tenant: "a" }));
      await create(ctx.store, makeTask({ type: "mail", tenant: "b" }));
      await create(ctx.store, makeTask({ type: "report", queue: "slow" }));
      const pendingReport = await create(ctx.store, makeTask({ type: "report", queue: "other" }));
      await claimOne(ctx.store, { queues: ["slow"] });
      await ctx.store.requestCancel(pendingReport.id, null, at(1));
      assert.deepEqual(await ctx.store.countTasksByStatusAndType(), [
        { status: "cancelled", type: "report", count: 1 },
        { status: "pending", type: "mail", count: 2 },
        { status: "running", type: "report", count: 1 },
      ]);
    });

    test("queues report ready, scheduled and running tasks and when the oldest ready one became ready", async () => {
      await create(ctx.store, makeTask({ queue: "q1", runAt: at(0).toISOString() }));
      await create(ctx.store, makeTask({ queue: "q1", runAt: at(50).toISOString() }));
      await create(ctx.store, makeTask({ queue: "q1", runAt: at(5_000).toISOString() }));
      await create(ctx.store, makeTask({ queue: "q2", runAt: at(10).toISOString() }));
      // A step on its own queue: the task counts where its current step runs.
      await create(ctx.store, makeTask({ queue: "q2", runAt: at(20).toISOString(), steps: [{ name: "x", executor: "noop", queue: "q3" }] }));
      await claimOne(ctx.store, { queues: ["q2"], now: at(100) });
      const stats = await ctx.store.queueStats(at(100));
      assert.deepEqual(stats, [
        { queue: "q1", ready: 2, scheduled: 1, running: 0, oldestReadyAt: at(0) },
        { queue: "q2", ready: 0, scheduled: 0, running: 1, oldestReadyAt: null },
        { queue: "q3", ready: 1, scheduled: 0, running: 0, oldestReadyAt: at(20) },
      ]);
      const later = await ctx.store.queueStats(at(10_000));
      assert.deepEqual(later.find((q) => q.queue === "q1"), { queue: "q1", ready: 3, scheduled: 0, running: 0, oldestReadyAt: at(0) });
    });
  });
}
