// Contract: what a held task's writes do: complete (chains), fail (retry/skip/end), cancel,
// release, progress and log lines.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { NewLogEntry } from "../../../src/core/task.js";
import { at, makeTask } from "../../support/task-factory.js";
import { claimOne, claimRequest, createAndClaim, reload, type ContractContext } from "./contract-context.js";

function line(taskId: string, message: string, stepIndex: number | null = 0): NewLogEntry {
  return { taskId, stepIndex, attempt: stepIndex === null ? null : 1, at: at(1), level: "info", message, fields: { n: 1 } };
}

/** Registers the step outcome tests. */
export function describeStepOutcomes(ctx: ContractContext): void {
  describe("completeStep", () => {
    test("completing the last step ends the task succeeded with the step's output as result", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ callbacks: ["notify"] }), { now: at(100) });
      await ctx.store.updateProgress(lease, 40, "almost", at(150));
      const result = await ctx.store.completeStep(lease, { stepIndex: 0, output: { id: 7 }, paramsPatch: null, continueNext: true, now: at(400) });
      assert.deepEqual(result, { ok: true, taskStatus: "succeeded", startedStep: null });
      const done = await reload(ctx.store, task.id);
      assert.equal(done.status, "succeeded");
      assert.equal(done.progress, 100);
      assert.deepEqual(done.result, { id: 7 });
      assert.equal(done.currentStep, 1);
      assert.equal(done.endedAt?.getTime(), at(400).getTime());
      assert.equal(done.executionMs, 300);
      assert.deepEqual([done.lockedBy, done.leaseUntil], [null, null]);
      assert.deepEqual([done.steps[0].status, done.steps[0].executionMs, done.steps[0].endedAt?.getTime()], ["succeeded", 300, at(400).getTime()]);
      assert.deepEqual(done.steps[0].output, { id: 7 });
      assert.deepEqual([done.callbackStatus, done.callbackAttempts], ["pending", 0]);
    });

    test("a task without callbacks arms no callback delivery", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask());
      await ctx.store.completeStep(lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now: at(1) });
      assert.equal((await reload(ctx.store, task.id)).callbackStatus, null);
    });

    test("setParam patches merge shallowly into params and a task payload is replaced only when given", async () => {
      const input = makeTask({ steps: 3, params: { keep: "me", over: 1, nested: { a: 1, b: 2 } }, payload: { original: true } });
      const { task, lease } = await createAndClaim(ctx.store, input);
      await ctx.store.completeStep(lease, { stepIndex: 0, output: "one", paramsPatch: { over: 2, nested: { c: 3 }, added: [1] }, continueNext: true, now: at(1) });
      let now = await reload(ctx.store, task.id);
      assert.deepEqual(now.params, { keep: "me", over: 2, nested: { c: 3 }, added: [1] });
      assert.deepEqual(now.payload, { original: true });
      await ctx.store.completeStep(lease, { stepIndex: 1, output: "two", paramsPatch: {}, taskPayload: null, continueNext: true, now: at(2) });
      now = await reload(ctx.store, task.id);
      assert.equal(now.payload, null, "null is a payload too");
      assert.deepEqual(now.params, { keep: "me", over: 2, nested: { c: 3 }, added: [1] });
      assert.equal(now.result, "two");
      await ctx.store.completeStep(lease, { stepIndex: 2, output: null, paramsPatch: null, taskPayload: [1, 2], continueNext: true, now: at(3) });
      now = await reload(ctx.store, task.id);
      assert.deepEqual(now.payload, [1, 2]);
      assert.equal(now.result, null);
    });

    test("with continueNext the next step starts in the same write under the same lease", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 3 }), { now: at(0) });
      const result = await ctx.store.completeStep(lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: true, now: at(10) });
      assert.deepEqual(result, { ok: true, taskStatus: "running", startedStep: 1 });
      const now = await reload(ctx.store, task.id);
      assert.equal(now.status, "running");
      assert.equal(now.currentStep, 1);
      assert.equal(now.leaseToken, lease.token, "the lease goes on");
      assert.deepEqual([now.steps[1].status, now.steps[1].attempts, now.steps[1].startedAt?.getTime()], ["running", 1, at(10).getTime()]);
      assert.equal(now.steps[2].status, "pending");
      const next = await ctx.store.completeStep(lease, { stepIndex: 1, output: 2, paramsPatch: null, continueNext: false, now: at(20) });
      assert.deepEqual(next, { ok: true, taskStatus: "pending", startedStep: null });
    });

    test("without continueNext the task goes back to pending at once with its lease released", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 2 }));
      const result = await ctx.store.completeStep(lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: false, now: at(50) });
      assert.deepEqual(result, { ok: true, taskStatus: "pending", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.currentStep, now.runAt.getTime(), now.lockedBy, now.leaseUntil], ["pending", 1, at(50).getTime(), null, null]);
      assert.equal(now.steps[1].status, "pending");
      const again = await claimOne(ctx.store, { now: at(50), nodeId: "node-b" });
      assert.equal(again.lease.token, lease.token + 1);
      assert.equal(again.task.steps[1].status, "running");
    });

    test("a cancel request turns a completed step into a cancelled task, later steps untouched", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 3, callbacks: ["cb"] }));
      await ctx.store.requestCancel(task.id, null, at(1));
      const result = await ctx.store.completeStep(lease, { stepIndex: 0, output: "ok", paramsPatch: { x: 1 }, continueNext: true, now: at(2) });
      assert.deepEqual(result, { ok: true, taskStatus: "cancelled", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.equal(now.status, "cancelled");
      assert.equal(now.message, "cancelled by request");
      assert.deepEqual(now.params, { x: 1 });
      assert.deepEqual(now.steps.map((s) => s.status), ["succeeded", "pending", "pending"]);
      assert.deepEqual([now.endedAt?.getTime(), now.lockedBy, now.callbackStatus], [at(2).getTime(), null, "pending"]);
    });

    test("log lines sent with the outcome are stored with it", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask());
      await ctx.store.completeStep(lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: false, now: at(1), logs: [line(task.id, "a"), line(task.id, "b")] });
      const logs = await ctx.store.listLogs(task.id, null, { limit: 10 });
      assert.deepEqual(logs.map((l) => [l.message, l.stepIndex, l.attempt, l.level, l.fields]), [
        ["a", 0, 1, "info", { n: 1 }],
        ["b", 0, 1, "info", { n: 1 }],
      ]);
    });
  });

  describe("failStep", () => {
    test("a failed try with tries left waits for its backoff in pending, the lease released", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ step: { tries: 3 } }), { now: at(0) });
      const result = await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "boom", then: { kind: "retry", runAt: at(5000) }, now: at(100) });
      assert.deepEqual(result, { ok: true, taskStatus: "pending", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.message, now.runAt.getTime(), now.lockedBy], ["pending", "boom", at(5000).getTime(), null]);
      assert.deepEqual([now.steps[0].status, now.steps[0].message, now.steps[0].attempts, now.steps[0].executionMs], ["pending", "boom", 1, 100]);
      assert.deepEqual(await ctx.store.claimTasks(claimRequest({ now: at(4999) })), []);
      const retry = await claimOne(ctx.store, { now: at(5000) });
      assert.equal(retry.task.steps[0].attempts, 2);
    });

    test("a failed try while a cancel is requested ends the task cancelled instead of retrying", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ step: { tries: 3 }, callbacks: ["cb"] }));
      await ctx.store.requestCancel(task.id, null, at(1));
      const result = await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "boom", then: { kind: "retry", runAt: at(100) }, now: at(2) });
      assert.deepEqual(result, { ok: true, taskStatus: "cancelled", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.steps[0].status, now.callbackStatus], ["cancelled", "cancelled", "pending"]);
    });

    test("a skipped step keeps its message and the chain goes on without changing the result", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 3 }));
      await ctx.store.completeStep(lease, { stepIndex: 0, output: "first", paramsPatch: null, continueNext: true, now: at(1) });
      const skipped = await ctx.store.failStep(lease, { stepIndex: 1, stepStatus: "timeout", message: "too slow", then: { kind: "skip", continueNext: true }, now: at(2) });
      assert.deepEqual(skipped, { ok: true, taskStatus: "running", startedStep: 2 });
      let now = await reload(ctx.store, task.id);
      assert.deepEqual([now.steps[1].status, now.steps[1].message], ["skipped", "too slow"]);
      assert.deepEqual([now.steps[2].status, now.result], ["running", "first"]);
      const last = await ctx.store.failStep(lease, { stepIndex: 2, stepStatus: "failed", message: "meh", then: { kind: "skip", continueNext: true }, now: at(3) });
      assert.deepEqual(last, { ok: true, taskStatus: "succeeded", startedStep: null });
      now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.progress, now.result], ["succeeded", 100, "first"]);
    });

    test("a skipped step without continueNext returns the task to pending on the next step", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 2 }));
      const result = await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "x", then: { kind: "skip", continueNext: false }, now: at(5) });
      assert.deepEqual(result, { ok: true, taskStatus: "pending", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.currentStep, now.lockedBy], ["pending", 1, null]);
    });

    test("a try that ends the task records the step's status and message on both", async () => {
      for (const stepStatus of ["failed", "timeout"] as const) {
        const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 2, callbacks: ["cb"], queue: `q-${stepStatus}` }), { now: at(0) });
        const result = await ctx.store.failStep(lease, { stepIndex: 0, stepStatus, message: `${stepStatus}!`, then: { kind: "end", taskStatus: stepStatus }, now: at(70) });
        assert.deepEqual(result, { ok: true, taskStatus: stepStatus, startedStep: null });
        const now = await reload(ctx.store, task.id);
        assert.deepEqual([now.status, now.message, now.currentStep, now.executionMs, now.lockedBy], [stepStatus, `${stepStatus}!`, 0, 70, null]);
        assert.deepEqual(now.steps.map((s) => s.status), [stepStatus, "pending"]);
        assert.equal(now.steps[0].message, `${stepStatus}!`);
        assert.equal(now.callbackStatus, "pending");
      }
    });
  });

  describe("cancelStep, releaseTask, progress and logs", () => {
    test("a cancelled step ends the task cancelled with its message", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ steps: 2 }));
      const result = await ctx.store.cancelStep(lease, { stepIndex: 0, message: "stopped by operator", now: at(9) });
      assert.deepEqual(result, { ok: true, taskStatus: "cancelled", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.message, now.endedAt?.getTime(), now.lockedBy], ["cancelled", "stopped by operator", at(9).getTime(), null]);
      assert.deepEqual(now.steps.map((s) => s.status), ["cancelled", "pending"]);
    });

    test("a released task is pending at once, its try not counted, its token moved on", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask(), { now: at(0) });
      const result = await ctx.store.releaseTask(lease, at(20));
      assert.deepEqual(result, { ok: true, taskStatus: "pending", startedStep: null });
      const now = await reload(ctx.store, task.id);
      assert.deepEqual([now.status, now.runAt.getTime(), now.lockedBy, now.leaseToken], ["pending", at(20).getTime(), null, lease.token + 1]);
      assert.deepEqual([now.steps[0].status, now.steps[0].attempts, now.steps[0].startedAt], ["pending", 0, null]);
      const again = await claimOne(ctx.store, { now: at(20) });
      assert.equal(again.task.steps[0].attempts, 1);
    });

    test("progress is clamped to a whole number between 0 and 100", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask());
      for (const [input, stored] of [[42.6, 43], [-5, 0], [250, 100]] as const) {
        assert.equal(await ctx.store.updateProgress(lease, input, `at ${input}`, at(1)), true);
        const now = await reload(ctx.store, task.id);
        assert.deepEqual([now.progress, now.progressMessage], [stored, `at ${input}`]);
      }
    });

    test("log lines are appended while the lease holds, or without one for an existing task", async () => {
      const { task, lease } = await createAndClaim(ctx.store, makeTask());
      assert.equal(await ctx.store.appendLogs([line(task.id, "held")], lease, at(1)), true);
      assert.equal(await ctx.store.appendLogs([line(task.id, "task-level", null)], null, at(2)), true);
      const logs = await ctx.store.listLogs(task.id, null, { limit: 10 });
      assert.deepEqual(logs.map((l) => [l.message, l.stepIndex]), [["held", 0], ["task-level", null]]);
    });

    test("log lines for a missing task are refused and none of the batch is written", async () => {
      const { task } = await createAndClaim(ctx.store, makeTask());
      await assert.rejects(ctx.store.appendLogs([line(task.id, "ok"), line("missing-task", "nope")], null, at(1)), { code: "TASK_NOT_FOUND" });
      assert.deepEqual(await ctx.store.listLogs(task.id, null, { limit: 10 }), []);
    });
  });
}
