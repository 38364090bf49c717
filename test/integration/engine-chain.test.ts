import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { StepContext } from "../../src/core/step-context.js";
import { task } from "../../src/client/task-builder.js";
import { FAST_WORKER, openTestEngine } from "../support/engine.js";

describe("step chains", () => {
  const seen: Record<string, unknown> = {};
  let flakyCalls = 0;
  let engine: Awaited<ReturnType<typeof openTestEngine>>;

  before(async () => {
    engine = await openTestEngine({
      executors: {
        produce: (ctx: StepContext) => {
          ctx.setParam("token", "abc-123");
          ctx.log.info("produced a token");
          return { made: true };
        },
        pass: (ctx: StepContext) => ({ step: ctx.step.name }),
        flaky: (ctx: StepContext) => {
          flakyCalls++;
          if (ctx.attempt <= 2) throw new Error(`flaky failure ${ctx.attempt}`);
          return { attempt: ctx.attempt };
        },
        consume: (ctx: StepContext) => {
          seen.viaParams = ctx.params.token;
          seen.viaTemplate = ctx.params.header;
          seen.viaStepOutput = ctx.params.made;
          ctx.progress(50, "half way");
          return { ok: true };
        },
      },
    });
    engine.tr.startWorker(FAST_WORKER);
  });
  after(() => engine.dispose());

  test("a 5-step task whose third step fails twice then succeeds ends succeeded with attempts per step", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(
      task("chain")
        .step("one", "produce")
        .step("two", "pass")
        .step("three", "flaky", { tries: 3, backoff: { kind: "fixed", delay: 10 } })
        .step("four", "pass")
        .step("five", "consume", { params: { header: "Bearer {{ token }}", made: "{{ steps.one.output.made }}" } }),
    );
    const done = await client.waitForTask(t.id, { timeoutMs: 20_000 });
    assert.equal(done.status, "succeeded", done.message ?? "");
    assert.deepEqual(done.steps.map((s) => s.attempts), [1, 1, 3, 1, 1]);
    assert.deepEqual(done.steps.map((s) => s.status), ["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    assert.equal(flakyCalls, 3);
    assert.equal(seen.viaParams, "abc-123", "step 1's setParam reaches step 5 through ctx.params");
    assert.equal(seen.viaTemplate, "Bearer abc-123", "and through a {{ }} placeholder");
    assert.equal(seen.viaStepOutput, true, "a lone placeholder keeps the output's type");
    assert.equal(done.params.token, "abc-123");
    assert.deepEqual(done.result, { ok: true }, "result is the last step's output");
    assert.equal(done.progress, 100, "a succeeded task ends at 100%");
    assert.equal(done.currentStep, 5);
    assert.ok(done.executionMs !== null && done.executionMs >= 0);

    const logs = await client.listLogs(t.id);
    assert.ok(logs.some((l) => l.message === "produced a token" && l.stepIndex === 0), "ctx.log lines are persisted");
    assert.equal(logs.filter((l) => /try \d of 3 failed: flaky failure/.test(l.message)).length, 2, "each failed try is logged");
  });

  test("a failing template fails the step at once naming the placeholder", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(task("bad-template").step("only", "pass", { tries: 5, params: { x: "{{ nothere }}" } }));
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "failed");
    assert.equal(done.steps[0].attempts, 1, "a template error is not retried");
    assert.match(done.message ?? "", /unknown name "nothere" in placeholder/);
  });

  test("skipOnFailed skips an exhausted step and the chain goes on", async () => {
    const { client } = engine.tr;
    engine.tr.registerExecutor("always-fails", () => {
      throw new Error("boom");
    });
    // The worker offers executors from its registry at each claim, so a late registration works.
    const t = await client.dispatch(task("skippy").step("a", "always-fails", { tries: 2, backoff: { kind: "fixed", delay: 5 }, skipOnFailed: true }).step("b", "pass"));
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "succeeded");
    assert.deepEqual(done.steps.map((s) => [s.status, s.attempts]), [["skipped", 2], ["succeeded", 1]]);
    assert.equal(done.steps[0].message, "boom");
  });

  test("runAt holds a task back until its time", async () => {
    const { client } = engine.tr;
    engine.tr.registerExecutor("record", () => null);
    const later = new Date(Date.now() + 400);
    const delayed = await client.dispatch({ type: "delayed", name: "delayed", runAt: later.toISOString(), steps: [{ name: "s", executor: "record" }] });
    const done = await client.waitForTask(delayed.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "succeeded");
    assert.ok(done.startedAt!.getTime() >= later.getTime(), "not started before runAt");
  });
});

describe("claim order", () => {
  test("tasks run by priority, then runAt, then id", async () => {
    const order: string[] = [];
    const engine = await openTestEngine({ executors: { record: (ctx: StepContext) => void order.push(ctx.task.name ?? "") } });
    try {
      const { client } = engine.tr;
      const base = Date.now() - 10_000;
      await client.dispatch({ type: "p", name: "low-early", priority: 0, runAt: new Date(base).toISOString(), steps: [{ name: "s", executor: "record" }] });
      await client.dispatch({ type: "p", name: "high", priority: 5, runAt: new Date(base + 2).toISOString(), steps: [{ name: "s", executor: "record" }] });
      await client.dispatch({ type: "p", name: "low-late", priority: 0, runAt: new Date(base + 1).toISOString(), steps: [{ name: "s", executor: "record" }] });
      const last = await client.dispatch({ type: "p", name: "low-late-2", priority: 0, runAt: new Date(base + 1).toISOString(), steps: [{ name: "s", executor: "record" }] });
      engine.tr.startWorker({ ...FAST_WORKER, concurrency: 1, claimBatchSize: 1 });
      await client.waitForTask(last.id, { timeoutMs: 10_000 });
      assert.deepEqual(order, ["high", "low-early", "low-late", "low-late-2"]);
    } finally {
      await engine.dispose();
    }
  });
});
