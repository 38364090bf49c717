// Contract: what the HTTP server stores — API tokens (hashed, tenant-bound, revocable), the
// audit log (appended in batches, paged newest first) and task statistics over a window.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { NewApiToken } from "../../../src/core/api-token.js";
import type { NewAuditEntry } from "../../../src/core/audit.js";
import { at, makeTask, T0 } from "../../support/task-factory.js";
import { createAndClaim, type ContractContext } from "./contract-context.js";

function token(id: string, overrides: Partial<NewApiToken> = {}): NewApiToken {
  return { id, tenant: "acme", role: "operator", name: null, secretHash: `hash-${id}`, createdAt: T0, ...overrides };
}

function entry(n: number, overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    at: at(n), tokenId: "tok_a", tenant: "acme", action: "task.dispatch", target: `task-${n}`,
    method: "POST", path: "/api/v1/tasks", statusCode: 201, outcome: "ok", errorCode: null, ...overrides,
  };
}

/** Registers the token, audit and statistics tests. */
export function describeServerTables(ctx: ContractContext): void {
  describe("api tokens", () => {
    test("a token is found by its secret hash until it is revoked", async () => {
      assert.equal(await ctx.store.createApiToken(token("tok_a", { name: "ci" })), true);
      const found = await ctx.store.findApiTokenByHash("hash-tok_a");
      assert.deepEqual(found, { id: "tok_a", tenant: "acme", role: "operator", name: "ci", createdAt: T0, revokedAt: null });
      assert.equal(await ctx.store.findApiTokenByHash("hash-other"), null);
      const revoked = await ctx.store.revokeApiToken("tok_a", null, at(5));
      assert.equal(revoked?.revokedAt?.getTime(), at(5).getTime());
      assert.equal(await ctx.store.findApiTokenByHash("hash-tok_a"), null);
      // Revoking again keeps the first time.
      assert.equal((await ctx.store.revokeApiToken("tok_a", null, at(9)))?.revokedAt?.getTime(), at(5).getTime());
    });

    test("onlyIfNone stores the first token only", async () => {
      assert.equal(await ctx.store.createApiToken(token("tok_admin", { tenant: "*", role: "admin" }), { onlyIfNone: true }), true);
      assert.equal(await ctx.store.createApiToken(token("tok_second", { tenant: "*", role: "admin" }), { onlyIfNone: true }), false);
      assert.deepEqual((await ctx.store.listApiTokens(null)).map((t) => t.id), ["tok_admin"]);
    });

    test("listing and revoking are limited to the tenant given", async () => {
      await ctx.store.createApiToken(token("tok_a"));
      await ctx.store.createApiToken(token("tok_b", { tenant: "other", createdAt: at(1) }));
      assert.deepEqual((await ctx.store.listApiTokens("acme")).map((t) => t.id), ["tok_a"]);
      assert.deepEqual((await ctx.store.listApiTokens(null)).map((t) => t.id), ["tok_a", "tok_b"]);
      assert.equal(await ctx.store.revokeApiToken("tok_b", "acme", at(2)), null);
      assert.notEqual(await ctx.store.findApiTokenByHash("hash-tok_b"), null);
      assert.equal(await ctx.store.revokeApiToken("nope", null, at(2)), null);
    });
  });

  describe("audit log", () => {
    test("entries come back newest first, filtered and paged", async () => {
      await ctx.store.appendAuditEntries([entry(1), entry(2, { tenant: "other" }), entry(3, { action: "task.cancel", outcome: "error", statusCode: 409, errorCode: "INVALID_TRANSITION" })]);
      await ctx.store.appendAuditEntries([entry(4)]);
      const all = await ctx.store.listAuditEntries({ limit: 10 });
      assert.deepEqual(all.items.map((e) => e.target), ["task-4", "task-3", "task-2", "task-1"]);
      assert.equal(all.nextCursor, null);
      const cancel = all.items[1];
      assert.deepEqual({ ...cancel, id: 0 }, { ...entry(3, { action: "task.cancel", outcome: "error", statusCode: 409, errorCode: "INVALID_TRANSITION" }), id: 0 });

      const acme = await ctx.store.listAuditEntries({ tenant: "acme", limit: 2 });
      assert.deepEqual(acme.items.map((e) => e.target), ["task-4", "task-3"]);
      assert.notEqual(acme.nextCursor, null);
      const rest = await ctx.store.listAuditEntries({ tenant: "acme", limit: 2, beforeId: acme.nextCursor! });
      assert.deepEqual(rest.items.map((e) => e.target), ["task-1"]);
      assert.equal(rest.nextCursor, null);

      assert.deepEqual((await ctx.store.listAuditEntries({ action: "task.cancel", limit: 10 })).items.map((e) => e.target), ["task-3"]);
      assert.deepEqual((await ctx.store.listAuditEntries({ from: at(3), limit: 10 })).items.map((e) => e.target), ["task-4", "task-3"]);
    });
  });

  describe("task statistics", () => {
    test("ended tasks are bucketed by outcome, durations by type, and the oldest ready task is named", async () => {
      // Three tasks of type "a" that succeed after 100, 200 and 300 ms, one "b" that fails.
      for (const [i, ms] of [100, 200, 300].entries()) {
        const { lease } = await createAndClaim(ctx.store, makeTask({ type: "a", tenant: "acme" }), { now: at(i * 1000) });
        await ctx.store.completeStep(lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now: at(i * 1000 + ms) });
      }
      const { lease } = await createAndClaim(ctx.store, makeTask({ type: "b", tenant: "acme" }), { now: at(5000) });
      await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "boom", then: { kind: "end", taskStatus: "failed" }, now: at(5050) });
      // Another tenant's task and a ready one.
      const other = await createAndClaim(ctx.store, makeTask({ type: "a", tenant: "other" }), { now: at(100) });
      await ctx.store.completeStep(other.lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now: at(9000) });
      const waiting = await ctx.store.createTask(makeTask({ type: "w", tenant: "acme", now: at(50) }), "fail");

      const stats = await ctx.store.taskStats({ tenant: "acme", from: T0, to: at(6000), bucketMs: 2000, now: at(6000) });
      assert.deepEqual(
        stats.buckets.map((b) => [b.start.getTime() - T0.getTime(), b.succeeded, b.failed, b.cancelled]),
        [[0, 2, 0, 0], [2000, 1, 0, 0], [4000, 0, 1, 0]],
      );
      assert.deepEqual(stats.durations, [{ type: "a", count: 3, p50Ms: 200, p90Ms: 300, p99Ms: 300, maxMs: 300 }]);
      assert.equal(stats.oldestReady?.id, waiting.task.id);
      assert.equal(stats.oldestReady?.runAt.getTime(), at(50).getTime());

      const everyone = await ctx.store.taskStats({ tenant: null, from: T0, to: at(10_000), bucketMs: 10_000, now: at(6000) });
      assert.deepEqual(everyone.buckets.map((b) => [b.succeeded, b.failed]), [[4, 1]]);
      assert.equal(everyone.durations[0].count, 4);
    });
  });
}
