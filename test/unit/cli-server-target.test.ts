// How `--server`, `--token`, `--db` and their env defaults decide where task commands go.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveServerTarget } from "../../src/cli/cli-context.js";
import { errorFromApi, reviveTask } from "../../src/cli/http-api-client.js";

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as { fields: { path: string }[] }).fields[0].path;
  }
  throw new Error("expected a validation error");
};

describe("server target", () => {
  test("no server means the store; flags win over env; the URL is normalised", () => {
    assert.equal(resolveServerTarget({}, {}), null);
    assert.deepEqual(resolveServerTarget({ server: "http://h:1/", token: "t" }, { TASKRAIL_SERVER_URL: "http://env:2", TASKRAIL_TOKEN: "e" }), { baseUrl: "http://h:1", token: "t" });
    assert.deepEqual(resolveServerTarget({}, { TASKRAIL_SERVER_URL: "https://env:2", TASKRAIL_TOKEN: "e" }), { baseUrl: "https://env:2", token: "e" });
    // An env store URL does not conflict with an explicit server.
    assert.deepEqual(resolveServerTarget({ server: "http://h:1", token: "t" }, { TASKRAIL_DATABASE_URL: "sqlite:x.db" }), { baseUrl: "http://h:1", token: "t" });
  });

  test("contradictions and gaps name the flag", () => {
    assert.equal(fieldOf(() => resolveServerTarget({ server: "http://h:1", token: "t", db: "sqlite:x.db" }, {})), "--server");
    assert.equal(fieldOf(() => resolveServerTarget({ server: "http://h:1" }, {})), "--token");
    assert.equal(fieldOf(() => resolveServerTarget({ token: "t" }, {})), "--token");
    assert.equal(fieldOf(() => resolveServerTarget({ server: "ftp://h", token: "t" }, {})), "--server");
    assert.equal(fieldOf(() => resolveServerTarget({}, { TASKRAIL_SERVER_URL: "not a url", TASKRAIL_TOKEN: "t" })), "TASKRAIL_SERVER_URL");
  });
});

describe("API answers", () => {
  test("error bodies become taskrail errors with their code and fields", () => {
    const validation = errorFromApi(400, { error: { code: "VALIDATION_FAILED", message: "x", fields: [{ path: "steps.0.executor", message: "required" }] } }, "POST /");
    assert.deepEqual([(validation as { code?: string }).code, (validation as { fields?: unknown }).fields], ["VALIDATION_FAILED", [{ path: "steps.0.executor", message: "required" }]]);
    assert.equal((errorFromApi(404, { error: { code: "TASK_NOT_FOUND", message: "task t not found" } }, "GET /") as { code?: string }).code, "TASK_NOT_FOUND");
    assert.equal((errorFromApi(502, "<html>", "GET /") as { code?: string }).code, "STORE_UNAVAILABLE");
    const internal = errorFromApi(500, { error: { code: "INTERNAL", message: "boom" } }, "GET /");
    assert.equal((internal as { code?: string }).code, undefined);
    assert.match(internal.message, /server error \[INTERNAL\]: boom/);
  });

  test("task dates come back as Dates", () => {
    const task = reviveTask({ id: "t", createdAt: "2030-01-01T00:00:00.000Z", endedAt: null, steps: [{ startedAt: "2030-01-01T00:00:01.000Z" }] });
    assert.ok(task.createdAt instanceof Date);
    assert.equal(task.endedAt, null);
    assert.equal(task.steps[0].startedAt?.toISOString(), "2030-01-01T00:00:01.000Z");
  });
});
