// Scheduler options: defaults, units, and errors that name the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ValidationError } from "../../src/core/errors.js";
import { resolveSchedulerOptions } from "../../src/scheduler/scheduler-options.js";

test("defaults: a 5 s lease renewed every second, 200 ms ticks, 60 s misfire grace", () => {
  const o = resolveSchedulerOptions({ nodeName: "s1" });
  assert.deepEqual({ ...o }, { nodeName: "s1", leaseMs: 5000, renewMs: 1000, tickMs: 200, misfireGraceMs: 60_000, batchSize: 500, parallelBatches: 4, fireAheadMs: 5000 });
  assert.ok(Object.isFrozen(o));
});

test("durations are parsed once; bad values are refused naming each field", () => {
  assert.equal(resolveSchedulerOptions({ lease: "10s", fireAhead: "2s" }).fireAheadMs, 2000);
  try {
    resolveSchedulerOptions({ lease: "500ms", batchSize: 0, nodeName: "bad name", fireAhead: "2m" });
    assert.fail("expected a ValidationError");
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(err.fields.map((f) => f.path).sort(), ["scheduler.batchSize", "scheduler.fireAhead", "scheduler.lease", "scheduler.nodeName"]);
  }
  assert.throws(() => resolveSchedulerOptions({ lease: "2s", tickInterval: "1500ms" }), /scheduler.tickInterval: must be at most half of scheduler.lease/);
});
