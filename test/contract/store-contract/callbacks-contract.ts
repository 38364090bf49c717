// Contract: callback deliveries: claimed once under a token, retried, reclaimed after a crash.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Store } from "../../../src/store/store.js";
import { at, makeTask } from "../../support/task-factory.js";
import { createAndClaim, reload, type ContractContext } from "./contract-context.js";

/** Creates a task with `callbacks` and runs it to `succeeded` at `at(10)`. */
async function finishedTask(store: Store, callbacks: string[], queue = "default"): Promise<string> {
  const { task, lease } = await createAndClaim(store, makeTask({ callbacks, queue }));
  await store.completeStep(lease, { stepIndex: 0, output: "done", paramsPatch: null, continueNext: false, now: at(10) });
  return task.id;
}

function callbackRequest(now: Date, names = ["notify", "audit"], limit = 10) {
  return { nodeId: "node-a", names, limit, leaseMs: 1000, now };
}

/** Registers the callback delivery tests. */
export function describeCallbacks(ctx: ContractContext): void {
  describe("callbacks", () => {
    test("a finished task's callbacks are claimed once, then recorded as succeeded", async () => {
      const id = await finishedTask(ctx.store, ["notify"]);
      const [job] = await ctx.store.claimCallbacks(callbackRequest(at(10)));
      assert.equal(job.task.id, id);
      assert.equal(job.task.status, "succeeded");
      assert.equal(job.attempt, 1);
      assert.equal(job.task.callbackStatus, "running");
      assert.deepEqual(await ctx.store.claimCallbacks(callbackRequest(at(11))), [], "a held delivery is not claimed twice");
      assert.equal(await ctx.store.completeCallback(id, job.token, { status: "succeeded", message: null, retryAt: null, now: at(12) }), true);
      const now = await reload(ctx.store, id);
      assert.deepEqual([now.callbackStatus, now.callbackAttempts, now.status], ["succeeded", 1, "succeeded"]);
      assert.deepEqual(await ctx.store.claimCallbacks(callbackRequest(at(5000))), []);
      assert.equal(await ctx.store.completeCallback(id, job.token, { status: "failed", message: "late", retryAt: null, now: at(13) }), false);
    });

    test("tasks without callbacks, or with a callback the claimer lacks, are not claimed", async () => {
      await finishedTask(ctx.store, [], "q1");
      const both = await finishedTask(ctx.store, ["notify", "audit"], "q2");
      assert.deepEqual(await ctx.store.claimCallbacks(callbackRequest(at(10), ["notify"])), []);
      assert.deepEqual(await ctx.store.claimCallbacks(callbackRequest(at(10), [])), []);
      const jobs = await ctx.store.claimCallbacks(callbackRequest(at(10), ["audit", "notify", "other"]));
      assert.deepEqual(jobs.map((j) => j.task.id), [both]);
    });

    test("a failed delivery with a retry time waits for it and counts the next try", async () => {
      const id = await finishedTask(ctx.store, ["notify"]);
      const [first] = await ctx.store.claimCallbacks(callbackRequest(at(10)));
      assert.equal(await ctx.store.completeCallback(id, first.token, { status: "failed", message: "503", retryAt: at(500), now: at(20) }), true);
      let now = await reload(ctx.store, id);
      assert.deepEqual([now.callbackStatus, now.callbackMessage], ["pending", "503"]);
      assert.deepEqual(await ctx.store.claimCallbacks(callbackRequest(at(499))), []);
      const [second] = await ctx.store.claimCallbacks(callbackRequest(at(500)));
      assert.equal(second.attempt, 2);
      assert.notEqual(second.token, first.token);
      assert.equal(await ctx.store.completeCallback(id, second.token, { status: "failed", message: "gave up", retryAt: null, now: at(600) }), true);
      now = await reload(ctx.store, id);
      assert.deepEqual([now.callbackStatus, now.callbackMessage, now.callbackAttempts, now.status], ["failed", "gave up", 2, "succeeded"]);
      assert.deepEqual(await ctx.store.claimCallbacks(callbackRequest(at(10_000))), [], "a final failure is not retried");
    });

    test("a delivery whose claimer stopped is reclaimed after its lease and the old token is refused", async () => {
      const id = await finishedTask(ctx.store, ["notify"]);
      const [first] = await ctx.store.claimCallbacks(callbackRequest(at(10)));
      assert.deepEqual(await ctx.store.claimCallbacks(callbackRequest(at(1010))), [], "the lease holds until its end");
      const [second] = await ctx.store.claimCallbacks({ ...callbackRequest(at(1011)), nodeId: "node-b" });
      assert.equal(second.task.id, id);
      assert.equal(second.attempt, 2);
      assert.equal(await ctx.store.completeCallback(id, first.token, { status: "succeeded", message: null, retryAt: null, now: at(1012) }), false);
      assert.equal((await reload(ctx.store, id)).callbackStatus, "running");
      assert.equal(await ctx.store.completeCallback(id, second.token, { status: "succeeded", message: null, retryAt: null, now: at(1013) }), true);
    });

    test("claims respect the limit", async () => {
      for (const q of ["a", "b", "c"]) await finishedTask(ctx.store, ["notify"], q);
      assert.equal((await ctx.store.claimCallbacks(callbackRequest(at(10), ["notify"], 2))).length, 2);
      assert.equal((await ctx.store.claimCallbacks(callbackRequest(at(10), ["notify"], 2))).length, 1);
    });

    test("two claimers on one database get a delivery exactly once", async (t) => {
      if (!ctx.harness.openSecond) return t.skip("backend harness has no second connection");
      const other = await ctx.harness.openSecond();
      try {
        const ids = [];
        for (const q of ["a", "b", "c", "d", "e"]) ids.push(await finishedTask(ctx.store, ["notify"], q));
        const [mine, theirs] = await Promise.all([
          ctx.store.claimCallbacks(callbackRequest(at(10), ["notify"], 3)),
          other.claimCallbacks({ ...callbackRequest(at(10), ["notify"], 3), nodeId: "node-b" }),
        ]);
        const claimed = [...mine, ...theirs].map((j) => j.task.id);
        assert.equal(claimed.length, 5);
        assert.deepEqual([...claimed].sort(), [...ids].sort());
      } finally {
        await other.close();
      }
    });

    test("a retried task's next terminal transition arms a fresh delivery", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ callbacks: ["notify"] }));
      await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "x", then: { kind: "end", taskStatus: "failed" }, now: at(5) });
      const [first] = await ctx.store.claimCallbacks(callbackRequest(at(5)));
      await ctx.store.completeCallback(task.id, first.token, { status: "succeeded", message: null, retryAt: null, now: at(6) });
      const retried = await ctx.store.retryTask(task.id, null, null, at(7));
      assert.deepEqual([retried.callbackStatus, retried.callbackAttempts, retried.callbackMessage], [null, 0, null]);
      const again = await claimLeaseAt7(ctx.store);
      await ctx.store.completeStep(again, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: false, now: at(8) });
      const [second] = await ctx.store.claimCallbacks(callbackRequest(at(8)));
      assert.equal(second.task.id, task.id);
      assert.equal(second.attempt, 1, "attempts count tries of the current delivery");
      assert.equal(second.task.status, "succeeded");
    });
  });
}

async function claimLeaseAt7(store: Store) {
  const [claimed] = await store.claimTasks({ nodeId: "node-a", queues: ["default"], executors: ["noop"], limit: 1, leaseMs: 30_000, now: at(7) });
  assert.ok(claimed);
  return claimed.lease;
}
