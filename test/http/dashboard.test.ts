// The dashboard at `/`: its files, the SPA fallback to index.html for the browser app's own
// routes (never for the API), and a page explaining how to build it when it is missing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openTestApp } from "../support/http-app.js";

describe("dashboard", () => {
  const dir = mkdtempSync(join(tmpdir(), "taskrail-dashboard-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>dash</title><div id=app></div>");
  writeFileSync(join(dir, "app.js"), "console.log('app')");
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("serves its files and index.html for any other non-API GET, without a token", async () => {
    const t = await openTestApp({ dashboardDir: dir });
    try {
      const root = await t.app.inject({ url: "/" });
      assert.equal(root.statusCode, 200);
      assert.match(root.body, /<title>dash<\/title>/);
      const asset = await t.app.inject({ url: "/app.js" });
      assert.equal(asset.statusCode, 200);
      assert.match(String(asset.headers["content-type"]), /javascript/);
      const deep = await t.app.inject({ url: "/tasks/0192-abc?tab=logs" });
      assert.equal(deep.statusCode, 200);
      assert.match(deep.body, /<title>dash<\/title>/);
      const api = await t.app.inject({ url: "/api/v1/nope", headers: t.bearer(t.tokens.admin) });
      assert.equal(api.statusCode, 404);
      assert.equal(api.json().error.code, "NOT_FOUND");
      const escape = await t.app.inject({ url: "/../../etc/passwd" });
      assert.doesNotMatch(escape.body, /root:/);
    } finally {
      await t.close();
    }
  });

  test("without a build, / says the dashboard was not built and how to build it", async () => {
    const t = await openTestApp({ dashboardDir: join(dir, "missing") });
    try {
      const root = await t.app.inject({ url: "/" });
      assert.equal(root.statusCode, 200);
      assert.match(root.body, /dashboard was not built/);
      assert.match(root.body, /npm run build/);
      assert.equal((await t.app.inject({ url: "/tasks/1" })).statusCode, 404);
    } finally {
      await t.close();
    }
  });
});
