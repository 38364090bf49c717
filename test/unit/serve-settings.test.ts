// What `taskrail serve` runs with: flags over env over the config file over defaults, and a
// config file's mistakes named by key.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { resolveServeSettings, type ServeFlags } from "../../src/cli/serve-settings.js";

const noFlags: ServeFlags = { worker: true, scheduler: true };

describe("serve settings", () => {
  const dir = mkdtempSync(join(tmpdir(), "taskrail-serve-settings-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test("defaults: 127.0.0.1:8080, sqlite:./taskrail.db, worker and scheduler on", async () => {
    const s = await resolveServeSettings(noFlags, undefined, {});
    assert.deepEqual([s.host, s.port, s.db, s.worker, s.scheduler, s.publicMetrics], ["127.0.0.1", 8080, "sqlite:./taskrail.db", true, true, false]);
  });

  test("a flag wins over env, env over the config file", async () => {
    const config = file("serve.yaml", "port: 7000\nhost: 0.0.0.0\nconcurrency: 4\nqueues: [a, b]\nscheduler: false\n");
    const fromFile = await resolveServeSettings({ ...noFlags, config }, undefined, {});
    assert.deepEqual([fromFile.port, fromFile.host, fromFile.concurrency, fromFile.queues, fromFile.scheduler], [7000, "0.0.0.0", 4, ["a", "b"], false]);
    const fromEnv = await resolveServeSettings({ ...noFlags, config }, undefined, { TASKRAIL_PORT: "7100", TASKRAIL_QUEUES: "c" });
    assert.deepEqual([fromEnv.port, fromEnv.queues], [7100, ["c"]]);
    const fromFlag = await resolveServeSettings({ ...noFlags, config, port: "0", queue: ["d"] }, "sqlite::memory:", { TASKRAIL_PORT: "7100", TASKRAIL_DATABASE_URL: "sqlite:/x.db" });
    assert.deepEqual([fromFlag.port, fromFlag.queues, fromFlag.db], [0, ["d"], "sqlite::memory:"]);
  });

  test("--data-dir places the default SQLite store (and creates the folder)", async () => {
    const dataDir = join(dir, "data", "nested");
    const s = await resolveServeSettings({ ...noFlags, dataDir }, undefined, {});
    assert.equal(s.db, `sqlite:${join(dataDir, "taskrail.db")}`);
  });

  test("bad values name the flag, env variable or config key", async () => {
    await assert.rejects(resolveServeSettings({ ...noFlags, port: "99999" }, undefined, {}), (err: any) => err.fields[0].path === "--port");
    await assert.rejects(resolveServeSettings(noFlags, undefined, { TASKRAIL_PORT: "http" }), (err: any) => err.fields[0].path === "TASKRAIL_PORT");
    const bad = file("bad.yaml", "port: eighty\nwokrer: false\n");
    await assert.rejects(resolveServeSettings({ ...noFlags, config: bad }, undefined, {}), (err: any) => {
      assert.deepEqual(err.fields.map((f: { path: string }) => f.path).sort(), ["", "port"]);
      assert.match(err.message, /unknown field\(s\) "wokrer"/);
      return true;
    });
    await assert.rejects(resolveServeSettings({ ...noFlags, config: join(dir, "nope.yaml") }, undefined, {}), (err: any) => err.fields[0].path === "--config");
  });
});
