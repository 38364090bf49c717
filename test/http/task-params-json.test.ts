// The task JSON of the API carries initialParams and, per step, paramsSet / paramsBefore /
// paramsAfter (issue 6: the dashboard shows the params before and after each step).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { makeTask } from "../support/task-factory.js";
import { openTestApp, type TestApp } from "../support/http-app.js";

let t: TestApp;
before(async () => {
  t = await openTestApp();
});
after(async () => {
  await t.close();
});

test("GET a task, the task list and a retry answer each step's params before and after", async () => {
  const now = new Date();
  const input = makeTask({ tenant: "a", steps: 3, queue: "q-params", params: { region: "eu" }, now });
  await t.store.createTask(input, "fail");
  const [claimed] = await t.store.claimTasks({ nodeId: "n", queues: ["q-params"], executors: ["noop"], limit: 1, leaseMs: 30_000, now });
  await t.store.completeStep(claimed.lease, { stepIndex: 0, output: 1, paramsPatch: { region: "us", built: true }, continueNext: true, now });
  await t.store.failStep(claimed.lease, { stepIndex: 1, stepStatus: "failed", message: "no", then: { kind: "end", taskStatus: "failed" }, now });

  const got = await t.app.inject({ method: "GET", url: `/api/v1/tasks/${input.id}`, headers: t.bearer(t.tokens.viewerA) });
  assert.equal(got.statusCode, 200);
  const body = got.json();
  assert.deepEqual(body.initialParams, { region: "eu" });
  assert.deepEqual(body.params, { region: "us", built: true });
  assert.deepEqual(
    body.steps.map((s: any) => [s.paramsSet, s.paramsBefore, s.paramsAfter]),
    [
      [{ region: "us", built: true }, { region: "eu" }, { region: "us", built: true }],
      [null, { region: "us", built: true }, null],
      [null, { region: "us", built: true }, null],
    ],
  );

  const list = (await t.app.inject({ method: "GET", url: `/api/v1/tasks?status=failed`, headers: t.bearer(t.tokens.viewerA) })).json();
  const listed = list.items.find((x: any) => x.id === input.id);
  assert.deepEqual(listed.steps[0].paramsAfter, { region: "us", built: true });

  const retried = await t.app.inject({ method: "POST", url: `/api/v1/tasks/${input.id}/retry`, headers: t.bearer(t.tokens.operatorA), payload: { from: "s0" } });
  assert.equal(retried.statusCode, 200);
  const r = retried.json();
  assert.deepEqual(r.initialParams, { region: "eu" }, "a retry never changes the initial params");
  assert.deepEqual(r.steps.map((s: any) => [s.paramsSet, s.paramsAfter]), [[null, null], [null, null], [null, null]]);
  assert.deepEqual(r.steps[0].paramsBefore, { region: "eu" });
});

test("a task's JSON carries every field the OpenAPI Task schema marks required, on a fresh and on a list answer", async () => {
  const { RESPONSE_SCHEMAS } = await import("../../src/http/openapi-components.js");
  const required = (RESPONSE_SCHEMAS.Task as { required: string[] }).required;
  const stepRequired = (RESPONSE_SCHEMAS.Step as { required: string[] }).required;
  const input = makeTask({ tenant: "a", steps: 2, queue: "q-required", now: new Date() });
  await t.store.createTask(input, "fail");
  const one = (await t.app.inject({ method: "GET", url: `/api/v1/tasks/${input.id}`, headers: t.bearer(t.tokens.viewerA) })).json();
  const listed = (await t.app.inject({ method: "GET", url: `/api/v1/tasks?queue=q-required`, headers: t.bearer(t.tokens.viewerA) })).json().items[0];
  for (const body of [one, listed]) {
    assert.deepEqual(required.filter((field) => !(field in body)), []);
    for (const step of body.steps) assert.deepEqual(stepRequired.filter((field) => !(field in step)), []);
  }
});
