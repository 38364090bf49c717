// Execution slots: a step's slot is free again while its outcome is written, yet no more than
// `concurrency` executors ever run at once, chains keep their order, and nothing is lost.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { StepContext } from "../../src/core/step-context.js";
import { FAST_WORKER, openTestEngine } from "../support/engine.js";

describe("execution slots", () => {
  let engine: Awaited<ReturnType<typeof openTestEngine>>;
  let worker: ReturnType<typeof engine.tr.startWorker>;
  let running = 0;
  let maxRunning = 0;
  const order = new Map<string, string[]>();

  before(async () => {
    engine = await openTestEngine({
      executors: {
        track: async (ctx: StepContext) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          const seen = order.get(ctx.task.id) ?? [];
          seen.push(ctx.step.name);
          order.set(ctx.task.id, seen);
          await new Promise((r) => setTimeout(r, 2));
          running--;
          return ctx.step.name;
        },
      },
    });
    worker = engine.tr.startWorker({ ...FAST_WORKER, concurrency: 3, prefetch: 6, claimBatchSize: 4 });
  });
  after(() => engine.dispose());

  test("chains and single steps share `concurrency` slots, in order, all of them done", async () => {
    const { client } = engine.tr;
    const chains = await client.dispatchMany(
      Array.from({ length: 12 }, () => ({ type: "slots", steps: ["a", "b", "c", "d"].map((name) => ({ name, executor: "track" })) })),
    );
    const singles = await client.dispatchMany(Array.from({ length: 20 }, () => ({ type: "slots", steps: [{ name: "only", executor: "track" }] })));
    for (const t of [...chains, ...singles]) {
      const done = await client.waitForTask(t.id, { timeoutMs: 20_000 });
      assert.equal(done.status, "succeeded");
    }
    assert.ok(maxRunning <= 3, `at most 3 executors at once, saw ${maxRunning}`);
    for (const t of chains) assert.deepEqual(order.get(t.id), ["a", "b", "c", "d"]);
    for (const t of singles) assert.deepEqual(order.get(t.id), ["only"]);
    assert.equal(worker.inFlight, 0, "every slot given back");
  });
});
