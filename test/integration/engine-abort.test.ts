// Step timeouts reach executors whether or not (and whenever) they look at ctx.signal, and
// params without placeholders reach the executor as they are stored.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { StepContext } from "../../src/core/step-context.js";
import { StepAbortedError } from "../../src/worker/abort-reason.js";
import { FAST_WORKER, openTestEngine } from "../support/engine.js";

describe("step aborts and params on the hot path", () => {
  let engine: Awaited<ReturnType<typeof openTestEngine>>;
  const seen: Record<string, unknown> = {};

  before(async () => {
    engine = await openTestEngine({
      executors: {
        // Never reads its signal and never settles: the outcome is recorded after the grace.
        deaf: () => new Promise(() => {}),
        // Reads its signal only once the timeout already fired.
        late: (ctx: StepContext) =>
          new Promise((_resolve, reject) => {
            setTimeout(() => {
              seen.lateAborted = ctx.signal.aborted;
              seen.lateKind = (ctx.signal.reason as StepAbortedError).kind;
              reject(ctx.signal.reason);
            }, 150);
          }),
        // Reports progress after it already returned: the report must not land on the next step.
        lateReporter: (ctx: StepContext) => {
          setTimeout(() => ctx.progress(42, "late"), 20);
          return "done";
        },
        slow: () => new Promise((resolve) => setTimeout(() => resolve("slow"), 150)),
        reporter: (ctx: StepContext) => {
          ctx.progress(30, "on time");
          return "reported";
        },
        echo: (ctx: StepContext) => {
          seen.params = ctx.params;
          return ctx.params;
        },
      },
    });
    engine.tr.startWorker(FAST_WORKER);
  });
  after(() => engine.dispose());

  test("a step that ignores its signal times out after the grace period", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch({ type: "abort", steps: [{ name: "s", executor: "deaf", timeout: "50ms" }] });
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "timeout");
    assert.equal(done.steps[0].status, "timeout");
    assert.match(done.steps[0].message ?? "", /timed out after 50ms/);
  });

  test("a signal first read after the timeout is already aborted with its reason", async () => {
    const { client } = engine.tr;
    const t = await client.dispatch({ type: "abort", steps: [{ name: "s", executor: "late", timeout: "20ms" }] });
    const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
    assert.equal(done.status, "timeout");
    assert.deepEqual([seen.lateAborted, seen.lateKind], [true, "step-timeout"]);
  });

  test("progress reported on time is written; after the step returned it is ignored", async () => {
    const { client } = engine.tr;
    const progress: { message: string | null; pct: number }[] = [];
    const off = engine.tr.events.on("task:progress", (e) => progress.push({ message: e.message, pct: e.progressPct }));
    try {
      const t = await client.dispatch({
        type: "progress",
        steps: [
          { name: "a", executor: "reporter" },
          { name: "b", executor: "lateReporter" },
          { name: "c", executor: "slow" },
        ],
      });
      const done = await client.waitForTask(t.id, { timeoutMs: 10_000 });
      assert.equal(done.status, "succeeded");
      assert.deepEqual(progress, [{ message: "on time", pct: 30 }]);
    } finally {
      off();
    }
  });

  test("params without placeholders arrive as stored; with placeholders they are rendered", async () => {
    const { client } = engine.tr;
    const plain = await client.dispatch({ type: "p", params: { a: 1, nested: { b: [1, "x"] } }, steps: [{ name: "s", executor: "echo" }] });
    assert.deepEqual((await client.waitForTask(plain.id, { timeoutMs: 10_000 })).result, { a: 1, nested: { b: [1, "x"] } });
    const templated = await client.dispatch({ type: "p", params: { a: "x", b: "{{ a | upper }}-{{ task.type }}" }, steps: [{ name: "s", executor: "echo" }] });
    assert.deepEqual((await client.waitForTask(templated.id, { timeoutMs: 10_000 })).result, { a: "x", b: "X-p" });
  });
});
