// Unit tests of the `noop` and `sleep` built-in executors and the built-in executor map.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NonRetryableError } from "../../src/core/errors.js";
import type { JsonObject } from "../../src/core/json.js";
import { noopExecutor } from "../../src/executors/noop.js";
import { sleepExecutor } from "../../src/executors/sleep.js";
import { createBuiltinExecutors } from "../../src/executors/builtin-executors.js";
import { createFakeStepContext } from "../support/fake-step-context.js";

test("noop succeeds with a null output and writes nothing", async () => {
  const fake = createFakeStepContext({ params: { anything: 1 } });
  assert.equal(await noopExecutor(fake.ctx), null);
  assert.deepEqual(fake.logs, []);
  assert.deepEqual(fake.setParams, []);
});

test("sleep resolves with the requested sleptMs", async () => {
  const fake = createFakeStepContext({ params: { ms: 20 } });
  assert.deepEqual(await sleepExecutor(fake.ctx), { sleptMs: 20 });
});

test("sleep accepts a duration string", async () => {
  const fake = createFakeStepContext({ params: { ms: "15ms" } });
  assert.deepEqual(await sleepExecutor(fake.ctx), { sleptMs: 15 });
});

test("sleep ignores task params that are not its own", async () => {
  const fake = createFakeStepContext({ params: { ms: 0, customerId: "c-1" } });
  assert.deepEqual(await sleepExecutor(fake.ctx), { sleptMs: 0 });
});

test("sleep rejects with the signal's reason as soon as the step is aborted", async () => {
  const fake = createFakeStepContext({ params: { ms: 10_000 } });
  const reason = new Error("cancelled by operator");
  const running = sleepExecutor(fake.ctx) as Promise<unknown>;
  // Only proves the abort beat the 10 s timer; no assertion on exact wall time.
  let guard: NodeJS.Timeout | undefined;
  const stillPending = new Promise((resolve) => (guard = setTimeout(resolve, 5_000, "timer still pending")));
  setTimeout(() => fake.abort(reason), 10);
  const outcome = await Promise.race([running.then(() => "resolved", (err: unknown) => err), stillPending]);
  clearTimeout(guard);
  assert.equal(outcome, reason);
});

test("sleep rejects at once when the signal already fired", async () => {
  const fake = createFakeStepContext({ params: { ms: 10_000 } });
  const reason = new Error("shutting down");
  fake.abort(reason);
  await assert.rejects(sleepExecutor(fake.ctx) as Promise<unknown>, (err) => err === reason);
});

test("sleep refuses a missing or negative ms with a NonRetryableError naming ms", async () => {
  const cases: JsonObject[] = [{}, { ms: -1 }, { ms: "soon" }];
  for (const params of cases) {
    const fake = createFakeStepContext({ params });
    await assert.rejects(sleepExecutor(fake.ctx) as Promise<unknown>, (err: unknown) => {
      assert.ok(err instanceof NonRetryableError);
      assert.match(err.message, /^invalid sleep params: ms: /);
      return true;
    });
  }
});

test("the built-in executors are noop, sleep, shell and http, and shell refuses by default", async () => {
  const executors = createBuiltinExecutors();
  assert.deepEqual(Object.keys(executors).sort(), ["http", "noop", "shell", "sleep"]);
  const fake = createFakeStepContext({ params: { command: ["echo", "hi"] } });
  await assert.rejects(Promise.resolve(executors.shell(fake.ctx)), { code: "SHELL_NOT_ALLOWED" });
});
