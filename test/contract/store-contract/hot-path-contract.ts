// Contract: the shapes the hot path takes most (step success without a params patch, claims of
// whole batches) keep every guarantee of the general path: fencing, cancel requests, logs,
// and a claimed batch stored exactly as returned.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Lease, NewLogEntry } from "../../../src/core/task.js";
import type { Store } from "../../../src/store/store.js";
import { at, makeTask, makeTasks } from "../../support/task-factory.js";
import { claimOne, claimRequest, create, createAndClaim, LEASE_MS, reload, withLease, type ContractContext } from "./contract-context.js";

/** Leases that must be refused at `now` (the task is still held, or back in pending). */
const LOST: Record<string, (store: Store, lease: Lease) => Promise<{ lease: Lease; now: Date }>> = {
  "a stale token": async (store, lease) => {
    await store.recoverExpiredLeases(at(LEASE_MS + 1), 10);
    await claimOne(store, { now: at(LEASE_MS + 2) });
    return { lease, now: at(LEASE_MS + 3) };
  },
  "another node": async (_store, lease) => ({ lease: withLease(lease, { nodeId: "node-b" }), now: at(1) }),
  "an expired lease": async (_store, lease) => ({ lease, now: at(LEASE_MS + 1) }),
};

function line(taskId: string, message: string): NewLogEntry {
  return { taskId, stepIndex: 0, attempt: 1, at: at(1), level: "info", message, fields: null };
}

/** Registers the hot-path tests. */
export function describeHotPath(ctx: ContractContext): void {
  describe("hot path", () => {
    for (const [name, lose] of Object.entries(LOST)) {
      for (const continueNext of [false, true]) {
        test(`a success without params patch (continueNext ${continueNext}) is refused with ${name} and changes nothing`, async () => {
          const task = await create(ctx.store, makeTask({ steps: continueNext ? 2 : 1, step: { tries: 3 } }));
          const claimed = await claimOne(ctx.store);
          const { lease, now } = await lose(ctx.store, claimed.lease);
          const before = await reload(ctx.store, task.id);
          const logsBefore = await ctx.store.listLogs(task.id, null, { limit: 10 });
          const res = await ctx.store.completeStep(lease, { stepIndex: 0, output: "late", paramsPatch: null, continueNext, now, logs: [line(task.id, "late")] });
          assert.deepEqual(res, { ok: false, reason: "lease_lost" });
          assert.deepEqual(await reload(ctx.store, task.id), before);
          assert.deepEqual(await ctx.store.listLogs(task.id, null, { limit: 10 }), logsBefore);
        });
      }
    }

    test("a last step completed with continueNext still ends the task succeeded", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 1 }));
      const res = await ctx.store.completeStep(lease, { stepIndex: 0, output: 7, paramsPatch: {}, continueNext: true, now: at(5) });
      assert.deepEqual(res, { ok: true, taskStatus: "succeeded", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.result, now.progress, now.lockedBy, now.currentStep], ["succeeded", 7, 100, null, 1]);
    });

    test("a success without patch under a cancel request ends the task cancelled, not continued", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 3 }));
      await ctx.store.requestCancel(task.id, null, at(1));
      const res = await ctx.store.completeStep(lease, { stepIndex: 0, output: "ok", paramsPatch: null, continueNext: true, now: at(2) });
      assert.deepEqual(res, { ok: true, taskStatus: "cancelled", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual(now.steps.map((s) => s.status), ["succeeded", "pending", "pending"]);
      assert.equal(now.result, "ok");
    });

    test("a step that is no longer running is not completed again, with or without continueNext", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 3 }));
      assert.equal((await ctx.store.completeStep(lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: true, now: at(1) })).ok, true);
      const before = await reload(ctx.store, task.id);
      for (const continueNext of [false, true]) {
        const again = await ctx.store.completeStep(lease, { stepIndex: 0, output: 2, paramsPatch: null, continueNext, now: at(2) });
        assert.deepEqual(again, { ok: false, reason: "lease_lost" });
      }
      assert.deepEqual(await reload(ctx.store, task.id), before);
    });

    test("a chain run in place without patches records every step, payload and logs", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 3, tenant: "acme" }), { now: at(0) });
      for (let i = 0; i < 3; i++) {
        const res = await ctx.store.completeStep(lease, {
          stepIndex: i,
          output: { i },
          paramsPatch: null,
          taskPayload: i === 1 ? { from: 1 } : undefined,
          continueNext: i < 2,
          now: at(10 * (i + 1)),
          logs: [{ ...line(task.id, `step ${i}`), stepIndex: i }],
        });
        assert.deepEqual(res, i < 2 ? { ok: true, taskStatus: "running", startedStep: i + 1 } : { ok: true, taskStatus: "succeeded", startedStep: null });
      }
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.result, now.payload, now.currentStep, now.endedAt?.getTime()], ["succeeded", { i: 2 }, { from: 1 }, 3, at(30).getTime()]);
      assert.deepEqual(now.steps.map((s) => [s.status, s.attempts, s.output, s.startedAt?.getTime(), s.endedAt?.getTime()]), [
        ["succeeded", 1, { i: 0 }, at(0).getTime(), at(10).getTime()],
        ["succeeded", 1, { i: 1 }, at(10).getTime(), at(20).getTime()],
        ["succeeded", 1, { i: 2 }, at(20).getTime(), at(30).getTime()],
      ]);
      // Read in the task's tenant scope: the lines were stored under its tenant.
      const logs = await ctx.store.listLogs(task.id, "acme", { limit: 10 });
      assert.deepEqual(logs.map((l) => [l.message, l.stepIndex]), [
        ["step 0", 0],
        ["step 1", 1],
        ["step 2", 2],
      ]);
    });

    test("a batch claim returns exactly what it stored, retries keeping their task clock", async () => {
      const fresh = await Promise.all(makeTasks(3, { steps: 2, timeout: "1m" }).map((t) => create(ctx.store, t)));
      // One task is claimed, fails a try and waits for its retry: its startedAt/deadline stay.
      const retried = await create(ctx.store, makeTask({ steps: 2, timeout: "1m", priority: 9, step: { tries: 2 } }));
      const first = await claimOne(ctx.store, { now: at(100) });
      assert.equal(first.task.id, retried.id);
      await ctx.store.failStep(first.lease, { stepIndex: 0, stepStatus: "failed", message: "x", then: { kind: "retry", runAt: at(200) }, now: at(150) });
      const batch = await ctx.store.claimTasks(claimRequest({ limit: 10, now: at(300) }));
      assert.deepEqual(batch.map((c) => c.task.id), [retried.id, ...fresh.map((t) => t.id)]);
      for (const c of batch) {
        assert.deepEqual(await reload(ctx.store, c.task.id), c.task);
        assert.deepEqual(c.lease, { taskId: c.task.id, nodeId: "node-a", token: c.task.leaseToken });
        assert.equal(c.task.steps[0].status, "running");
        assert.equal(c.task.steps[1].status, "pending");
      }
      const again = batch[0].task;
      assert.deepEqual([again.startedAt?.getTime(), again.deadlineAt?.getTime(), again.leaseToken, again.steps[0].attempts], [at(100).getTime(), at(60_100).getTime(), 2, 2]);
      assert.deepEqual([batch[1].task.startedAt?.getTime(), batch[1].task.deadlineAt?.getTime(), batch[1].task.leaseToken], [at(300).getTime(), at(60_300).getTime(), 1]);
    });
  });
}
