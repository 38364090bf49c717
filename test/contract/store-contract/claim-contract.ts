// Contract: claiming ready tasks (order, filters, step start, leases) and renewing leases.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { at, makeTask, makeTasks, T0 } from "../../support/task-factory.js";
import { claimOne, claimRequest, create, LEASE_MS, reload, type ContractContext } from "./contract-context.js";

/** Registers the claim and lease renewal tests. */
export function describeClaims(ctx: ContractContext): void {
  describe("claimTasks", () => {
    test("a claim leases the task and starts its current step", async () => {
      const task = await create(ctx.store, makeTask({ steps: 2, timeout: "1m" }));
      const { task: claimed, lease } = await claimOne(ctx.store, { now: at(500) });
      assert.deepEqual(lease, { taskId: task.id, nodeId: "node-a", token: 1 });
      assert.equal(claimed.status, "running");
      assert.equal(claimed.lockedBy, "node-a");
      assert.equal(claimed.leaseUntil?.getTime(), at(500 + LEASE_MS).getTime());
      assert.equal(claimed.leaseToken, 1);
      assert.equal(claimed.startedAt?.getTime(), at(500).getTime());
      assert.equal(claimed.deadlineAt?.getTime(), at(500 + 60_000).getTime());
      assert.deepEqual([claimed.steps[0].status, claimed.steps[0].attempts, claimed.steps[0].startedAt?.getTime()], ["running", 1, at(500).getTime()]);
      assert.equal(claimed.steps[1].status, "pending");
      assert.deepEqual(await reload(ctx.store, task.id), claimed);
    });

    test("a claimed task carries every field exactly as stored, whatever characters its texts hold", async () => {
      const odd = `quote " backslash \\ newline \n tab \t nul-free ctrl \u0001 é 漢字 🚀 "123" null`;
      const task = await create(
        ctx.store,
        makeTask({
          name: odd,
          index: odd,
          params: { [odd]: odd, n: 1.5, big: 2 ** 53 - 1, nested: { list: [null, true, "x"] } },
          payload: [odd, -0.25, { a: "b" }],
          priority: -3,
          steps: [{ name: odd, executor: "noop", alias: odd, params: { s: odd }, payload: odd, backoff: { kind: "exponential", delay: 10, jitter: 0.1 + 0.2 } }],
        }),
      );
      const { task: claimed } = await claimOne(ctx.store, { now: at(500) });
      assert.equal(claimed.id, task.id);
      assert.equal(claimed.name, odd);
      assert.deepEqual(claimed.params, task.params);
      assert.deepEqual(claimed.payload, task.payload);
      assert.equal(claimed.steps[0].name, odd);
      assert.equal(claimed.steps[0].backoff.jitter, 0.1 + 0.2);
      assert.deepEqual(await reload(ctx.store, task.id), claimed);
    });

    test("claims come by priority, then runAt, then id, and stop at the limit", async () => {
      const low = await create(ctx.store, makeTask({ priority: 0 }));
      const late = await create(ctx.store, makeTask({ priority: 5, runAt: at(200).toISOString() }));
      const early = await create(ctx.store, makeTask({ priority: 5, runAt: at(100).toISOString() }));
      const tieA = await create(ctx.store, makeTask({ priority: 1 }));
      const tieB = await create(ctx.store, makeTask({ priority: 1 }));
      const first = await ctx.store.claimTasks(claimRequest({ limit: 3, now: at(1000) }));
      assert.deepEqual(first.map((c) => c.task.id), [early.id, late.id, tieA.id]);
      const rest = await ctx.store.claimTasks(claimRequest({ limit: 10, now: at(1000) }));
      assert.deepEqual(rest.map((c) => c.task.id), [tieB.id, low.id]);
      assert.deepEqual(await ctx.store.claimTasks(claimRequest({ now: at(1000) })), []);
    });

    test("a task is not claimed before its runAt and is claimed from then on", async () => {
      const task = await create(ctx.store, makeTask({ runAt: at(5000).toISOString() }));
      assert.deepEqual(await ctx.store.claimTasks(claimRequest({ now: at(4999) })), []);
      assert.equal((await claimOne(ctx.store, { now: at(5000) })).task.id, task.id);
    });

    test("only tasks of a served queue whose current executor the worker has are claimed", async () => {
      const mail = await create(ctx.store, makeTask({ queue: "mail", executor: "smtp" }));
      await create(ctx.store, makeTask({ queue: "mail", executor: "fax" }));
      await create(ctx.store, makeTask({ queue: "other", executor: "smtp" }));
      assert.deepEqual(await ctx.store.claimTasks(claimRequest({ queues: [], executors: ["smtp"] })), []);
      assert.deepEqual(await ctx.store.claimTasks(claimRequest({ queues: ["mail"], executors: [] })), []);
      const claimed = await ctx.store.claimTasks(claimRequest({ queues: ["mail", "x"], executors: ["smtp", "y"] }));
      assert.deepEqual(claimed.map((c) => c.task.id), [mail.id]);
    });

    test("a step's own queue overrides the task's queue for claiming", async () => {
      const task = await create(
        ctx.store,
        makeTask({ queue: "main", steps: [{ name: "a", executor: "noop" }, { name: "b", executor: "gpu-job", queue: "gpu" }] }),
      );
      const first = await claimOne(ctx.store, { queues: ["main"] });
      await ctx.store.completeStep(first.lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: false, now: T0 });
      assert.deepEqual(await ctx.store.claimTasks(claimRequest({ queues: ["main"], executors: ["noop", "gpu-job"] })), []);
      const second = await claimOne(ctx.store, { queues: ["gpu"], executors: ["gpu-job"] });
      assert.equal(second.task.id, task.id);
      assert.equal(second.task.currentStep, 1);
      assert.equal(second.task.steps[1].status, "running");
    });

    test("a task released with a cancel pending ends cancelled instead of waiting forever", async () => {
      const task = await create(ctx.store, makeTask());
      const { lease } = await claimOne(ctx.store);
      await ctx.store.requestCancel(task.id, null, at(1));
      const res = await ctx.store.releaseTask(lease, at(2));
      assert.deepEqual(res, { ok: true, taskStatus: "cancelled", startedStep: null });
      const released = await reload(ctx.store, task.id);
      assert.equal(released.status, "cancelled");
      assert.equal(released.steps[0].status, "cancelled");
      assert.equal(released.lockedBy, null);
      assert.deepEqual(await ctx.store.claimTasks(claimRequest({ now: at(3) })), []);
    });

    test("a re-claim after a retry keeps the task's start time and deadline", async () => {
      const task = await create(ctx.store, makeTask({ timeout: "1m", step: { tries: 2 } }));
      const first = await claimOne(ctx.store, { now: at(100) });
      await ctx.store.failStep(first.lease, { stepIndex: 0, stepStatus: "failed", message: "boom", then: { kind: "retry", runAt: at(200) }, now: at(150) });
      const second = await claimOne(ctx.store, { now: at(200) });
      assert.equal(second.task.id, task.id);
      assert.equal(second.lease.token, 2);
      assert.equal(second.task.startedAt?.getTime(), at(100).getTime());
      assert.equal(second.task.deadlineAt?.getTime(), at(60_100).getTime());
      assert.equal(second.task.steps[0].attempts, 2);
      assert.equal(second.task.steps[0].message, null, "a new try starts with no message");
    });

    test("two stores on one database never claim the same task", async (t) => {
      if (!ctx.harness.openSecond) return t.skip("backend harness has no second connection");
      const other = await ctx.harness.openSecond();
      try {
        const tasks = makeTasks(120);
        await ctx.store.createTasks(tasks);
        const seen = new Set<string>();
        let total = 0;
        for (let round = 0; round < 40; round++) {
          const batches = await Promise.all([
            ctx.store.claimTasks(claimRequest({ nodeId: "node-a", limit: 3 })),
            other.claimTasks(claimRequest({ nodeId: "node-b", limit: 4 })),
            ctx.store.claimTasks(claimRequest({ nodeId: "node-a", limit: 2 })),
          ]);
          for (const c of batches.flat()) {
            assert.ok(!seen.has(c.task.id), `task ${c.task.id} was claimed twice`);
            seen.add(c.task.id);
            total++;
          }
        }
        assert.equal(total, 120);
        const counts = await other.countTasksByStatus({});
        assert.equal(counts.running, 120);
      } finally {
        await other.close();
      }
    });
  });

  describe("renewLeases", () => {
    test("renewing extends held leases and reports lost ones and cancel requests", async () => {
      const [a, b] = makeTasks(2);
      await ctx.store.createTasks([a, b]);
      const claimed = await ctx.store.claimTasks(claimRequest({ limit: 2 }));
      const [la, lb] = claimed.map((c) => c.lease);
      await ctx.store.requestCancel(a.id, null, at(1));
      const stale = { ...lb, token: lb.token + 5 };
      const renewals = await ctx.store.renewLeases([la, stale], at(90_000), at(2));
      assert.deepEqual(renewals, [
        { taskId: a.id, held: true, cancelRequested: true },
        { taskId: b.id, held: false, cancelRequested: false },
      ]);
      assert.equal((await reload(ctx.store, a.id)).leaseUntil?.getTime(), at(90_000).getTime());
      assert.equal((await reload(ctx.store, b.id)).leaseUntil?.getTime(), at(LEASE_MS).getTime());
      assert.deepEqual(await ctx.store.renewLeases([], at(1), at(1)), []);
    });

    test("a lease that already ended cannot be renewed", async () => {
      await create(ctx.store, makeTask());
      const { lease } = await claimOne(ctx.store);
      const [late] = await ctx.store.renewLeases([lease], at(LEASE_MS + 60_000), at(LEASE_MS + 1));
      assert.equal(late.held, false);
      const [onTime] = await ctx.store.renewLeases([lease], at(LEASE_MS + 60_000), at(LEASE_MS));
      assert.equal(onTime.held, true, "a lease still holds at exactly its end");
    });
  });
}
