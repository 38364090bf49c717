// Contract: the params a task was dispatched with (`initialParams`) and the patch each step's
// success wrote (`paramsSet`), from which the params before and after each step are derived.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { at, makeTask } from "../../support/task-factory.js";
import { claimOne, create, createAndClaim, reload, type ContractContext } from "./contract-context.js";

const threeSteps = () => [
  { name: "a", executor: "noop" },
  { name: "b", executor: "noop" },
  { name: "c", executor: "noop" },
];

/** Registers the params before/after tests. */
export function describeParamsIo(ctx: ContractContext): void {
  describe("params before and after each step", () => {
    test("dispatch records the initial params, one by one and in a batch", async () => {
      const single = await create(ctx.store, makeTask({ params: { region: "eu", n: 1 } }));
      assert.deepEqual(single.initialParams, { region: "eu", n: 1 });
      assert.deepEqual(single.steps.map((s) => s.paramsSet), [null]);
      assert.deepEqual((await reload(ctx.store, single.id)).initialParams, { region: "eu", n: 1 });
      const [batched] = await ctx.store.createTasks([makeTask({ params: { batch: true } })]);
      assert.deepEqual(batched.task.initialParams, { batch: true });
      assert.deepEqual((await reload(ctx.store, batched.task.id)).initialParams, { batch: true });
    });

    test("a success with setParam stores its patch on that step only; the initial params stay", async () => {
      const input = makeTask({ steps: threeSteps(), params: { start: 0 } });
      const { lease } = await createAndClaim(ctx.store, input, { now: at(0) });
      await ctx.store.completeStep(lease, { stepIndex: 0, output: "A", paramsPatch: { start: 1, fromA: "x" }, continueNext: true, now: at(1) });
      await ctx.store.completeStep(lease, { stepIndex: 1, output: "B", paramsPatch: null, continueNext: true, now: at(2) });
      await ctx.store.completeStep(lease, { stepIndex: 2, output: "C", paramsPatch: { fromC: [1] }, continueNext: false, now: at(3) });
      const done = await reload(ctx.store, input.id);
      assert.equal(done.status, "succeeded");
      assert.deepEqual(done.steps.map((s) => s.paramsSet), [{ start: 1, fromA: "x" }, null, { fromC: [1] }]);
      assert.deepEqual(done.initialParams, { start: 0 });
      assert.deepEqual(done.params, { start: 1, fromA: "x", fromC: [1] });
    });

    test("a retry from a step resets paramsSet of it and the later steps, never initialParams", async () => {
      const input = makeTask({ steps: threeSteps(), params: { start: 0 } });
      const { lease } = await createAndClaim(ctx.store, input, { now: at(0) });
      await ctx.store.completeStep(lease, { stepIndex: 0, output: "A", paramsPatch: { fromA: 1 }, continueNext: true, now: at(1) });
      await ctx.store.completeStep(lease, { stepIndex: 1, output: "B", paramsPatch: { fromB: 2 }, continueNext: true, now: at(2) });
      await ctx.store.failStep(lease, { stepIndex: 2, stepStatus: "failed", message: "no", then: { kind: "end", taskStatus: "failed" }, now: at(3) });
      const retried = await ctx.store.retryTask(input.id, null, "b", at(10));
      assert.deepEqual(retried.steps.map((s) => s.paramsSet), [{ fromA: 1 }, null, null]);
      assert.deepEqual(retried.initialParams, { start: 0 });
      const again = await claimOne(ctx.store, { now: at(10) });
      await ctx.store.completeStep(again.lease, { stepIndex: 1, output: "B2", paramsPatch: { fromB: 3 }, continueNext: true, now: at(11) });
      const after = await reload(ctx.store, input.id);
      assert.deepEqual(after.steps.map((s) => s.paramsSet), [{ fromA: 1 }, { fromB: 3 }, null]);
      assert.deepEqual(after.initialParams, { start: 0 });
    });

    test("a failed try stores no patch", async () => {
      const input = makeTask({ steps: [{ name: "a", executor: "noop", tries: 2 }], params: {} });
      const { lease } = await createAndClaim(ctx.store, input, { now: at(0) });
      await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "once", then: { kind: "retry", runAt: at(5) }, now: at(1) });
      assert.deepEqual((await reload(ctx.store, input.id)).steps.map((s) => s.paramsSet), [null]);
      const again = await claimOne(ctx.store, { now: at(5) });
      await ctx.store.completeStep(again.lease, { stepIndex: 0, output: 1, paramsPatch: { k: "v" }, continueNext: false, now: at(6) });
      assert.deepEqual((await reload(ctx.store, input.id)).steps.map((s) => s.paramsSet), [{ k: "v" }]);
    });
  });
}
