// The per-process cache of cluster-wide limits (PostgreSQL): claims use it instead of reading
// task_limits each time; past half its TTL it is refreshed in the background, so a claim never
// waits for that read while the cache is warm, and a local change is never overwritten by a read
// that began before it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LimitCache } from "../../src/store/postgres/limits.js";
import type { SqlRunner } from "../../src/store/postgres/postgres-connection.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeDb(): SqlRunner & { reads: number; rows: unknown[]; gate: Promise<void> | null } {
  const db = {
    reads: 0,
    rows: [] as unknown[],
    gate: null as Promise<void> | null,
    query: async () => {
      throw new Error("not used");
    },
    prepared: async () => {
      db.reads++;
      const rows = db.rows;
      if (db.gate) await db.gate;
      return { rows } as never;
    },
  };
  return db;
}

const limitRow = (name: string) => ({ scope: "queue", name, max_running: 1, rate_count: null, rate_interval_ms: null, window_start: null, window_used: 0 });

test("a warm cache answers at once and is refreshed in the background past half its TTL", async () => {
  const db = fakeDb();
  const cache = new LimitCache(db, 1000);
  assert.deepEqual(await cache.get(), []);
  assert.equal(db.reads, 1);
  await cache.get();
  assert.equal(db.reads, 1, "fresh: no read");
  await sleep(550);
  db.rows = [limitRow("q")];
  assert.deepEqual(await cache.get(), [], "past half the TTL: the cached list, at once");
  assert.equal(db.reads, 2, "and a read in the background");
  await sleep(0);
  assert.deepEqual((await cache.get()).map((l) => l.name), ["q"]);
});

test("invalidate() drops the cache, and a read begun before it does not store its result", async () => {
  const db = fakeDb();
  const cache = new LimitCache(db, 1000);
  await cache.get();
  await sleep(550);
  let open!: () => void;
  db.gate = new Promise((r) => (open = r));
  db.rows = [limitRow("old")];
  await cache.get(); // starts a background read that is held at the gate
  cache.invalidate();
  db.rows = [limitRow("new")];
  const after = cache.get(); // a read of its own, not the held one
  open();
  db.gate = null;
  assert.deepEqual((await after).map((l) => l.name), ["new"]);
  await sleep(0);
  assert.deepEqual((await cache.get()).map((l) => l.name), ["new"], "the older read did not overwrite it");
});
