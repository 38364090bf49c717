// The migration file lister and the SQLite migration runner: order, once-only, atomicity.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, test } from "node:test";
import { listMigrationFiles } from "../../src/store/migration-files.js";
import { applyMigrations, appliedVersions, SQLITE_MIGRATIONS_DIR } from "../../src/store/sqlite/apply-migrations.js";
import { SqliteConnection } from "../../src/store/sqlite/sqlite-connection.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { makeTask } from "../support/task-factory.js";

const root = mkdtempSync(join(tmpdir(), "taskrail-migrations-"));
let n = 0;
const freshPath = () => join(root, `db-${++n}.db`);
after(() => rmSync(root, { recursive: true, force: true }));

function migrationDir(files: Record<string, string>): URL {
  const dir = join(root, `migrations-${++n}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return pathToFileURL(`${dir}/`);
}

describe("listMigrationFiles", () => {
  test("numbered .sql files come back in version order and other files are ignored", () => {
    const dir = migrationDir({ "0002_b.sql": "-- b", "0001_a.sql": "-- a", "README.md": "x", "0003_c.txt": "x", "10_bad.sql": "x" });
    assert.deepEqual(listMigrationFiles(dir), [
      { version: 1, name: "0001_a", sql: "-- a" },
      { version: 2, name: "0002_b", sql: "-- b" },
    ]);
  });

  test("a directory URL without its trailing slash is read all the same", () => {
    const dir = migrationDir({ "0001_a.sql": "-- a" });
    assert.equal(listMigrationFiles(new URL(dir.href.slice(0, -1))).length, 1);
  });

  test("two files with the same number are an error naming both", () => {
    const dir = migrationDir({ "0001_a.sql": "", "0001_b.sql": "" });
    assert.throws(() => listMigrationFiles(dir), /0001_a.*0001_b/);
  });

  test("the shipped SQLite migrations each open with a comment saying why", () => {
    const files = listMigrationFiles(SQLITE_MIGRATIONS_DIR);
    assert.ok(files.length >= 1);
    assert.equal(files[0].version, 1);
    for (const f of files) assert.match(f.sql, /^-- Why: /, `${f.name} must open with "-- Why: "`);
  });
});

describe("SQLite migration runner", () => {
  test("opening a store applies every migration once and records it", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const shipped = listMigrationFiles(SQLITE_MIGRATIONS_DIR).map((f) => f.version);
    assert.deepEqual(appliedVersions(store.connection), shipped);
    assert.deepEqual(applyMigrations(store.connection), [], "nothing is left to apply");
    await store.close();
    const again = await openSqliteStore(path);
    assert.deepEqual(appliedVersions(again.connection), shipped);
    await again.close();
  });

  test("a second process opening the same fresh file applies nothing twice", () => {
    const path = freshPath();
    const a = new SqliteConnection(path, { readonly: false });
    const b = new SqliteConnection(path, { readonly: false });
    try {
      const dir = migrationDir({ "0001_t.sql": "-- Why: test\nCREATE TABLE t (x);", "0002_u.sql": "-- Why: test\nCREATE TABLE u (x);" });
      assert.deepEqual(applyMigrations(a, listMigrationFiles(dir)), [1, 2]);
      assert.deepEqual(applyMigrations(b, listMigrationFiles(dir)), []);
    } finally {
      a.close();
      b.close();
    }
  });

  test("a failing migration leaves nothing of itself behind and stops the run", () => {
    const conn = new SqliteConnection(freshPath(), { readonly: false });
    try {
      const dir = migrationDir({
        "0001_ok.sql": "-- Why: test\nCREATE TABLE ok (x);",
        "0002_bad.sql": "-- Why: test\nCREATE TABLE half (x);\nTHIS IS NOT SQL;",
        "0003_later.sql": "-- Why: test\nCREATE TABLE later (x);",
      });
      assert.throws(() => applyMigrations(conn, listMigrationFiles(dir)), /syntax error/);
      assert.deepEqual(appliedVersions(conn), [1]);
      const tables = (conn.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
      assert.ok(tables.includes("ok"));
      assert.ok(!tables.includes("half"));
      assert.ok(!tables.includes("later"));
    } finally {
      conn.close();
    }
  });

  test("a read-only open needs a migrated database and refuses writes", async () => {
    const unmigrated = freshPath();
    new SqliteConnection(unmigrated, { readonly: false }).close();
    await assert.rejects(openSqliteStore(unmigrated, { readonly: true }), { code: "STORE_UNAVAILABLE" });

    const path = freshPath();
    const writer = await openSqliteStore(path);
    const task = makeTask();
    await writer.createTask(task, "fail");
    const reader = await openSqliteStore(path, { readonly: true });
    try {
      assert.equal((await reader.getTask(task.id, null))?.id, task.id);
      await assert.rejects(reader.createTask(makeTask(), "fail"), { code: "STORE_UNAVAILABLE" });
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
