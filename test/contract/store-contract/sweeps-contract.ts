// Contract: sweeps any node runs: recovering expired leases and timing out overdue tasks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { at, makeTask } from "../../support/task-factory.js";
import { claimOne, create, createAndClaim, LEASE_MS, reload, type ContractContext } from "./contract-context.js";

/** Registers the sweep tests. */
export function describeSweeps(ctx: ContractContext): void {
  describe("recoverExpiredLeases", () => {
    test("an expired lease returns the running step to pending, the try counted, the token moved on", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ step: { tries: 3, backoff: { kind: "fixed", delay: "1h" } } }));
      const recovered = await ctx.store.recoverExpiredLeases(at(LEASE_MS + 1), 10);
      assert.deepEqual(recovered, [{ taskId: task.id, stepIndex: 0, nodeId: "node-a", taskStatus: "pending" }]);
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.lockedBy, now.leaseUntil, now.leaseToken], ["pending", null, null, lease.token + 1]);
      assert.equal(now.runAt.getTime(), at(LEASE_MS + 1).getTime(), "the worker died, not the step: no backoff");
      assert.deepEqual([now.steps[0].status, now.steps[0].attempts], ["pending", 1]);
      const logs = await ctx.store.listLogs(task.id, null, { limit: 10 });
      assert.equal(logs.length, 1);
      assert.deepEqual([logs[0].level, logs[0].stepIndex], ["warn", 0]);
      assert.match(logs[0].message, /lease expired/);
      const again = await claimOne(ctx.store, { now: at(LEASE_MS + 1), nodeId: "node-b" });
      assert.equal(again.task.steps[0].attempts, 2);
    });

    test("a lease that has not expired yet is left alone", async () => {
      const { task } = await createAndClaim(ctx.store, makeTask({ step: { tries: 3 } }));
      assert.deepEqual(await ctx.store.recoverExpiredLeases(at(LEASE_MS), 10), []);
      assert.equal((await reload(ctx.store, task.id)).status, "running");
    });

    test("an expired lease with no tries left fails the task", async () => {
      const { task } = await createAndClaim(ctx.store, makeTask({ steps: 2, callbacks: ["cb"] }));
      const [recovered] = await ctx.store.recoverExpiredLeases(at(LEASE_MS + 1), 10);
      assert.equal(recovered.taskStatus, "failed");
      const now = await reload(ctx.store, task.id);
      assert.equal(now.status, "failed");
      assert.match(now.message ?? "", /lease expired: worker node-a stopped renewing/);
      assert.deepEqual(now.steps.map((s) => s.status), ["failed", "pending"]);
      assert.equal(now.callbackStatus, "pending");
    });

    test("an expired lease on a skipOnFailed step with no tries left skips it and the chain goes on", async () => {
      const { task } = await createAndClaim(ctx.store, makeTask({ steps: 2, step: { skipOnFailed: true } }));
      const [first] = await ctx.store.recoverExpiredLeases(at(LEASE_MS + 1), 10);
      assert.equal(first.taskStatus, "pending");
      let now = await reload(ctx.store, task.id);
      assert.deepEqual([now.currentStep, now.steps[0].status, now.steps[1].status], [1, "skipped", "pending"]);
      await claimOne(ctx.store, { now: at(LEASE_MS + 2) });
      const [second] = await ctx.store.recoverExpiredLeases(at(3 * LEASE_MS), 10);
      assert.equal(second.taskStatus, "succeeded");
      now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.steps[1].status], ["succeeded", "skipped"]);
    });

    test("an expired lease on a task asked to cancel ends it cancelled", async () => {
      const { task } = await createAndClaim(ctx.store, makeTask({ step: { tries: 3 } }));
      await ctx.store.requestCancel(task.id, null, at(1));
      const [recovered] = await ctx.store.recoverExpiredLeases(at(LEASE_MS + 1), 10);
      assert.equal(recovered.taskStatus, "cancelled");
      assert.equal((await reload(ctx.store, task.id)).status, "cancelled");
    });

    test("recovery takes at most `limit` tasks per call and each task once", async () => {
      await ctx.store.createTasks([makeTask({ step: { tries: 2 } }), makeTask({ step: { tries: 2 } }), makeTask({ step: { tries: 2 } })]);
      await ctx.store.claimTasks({ nodeId: "node-a", queues: ["default"], executors: ["noop"], limit: 3, leaseMs: LEASE_MS, now: at(0) });
      const first = await ctx.store.recoverExpiredLeases(at(LEASE_MS + 1), 2);
      const second = await ctx.store.recoverExpiredLeases(at(LEASE_MS + 1), 2);
      assert.equal(first.length, 2);
      assert.equal(second.length, 1);
      assert.equal(new Set([...first, ...second].map((r) => r.taskId)).size, 3);
      assert.deepEqual(await ctx.store.recoverExpiredLeases(at(LEASE_MS + 1), 2), []);
    });
  });

  describe("expireOverdueTasks", () => {
    test("a pending task past its deadline ends timeout, and so does the step it waited on", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ timeout: "10s", step: { tries: 3 }, callbacks: ["cb"] }), { now: at(0) });
      await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "boom", then: { kind: "retry", runAt: at(60_000) }, now: at(100) });
      assert.deepEqual(await ctx.store.expireOverdueTasks(at(10_000), 10), [], "not before the deadline has passed");
      assert.deepEqual(await ctx.store.expireOverdueTasks(at(10_001), 10), [task.id]);
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.message, now.endedAt?.getTime()], ["timeout", "task timeout exceeded", at(10_001).getTime()]);
      assert.deepEqual([now.steps[0].status, now.steps[0].message], ["timeout", "task timeout exceeded"]);
      assert.equal(now.leaseToken, lease.token + 1);
      assert.equal(now.callbackStatus, "pending");
    });

    test("a task never started within its start timeout ends timeout", async () => {
      const task = await create(ctx.store, makeTask({ startTimeout: "5s", runAt: at(60_000).toISOString() }));
      assert.deepEqual(await ctx.store.expireOverdueTasks(at(5000), 10), []);
      assert.deepEqual(await ctx.store.expireOverdueTasks(at(5001), 10), [task.id]);
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.message, now.steps[0].status], ["timeout", "start timeout exceeded", "timeout"]);
    });

    test("running tasks and started tasks are left to their workers and start timeouts", async () => {
      const { task: running } = await createAndClaim(ctx.store, makeTask({ timeout: "1s", startTimeout: "1s", queue: "a" }));
      assert.deepEqual(await ctx.store.expireOverdueTasks(at(5000), 10), []);
      assert.equal((await reload(ctx.store, running.id)).status, "running");
    });

    test("expiry takes at most `limit` tasks per call", async () => {
      await ctx.store.createTasks([makeTask({ startTimeout: 10 }), makeTask({ startTimeout: 10 }), makeTask({ startTimeout: 10 })]);
      assert.equal((await ctx.store.expireOverdueTasks(at(100), 2)).length, 2);
      assert.equal((await ctx.store.expireOverdueTasks(at(100), 2)).length, 1);
      assert.equal((await ctx.store.countTasksByStatus({})).timeout, 3);
    });
  });
}
