// The client's definition operations: apply semantics, updates, tenants and errors.
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { DefinitionExistsError, DefinitionNotFoundError, ValidationError } from "../../src/core/errors.js";
import { TaskrailClient } from "../../src/client/taskrail-client.js";
import { createTaskrail, type Taskrail } from "../../src/runtime/taskrail.js";
import { FakeClock } from "../support/fake-clock.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

const task = { type: "job", steps: [{ name: "run", executor: "noop" }] };
let clock: FakeClock;
let tr: Taskrail;
let cleanup: () => void;

beforeEach(async () => {
  clock = new FakeClock("2030-01-01T00:00:00Z");
  const db = tempSqliteUrl();
  cleanup = db.cleanup;
  tr = await createTaskrail({ db: db.url, clock });
});
afterEach(async () => {
  await tr.close();
  cleanup();
});

test("apply creates, then leaves an identical spec alone, then updates a changed one", async () => {
  const spec = { name: "r", schedule: { fixedRate: "1m" }, task };
  const created = await tr.client.applyDefinition(spec);
  assert.equal(created.action, "created");
  clock.advance(5000);
  const same = await tr.client.applyDefinition({ task, schedule: { fixedRate: "1m" }, name: "r" });
  assert.equal(same.action, "unchanged");
  assert.equal(same.definition.version, created.definition.version);
  // Only the task changed: the planned fire time stays.
  const newTask = await tr.client.applyDefinition({ ...spec, task: { ...task, priority: 5 } });
  assert.equal(newTask.action, "updated");
  assert.deepEqual(newTask.definition.nextFireAt, created.definition.nextFireAt);
  // The schedule changed: planned afresh (a fixedRate keeps the creation time as its phase).
  const rescheduled = await tr.client.applyDefinition({ ...spec, schedule: { fixedRate: "7s" } });
  assert.equal(rescheduled.definition.nextFireAt?.toISOString(), "2030-01-01T00:00:07.000Z");
});

test("create refuses a taken name; update refuses a rename; unknown names are DEFINITION_NOT_FOUND", async () => {
  await tr.client.createDefinition({ name: "x", task });
  await assert.rejects(tr.client.createDefinition({ name: "x", task }), DefinitionExistsError);
  await assert.rejects(tr.client.updateDefinition("x", { name: "y", task }), (err: unknown) => err instanceof ValidationError && err.fields[0].path === "name");
  await assert.rejects(tr.client.updateDefinition("nope", { name: "nope", task }), DefinitionNotFoundError);
  await assert.rejects(tr.client.getDefinition("nope"), { code: "DEFINITION_NOT_FOUND" });
  await assert.rejects(tr.client.deleteDefinition("nope"), { code: "DEFINITION_NOT_FOUND" });
  await assert.rejects(tr.client.triggerDefinition("nope"), { code: "DEFINITION_NOT_FOUND" });
  await assert.rejects(tr.client.definitionHistory("nope"), { code: "DEFINITION_NOT_FOUND" });
  await assert.rejects(tr.client.enableDefinition("nope"), { code: "DEFINITION_NOT_FOUND" });
});

test("a tenant client sees only its definitions; an admin addresses tenant/name", async () => {
  const acme = new TaskrailClient(tr.store, tr.events, { tenant: "acme" }, clock);
  const admin = new TaskrailClient(tr.store, tr.events, { tenant: null }, clock);
  await acme.createDefinition({ name: "nightly", task });
  await tr.client.createDefinition({ name: "nightly", task });
  await assert.rejects(acme.createDefinition({ name: "other", tenant: "globex", task }), (err: unknown) => err instanceof ValidationError && err.fields[0].path === "tenant");
  assert.deepEqual((await acme.listDefinitions()).items.map((d) => `${d.tenant}/${d.name}`), ["acme/nightly"]);
  assert.deepEqual((await admin.listDefinitions()).items.map((d) => `${d.tenant}/${d.name}`), ["acme/nightly", "default/nightly"]);
  const triggered = await admin.triggerDefinition("acme/nightly");
  assert.equal(triggered.tenant, "acme");
  assert.equal((await acme.definitionHistory("nightly")).total, 1);
  assert.equal((await tr.client.definitionHistory("nightly")).total, 0);
  await admin.createDefinition({ name: "made-by-admin", tenant: "globex", task });
  assert.equal((await admin.getDefinition("globex/made-by-admin")).tenant, "globex");
});

test("a definition's task template is checked like a dispatch, with the errors under task.", async () => {
  const strict = await createTaskrail({ db: tr.store, executors: { known: () => null } });
  await assert.rejects(
    strict.client.createDefinition({ name: "bad", task: { type: "t", steps: [{ name: "s", executor: "unknown" }] } }),
    (err: unknown) => err instanceof ValidationError && err.fields[0].path === "task.steps.0.executor",
  );
});
