// Bearer-token verification: hashed lookup, the 5 s cache of verified tokens, revocation, and
// the audit writer that coalesces entries into one insert.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { issueApiToken } from "../../src/client/api-tokens.js";
import type { NewAuditEntry } from "../../src/core/audit.js";
import { silentLogger } from "../../src/core/logger.js";
import { AuditWriter } from "../../src/http/audit-writer.js";
import { TOKEN_CACHE_MS, TokenAuthenticator } from "../../src/http/auth.js";
import { coerceQuery, queryShapeOf } from "../../src/http/query-coercion.js";
import { taskQuerySchema } from "../../src/core/validation/task-query.js";
import { logQuerySchema } from "../../src/core/validation/server-inputs.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

describe("TokenAuthenticator", () => {
  test("a verified token is trusted for TOKEN_CACHE_MS; a revocation elsewhere applies after it, forget() at once", async () => {
    const store = await openSqliteStore(":memory:");
    try {
      let now = 1_000_000;
      const auth = new TokenAuthenticator(store, () => now);
      const issued = await issueApiToken(store, { tenant: "acme", role: "operator" });
      assert.deepEqual(await auth.verify(issued.token), { tokenId: issued.id, tenant: "acme", role: "operator" });
      await store.revokeApiToken(issued.id, null, new Date(now));
      // Still cached: another server revoked it.
      assert.equal((await auth.verify(issued.token)).tokenId, issued.id);
      now += TOKEN_CACHE_MS;
      await assert.rejects(auth.verify(issued.token), { code: "UNAUTHORIZED" });

      const second = await issueApiToken(store, { role: "admin" });
      assert.equal((await auth.verify(second.token)).tenant, null);
      await store.revokeApiToken(second.id, null, new Date(now));
      auth.forget(second.id);
      await assert.rejects(auth.verify(second.token), { code: "UNAUTHORIZED" });
      await assert.rejects(auth.verify("trk_guess"), { code: "UNAUTHORIZED" });
    } finally {
      await store.close();
    }
  });
});

describe("AuditWriter", () => {
  const entry = (n: number): NewAuditEntry => ({
    at: new Date(n), tokenId: "tok_a", tenant: "acme", action: "task.dispatch", target: `t${n}`,
    method: "POST", path: "/api/v1/tasks", statusCode: 201, outcome: "ok", errorCode: null,
  });

  test("entries recorded in one turn leave as one insert; flush waits for them", async () => {
    const store = await openSqliteStore(":memory:");
    try {
      const calls: number[] = [];
      const append = store.appendAuditEntries.bind(store);
      store.appendAuditEntries = async (entries) => {
        calls.push(entries.length);
        return append(entries);
      };
      const writer = new AuditWriter(store, silentLogger);
      for (let i = 0; i < 25; i++) writer.record(entry(i));
      await writer.flush();
      assert.deepEqual(calls, [25]);
      assert.equal((await store.listAuditEntries({ limit: 100 })).items.length, 25);
    } finally {
      await store.close();
    }
  });

  test("a failed write is logged with how many entries it lost, and later entries still go out", async () => {
    const store = await openSqliteStore(":memory:");
    try {
      const logged: unknown[] = [];
      const logger = { ...silentLogger, error: (fields: unknown) => void logged.push(fields) };
      const append = store.appendAuditEntries.bind(store);
      let fail = true;
      store.appendAuditEntries = async (entries) => {
        if (fail) throw new Error("disk full");
        return append(entries);
      };
      const writer = new AuditWriter(store, logger as typeof silentLogger);
      writer.record(entry(1));
      writer.record(entry(2));
      await writer.flush();
      assert.deepEqual(logged, [{ err: "disk full", lost: 2 }]);
      fail = false;
      writer.record(entry(3));
      await writer.flush();
      assert.deepEqual((await store.listAuditEntries({ limit: 10 })).items.map((e) => e.target), ["t3"]);
    } finally {
      await store.close();
    }
  });
});

describe("query coercion", () => {
  test("query text becomes the schema's types: numbers, lists (comma or repeated), booleans; the rest is left for the schema", () => {
    const tasks = queryShapeOf(taskQuerySchema);
    assert.deepEqual(coerceQuery(tasks, { limit: "20", status: "failed,timeout", createdFrom: "2030-01-01", type: "42" }), {
      limit: 20, status: ["failed", "timeout"], createdFrom: "2030-01-01", type: "42",
    });
    assert.deepEqual(coerceQuery(tasks, { status: ["failed", "running"], limit: "ten" }), { status: ["failed", "running"], limit: "ten" });
    const logs = queryShapeOf(logQuerySchema);
    assert.deepEqual(coerceQuery(logs, { follow: "1", afterId: "7" }), { follow: true, afterId: 7 });
    assert.deepEqual(coerceQuery(logs, { follow: "false" }), { follow: false });
    assert.deepEqual(coerceQuery(logs, { follow: "maybe" }), { follow: "maybe" });
  });
});
