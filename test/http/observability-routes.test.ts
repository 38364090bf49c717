// The event stream and /metrics inside the real HTTP app: bearer tokens, tenants and roles,
// the API's error shape, and their operations in a valid, complete OpenAPI document.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { openApiPath } from "../../src/http/openapi.js";
import { createObservabilityPlugins } from "../../src/http/observability-plugins.js";
import { openTestApp, type TestApp } from "../support/http-app.js";
import { openSse } from "../support/sse-client.js";

const PLUGINS = () =>
  createObservabilityPlugins({
    eventStream: { pollInterval: 50, minPollInterval: 10 },
    metrics: { defaultMetrics: false, taskCountsMaxAgeMs: 0, queueStatsMaxAgeMs: 0 },
  });

const TASK = { type: "evt", steps: [{ name: "s", executor: "noop" }] };

describe("events and metrics in the HTTP app", () => {
  let t: TestApp;
  let baseUrl: string;

  before(async () => {
    t = await openTestApp({ plugins: PLUGINS() });
    baseUrl = await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => t?.close());

  async function dispatch(token: string): Promise<string> {
    const res = await t.app.inject({ method: "POST", url: "/api/v1/tasks", headers: t.bearer(token), payload: TASK });
    assert.equal(res.statusCode, 201, res.body);
    return (res.json() as { id: string }).id;
  }

  test("the OpenAPI document stays valid and documents both routes", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/openapi.json", headers: t.bearer(t.tokens.viewerA) });
    const doc = res.json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(doc.paths["/api/v1/events"].get.operationId, "streamEvents");
    assert.equal(doc.paths["/metrics"].get.operationId, "getMetrics");
    const registered = t.app.registeredRoutes.filter((r) => r.method !== "HEAD" && r.url !== "/").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`);
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual([...registered].sort(), [...documented].sort());
  });

  test("a viewer's stream carries its tenant's dispatches, never another tenant's", async () => {
    const stream = await openSse(`${baseUrl}/api/v1/events`, t.bearer(t.tokens.viewerA));
    assert.equal(stream.status, 200);
    const foreign = await dispatch(t.tokens.operatorB);
    const mine = await dispatch(t.tokens.operatorA);
    const event = await stream.waitFor((e) => (JSON.parse(e.data) as { taskId: string }).taskId === mine);
    assert.equal((JSON.parse(event.data) as { kind: string }).kind, "task:dispatched");
    await new Promise((r) => setTimeout(r, 150));
    await stream.close();
    assert.ok(!stream.events.some((e) => (JSON.parse(e.data) as { taskId: string }).taskId === foreign));
  });

  test("the stream answers 401 without a token, 404 for another tenant's task, 400 naming a bad field", async () => {
    const foreign = await dispatch(t.tokens.operatorB);
    const anonymous = await t.app.inject({ method: "GET", url: "/api/v1/events" });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().error.code, "UNAUTHORIZED");
    const notFound = await t.app.inject({ method: "GET", url: `/api/v1/events?taskId=${foreign}`, headers: t.bearer(t.tokens.viewerA) });
    assert.equal(notFound.statusCode, 404);
    assert.equal(notFound.json().error.code, "TASK_NOT_FOUND");
    const bad = await t.app.inject({ method: "GET", url: "/api/v1/events?definitionId=", headers: t.bearer(t.tokens.viewerA) });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().error.fields.map((f: { path: string }) => f.path), ["definitionId"]);
  });

  test("/metrics needs an admin token, parses, and counts the API's own requests by route", async () => {
    await dispatch(t.tokens.operatorA);
    assert.equal((await t.app.inject({ method: "GET", url: "/metrics" })).statusCode, 401);
    const tenantBound = await t.app.inject({ method: "GET", url: "/metrics", headers: t.bearer(t.tokens.viewerA) });
    assert.equal(tenantBound.statusCode, 403);
    assert.equal(tenantBound.json().error.code, "FORBIDDEN");
    const res = await t.app.inject({ method: "GET", url: "/metrics", headers: t.bearer(t.tokens.admin) });
    assert.equal(res.statusCode, 200);
    const families = parsePrometheusTextFormat(res.body);
    const requests = families.find((f) => f.name === "taskrail_http_requests_total");
    assert.ok(requests?.metrics.some((m) => m.labels?.route === "/api/v1/tasks" && m.labels?.method === "POST" && m.labels?.status === "201"));
    assert.ok(requests?.metrics.some((m) => m.labels?.route === "/metrics" && m.labels?.status === "403"));
    const tasks = families.find((f) => f.name === "taskrail_tasks");
    assert.ok(tasks?.metrics.some((m) => m.labels?.type === "evt" && m.labels?.status === "pending" && Number(m.value) >= 1));
  });

  test("with publicMetrics, /metrics answers without a token", async () => {
    const open = await openTestApp({ plugins: PLUGINS(), publicMetrics: true });
    try {
      const res = await open.app.inject({ method: "GET", url: "/metrics" });
      assert.equal(res.statusCode, 200);
      assert.ok(parsePrometheusTextFormat(res.body).some((f) => f.name === "taskrail_queue_ready_tasks"));
    } finally {
      await open.close();
    }
  });
});
