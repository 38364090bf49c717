// Contract: operator transitions (cancel, retry, skip), task logs, and tenant scoping of them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Store } from "../../../src/store/store.js";
import { at, makeTask } from "../../support/task-factory.js";
import { claimOne, create, createAndClaim, reload, type ContractContext } from "./contract-context.js";

/**
 * A 3-step task (a, b, c) where a succeeded (output "A", setParam fromA), b failed after two
 * tries with its own setParam never saved, c never started.
 */
async function failedAtB(store: Store, extra: Parameters<typeof makeTask>[0] = {}) {
  const input = makeTask({
    steps: [
      { name: "a", executor: "noop" },
      { name: "b", executor: "noop", tries: 2 },
      { name: "c", executor: "noop" },
    ],
    params: { initial: true },
    callbacks: ["cb"],
    timeout: "1h",
    ...extra,
  });
  const { lease } = await createAndClaim(store, input, { now: at(0) });
  await store.completeStep(lease, { stepIndex: 0, output: "A", paramsPatch: { fromA: 1 }, continueNext: true, now: at(10) });
  await store.failStep(lease, { stepIndex: 1, stepStatus: "failed", message: "b1", then: { kind: "retry", runAt: at(20) }, now: at(15) });
  const retry = await claimOne(store, { now: at(20) });
  await store.failStep(retry.lease, { stepIndex: 1, stepStatus: "failed", message: "b2", then: { kind: "end", taskStatus: "failed" }, now: at(30) });
  return reload(store, input.id);
}

/** Registers the operator transition and log tests. */
export function describeOperatorTransitions(ctx: ContractContext): void {
  describe("requestCancel", () => {
    test("a pending task is cancelled at once with its current step", async () => {
      const task = await create(ctx.store, makeTask({ steps: 2, callbacks: ["cb"] }));
      const { task: cancelled, immediate } = await ctx.store.requestCancel(task.id, null, at(5));
      assert.equal(immediate, true);
      assert.deepEqual([cancelled.status, cancelled.message, cancelled.endedAt?.getTime()], ["cancelled", "cancelled", at(5).getTime()]);
      assert.deepEqual(cancelled.steps.map((s) => s.status), ["cancelled", "pending"]);
      assert.equal(cancelled.leaseToken, 1);
      assert.equal(cancelled.callbackStatus, "pending");
      assert.deepEqual(await reload(ctx.store, task.id), cancelled);
    });

    test("a running task gets a cancel request its worker sees, and asking twice changes nothing", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask());
      const first = await ctx.store.requestCancel(task.id, null, at(1));
      assert.deepEqual([first.immediate, first.task.status, first.task.cancelRequested], [false, "running", true]);
      const second = await ctx.store.requestCancel(task.id, null, at(2));
      assert.deepEqual([second.immediate, second.task.cancelRequested, second.task.leaseToken], [false, true, lease.token]);
      const [renewal] = await ctx.store.renewLeases([lease], at(10_000), at(3));
      assert.deepEqual(renewal, { taskId: task.id, held: true, cancelRequested: true });
    });

    test("a finished task cannot be cancelled and an unknown or foreign task is not found", async () => {
      const task = await create(ctx.store, makeTask({ tenant: "acme" }));
      await ctx.store.requestCancel(task.id, "acme", at(1));
      await assert.rejects(ctx.store.requestCancel(task.id, "acme", at(2)), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, "INVALID_TRANSITION");
        assert.match(err.message ?? "", /cancelled/);
        return true;
      });
      const other = await create(ctx.store, makeTask({ tenant: "acme" }));
      await assert.rejects(ctx.store.requestCancel(other.id, "evil", at(3)), { code: "TASK_NOT_FOUND" });
      await assert.rejects(ctx.store.requestCancel("missing", null, at(3)), { code: "TASK_NOT_FOUND" });
      assert.equal((await reload(ctx.store, other.id)).status, "pending");
    });
  });

  describe("retryTask", () => {
    test("a retry restarts from the failed step, keeping earlier steps, their params and result", async () => {
      const failed = await failedAtB(ctx.store);
      assert.equal(failed.status, "failed");
      const retried = await ctx.store.retryTask(failed.id, null, null, at(100));
      assert.deepEqual([retried.status, retried.currentStep, retried.runAt.getTime(), retried.message], ["pending", 1, at(100).getTime(), null]);
      assert.deepEqual(retried.params, { initial: true, fromA: 1 });
      assert.equal(retried.result, "A");
      assert.deepEqual(retried.steps.map((s) => [s.status, s.attempts, s.message]), [
        ["succeeded", 1, null],
        ["pending", 0, null],
        ["pending", 0, null],
      ]);
      assert.equal(retried.steps[0].output, "A");
      assert.deepEqual([retried.steps[1].startedAt, retried.steps[1].endedAt, retried.steps[1].executionMs], [null, null, null]);
      assert.deepEqual([retried.startedAt, retried.deadlineAt, retried.endedAt, retried.executionMs], [null, null, null, null]);
      assert.deepEqual([retried.retryCount, retried.progress, retried.callbackStatus, retried.callbackAttempts], [1, 0, null, 0]);
      assert.equal(retried.leaseToken, failed.leaseToken + 1);
      const claim = await claimOne(ctx.store, { now: at(100) });
      assert.deepEqual([claim.task.currentStep, claim.task.steps[1].attempts], [1, 1]);
      assert.equal(claim.task.deadlineAt?.getTime(), at(100 + 3_600_000).getTime(), "a retry restarts the task clock");
    });

    test("a retry from an earlier step resets that step and every later one", async () => {
      const failed = await failedAtB(ctx.store);
      const retried = await ctx.store.retryTask(failed.id, null, "a", at(100));
      assert.equal(retried.currentStep, 0);
      assert.equal(retried.result, null, "no step before the restart point succeeded");
      assert.deepEqual(retried.steps.map((s) => [s.status, s.attempts, s.output]), [
        ["pending", 0, null],
        ["pending", 0, null],
        ["pending", 0, null],
      ]);
      assert.deepEqual(retried.params, { initial: true, fromA: 1 }, "params are kept as they are");
    });

    test("a retry from a later step, an unknown step or of an unfinished task is refused", async () => {
      const failed = await failedAtB(ctx.store);
      await assert.rejects(ctx.store.retryTask(failed.id, null, "c", at(100)), { code: "INVALID_TRANSITION" });
      await assert.rejects(ctx.store.retryTask(failed.id, null, "zzz", at(100)), { code: "STEP_NOT_FOUND" });
      await assert.rejects(ctx.store.retryTask(failed.id, "other-tenant", null, at(100)), { code: "TASK_NOT_FOUND" });
      assert.deepEqual(await reload(ctx.store, failed.id), failed, "refused retries change nothing");
      const { task: running } = await createAndClaim(ctx.store, makeTask({ queue: "r" }));
      await assert.rejects(ctx.store.retryTask(running.id, null, null, at(100)), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, "INVALID_TRANSITION");
        assert.match(err.message ?? "", /running/);
        return true;
      });
      const pending = await create(ctx.store, makeTask({ queue: "p" }));
      await assert.rejects(ctx.store.retryTask(pending.id, null, null, at(100)), { code: "INVALID_TRANSITION" });
    });

    test("a retry of a cancelled or timed out task resumes where it stopped", async () => {
      const cancelled = await create(ctx.store, makeTask({ steps: 2 }));
      await ctx.store.requestCancel(cancelled.id, null, at(1));
      const again = await ctx.store.retryTask(cancelled.id, null, null, at(2));
      assert.deepEqual([again.status, again.currentStep, again.steps[0].status], ["pending", 0, "pending"]);
      const late = await create(ctx.store, makeTask({ startTimeout: 10, queue: "late" }));
      await ctx.store.expireOverdueTasks(at(11), 10);
      assert.equal((await ctx.store.retryTask(late.id, null, null, at(12))).status, "pending");
    });

    test("a retry that would duplicate an active task's index is refused and changes nothing", async () => {
      const failed = await failedAtB(ctx.store, { index: "order-9" });
      const fresh = await create(ctx.store, makeTask({ index: "order-9", queue: "other" }));
      await assert.rejects(ctx.store.retryTask(failed.id, null, null, at(100)), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, "DUPLICATE_TASK");
        assert.match(err.message ?? "", new RegExp(fresh.id));
        return true;
      });
      assert.deepEqual(await reload(ctx.store, failed.id), failed);
    });
  });

  describe("skipStep", () => {
    test("skipping the failed step resumes the chain after it", async () => {
      const failed = await failedAtB(ctx.store);
      const resumed = await ctx.store.skipStep(failed.id, null, "b", at(100));
      assert.deepEqual([resumed.status, resumed.currentStep, resumed.runAt.getTime(), resumed.retryCount], ["pending", 2, at(100).getTime(), 1]);
      assert.deepEqual(resumed.steps.map((s) => s.status), ["succeeded", "skipped", "pending"]);
      assert.equal(resumed.steps[1].message, "b2", "the skipped step keeps why it failed");
      assert.deepEqual([resumed.result, resumed.startedAt, resumed.callbackStatus], ["A", null, null]);
      assert.equal(resumed.leaseToken, failed.leaseToken + 1);
      const claim = await claimOne(ctx.store, { now: at(100) });
      assert.equal(claim.task.steps[2].status, "running");
    });

    test("skipping the last step finishes the task succeeded", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 2, callbacks: ["cb"] }));
      await ctx.store.completeStep(lease, { stepIndex: 0, output: "first", paramsPatch: null, continueNext: true, now: at(1) });
      await ctx.store.failStep(lease, { stepIndex: 1, stepStatus: "timeout", message: "slow", then: { kind: "end", taskStatus: "timeout" }, now: at(2) });
      const done = await ctx.store.skipStep(task.id, null, "s1", at(3));
      assert.deepEqual([done.status, done.progress, done.endedAt?.getTime(), done.result], ["succeeded", 100, at(3).getTime(), "first"]);
      assert.deepEqual(done.steps.map((s) => s.status), ["succeeded", "skipped"]);
      assert.deepEqual([done.callbackStatus, done.callbackAttempts], ["pending", 0]);
    });

    test("only the current step of a finished, unsuccessful task can be skipped", async () => {
      const failed = await failedAtB(ctx.store);
      await assert.rejects(ctx.store.skipStep(failed.id, null, "a", at(100)), { code: "INVALID_TRANSITION" });
      await assert.rejects(ctx.store.skipStep(failed.id, null, "c", at(100)), { code: "INVALID_TRANSITION" });
      await assert.rejects(ctx.store.skipStep(failed.id, null, "nope", at(100)), { code: "STEP_NOT_FOUND" });
      await assert.rejects(ctx.store.skipStep(failed.id, "other-tenant", "b", at(100)), { code: "TASK_NOT_FOUND" });
      assert.deepEqual(await reload(ctx.store, failed.id), failed);
      const { task: running } = await createAndClaim(ctx.store, makeTask({ queue: "r" }));
      await assert.rejects(ctx.store.skipStep(running.id, null, "s0", at(100)), { code: "INVALID_TRANSITION" });
    });
  });

  describe("task logs", () => {
    test("logs page in id order after a given id, optionally for one step", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 2 }));
      const lines = (step: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ taskId: task.id, stepIndex: step, attempt: 1, at: at(i), level: "debug" as const, message: `s${step}-${i}`, fields: null }));
      await ctx.store.appendLogs(lines(0, 3), lease, at(1));
      await ctx.store.completeStep(lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: true, now: at(2), logs: lines(1, 2) });
      const first = await ctx.store.listLogs(task.id, null, { limit: 2 });
      assert.deepEqual(first.map((l) => l.message), ["s0-0", "s0-1"]);
      const rest = await ctx.store.listLogs(task.id, null, { limit: 10, afterId: first[1].id });
      assert.deepEqual(rest.map((l) => l.message), ["s0-2", "s1-0", "s1-1"]);
      assert.ok(rest.every((l, i) => i === 0 || l.id > rest[i - 1].id));
      const stepOne = await ctx.store.listLogs(task.id, null, { limit: 10, stepIndex: 1 });
      assert.deepEqual(stepOne.map((l) => l.message), ["s1-0", "s1-1"]);
      assert.equal(stepOne[0].at.getTime(), at(0).getTime());
    });

    test("logs of an unknown or foreign task are not found", async () => {
      const task = await create(ctx.store, makeTask({ tenant: "acme" }));
      await ctx.store.appendLogs([{ taskId: task.id, stepIndex: null, attempt: null, at: at(0), level: "info", message: "hi", fields: null }], null, at(0));
      assert.equal((await ctx.store.listLogs(task.id, "acme", { limit: 5 })).length, 1);
      await assert.rejects(ctx.store.listLogs(task.id, "evil", { limit: 5 }), { code: "TASK_NOT_FOUND" });
      await assert.rejects(ctx.store.listLogs("missing", null, { limit: 5 }), { code: "TASK_NOT_FOUND" });
    });
  });
}
