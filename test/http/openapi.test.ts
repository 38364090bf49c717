// The OpenAPI document is valid OpenAPI 3 (checked by a real validator) and documents every
// route the server registers, with the same inputs the routes validate.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { openApiPath } from "../../src/http/openapi.js";
import { createObservabilityPlugins } from "../../src/http/observability-plugins.js";
import { openTestApp, type TestApp } from "../support/http-app.js";

describe("OpenAPI document", () => {
  let t: TestApp;
  let doc: any;
  before(async () => {
    // With the plugins serve registers (live events, /metrics): their routes must be documented too.
    t = await openTestApp({ plugins: createObservabilityPlugins() });
    const res = await t.app.inject({ method: "GET", url: "/api/v1/openapi.json", headers: t.bearer(t.tokens.viewerA) });
    assert.equal(res.statusCode, 200);
    doc = res.json();
  });
  after(async () => {
    await t.close();
  });

  test("validates as OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, "3.1");
  });

  test("every route the server registers is documented, and nothing else", () => {
    // The dashboard's static files (GET /) are not API operations.
    const registered = t.app.registeredRoutes.filter((r) => r.method !== "HEAD" && r.url !== "/").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`);
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual([...registered].sort(), [...documented].sort());
  });

  test("inputs come from the library's schemas: the task file body and the list filters", () => {
    const body = doc.components.schemas.DispatchTaskBody;
    assert.deepEqual(body.required.sort(), ["steps", "type"]);
    assert.equal(body.additionalProperties, false);
    const list = doc.paths["/api/v1/tasks"].get.parameters.map((p: { name: string }) => p.name);
    for (const name of ["status", "type", "index", "queue", "creator", "definitionId", "createdFrom", "createdTo", "limit", "cursor"]) assert.ok(list.includes(name), name);
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
  });
});
