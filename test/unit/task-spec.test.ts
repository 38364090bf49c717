import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDurationMs } from "../../src/core/duration.js";
import { ValidationError } from "../../src/core/errors.js";
import { resolveTaskSpec } from "../../src/core/validation/task-spec.js";

const now = new Date("2026-11-23T10:00:00Z");

function fieldsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${String(err)}`);
    assert.equal(err.code, "VALIDATION_FAILED");
    return err.fields;
  }
  assert.fail("expected a ValidationError");
}

test("durations parse from ms numbers and unit strings", () => {
  assert.deepEqual(["500ms", "30s", "5m", "2h", "1d", 1500, "250"].map((v) => (parseDurationMs(v) as { ms: number }).ms), [
    500, 30_000, 300_000, 7_200_000, 86_400_000, 1500, 250,
  ]);
  assert.equal(parseDurationMs("5 minutes").ok, false);
  assert.equal(parseDurationMs(-1).ok, false);
});

test("a valid task file resolves with defaults and units in ms", () => {
  const t = resolveTaskSpec(
    {
      type: "deploy",
      index: "r-1",
      timeout: "5m",
      params: { env: "prod" },
      steps: [
        { name: "build", executor: "shell", tries: 3, backoff: { kind: "exponential", delay: "1s", max: "30s", jitter: 0.2 }, timeout: "30s" },
        { name: "ship", executor: "http", skipOnFailed: true, queue: "node:b" },
      ],
    },
    { now },
  );
  assert.equal(t.tenant, "default");
  assert.equal(t.queue, "default");
  assert.equal(t.indexType, "");
  assert.equal(t.timeoutMs, 300_000);
  assert.deepEqual(t.runAt, now);
  assert.deepEqual(t.steps[0].backoff, { kind: "exponential", delayMs: 1000, maxMs: 30_000, jitter: 0.2 });
  assert.equal(t.steps[0].maxTries, 3);
  assert.equal(t.steps[0].timeoutMs, 30_000);
  assert.equal(t.steps[1].maxTries, 1);
  assert.equal(t.steps[1].skipOnFailed, true);
  assert.equal(t.steps[1].queue, "node:b");
});

test("every bad field is named in one error", () => {
  const fields = fieldsOf(() =>
    resolveTaskSpec(
      {
        type: "",
        priority: 1.5,
        timeout: "soon",
        bogus: 1,
        steps: [{ name: "a", executor: "noop", tries: 0, backoff: { kind: "linear", delay: 1 } }],
      },
      { now },
    ),
  );
  const paths = fields.map((f) => f.path).sort();
  assert.deepEqual(paths, ["", "priority", "steps.0.backoff.kind", "steps.0.tries", "timeout", "type"].sort());
  assert.match(fields.find((f) => f.path === "timeout")!.message, /duration/);
  assert.match(fields.find((f) => f.path === "")!.message, /unknown field\(s\) "bogus"/);
});

test("a task needs steps, unique step names and known executors when they are known", () => {
  assert.equal(fieldsOf(() => resolveTaskSpec({ type: "x", steps: [] }, { now }))[0].path, "steps");
  const dup = fieldsOf(() => resolveTaskSpec({ type: "x", steps: [{ name: "a", executor: "noop" }, { name: "a", executor: "noop" }] }, { now }));
  assert.deepEqual(dup, [{ path: "steps.1.name", message: 'duplicate step name "a"' }]);
  const unknown = fieldsOf(() => resolveTaskSpec({ type: "x", steps: [{ name: "a", executor: "nope" }] }, { now, knownExecutors: new Set(["noop"]) }));
  assert.deepEqual(unknown, [{ path: "steps.0.executor", message: 'unknown executor "nope"' }]);
});

test("bad templates are refused at dispatch with the field that holds them", () => {
  const fields = fieldsOf(() =>
    resolveTaskSpec(
      {
        type: "x",
        steps: [
          { name: "a", executor: "noop", params: { u: "{{ steps.b.output }}" } },
          { name: "b", executor: "noop", params: { v: "{{ oops" } },
        ],
      },
      { now },
    ),
  );
  assert.deepEqual(fields.map((f) => f.path), ["steps.0.params.u", "steps.1.params.v"]);
});
