// A tenant never sees another tenant's rows: lists, counts, stats, logs (paged and followed)
// and operator calls all behave as if tenant b's tasks did not exist for tenant a's tokens.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openTestApp, type TestApp } from "../support/http-app.js";
import { seedFailedTask, seedPendingTask } from "../support/http-fixtures.js";

describe("tenant isolation", () => {
  let t: TestApp;
  let bFailed: string;
  let bPending: string;
  let aPending: string;
  before(async () => {
    t = await openTestApp();
    bFailed = (await seedFailedTask(t.store, "b")).id;
    bPending = (await seedPendingTask(t.store, "b")).id;
    aPending = (await seedPendingTask(t.store, "a")).id;
  });
  after(async () => {
    await t.close();
  });

  const get = async (url: string, token: string) => {
    const res = await t.app.inject({ method: "GET", url, headers: t.bearer(token) });
    return { status: res.statusCode, body: res.json() };
  };

  test("lists, filters and counts show only the caller's tenant", async () => {
    for (const base of ["/api/v1/tasks", "/api/v1/tasks/instances"]) {
      const a = await get(`${base}?limit=100`, t.tokens.viewerA);
      assert.deepEqual(a.body.items.map((x: { id: string }) => x.id), [aPending]);
      assert.equal(a.body.total, 1);
      const filtered = await get(`${base}?status=failed`, t.tokens.viewerA);
      assert.deepEqual(filtered.body.items, []);
    }
    const admin = await get("/api/v1/tasks?limit=100", t.tokens.admin);
    assert.equal(admin.body.total, 3);
  });

  test("statistics count only the caller's tenant", async () => {
    const a = await get("/api/v1/stats?window=1h", t.tokens.viewerA);
    assert.equal(a.body.counts.failed, 0);
    assert.equal(a.body.counts.pending, 1);
    assert.equal(a.body.ended.failed, 0);
    const b = await get("/api/v1/stats?window=1h", t.tokens.viewerB);
    assert.equal(b.body.ended.failed, 1);
  });

  test("logs of another tenant's task are a 404, paged or followed", async () => {
    assert.equal((await get(`/api/v1/tasks/${bFailed}/logs`, t.tokens.viewerA)).status, 404);
    assert.equal((await get(`/api/v1/tasks/${bFailed}/logs?follow=1`, t.tokens.viewerA)).status, 404);
    assert.equal((await get(`/api/v1/tasks/instances/${bFailed}/logs`, t.tokens.operatorA)).status, 404);
  });

  test("an admin token reads every tenant, and the audit log is admins' only", async () => {
    assert.equal((await get(`/api/v1/tasks/${bFailed}`, t.tokens.admin)).status, 200);
    assert.equal((await get("/api/v1/audit", t.tokens.operatorA)).status, 403);
  });

  test("cancel, retry and skip of another tenant's task fail with 404 and are audited as errors", async () => {
    for (const [url, body] of [
      [`/api/v1/tasks/${bPending}/cancel`, undefined],
      [`/api/v1/tasks/${bFailed}/retry`, {}],
      [`/api/v1/tasks/${bFailed}/skip`, { step: "s0" }],
      [`/api/v1/tasks/instances/${bPending}/cancel`, undefined],
    ] as const) {
      const res = await t.app.inject({ method: "POST", url, headers: t.bearer(t.tokens.operatorA), ...(body ? { payload: body } : {}) });
      assert.equal(res.statusCode, 404, url);
    }
    assert.equal((await t.store.getTask(bPending, null))?.status, "pending");
    assert.equal((await t.store.getTask(bFailed, null))?.status, "failed");
    await t.app.close(); // flushes the audit writer
    const entries = (await t.store.listAuditEntries({ tenant: "a", limit: 10 })).items;
    assert.deepEqual(entries.map((e) => [e.action, e.statusCode, e.errorCode]).reverse(), [
      ["task.cancel", 404, "TASK_NOT_FOUND"],
      ["task.retry", 404, "TASK_NOT_FOUND"],
      ["task.skip", 404, "TASK_NOT_FOUND"],
      ["task.cancel", 404, "TASK_NOT_FOUND"],
    ]);
  });
});
