import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CallbackContext, StepContext } from "../../src/core/step-context.js";
import { TaskrailError } from "../../src/core/errors.js";
import { task } from "../../src/client/task-builder.js";
import { FAST_WORKER, openTestEngine } from "../support/engine.js";

describe("retry, skip, cancel and callbacks", () => {
  const runs: Record<string, number> = {};
  const callbackCalls: { taskId: string; status: string; error: string | null; step: string | null }[] = [];
  let failDeploy = true;
  let engine: Awaited<ReturnType<typeof openTestEngine>>;
  const count = (ctx: StepContext) => {
    const key = `${ctx.task.id}:${ctx.step.name}`;
    runs[key] = (runs[key] ?? 0) + 1;
  };

  before(async () => {
    engine = await openTestEngine({
      executors: {
        work: (ctx: StepContext) => {
          count(ctx);
          ctx.setParam(`${ctx.step.name}Done`, true);
          return { step: ctx.step.name };
        },
        deploy: (ctx: StepContext) => {
          count(ctx);
          if (failDeploy) throw new Error("deploy refused");
          return { deployed: true };
        },
        hang: (ctx: StepContext) =>
          new Promise((_resolve, reject) => {
            count(ctx);
            ctx.signal.addEventListener("abort", () => {
              runs[`${ctx.task.id}:signal`] = 1;
              reject(ctx.signal.reason);
            });
          }),
        stubborn: (ctx: StepContext) => {
          count(ctx);
          // Ignores its signal: the worker must record the outcome after the grace period anyway.
          return new Promise(() => {});
        },
      },
      callbacks: {
        notify: (ctx: CallbackContext) => {
          callbackCalls.push({ taskId: ctx.task.id, status: ctx.task.status, error: ctx.error, step: ctx.step?.name ?? null });
        },
      },
    });
    engine.tr.startWorker(FAST_WORKER);
  });
  after(() => engine.dispose());

  const chain = () =>
    task("release").callback("notify").step("build", "work").step("test", "work").step("deploy", "deploy").step("verify", "work");

  test("retry from the failed step re-runs only that step and the ones after it", async () => {
    const { client } = engine.tr;
    failDeploy = true;
    const t = await client.dispatch(chain());
    const failed = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(failed.status, "failed");
    assert.equal(failed.message, "deploy refused");
    assert.deepEqual(failed.steps.map((s) => s.status), ["succeeded", "succeeded", "failed", "pending"]);

    failDeploy = false;
    const retried = await client.retryTask(t.id);
    assert.equal(retried.status, "pending");
    assert.equal(retried.retryCount, 1);
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "succeeded");
    assert.deepEqual(
      ["build", "test", "deploy", "verify"].map((s) => runs[`${t.id}:${s}`]),
      [1, 1, 2, 1],
      "build and test ran once; deploy twice; verify once",
    );
    assert.equal(done.params.buildDone, true, "params written by earlier steps are kept");
    assert.deepEqual(done.steps.map((s) => s.attempts), [1, 1, 1, 1], "the retried step's attempts were reset");
  });

  test("retry --from an earlier step re-runs from there", async () => {
    const { client } = engine.tr;
    failDeploy = true;
    const t = await client.dispatch(chain());
    await client.waitForTask(t.id, { timeoutMs: 10_000 });
    failDeploy = false;
    await client.retryTask(t.id, { fromStep: "test" });
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "succeeded");
    assert.deepEqual(["build", "test", "deploy", "verify"].map((s) => runs[`${t.id}:${s}`]), [1, 2, 2, 1]);
  });

  test("skip marks the failed step skipped and resumes the chain after it", async () => {
    const { client } = engine.tr;
    failDeploy = true;
    const t = await client.dispatch(chain());
    await client.waitForTask(t.id, { timeoutMs: 10_000 });
    await client.skipStep(t.id, "deploy");
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "succeeded");
    assert.deepEqual(done.steps.map((s) => s.status), ["succeeded", "succeeded", "skipped", "succeeded"]);
    assert.equal(runs[`${t.id}:deploy`], 1);
  });

  test("the callback runs once per terminal transition with the ending step and error", async () => {
    const { client } = engine.tr;
    failDeploy = true;
    const t = await client.dispatch(chain());
    await client.waitForTask(t.id, { timeoutMs: 10_000 });
    await waitFor(() => callbackCalls.some((c) => c.taskId === t.id));
    failDeploy = false;
    await client.retryTask(t.id);
    await client.waitForTask(t.id, { timeoutMs: 10_000 });
    await waitFor(() => callbackCalls.filter((c) => c.taskId === t.id).length === 2);
    await engine.tr.worker!.callbacksIdle();
    const mine = callbackCalls.filter((c) => c.taskId === t.id);
    assert.deepEqual(mine, [
      { taskId: t.id, status: "failed", error: "deploy refused", step: "deploy" },
      { taskId: t.id, status: "succeeded", error: null, step: "verify" },
    ]);
    const stored = await client.getTask(t.id);
    assert.equal(stored.callbackStatus, "succeeded");
  });

  test("cancel of a running task fires its signal, ends it cancelled and runs its callback once", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(task("hang").callback("notify").step("wait", "hang").step("after", "work"));
    await client.waitForTask(t.id, { until: ["running"], timeoutMs: 10_000 });
    await waitFor(() => runs[`${t.id}:wait`] === 1);
    await client.cancelTask(t.id);
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "cancelled");
    assert.equal(runs[`${t.id}:signal`], 1, "the executor's signal fired");
    assert.deepEqual(done.steps.map((s) => s.status), ["cancelled", "pending"]);
    assert.equal(runs[`${t.id}:after`], undefined);
    await waitFor(() => callbackCalls.some((c) => c.taskId === t.id));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(callbackCalls.filter((c) => c.taskId === t.id).length, 1, "callback ran exactly once");
  });

  test("an executor that ignores its signal is recorded cancelled after the grace period", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(task("stubborn").step("s", "stubborn"));
    await waitFor(() => runs[`${t.id}:s`] === 1);
    await client.cancelTask(t.id);
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "cancelled");
    assert.equal(done.steps[0].status, "cancelled");
  });

  test("cancel of a pending task is immediate and a terminal task cannot be cancelled", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch({ type: "later", runAt: new Date(Date.now() + 60_000).toISOString(), steps: [{ name: "s", executor: "work" }] });
    const cancelled = await client.cancelTask(t.id);
    assert.equal(cancelled.status, "cancelled");
    await assert.rejects(client.cancelTask(t.id), (e: unknown) => e instanceof TaskrailError && e.code === "INVALID_TRANSITION");
    assert.equal(runs[`${t.id}:s`], undefined);
  });

  test("a step timeout is retried and then ends the task timeout", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(task("slow").step("s", "hang", { timeout: 50, tries: 2, backoff: { kind: "fixed", delay: 5 } }));
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "timeout");
    assert.equal(done.steps[0].status, "timeout");
    assert.equal(done.steps[0].attempts, 2);
    assert.match(done.message ?? "", /timed out after 50ms/);
  });

  test("a task timeout ends the task even while a step is running", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch(task("slow-task").timeout(100).step("s", "hang", { tries: 5 }));
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "timeout");
    assert.equal(done.steps[0].attempts, 1, "a task timeout is not retried");
    assert.equal(done.message, "task timeout exceeded");
  });

  test("dispatching a duplicate active index returns the existing task or fails by option", async () => {
    const { client } = engine.tr;
    const spec = { type: "dedupe", index: "batch-7", indexType: "batch", runAt: new Date(Date.now() + 60_000).toISOString(), steps: [{ name: "s", executor: "work" }] };
    const a = await client.dispatch(spec);
    const b = await client.dispatch(spec);
    assert.equal(b.id, a.id);
    await assert.rejects(client.dispatch(spec, { onDuplicate: "fail" }), (e: unknown) => e instanceof TaskrailError && e.code === "DUPLICATE_TASK");
    await client.cancelTask(a.id);
    const c = await client.dispatch(spec);
    assert.notEqual(c.id, a.id, "a terminal task does not block a new one");
    await client.cancelTask(c.id);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
