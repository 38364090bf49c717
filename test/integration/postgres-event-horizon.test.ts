// The PostgreSQL event log never hands out an id while a smaller one may still commit:
// sequence ids are not commit-ordered, so a transaction left open holds the horizon back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { Store } from "../../src/store/store.js";
import { createPostgresSchemaHarness, postgresUrl, requirePostgres } from "../support/postgres.js";
import { makeTask } from "../support/task-factory.js";

/** Every event id after `afterId` the store hands out now. */
async function visibleIds(store: Store, afterId: number): Promise<number[]> {
  const page = await store.listTaskEvents({ afterId, tenant: null, limit: 1000 });
  return page.events.map((e) => e.id);
}

/**
 * Reads until the store reports it caught up. Other test files' transactions run on the same
 * server, and the horizon waits for every transaction older than the probe, so "caught up"
 * can take a few reads; what may never happen is an id delivered before a smaller one.
 */
async function idsOnceSettled(store: Store, afterId: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor = afterId;
  for (let reads = 0; reads < 500; reads++) {
    const page = await store.listTaskEvents({ afterId: cursor, tenant: null, limit: 1000 });
    ids.push(...page.events.map((e) => e.id));
    cursor = page.nextAfterId;
    if (page.caughtUp) return ids;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the event log never caught up");
}

if (await requirePostgres()) {
  describe("PostgreSQL event horizon", () => {
    const schema = createPostgresSchemaHarness("event_horizon");
    let store: PostgresStore;
    let other: pg.Client;

    before(async () => {
      store = await schema.open();
      other = new pg.Client({ connectionString: postgresUrl() });
      await other.connect();
      await other.query(`SET search_path = "${schema.schema}"`);
    });
    after(async () => {
      await other?.end();
      await schema.cleanup();
    });

    /** Opens a transaction on `other` that takes an event id and keeps it uncommitted. */
    async function holdAnId(): Promise<number> {
      await other.query("BEGIN");
      const row = await other.query<{ id: string }>(
        `INSERT INTO task_events (tenant, task_id, kind, status) VALUES ('slow', 'slow-task', 'task:dispatched', 'pending') RETURNING id`,
      );
      return Number(row.rows[0].id);
    }

    for (const outcome of ["COMMIT", "ROLLBACK"] as const) {
      test(`a later event waits until an earlier id's transaction ends (${outcome})`, async () => {
        const start = await store.latestTaskEventId();
        const held = await holdAnId();
        const created = await store.createTask(makeTask({ tenant: "fast" }), "fail");
        assert.equal(created.created, true);
        // The fast task's event (id > held) is committed, but the held id may still commit.
        assert.deepEqual(await visibleIds(store, start), []);
        assert.ok((await store.latestTaskEventId()) < held, "the latest id stays below the open transaction's");
        const page = await store.listTaskEvents({ afterId: start, tenant: null, limit: 10 });
        assert.equal(page.caughtUp, false, "readers are told to come back");
        await other.query(outcome);
        const ids = await idsOnceSettled(store, start);
        const expected = outcome === "COMMIT" ? 2 : 1;
        assert.equal(ids.length, expected);
        assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]));
        if (outcome === "COMMIT") assert.equal(ids[0], held);
        assert.ok(ids[ids.length - 1] > held);
      });
    }
  });
}
