import assert from "node:assert/strict";
import { test } from "node:test";
import type { JsonObject } from "../../src/core/json.js";
import type { StepStatus } from "../../src/core/status.js";
import { paramsTimeline } from "../../src/core/params-timeline.js";

const step = (status: StepStatus, paramsSet: JsonObject | null = null) => ({ status, paramsSet });

test("each step sees the initial params plus the earlier successes' patches, in order", () => {
  const views = paramsTimeline({
    initialParams: { region: "eu", n: 0 },
    steps: [step("succeeded", { n: 1, a: "x" }), step("succeeded"), step("succeeded", { n: 2 })],
  });
  assert.deepEqual(views, [
    { paramsBefore: { region: "eu", n: 0 }, paramsAfter: { region: "eu", n: 1, a: "x" } },
    { paramsBefore: { region: "eu", n: 1, a: "x" }, paramsAfter: { region: "eu", n: 1, a: "x" } },
    { paramsBefore: { region: "eu", n: 1, a: "x" }, paramsAfter: { region: "eu", n: 2, a: "x" } },
  ]);
});

test("a step that has not succeeded has no after, and a skipped one passes the params on unchanged", () => {
  const views = paramsTimeline({
    initialParams: { k: 1 },
    steps: [step("succeeded", { a: 1 }), step("skipped"), step("failed"), step("pending")],
  });
  assert.deepEqual(
    views.map((v) => [v.paramsBefore, v.paramsAfter]),
    [
      [{ k: 1 }, { k: 1, a: 1 }],
      [{ k: 1, a: 1 }, null],
      [{ k: 1, a: 1 }, null],
      [{ k: 1, a: 1 }, null],
    ],
  );
});

test("after a retry from a step, that step and the later ones start again from the earlier successes", () => {
  // Store state after retryTask(from "b"): a kept its patch, b and c were reset to pending.
  const views = paramsTimeline({
    initialParams: { start: 0 },
    steps: [step("succeeded", { fromA: 1 }), step("pending"), step("pending")],
  });
  assert.deepEqual(views[1], { paramsBefore: { start: 0, fromA: 1 }, paramsAfter: null });
  assert.deepEqual(views[2], { paramsBefore: { start: 0, fromA: 1 }, paramsAfter: null });
});

test("the input is never changed and no two views share an object with it", () => {
  const initialParams = { a: 1 };
  const patch = { b: 2 };
  const views = paramsTimeline({ initialParams, steps: [step("succeeded", patch)] });
  (views[0].paramsAfter as JsonObject).c = 3;
  (views[0].paramsBefore as JsonObject).d = 4;
  assert.deepEqual(initialParams, { a: 1 });
  assert.deepEqual(patch, { b: 2 });
});
