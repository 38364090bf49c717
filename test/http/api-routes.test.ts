// Every API route, table-driven: a happy path, a bad input (400 naming the field), another
// tenant's row (404, unchanged), no token (401) and a viewer trying to change something (403).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Role } from "../../src/core/api-token.js";
import { issueApiToken } from "../../src/client/api-tokens.js";
import { TaskrailClient } from "../../src/client/taskrail-client.js";
import { openTestApp, type TestApp, type TestTokens } from "../support/http-app.js";
import { seedFailedTask, seedPendingTask } from "../support/http-fixtures.js";

/** What a case's request is made of, once its fixtures exist. */
interface Call {
  url: string;
  body?: unknown;
}

/** Ids a case can use: a pending and a failed task of tenant a, a token id, a definition of tenant a. */
interface Fixture {
  pendingId: string;
  failedId: string;
  tokenId: string;
  defName: string;
}

interface RouteCase {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The Fastify path the case covers. */
  route: string;
  access: "public" | Role;
  happy: (f: Fixture) => Call & { status: number; check?: (body: any, f: Fixture) => void };
  /** A bad input and the field the 400 must name (null: the route takes no input at all). */
  bad: ((f: Fixture) => Call & { field: string }) | null;
  /** Routes on one task or definition: tenant b's token must get 404 and change nothing. */
  tenantScoped?: boolean | "definition";
  /** Runs before the happy path (e.g. start the scheduler that the case stops). */
  setup?: (t: TestApp) => Promise<void>;
}

const LONG_ID = "x".repeat(201);
const task = { type: "t", steps: [{ name: "s0", executor: "noop" }] };

function taskCases(base: string, alias: boolean): RouteCase[] {
  const cases: RouteCase[] = [
    {
      method: "GET", route: base, access: "viewer",
      happy: (f) => ({ url: `${base}?status=pending,failed&limit=10`, status: 200, check: (b) => {
        assert.deepEqual(new Set(b.items.map((t: any) => t.id)), new Set([f.pendingId, f.failedId]));
        assert.equal(b.total, 2);
      } }),
      bad: () => ({ url: `${base}?limit=0`, field: "limit" }),
    },
    {
      method: "GET", route: `${base}/:id`, access: "viewer", tenantScoped: true,
      happy: (f) => ({ url: `${base}/${f.failedId}`, status: 200, check: (b) => assert.deepEqual(b.steps.map((s: any) => s.status), ["failed", "pending"]) }),
      bad: () => ({ url: `${base}/${LONG_ID}`, field: "id" }),
    },
    {
      method: "POST", route: `${base}/:id/cancel`, access: "operator", tenantScoped: true,
      happy: (f) => ({ url: `${base}/${f.pendingId}/cancel`, status: 200, check: (b) => assert.equal(b.status, "cancelled") }),
      bad: () => ({ url: `${base}/${LONG_ID}/cancel`, field: "id" }),
    },
    {
      method: "POST", route: `${base}/:id/retry`, access: "operator", tenantScoped: true,
      happy: (f) => ({ url: `${base}/${f.failedId}/retry`, body: { from: "s0" }, status: 200, check: (b) => assert.equal(b.status, "pending") }),
      bad: (f) => ({ url: `${base}/${f.failedId}/retry`, body: { from: "" }, field: "from" }),
    },
    {
      method: "GET", route: `${base}/:id/logs`, access: "viewer", tenantScoped: true,
      happy: (f) => ({ url: `${base}/${f.failedId}/logs?limit=10`, status: 200, check: (b) => assert.deepEqual(b.items.map((l: any) => l.message), ["it broke"]) }),
      bad: (f) => ({ url: `${base}/${f.failedId}/logs?limit=0`, field: "limit" }),
    },
  ];
  if (alias) return cases;
  return [
    ...cases,
    {
      method: "POST", route: base, access: "operator",
      happy: () => ({ url: base, body: task, status: 201, check: (b) => assert.deepEqual([b.tenant, b.status, b.steps.length], ["a", "pending", 1]) }),
      bad: () => ({ url: base, body: { type: "t", steps: [{ name: "s0" }] }, field: "steps.0.executor" }),
    },
    {
      method: "POST", route: `${base}/:id/skip`, access: "operator", tenantScoped: true,
      happy: (f) => ({ url: `${base}/${f.failedId}/skip`, body: { step: "s0" }, status: 200, check: (b) => assert.equal(b.steps[0].status, "skipped") }),
      bad: (f) => ({ url: `${base}/${f.failedId}/skip`, body: {}, field: "step" }),
    },
    {
      method: "GET", route: `${base}/:id/progress`, access: "viewer", tenantScoped: true,
      happy: (f) => ({ url: `${base}/${f.failedId}/progress`, status: 200, check: (b) => assert.deepEqual([b.status, b.ended, b.steps.length], ["failed", true, 2]) }),
      bad: () => ({ url: `${base}/${LONG_ID}/progress`, field: "id" }),
    },
  ];
}

const definition = (name: string, extra: object = {}) => ({ name, schedule: { cron: "0 3 * * *", timezone: "UTC" }, task, ...extra });

function definitionCases(base: string): RouteCase[] {
  const named = `${base}/:name`;
  const long = "d".repeat(402);
  const byName = (suffix: string, method: RouteCase["method"], access: Role, happy: RouteCase["happy"], bad?: RouteCase["bad"]): RouteCase => ({
    method, route: `${named}${suffix}`, access, tenantScoped: "definition", happy,
    bad: bad ?? (() => ({ url: `${base}/${long}${suffix}`, field: "name" })),
  });
  return [
    {
      method: "GET", route: base, access: "viewer",
      happy: (f) => ({ url: `${base}?limit=10`, status: 200, check: (b) => assert.deepEqual(b.items.map((d: any) => d.name), [f.defName]) }),
      bad: () => ({ url: `${base}?limit=0`, field: "limit" }),
    },
    {
      method: "POST", route: base, access: "operator",
      happy: () => ({ url: base, body: definition("fresh"), status: 201, check: (b) => assert.deepEqual([b.tenant, b.name, b.scheduleKind], ["a", "fresh", "cron"]) }),
      bad: () => ({ url: base, body: { name: "fresh" }, field: "task" }),
    },
    {
      method: "PUT", route: base, access: "operator",
      happy: (f) => ({ url: base, body: definition(f.defName, { description: "changed" }), status: 200, check: (b) => assert.equal(b.action, "updated") }),
      bad: () => ({ url: base, body: definition("x", { schedule: { cron: "0 3 * * *", fixedRate: "1m" } }), field: "schedule" }),
    },
    byName("", "GET", "viewer", (f) => ({ url: `${base}/${f.defName}`, status: 200, check: (b) => assert.equal(b.nextFireTimes.length, 5) })),
    byName("", "PUT", "operator",
      (f) => ({ url: `${base}/${f.defName}`, body: definition(f.defName, { description: "new" }), status: 200, check: (b) => assert.equal(b.description, "new") }),
      (f) => ({ url: `${base}/${f.defName}`, body: { name: f.defName }, field: "task" })),
    byName("", "DELETE", "operator", (f) => ({ url: `${base}/${f.defName}`, status: 200, check: (b) => assert.equal(b.deleted, true) })),
    byName("/enable", "POST", "operator", (f) => ({ url: `${base}/${f.defName}/enable`, status: 200, check: (b) => assert.equal(b.enabled, true) })),
    byName("/disable", "POST", "operator", (f) => ({ url: `${base}/${f.defName}/disable`, status: 200, check: (b) => assert.equal(b.enabled, false) })),
    byName("/trigger", "POST", "operator", (f) => ({ url: `${base}/${f.defName}/trigger`, status: 201, check: (b) => assert.deepEqual([b.tenant, b.status, b.definitionId !== null], ["a", "pending", true]) })),
    byName("/history", "GET", "viewer",
      (f) => ({ url: `${base}/${f.defName}/history`, status: 200, check: (b) => assert.deepEqual(b.items, []) }),
      (f) => ({ url: `${base}/${f.defName}/history?limit=0`, field: "limit" })),
  ];
}

const SCHEDULER_CASES: RouteCase[] = [
  {
    method: "GET", route: "/api/v1/scheduler", access: "viewer",
    happy: () => ({ url: "/api/v1/scheduler", status: 200, check: (b) => assert.deepEqual([b.leader, b.process], [null, null]) }),
    bad: () => ({ url: "/api/v1/scheduler?x=1", field: "x" }),
  },
  {
    method: "POST", route: "/api/v1/scheduler/start", access: "admin",
    happy: () => ({ url: "/api/v1/scheduler/start", status: 200, check: (b) => assert.equal(b.process.state, "running") }),
    bad: () => ({ url: "/api/v1/scheduler/start?x=1", field: "x" }),
  },
  {
    method: "POST", route: "/api/v1/scheduler/stop", access: "admin",
    setup: async (t) => void t.taskrail.startScheduler(),
    happy: () => ({ url: "/api/v1/scheduler/stop", status: 200, check: (b) => assert.equal(b.process.state, "stopped") }),
    bad: () => ({ url: "/api/v1/scheduler/stop?x=1", field: "x" }),
  },
  {
    method: "POST", route: "/api/v1/scheduler/restart", access: "admin",
    happy: () => ({ url: "/api/v1/scheduler/restart", status: 200, check: (b) => assert.equal(b.process.state, "running") }),
    bad: () => ({ url: "/api/v1/scheduler/restart?x=1", field: "x" }),
  },
  {
    method: "GET", route: "/api/v1/scheduler/running", access: "viewer",
    happy: () => ({ url: "/api/v1/scheduler/running", status: 200, check: (b) => assert.deepEqual(b.items, []) }),
    bad: () => ({ url: "/api/v1/scheduler/running?x=1", field: "x" }),
  },
];

const CASES: RouteCase[] = [
  ...definitionCases("/api/v1/definitions"),
  ...definitionCases("/api/v1/tasks/definitions"),
  ...SCHEDULER_CASES,
  ...taskCases("/api/v1/tasks", false),
  ...taskCases("/api/v1/tasks/instances", true),
  {
    method: "GET", route: "/healthz", access: "public",
    happy: () => ({ url: "/healthz", status: 200, check: (b) => assert.equal(b.status, "ok") }),
    bad: () => ({ url: "/healthz?verbose=1", field: "verbose" }),
  },
  {
    method: "GET", route: "/readyz", access: "public",
    happy: () => ({ url: "/readyz", status: 200, check: (b) => assert.deepEqual(b, { status: "ready", store: "sqlite" }) }),
    bad: () => ({ url: "/readyz?verbose=1", field: "verbose" }),
  },
  {
    method: "GET", route: "/api/v1/whoami", access: "viewer",
    happy: () => ({ url: "/api/v1/whoami", status: 200, check: (b) => assert.deepEqual([b.tenant, b.role], ["a", "operator"]) }),
    bad: () => ({ url: "/api/v1/whoami?x=1", field: "x" }),
  },
  {
    method: "GET", route: "/api/v1/nodes", access: "viewer",
    happy: () => ({ url: "/api/v1/nodes", status: 200, check: (b) => assert.deepEqual(b.items, []) }),
    bad: () => ({ url: "/api/v1/nodes?x=1", field: "x" }),
  },
  {
    method: "GET", route: "/api/v1/limits", access: "viewer",
    happy: () => ({ url: "/api/v1/limits", status: 200, check: (b) => assert.deepEqual(b.items, []) }),
    bad: () => ({ url: "/api/v1/limits?x=1", field: "x" }),
  },
  {
    method: "PUT", route: "/api/v1/limits", access: "admin",
    happy: () => ({ url: "/api/v1/limits", body: { scope: "queue", name: "emails", maxRunning: 2 }, status: 200, check: (b) => assert.equal(b.maxRunning, 2) }),
    bad: () => ({ url: "/api/v1/limits", body: { scope: "planet", name: "x" }, field: "scope" }),
  },
  {
    method: "GET", route: "/api/v1/stats", access: "viewer",
    happy: () => ({ url: "/api/v1/stats?window=24h&buckets=24", status: 200, check: (b) => {
      assert.equal(b.buckets.length, 24);
      assert.equal(b.counts.failed, 1);
      assert.equal(b.ended.failed, 1);
      assert.equal(b.successRate, 0);
    } }),
    bad: () => ({ url: "/api/v1/stats?window=soon", field: "window" }),
  },
  {
    method: "GET", route: "/api/v1/tokens", access: "admin",
    happy: () => ({ url: "/api/v1/tokens", status: 200, check: (b) => assert.ok(b.items.length >= 5 && b.items.every((t: any) => !("token" in t) && !("secretHash" in t))) }),
    bad: () => ({ url: "/api/v1/tokens?x=1", field: "x" }),
  },
  {
    method: "POST", route: "/api/v1/tokens", access: "admin",
    happy: () => ({ url: "/api/v1/tokens", body: { tenant: "c", role: "viewer" }, status: 201, check: (b) => assert.match(b.token, /^trk_/) }),
    bad: () => ({ url: "/api/v1/tokens", body: { tenant: "c", role: "king" }, field: "role" }),
  },
  {
    method: "DELETE", route: "/api/v1/tokens/:id", access: "admin",
    happy: (f) => ({ url: `/api/v1/tokens/${f.tokenId}`, status: 200, check: (b) => assert.notEqual(b.revokedAt, null) }),
    bad: () => ({ url: `/api/v1/tokens/${LONG_ID}`, field: "id" }),
  },
  {
    method: "GET", route: "/api/v1/audit", access: "admin",
    happy: () => ({ url: "/api/v1/audit?limit=5", status: 200, check: (b) => assert.ok(Array.isArray(b.items)) }),
    bad: () => ({ url: "/api/v1/audit?limit=0", field: "limit" }),
  },
  {
    method: "GET", route: "/api/v1/openapi.json", access: "viewer",
    happy: () => ({ url: "/api/v1/openapi.json", status: 200, check: (b) => assert.equal(b.openapi, "3.1.0") }),
    bad: () => ({ url: "/api/v1/openapi.json?x=1", field: "x" }),
  },
  {
    method: "GET", route: "/api/v1/reference", access: "public",
    happy: () => ({ url: "/api/v1/reference", status: 200 }),
    bad: null,
  },
];

/** The token a case's happy path uses: the least role that may call the route. */
function happyToken(c: RouteCase, tokens: TestTokens): string | undefined {
  if (c.access === "public") return undefined;
  if (c.access === "admin") return tokens.admin;
  // Operators of tenant a: the fixtures are tenant a's (whoami checks it too).
  return tokens.operatorA;
}

describe("every API route", () => {
  let t: TestApp;
  let definitions = 0;
  before(async () => {
    t = await openTestApp();
  });
  after(async () => {
    await t.close();
  });

  async function fixture(): Promise<Fixture> {
    const pending = await seedPendingTask(t.store, "a");
    const failed = await seedFailedTask(t.store, "a");
    const token = await issueApiToken(t.store, { tenant: "a", role: "viewer" });
    const def = await new TaskrailClient(t.store, t.events, { tenant: "a" }).createDefinition(definition(`nightly-${++definitions}`));
    return { pendingId: pending.id, failedId: failed.id, tokenId: token.id, defName: def.name };
  }

  async function call(method: string, c: Call, token: string | undefined): Promise<{ status: number; body: any }> {
    const res = await t.app.inject({
      method: method as never,
      url: c.url,
      headers: token ? t.bearer(token) : {},
      ...(c.body !== undefined ? { payload: c.body as object } : {}),
    });
    const type = String(res.headers["content-type"] ?? "");
    return { status: res.statusCode, body: type.includes("json") ? res.json() : res.body };
  }

  test("the table covers every route the server registers", () => {
    const registered = t.app.registeredRoutes.filter((r) => r.method !== "HEAD").map((r) => `${r.method} ${r.url}`);
    const covered = new Set(CASES.map((c) => `${c.method} ${c.route}`));
    assert.deepEqual(registered.filter((r) => !covered.has(r) && r !== "GET /"), []);
  });

  for (const c of CASES) {
    describe(`${c.method} ${c.route}`, () => {
      test("happy path", async () => {
        // A fresh database per case: earlier cases' writes (cancel, retry) cannot leak in.
        await t.close();
        t = await openTestApp();
        const f = await fixture();
        await c.setup?.(t);
        const h = c.happy(f);
        const res = await call(c.method, h, happyToken(c, t.tokens));
        assert.equal(res.status, h.status, JSON.stringify(res.body));
        h.check?.(res.body, f);
      });

      if (c.bad !== null) {
        test("bad input is a 400 naming the field", async () => {
          const f = await fixture();
          const b = c.bad!(f);
          const res = await call(c.method, b, happyToken(c, t.tokens));
          assert.equal(res.status, 400, JSON.stringify(res.body));
          assert.equal(res.body.error.code, "VALIDATION_FAILED");
          assert.ok(res.body.error.fields.some((x: { path: string }) => x.path === b.field), `fields should name ${b.field}: ${JSON.stringify(res.body.error.fields)}`);
        });
      }

      if (c.access !== "public") {
        test("no token is a 401, a wrong token too", async () => {
          const f = await fixture();
          const h = c.happy(f);
          const none = await call(c.method, h, undefined);
          assert.equal(none.status, 401);
          assert.equal(none.body.error.code, "UNAUTHORIZED");
          const wrong = await call(c.method, h, "trk_not-a-real-token");
          assert.equal(wrong.status, 401);
        });
      }

      if (c.access === "operator" || c.access === "admin") {
        test("a viewer is refused with 403 and nothing changes", async () => {
          const f = await fixture();
          const h = c.happy(f);
          const snapshot = async () => [await t.store.getTask(f.failedId, null), await t.store.getTask(f.pendingId, null), await t.store.getDefinition("a", f.defName), await t.store.listApiTokens(null)];
          const before = await snapshot();
          const res = await call(c.method, h, t.tokens.viewerA);
          assert.equal(res.status, 403);
          assert.equal(res.body.error.code, "FORBIDDEN");
          assert.deepEqual(await snapshot(), before);
          if (c.access === "admin") assert.equal((await call(c.method, h, t.tokens.operatorA)).status, 403);
        });
      }

      if (c.tenantScoped) {
        test("another tenant's token gets 404 and the row is unchanged", async () => {
          const f = await fixture();
          const h = c.happy(f);
          const snapshot = () =>
            c.tenantScoped === "definition"
              ? t.store.getDefinition("a", f.defName)
              : t.store.getTask(h.url.includes(f.pendingId) ? f.pendingId : f.failedId, null);
          const before = await snapshot();
          assert.ok(before);
          const res = await call(c.method, h, c.access === "viewer" ? t.tokens.viewerB : t.tokens.operatorB);
          assert.equal(res.status, 404, JSON.stringify(res.body));
          assert.equal(res.body.error.code, c.tenantScoped === "definition" ? "DEFINITION_NOT_FOUND" : "TASK_NOT_FOUND");
          assert.deepEqual(await snapshot(), before);
        });
      }
    });
  }
});
