// Event log retention: what a sweep deletes at a given clock, and how bad options are reported.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { resolveTaskEventRetentionOptions, TaskEventRetention } from "../../src/worker/task-event-retention.js";
import { makeTasks } from "../support/task-factory.js";

describe("task event retention", () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = await openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  async function eventCount(): Promise<number> {
    return (await store.listTaskEvents({ afterId: 0, tenant: null, limit: 1000 })).events.length;
  }

  test("a sweep deletes only events older than the maximum age, keeping the newest", async () => {
    await store.createTasks(makeTasks(20));
    assert.equal(await eventCount(), 20);
    let now = Date.now();
    const retention = new TaskEventRetention(store, { maxAge: "1h" }, { now: () => now });
    assert.equal(await retention.prune(), 0, "nothing is an hour old yet");
    now += 2 * 3_600_000;
    assert.equal(await retention.prune(), 19);
    assert.equal(await eventCount(), 1);
  });

  test("start sweeps at once and stop ends the loop", async () => {
    await store.createTasks(makeTasks(3));
    const retention = new TaskEventRetention(store, { maxAge: 1, interval: "1h" }, { now: () => Date.now() + 10_000 });
    retention.start();
    assert.equal(retention.state, "running");
    await retention.stop();
    assert.equal(retention.state, "stopped");
    assert.equal(await eventCount(), 1);
  });

  test("defaults are a day of events swept every minute; bad values name the field", () => {
    assert.deepEqual(resolveTaskEventRetentionOptions(), { maxAgeMs: 86_400_000, intervalMs: 60_000 });
    assert.throws(
      () => resolveTaskEventRetentionOptions({ maxAge: "soon", interval: 0 }),
      (err: Error) => /eventRetention\.maxAge: must be a duration/.test(err.message) && /eventRetention\.interval: must be > 0/.test(err.message),
    );
  });
});
