// The PostgreSQL store's group commit: batches form while a statement is in flight, each item
// keeps its own outcome, and the writer learns whether its statement is the only one in flight
// (a lone insert may then carry the ready NOTIFY; see dispatch.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { StatementBatcher, type ItemOutcome } from "../../src/store/postgres/statement-batcher.js";

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

test("the first statement goes out alone; one sent while it is in flight does not", async () => {
  const calls: { items: number[]; alone: boolean; done: ReturnType<typeof deferred<ItemOutcome<number>[]>> }[] = [];
  const batcher = new StatementBatcher<number, number>({
    maxInFlight: 2,
    maxBatch: 10,
    keyOf: (n) => String(n),
    write: (items, alone) => {
      const done = deferred<ItemOutcome<number>[]>();
      calls.push({ items, alone, done });
      return done.promise;
    },
  });
  const first = [batcher.submit(1), batcher.submit(2)];
  await tick();
  const second = batcher.submit(3);
  await tick();
  assert.deepEqual(calls.map((c) => [c.items, c.alone]), [[[1, 2], true], [[3], false]]);
  calls[0].done.resolve([{ ok: true, value: 10 }, { ok: true, value: 20 }]);
  calls[1].done.resolve([{ ok: true, value: 30 }]);
  assert.deepEqual(await Promise.all([...first, second]), [10, 20, 30]);
  // Nothing in flight again: the next statement is alone.
  const third = batcher.submit(4);
  await tick();
  assert.equal(calls[2].alone, true);
  calls[2].done.resolve([{ ok: true, value: 40 }]);
  assert.equal(await third, 40);
});

test("a failed batch is written again item by item, never alone, and only the bad item fails", async () => {
  const seen: [number[], boolean][] = [];
  const batcher = new StatementBatcher<number, number>({
    maxInFlight: 1,
    maxBatch: 10,
    keyOf: (n) => String(n),
    write: async (items, alone) => {
      seen.push([items, alone]);
      if (items.includes(2)) throw new Error("bad item 2");
      return items.map((n) => ({ ok: true as const, value: n * 10 }));
    },
  });
  const results = await Promise.allSettled([batcher.submit(1), batcher.submit(2), batcher.submit(3)]);
  assert.deepEqual(
    results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message)),
    [10, "bad item 2", 30],
  );
  assert.deepEqual(seen, [
    [[1, 2, 3], true],
    [[1], false],
    [[2], false],
    [[3], false],
  ]);
});
