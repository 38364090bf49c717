// `GET /api/v1/events` on both stores: live transitions, resume after a disconnect with
// Last-Event-ID (every missed event, in order, once), tenant isolation, and bad input.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import type { EventSourceMessage } from "eventsource-parser";
import { createTaskrail, type Taskrail } from "../../src/runtime/taskrail.js";
import { createEventsPlugin, resolveEventsRouteTiming } from "../../src/http/events-route.js";
import type { Store } from "../../src/store/store.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { FAST_WORKER } from "../support/engine.js";
import { ADMIN, startTestApp } from "../support/http-test-app.js";
import { createPostgresSchemaHarness, requirePostgres } from "../support/postgres.js";
import { openSse } from "../support/sse-client.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

interface EventData {
  id: number;
  kind: string;
  tenant: string;
  taskId: string;
  step: string | null;
  status: string;
}

const data = (e: EventSourceMessage): EventData => JSON.parse(e.data) as EventData;
const endOf = (taskId: string) => (e: EventSourceMessage) => data(e).taskId === taskId && data(e).kind === "task:succeeded";

/** Two tenants' clients on one store, a worker (in a separate Taskrail: another "process"), and the app. */
interface Setup {
  store: Store;
  workerSide: Taskrail;
  acme: Taskrail;
  globex: Taskrail;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

async function setUp(openStores: () => Promise<{ api: Store; worker: Store; dispose: () => Promise<void> }>): Promise<Setup> {
  const { api, worker, dispose } = await openStores();
  const acme = await createTaskrail({ db: api, tenant: "acme", eventRetention: false });
  const globex = await createTaskrail({ db: api, tenant: "globex", eventRetention: false });
  const workerSide = await createTaskrail({ db: worker, eventRetention: false });
  workerSide.startWorker(FAST_WORKER);
  // The route is woken by acme's client bus only: globex's and the worker's events arrive by polling.
  const { plugin, openapi } = createEventsPlugin({ pollInterval: 50, minPollInterval: 10, heartbeat: 200 });
  assert.equal(openapi[0].url, "/api/v1/events");
  const { app, baseUrl } = await startTestApp([{ plugin, options: { store: api, events: acme.events } as Record<string, unknown> & { store: Store } }]);
  return {
    store: api,
    workerSide,
    acme,
    globex,
    app,
    url: `${baseUrl}/api/v1/events`,
    async close() {
      await app.close();
      await workerSide.close({ deadlineMs: 1000 });
      await dispose();
    },
  };
}

function dispatchOne(tr: Taskrail, steps = 2) {
  return tr.client.dispatch({ type: "evt", steps: Array.from({ length: steps }, (_, i) => ({ name: `s${i}`, executor: "noop" })) });
}

function describeEventsRoute(backend: string, openStores: () => Promise<{ api: Store; worker: Store; dispose: () => Promise<void> }>): void {
  describe(`GET /api/v1/events (${backend})`, () => {
    let s: Setup;
    before(async () => {
      s = await setUp(openStores);
    });
    after(() => s?.close());

    test("a client that reconnects with Last-Event-ID gets every event it missed, in order, once", async () => {
      const first = await openSse(s.url, { "x-test-tenant": "acme" });
      assert.equal(first.status, 200);
      const t1 = await dispatchOne(s.acme);
      await first.waitFor(endOf(t1.id));
      const lastSeen = first.events[first.events.length - 1];
      await first.close();

      // While disconnected: more acme work, and another tenant's.
      const t2 = await dispatchOne(s.acme);
      const t3 = await dispatchOne(s.acme, 3);
      const foreign = await dispatchOne(s.globex);
      for (const t of [t2, t3]) await s.acme.client.waitForTask(t.id, { timeoutMs: 10_000 });
      await s.globex.client.waitForTask(foreign.id, { timeoutMs: 10_000 });

      const second = await openSse(s.url, { "x-test-tenant": "acme", "last-event-id": String(lastSeen.id) });
      await second.waitFor(endOf(t3.id));
      await second.waitFor(endOf(t2.id));
      await second.close();
      const ids = second.events.map((e) => Number(e.id));
      assert.ok(ids.every((id, i) => id > Number(lastSeen.id) && (i === 0 || id > ids[i - 1])), "ids increase from the resume point");
      assert.deepEqual(new Set(second.events.map((e) => data(e).tenant)), new Set(["acme"]), "never another tenant's event");
      // Exactly what the log holds for acme after that id: nothing missed, nothing twice.
      const logged = await s.store.listTaskEvents({ afterId: Number(lastSeen.id), tenant: "acme", limit: 1000 });
      const expected = logged.events.map((e) => e.id);
      assert.deepEqual(ids.slice(0, expected.length), expected);
      const perTask = (id: string) => second.events.filter((e) => data(e).taskId === id).map((e) => data(e).kind);
      assert.equal(perTask(t3.id).filter((k) => k === "step:succeeded").length, 3);
      assert.equal(perTask(t2.id)[0], "task:dispatched");
      for (const e of second.events) assert.equal(e.event, data(e).kind.startsWith("step:") ? "step" : "task");
    });

    test("?lastEventId= resumes like the header, and the header wins when both are given", async () => {
      const before = await s.store.latestTaskEventId();
      const t = await dispatchOne(s.acme, 1);
      await s.acme.client.waitForTask(t.id, { timeoutMs: 10_000 });
      const viaQuery = await openSse(`${s.url}?lastEventId=${before}`, { "x-test-tenant": "acme" });
      await viaQuery.waitFor(endOf(t.id));
      await viaQuery.close();
      assert.equal(data(viaQuery.events[0]).taskId, t.id);
      const last = viaQuery.events[viaQuery.events.length - 1].id as string;
      const both = await openSse(`${s.url}?lastEventId=0`, { "x-test-tenant": "acme", "last-event-id": last });
      const later = await dispatchOne(s.acme, 1);
      await both.waitFor(endOf(later.id));
      await both.close();
      assert.ok(both.events.every((e) => Number(e.id) > Number(last)));
    });

    test("tenant A never receives tenant B's events; an admin receives both; filters narrow", async () => {
      const acmeStream = await openSse(s.url, { "x-test-tenant": "acme" });
      const adminStream = await openSse(s.url, { "x-test-tenant": ADMIN });
      const b = await dispatchOne(s.globex);
      const a = await dispatchOne(s.acme);
      const onlyA = await openSse(`${s.url}?taskId=${a.id}&lastEventId=0`, { "x-test-tenant": "acme" });
      await adminStream.waitFor(endOf(b.id));
      await adminStream.waitFor(endOf(a.id));
      await acmeStream.waitFor(endOf(a.id));
      await onlyA.waitFor(endOf(a.id));
      // Several poll intervals after B's last event: had it leaked to acme, it would be here.
      await new Promise((r) => setTimeout(r, 250));
      for (const stream of [acmeStream, adminStream, onlyA]) await stream.close();
      assert.ok(acmeStream.events.every((e) => data(e).tenant === "acme"));
      assert.ok(!acmeStream.events.some((e) => data(e).taskId === b.id));
      assert.ok(onlyA.events.length > 0 && onlyA.events.every((e) => data(e).taskId === a.id));
    });

    test("a quiet stream gets heartbeat comments", async () => {
      const stream = await openSse(`${s.url}?taskId=${(await dispatchOne(s.acme, 1)).id}`, { "x-test-tenant": "acme" });
      const deadline = Date.now() + 5_000;
      while (!stream.comments.some((c) => c.includes("heartbeat")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await stream.close();
      assert.ok(stream.comments.some((c) => c.includes("heartbeat")));
    });

    test("bad input is a 400 naming the field; another tenant's task is a 404; no caller is a 401", async () => {
      const bad = async (query: string, headers: Record<string, string> = {}) => {
        const res = await openSse(`${s.url}${query}`, { "x-test-tenant": "acme", ...headers });
        await res.close();
        assert.equal(res.status, 400, res.body);
        return (JSON.parse(res.body) as { error: { code: string; fields: { path: string; message: string }[] } }).error;
      };
      assert.deepEqual((await bad("?lastEventId=abc")).fields.map((f) => f.path), ["lastEventId"]);
      assert.deepEqual((await bad("", { "last-event-id": "-3" })).fields.map((f) => f.path), ["Last-Event-ID"]);
      assert.deepEqual((await bad("?taskId=")).fields.map((f) => f.path), ["taskId"]);
      const unknown = await bad("?tenant=globex");
      assert.equal(unknown.code, "VALIDATION_FAILED");
      assert.match(unknown.fields[0].message, /unknown field\(s\) "tenant"/);
      const foreign = await dispatchOne(s.globex, 1);
      const notFound = await openSse(`${s.url}?taskId=${foreign.id}`, { "x-test-tenant": "acme" });
      assert.equal(notFound.status, 404);
      assert.equal((JSON.parse(notFound.body) as { error: { code: string } }).error.code, "TASK_NOT_FOUND");
      const anonymous = await openSse(s.url);
      assert.equal(anonymous.status, 401);
    });
  });
}

test("stream settings default sensibly and bad ones name the setting", () => {
  assert.deepEqual(resolveEventsRouteTiming(), { pollIntervalMs: 500, minPollIntervalMs: 100, heartbeatMs: 15_000, retryMs: 2_000 });
  assert.throws(
    () => resolveEventsRouteTiming({ heartbeat: "soon", pollInterval: 0 }),
    (err: Error) => /events\.pollInterval: must be > 0, got 0/.test(err.message) && /events\.heartbeat: must be a duration/.test(err.message),
  );
});

describeEventsRoute("sqlite", async () => {
  const db = tempSqliteUrl();
  const api = await openSqliteStore(db.path);
  const worker = await openSqliteStore(db.path);
  return {
    api,
    worker,
    dispose: async () => {
      await api.close();
      await worker.close();
      db.cleanup();
    },
  };
});

if (await requirePostgres()) {
  const schema = createPostgresSchemaHarness("http_events");
  describeEventsRoute("postgres", async () => ({ api: await schema.open(), worker: await schema.open(), dispose: () => schema.cleanup() }));
}
