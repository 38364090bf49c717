import { test } from "node:test";
import assert from "node:assert/strict";
import { TaskrailError, ValidationError } from "../../src/core/errors.js";
import { resolveWorkerOptions } from "../../src/worker/worker-options.js";
import { openTestEngine } from "../support/engine.js";

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<TaskrailError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof TaskrailError, `expected a TaskrailError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

test("every bad input gets a clear error with a code and leaves the store unchanged", async () => {
  const engine = await openTestEngine({ executors: { known: () => null } });
  try {
    const { client } = engine.tr;
    const ok = await client.dispatch({ type: "fine", steps: [{ name: "s", executor: "known" }] });
    const before = await client.countTasksByStatus();

    const unknown = await expectCode(client.dispatch({ type: "x", steps: [{ name: "s", executor: "nope" }] }), "VALIDATION_FAILED", /unknown executor "nope"/);
    assert.deepEqual((unknown as ValidationError).fields, [{ path: "steps.0.executor", message: 'unknown executor "nope"' }]);
    await expectCode(client.dispatch({ type: "x", timeout: "ten minutes", steps: [{ name: "s", executor: "known" }] }), "VALIDATION_FAILED", /timeout: must be a duration/);
    await expectCode(client.dispatch({ type: "x", steps: [{ name: "s", executor: "known", params: { u: "{{ broken" } }] }), "VALIDATION_FAILED", /steps\.0\.params\.u: unclosed placeholder/);
    await expectCode(client.dispatch({ type: "x", stepz: [] } as never), "VALIDATION_FAILED", /unknown field/);
    await expectCode(client.dispatch({ type: "x", callbacks: ["ghost"], steps: [{ name: "s", executor: "known" }] }), "VALIDATION_FAILED", /unknown callback "ghost"/);
    await expectCode(client.getTask("0190aaaa-0000-7000-8000-000000000000"), "TASK_NOT_FOUND");
    await expectCode(client.cancelTask("no-such-task"), "TASK_NOT_FOUND");
    await expectCode(client.retryTask(ok.id), "INVALID_TRANSITION", /pending/);
    await expectCode(client.skipStep(ok.id, "s"), "INVALID_TRANSITION");
    await expectCode(client.listTasks({ limit: 0 }), "VALIDATION_FAILED", /limit/);
    await expectCode(client.listTasks({ status: "finished" as never }), "VALIDATION_FAILED", /status/);

    assert.deepEqual(await client.countTasksByStatus(), before, "nothing was written by the refused calls");
    assert.equal((await client.listTasks()).total, 1);
  } finally {
    await engine.dispose();
  }
});

test("bad worker options are refused naming each field", () => {
  assert.throws(() => resolveWorkerOptions({ concurrency: 0, lease: "forever" }), (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(err.fields.map((f) => f.path).sort(), ["worker.concurrency", "worker.lease"]);
    assert.match(err.message, /worker\.concurrency: must be an integer >= 1/);
    return true;
  });
  assert.throws(() => resolveWorkerOptions({ lease: 1000, heartbeat: 900 }), /worker\.heartbeat: must be at most half of worker\.lease/);
});
