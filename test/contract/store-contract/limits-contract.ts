// Contract: cluster-wide limits — max running steps per queue and per type, and a per-queue
// rate window — enforced by claims, also between two store instances on one database.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ClaimedTask } from "../../../src/store/store.js";
import { at, makeTask, makeTasks } from "../../support/task-factory.js";
import { claimRequest, type ContractContext } from "./contract-context.js";

async function createAll(ctx: ContractContext, tasks: ReturnType<typeof makeTasks>): Promise<void> {
  await ctx.store.createTasks(tasks);
}

async function finish(ctx: ContractContext, c: ClaimedTask, now: Date): Promise<void> {
  const res = await ctx.store.completeStep(c.lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now });
  assert.equal(res.ok, true);
}

/** Registers the limit tests. */
export function describeLimits(ctx: ContractContext): void {
  describe("cluster-wide limits", () => {
    test("limits are stored, listed and removed", async () => {
      await ctx.store.setLimit({ scope: "queue", name: "emails", maxRunning: 2, rate: { count: 10, intervalMs: 1000 } });
      await ctx.store.setLimit({ scope: "type", name: "report", maxRunning: 1, rate: null });
      assert.deepEqual(await ctx.store.listLimits(), [
        { scope: "queue", name: "emails", maxRunning: 2, rate: { count: 10, intervalMs: 1000 } },
        { scope: "type", name: "report", maxRunning: 1, rate: null },
      ]);
      await ctx.store.setLimit({ scope: "queue", name: "emails", maxRunning: null, rate: null });
      assert.deepEqual((await ctx.store.listLimits()).map((l) => l.name), ["report"]);
    });

    test("a queue limited to 2 running steps never gets a third until one ends", async () => {
      await ctx.store.setLimit({ scope: "queue", name: "q", maxRunning: 2, rate: null });
      await createAll(ctx, makeTasks(5, { queue: "q" }));
      const first = await ctx.store.claimTasks(claimRequest({ queues: ["q"], limit: 10, now: at(1) }));
      assert.equal(first.length, 2);
      assert.equal((await ctx.store.claimTasks(claimRequest({ queues: ["q"], limit: 10, now: at(2) }))).length, 0);
      await finish(ctx, first[0], at(3));
      assert.equal((await ctx.store.claimTasks(claimRequest({ queues: ["q"], limit: 10, now: at(4) }))).length, 1);
    });

    test("a type limit holds across queues", async () => {
      await ctx.store.setLimit({ scope: "type", name: "heavy", maxRunning: 1, rate: null });
      await createAll(ctx, [...makeTasks(2, { type: "heavy", queue: "a" }), ...makeTasks(2, { type: "heavy", queue: "b" }), makeTask({ type: "light", queue: "b" })]);
      const claimed = await ctx.store.claimTasks(claimRequest({ queues: ["a", "b"], limit: 10, now: at(1) }));
      assert.deepEqual(claimed.map((c) => c.task.type).sort(), ["heavy", "light"]);
    });

    test("a rate limit allows n claims per window", async () => {
      await ctx.store.setLimit({ scope: "queue", name: "r", maxRunning: null, rate: { count: 3, intervalMs: 1000 } });
      await createAll(ctx, makeTasks(8, { queue: "r" }));
      const req = (ms: number) => claimRequest({ queues: ["r"], limit: 10, now: at(ms) });
      assert.equal((await ctx.store.claimTasks(req(100))).length, 3);
      assert.equal((await ctx.store.claimTasks(req(900))).length, 0, "the window's 3 are spent");
      assert.equal((await ctx.store.claimTasks(req(1100))).length, 3, "a new window");
      assert.equal((await ctx.store.claimTasks(req(1200))).length, 0);
    });

    test("an exhausted queue does not starve the other queues of a claim", async () => {
      await ctx.store.setLimit({ scope: "queue", name: "blocked", maxRunning: 0, rate: null });
      await createAll(ctx, makeTasks(300, { queue: "blocked", priority: 10 }));
      const other = makeTask({ queue: "open" });
      await ctx.store.createTask(other, "fail");
      const claimed = await ctx.store.claimTasks(claimRequest({ queues: ["blocked", "open"], limit: 5, now: at(1) }));
      assert.deepEqual(claimed.map((c) => c.task.id), [other.id]);
    });

    test("two store instances claiming at once never exceed the limit together", async (t) => {
      if (!ctx.harness.openSecond) return t.skip("backend has no second instance");
      await ctx.store.setLimit({ scope: "queue", name: "shared", maxRunning: 3, rate: null });
      await createAll(ctx, makeTasks(20, { queue: "shared" }));
      const second = await ctx.harness.openSecond();
      try {
        const rounds = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? second : ctx.store).claimTasks(claimRequest({ nodeId: `n${i}`, queues: ["shared"], limit: 2, now: at(10 + i) }))),
        );
        assert.equal(rounds.flat().length, 3);
      } finally {
        await second.close();
      }
    });
  });
}
