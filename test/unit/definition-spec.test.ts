// The definition file schema: schedules, policies, and errors that name the bad field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ValidationError } from "../../src/core/errors.js";
import { resolveDefinitionSpec } from "../../src/core/validation/definition-spec.js";

const now = new Date("2030-01-01T00:00:00Z");
const task = { type: "report", steps: [{ name: "run", executor: "noop" }] };

function fieldsOf(input: unknown): { path: string; message: string }[] {
  try {
    resolveDefinitionSpec(input, { now });
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${String(err)}`);
    return err.fields;
  }
  assert.fail("expected the definition to be rejected");
}

test("a cron definition resolves with default policies", () => {
  const d = resolveDefinitionSpec({ name: "nightly", schedule: { cron: "0 3 * * *", timezone: "Europe/Berlin" }, task }, { now });
  assert.equal(d.enabled, true);
  assert.deepEqual(d.schedule, {
    kind: "cron",
    cron: "0 3 * * *",
    timezone: "Europe/Berlin",
    startAt: null,
    misfire: { policy: "fireOnce", max: 100 },
    overlap: "allow",
  });
});

test("durations and instants are parsed once; fireAll takes a cap", () => {
  const rate = resolveDefinitionSpec({ name: "r", schedule: { fixedRate: "5m", startAt: "2030-01-01T00:00:00Z", misfire: { policy: "fireAll", max: 7 } }, task }, { now });
  assert.equal(rate.schedule?.kind, "fixedRate");
  assert.equal(rate.schedule?.kind === "fixedRate" && rate.schedule.everyMs, 300_000);
  assert.deepEqual(rate.schedule?.misfire, { policy: "fireAll", max: 7 });
  const once = resolveDefinitionSpec({ name: "o", schedule: { once: "2030-02-01T10:00:00Z" }, task }, { now });
  assert.equal(once.schedule?.kind === "once" && once.schedule.at.toISOString(), "2030-02-01T10:00:00.000Z");
});

test("a definition without a schedule is trigger-only", () => {
  assert.equal(resolveDefinitionSpec({ name: "manual", task }, { now }).schedule, null);
});

test("an invalid cron expression is named schedule.cron", () => {
  const fields = fieldsOf({ name: "x", schedule: { cron: "61 * * * *" }, task });
  assert.equal(fields.length, 1);
  assert.equal(fields[0].path, "schedule.cron");
  assert.match(fields[0].message, /invalid cron expression "61 \* \* \* \*".*minute/);
});

test("a cron expression with the wrong number of fields says how many it needs", () => {
  const [f] = fieldsOf({ name: "x", schedule: { cron: "* * * *" }, task });
  assert.equal(f.path, "schedule.cron");
  assert.match(f.message, /5 fields .* or 6 .*got 4/);
});

test("a cron expression that never fires is rejected", () => {
  const [f] = fieldsOf({ name: "x", schedule: { cron: "0 0 30 2 *" }, task });
  assert.equal(f.path, "schedule.cron");
  assert.match(f.message, /never fires/);
});

test("an unknown timezone is named schedule.timezone", () => {
  const [f] = fieldsOf({ name: "x", schedule: { cron: "0 3 * * *", timezone: "Mars/Olympus" }, task });
  assert.equal(f.path, "schedule.timezone");
  assert.match(f.message, /unknown timezone "Mars\/Olympus"/);
});

test("exactly one schedule kind is required", () => {
  assert.match(fieldsOf({ name: "x", schedule: { cron: "* * * * *", fixedRate: "1m" }, task })[0].message, /exactly one .*got cron, fixedRate/);
  assert.match(fieldsOf({ name: "x", schedule: { overlap: "forbid" }, task })[0].message, /needs one of/);
});

test("policies, intervals and names are checked field by field", () => {
  const fields = fieldsOf({
    name: "bad name!",
    schedule: { fixedRate: "10ms", misfire: "sometimes", overlap: "never" },
    task: { type: "t", runAt: "2030-01-01T00:00:00Z", steps: [{ name: "a", executor: "noop" }, { name: "a", executor: "noop" }] },
  });
  const paths = fields.map((f) => f.path).sort();
  assert.deepEqual(paths, ["name", "schedule.fixedRate", "schedule.misfire", "schedule.overlap"]);
  const later = fieldsOf({ name: "ok", schedule: { fixedRate: "1m" }, task: { type: "t", runAt: "2030-01-01T00:00:00Z", steps: [{ name: "a", executor: "noop" }, { name: "a", executor: "noop" }] } });
  assert.deepEqual(later.map((f) => f.path).sort(), ["task.runAt", "task.steps.1.name"]);
});

test("fields that do not fit the schedule kind are refused", () => {
  assert.equal(fieldsOf({ name: "x", schedule: { fixedRate: "1m", timezone: "UTC" }, task })[0].path, "schedule.timezone");
  assert.equal(fieldsOf({ name: "x", schedule: { once: "2030-01-02T00:00:00Z", startAt: "2030-01-01T00:00:00Z" }, task })[0].path, "schedule.startAt");
  assert.equal(fieldsOf({ name: "x", schedule: { fixedDelay: "1m", overlap: "forbid" }, task })[0].path, "schedule.overlap");
  assert.equal(fieldsOf({ name: "x", schedule: { cron: "* * * * *", misfire: { policy: "skip", max: 3 } }, task })[0].path, "schedule.misfire.max");
});

test("unknown executors are refused when the caller knows its executors", () => {
  try {
    resolveDefinitionSpec({ name: "x", task: { type: "t", steps: [{ name: "a", executor: "nope" }] } }, { now, knownExecutors: new Set(["noop"]) });
    assert.fail("expected a ValidationError");
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.fields[0].path, "task.steps.0.executor");
  }
});
