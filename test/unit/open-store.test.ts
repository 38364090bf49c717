// Store URLs (DESIGN.md §8): parsing, the default, and opening SQLite files.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { DEFAULT_STORE_URL, openStore, parseStoreUrl } from "../../src/store/open-store.js";
import { dropSchema, freshSchemaName, postgresUrl, requirePostgres } from "../support/postgres.js";

const root = mkdtempSync(join(tmpdir(), "taskrail-open-store-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("parseStoreUrl", () => {
  test("sqlite URLs carry a relative, absolute or in-memory path", () => {
    assert.deepEqual(parseStoreUrl("sqlite:./taskrail.db"), { kind: "sqlite", path: "./taskrail.db" });
    assert.deepEqual(parseStoreUrl("sqlite:data/x.db"), { kind: "sqlite", path: "data/x.db" });
    assert.deepEqual(parseStoreUrl("sqlite:/var/lib/x.db"), { kind: "sqlite", path: "/var/lib/x.db" });
    assert.deepEqual(parseStoreUrl("sqlite:///var/lib/x.db"), { kind: "sqlite", path: "/var/lib/x.db" });
    assert.deepEqual(parseStoreUrl("SQLITE::memory:"), { kind: "sqlite", path: ":memory:" });
  });

  test("postgres and postgresql URLs are passed on whole", () => {
    assert.deepEqual(parseStoreUrl("postgres://u:p@db:5432/app"), { kind: "postgres", url: "postgres://u:p@db:5432/app" });
    assert.deepEqual(parseStoreUrl("postgresql://db/app?sslmode=require"), { kind: "postgres", url: "postgresql://db/app?sslmode=require" });
  });

  test("a bad URL is refused with STORE_URL_INVALID naming the problem", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ["taskrail.db", /no scheme/],
      ["mysql://db/app", /unsupported scheme "mysql:"/],
      ["sqlite:", /no path/],
      ["postgres:db", /postgres:\/\/user/],
    ];
    for (const [url, problem] of cases) {
      assert.throws(() => parseStoreUrl(url), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, "STORE_URL_INVALID", url);
        assert.match(err.message ?? "", problem);
        return true;
      });
    }
  });

  test("a password in a refused URL never reaches the error message", () => {
    assert.throws(() => parseStoreUrl("mongodb://admin:s3cret@db/app"), (err: Error) => !err.message.includes("s3cret"));
  });
});

describe("openStore", () => {
  test("the default is sqlite:./taskrail.db", () => {
    assert.equal(DEFAULT_STORE_URL, "sqlite:./taskrail.db");
  });

  test("a sqlite URL opens a SQLite store, creating the file's directory", async () => {
    const path = join(root, "nested", "deeper", "t.db");
    const store = await openStore(`sqlite:${path}`);
    try {
      assert.equal(store.kind, "sqlite");
      assert.ok(existsSync(path));
      assert.equal((await store.listTasks({}, { limit: 1 })).total, 0);
    } finally {
      await store.close();
    }
  });

  test("without a URL the TASKRAIL_DATABASE_URL environment variable is used", async () => {
    const saved = process.env.TASKRAIL_DATABASE_URL;
    const path = join(root, "from-env.db");
    process.env.TASKRAIL_DATABASE_URL = `sqlite:${path}`;
    try {
      const store = await openStore();
      await store.close();
      assert.ok(existsSync(path));
    } finally {
      if (saved === undefined) delete process.env.TASKRAIL_DATABASE_URL;
      else process.env.TASKRAIL_DATABASE_URL = saved;
    }
  });

  test("an in-memory SQLite store works and a bad URL opens nothing", async () => {
    const store = await openStore("sqlite::memory:");
    assert.equal(store.kind, "sqlite");
    await store.close();
    await assert.rejects(openStore("ftp://x"), { code: "STORE_URL_INVALID" });
  });

  test("a postgres URL opens the PostgreSQL store", async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = freshSchemaName("open_store");
    const url = postgresUrl();
    const store = await openStore(`${url}${url.includes("?") ? "&" : "?"}schema=${schema}`);
    try {
      assert.equal(store.kind, "postgres");
      assert.equal((await store.listTasks({}, { limit: 1 })).total, 0);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});
