// Contract: every lease-carrying write is refused, and writes nothing, once the lease moved on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Lease, NewLogEntry } from "../../../src/core/task.js";
import type { Store } from "../../../src/store/store.js";
import { at, makeTask } from "../../support/task-factory.js";
import { claimOne, create, LEASE_MS, reload, withLease, type ContractContext } from "./contract-context.js";

/** A lease that must be refused at `now`, on task `taskId`. */
interface RefusedLease {
  lease: Lease;
  now: Date;
}

/** Ways a worker can lose its lease; each leaves the task in some live state. */
const SCENARIOS: Record<string, (store: Store) => Promise<RefusedLease>> = {
  "with a stale lease token": async (store) => {
    const { lease } = await claimOne(store);
    await store.recoverExpiredLeases(at(LEASE_MS + 1), 10);
    // The same node claims again: only the token tells the two runs apart.
    await claimOne(store, { now: at(LEASE_MS + 2) });
    return { lease, now: at(LEASE_MS + 3) };
  },
  "from another node": async (store) => {
    const { lease } = await claimOne(store);
    return { lease: withLease(lease, { nodeId: "node-b" }), now: at(1) };
  },
  "once the lease expired at now": async (store) => {
    const { lease } = await claimOne(store);
    return { lease, now: at(LEASE_MS + 1) };
  },
  "after the lease was recovered": async (store) => {
    const { lease } = await claimOne(store);
    await store.recoverExpiredLeases(at(LEASE_MS + 1), 10);
    return { lease, now: at(LEASE_MS + 2) };
  },
  "after the task was released": async (store) => {
    const { lease } = await claimOne(store);
    await store.releaseTask(lease, at(1));
    return { lease, now: at(2) };
  },
};

function logLine(taskId: string, now: Date): NewLogEntry {
  return { taskId, stepIndex: 0, attempt: 1, at: now, level: "info", message: "should not be written", fields: null };
}

/** Every fenced write, returning true when it was applied. */
const WRITES: Record<string, (store: Store, lease: Lease, now: Date) => Promise<boolean>> = {
  completeStep: async (store, lease, now) =>
    (await store.completeStep(lease, { stepIndex: 0, output: "late", paramsPatch: { late: true }, continueNext: true, now, logs: [logLine(lease.taskId, now)] })).ok,
  failStep: async (store, lease, now) =>
    (await store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "late", then: { kind: "end", taskStatus: "failed" }, now, logs: [logLine(lease.taskId, now)] })).ok,
  cancelStep: async (store, lease, now) =>
    (await store.cancelStep(lease, { stepIndex: 0, message: "late", now, logs: [logLine(lease.taskId, now)] })).ok,
  releaseTask: async (store, lease, now) => (await store.releaseTask(lease, now)).ok,
  updateProgress: (store, lease, now) => store.updateProgress(lease, 50, "late", now),
  appendLogs: (store, lease, now) => store.appendLogs([logLine(lease.taskId, now)], lease, now),
};

/** Registers the fencing tests. */
export function describeFencing(ctx: ContractContext): void {
  describe("lease fencing", () => {
    for (const [writeName, write] of Object.entries(WRITES)) {
      for (const [scenario, setUp] of Object.entries(SCENARIOS)) {
        test(`${writeName} is refused ${scenario} and changes nothing`, async () => {
          // Tries left, so a recovery returns the task to pending rather than failing it.
          const task = await create(ctx.store, makeTask({ steps: 2, params: { keep: 1 }, step: { tries: 3 } }));
          const { lease, now } = await setUp(ctx.store);
          const before = await reload(ctx.store, task.id);
          const logsBefore = await ctx.store.listLogs(task.id, null, { limit: 100 });
          assert.equal(await write(ctx.store, lease, now), false);
          assert.deepEqual(await reload(ctx.store, task.id), before);
          assert.deepEqual(await ctx.store.listLogs(task.id, null, { limit: 100 }), logsBefore);
        });
      }
    }

    test("the holder's writes still apply at exactly the end of its lease", async () => {
      const task = await create(ctx.store, makeTask());
      const { lease } = await claimOne(ctx.store);
      assert.equal(await ctx.store.updateProgress(lease, 10, null, at(LEASE_MS)), true);
      const result = await ctx.store.completeStep(lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: false, now: at(LEASE_MS) });
      assert.deepEqual(result, { ok: true, taskStatus: "succeeded", startedStep: null });
      assert.equal((await reload(ctx.store, task.id)).status, "succeeded");
    });

    test("a write for a step other than the current one is refused", async () => {
      const task = await create(ctx.store, makeTask({ steps: 2 }));
      const { lease } = await claimOne(ctx.store);
      const before = await reload(ctx.store, task.id);
      const wrongStep = await ctx.store.completeStep(lease, { stepIndex: 1, output: 1, paramsPatch: null, continueNext: false, now: at(1) });
      assert.deepEqual(wrongStep, { ok: false, reason: "lease_lost" });
      const failWrong = await ctx.store.failStep(lease, { stepIndex: 1, stepStatus: "failed", message: "x", then: { kind: "end", taskStatus: "failed" }, now: at(1) });
      assert.equal(failWrong.ok, false);
      assert.equal((await ctx.store.cancelStep(lease, { stepIndex: 1, message: "x", now: at(1) })).ok, false);
      assert.deepEqual(await reload(ctx.store, task.id), before);
    });

    test("a second completion of the same step is refused once the task moved on", async () => {
      const task = await create(ctx.store, makeTask({ steps: 2 }));
      const { lease } = await claimOne(ctx.store);
      const done = await ctx.store.completeStep(lease, { stepIndex: 0, output: "first", paramsPatch: null, continueNext: false, now: at(1) });
      assert.equal(done.ok, true);
      const again = await ctx.store.completeStep(lease, { stepIndex: 0, output: "second", paramsPatch: null, continueNext: false, now: at(2) });
      assert.equal(again.ok, false);
      assert.equal((await reload(ctx.store, task.id)).steps[0].output, "first");
    });
  });
}
