// Contract: dispatch (createTask/createTasks, de-duplication) and reads (get, list, count, logs).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TASK_STATUSES } from "../../../src/core/status.js";
import { at, makeTask, makeTasks, T0 } from "../../support/task-factory.js";
import { claimOne, create, reload, type ContractContext } from "./contract-context.js";

/** Registers the dispatch and read tests. */
export function describeDispatch(ctx: ContractContext): void {
  describe("dispatch", () => {
    test("a created task is pending with every step pending and no try counted", async () => {
      const input = makeTask({ steps: 2, params: { a: 1 }, payload: { p: [1, 2] }, callbacks: ["notify"], priority: 5, timeout: "1m" });
      const { task, created } = await ctx.store.createTask(input, "fail");
      assert.equal(created, true);
      assert.equal(task.status, "pending");
      assert.equal(task.currentStep, 0);
      assert.deepEqual(task.steps.map((s) => [s.index, s.name, s.status, s.attempts]), [
        [0, "s0", "pending", 0],
        [1, "s1", "pending", 0],
      ]);
      assert.equal(task.progress, 0);
      assert.equal(task.leaseToken, 0);
      assert.equal(task.retryCount, 0);
      assert.equal(task.result, null);
      assert.equal(task.timeoutMs, 60_000);
      assert.equal(task.deadlineAt, null);
      assert.equal(task.updatedAt.getTime(), input.createdAt.getTime());
    });

    test("a stored task reads back exactly as createTask returned it", async () => {
      const input = makeTask({
        steps: [
          { name: "fetch", executor: "http", alias: "Fetch it", params: { url: "http://x" }, payload: { n: 1 }, tries: 3, queue: "io" },
          { name: "save", executor: "noop", skipOnFailed: true, timeout: 500, backoff: { kind: "exponential", delay: 100, max: 1000, jitter: 0.5 } },
        ],
        name: "nightly",
        index: "order-1",
        indexType: "order",
        queue: "q1",
        creator: "alice",
        params: { deep: { list: [1, "two", null, true] } },
        payload: "just a string",
        startTimeout: "10s",
        callbacks: ["a", "b"],
        tenant: "acme",
        definitionId: "def-1",
      });
      const { task } = await ctx.store.createTask(input, "fail");
      assert.deepEqual(await ctx.store.getTask(input.id, "acme"), task);
      assert.equal(task.steps[0].queue, "io");
      assert.deepEqual(task.steps[1].backoff, { kind: "exponential", delayMs: 100, maxMs: 1000, jitter: 0.5 });
      assert.equal(task.startTimeoutMs, 10_000);
      assert.equal(task.definitionId, "def-1");
    });

    test("a duplicate of an active task's index returns the existing task when asked to", async () => {
      const first = await create(ctx.store, makeTask({ index: "k1", indexType: "order" }));
      const again = await ctx.store.createTask(makeTask({ index: "k1", indexType: "order" }), "return");
      assert.equal(again.created, false);
      assert.equal(again.task.id, first.id);
      assert.equal((await ctx.store.listTasks({}, { limit: 10 })).total, 1);
    });

    test("a duplicate of an active task's index fails when asked to and stores nothing", async () => {
      const first = await create(ctx.store, makeTask({ index: "k1" }));
      await claimOne(ctx.store);
      const dup = makeTask({ index: "k1" });
      await assert.rejects(ctx.store.createTask(dup, "fail"), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, "DUPLICATE_TASK");
        assert.match(err.message ?? "", new RegExp(first.id));
        return true;
      });
      assert.equal(await ctx.store.getTask(dup.id, null), null);
    });

    test("the same index in another tenant, type or index type is not a duplicate", async () => {
      await create(ctx.store, makeTask({ index: "k", indexType: "a" }));
      for (const other of [makeTask({ index: "k", indexType: "b" }), makeTask({ index: "k", indexType: "a", type: "other" }), makeTask({ index: "k", indexType: "a", tenant: "t2" })]) {
        assert.equal((await ctx.store.createTask(other, "fail")).created, true);
      }
    });

    test("a terminal task never blocks a new task with the same index", async () => {
      const first = await create(ctx.store, makeTask({ index: "k" }));
      await ctx.store.requestCancel(first.id, null, at(1));
      const second = await ctx.store.createTask(makeTask({ index: "k" }), "fail");
      assert.equal(second.created, true);
      assert.notEqual(second.task.id, first.id);
    });

    test("createTasks stores many at once and returns duplicates, also within the batch", async () => {
      const existing = await create(ctx.store, makeTask({ index: "old" }));
      const batch = [makeTask(), makeTask({ index: "old" }), makeTask({ index: "new" }), makeTask({ index: "new" })];
      const results = await ctx.store.createTasks(batch);
      assert.deepEqual(results.map((r) => r.created), [true, false, true, false]);
      assert.equal(results[1].task.id, existing.id);
      assert.equal(results[3].task.id, batch[2].id);
      assert.equal((await ctx.store.listTasks({}, { limit: 10 })).total, 3);
    });

    test("a task without steps, with two steps of one name, or with a taken id is refused", async () => {
      const good = makeTask({ steps: 2 });
      const twice = { ...good, id: makeTask().id, steps: [good.steps[0], good.steps[0]] };
      await assert.rejects(ctx.store.createTask({ ...makeTask(), steps: [] }, "fail"), { code: "VALIDATION_FAILED" });
      await assert.rejects(ctx.store.createTask(twice, "return"), { code: "VALIDATION_FAILED" });
      assert.equal((await ctx.store.listTasks({}, { limit: 10 })).total, 0);
      await create(ctx.store, good);
      await assert.rejects(ctx.store.createTask({ ...makeTask(), id: good.id }, "return"), { code: "VALIDATION_FAILED" });
      await assert.rejects(ctx.store.createTasks([makeTask(), { ...makeTask(), id: good.id }]), { code: "VALIDATION_FAILED" });
      assert.equal((await ctx.store.listTasks({}, { limit: 10 })).total, 1);
    });

    test("createTasks with one invalid task stores none of them", async () => {
      const bad = { ...makeTask(), steps: [] };
      await assert.rejects(ctx.store.createTasks([makeTask(), bad]), { code: "VALIDATION_FAILED" });
      assert.equal((await ctx.store.listTasks({}, { limit: 10 })).total, 0);
    });
  });

  describe("reads", () => {
    test("getTask hides tasks of other tenants and unknown ids, and an admin scope sees all", async () => {
      const task = await create(ctx.store, makeTask({ tenant: "acme" }));
      assert.equal((await ctx.store.getTask(task.id, "acme"))?.id, task.id);
      assert.equal(await ctx.store.getTask(task.id, "other"), null);
      assert.equal((await ctx.store.getTask(task.id, null))?.id, task.id);
      assert.equal(await ctx.store.getTask("no-such-task", null), null);
    });

    test("listTasks pages newest first with a cursor and the total of every page", async () => {
      const tasks = makeTasks(7);
      for (const t of tasks) await create(ctx.store, t);
      const ids = tasks.map((t) => t.id).reverse();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await ctx.store.listTasks({}, { limit: 3, cursor });
        assert.equal(page.total, 7);
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);
      const exact = await ctx.store.listTasks({}, { limit: 7 });
      assert.equal(exact.nextCursor, null, "a page that holds the last task has no next cursor");
      assert.equal(exact.items[0].steps.length, 1, "listed tasks carry their steps");
    });

    test("listTasks narrows by every filter field", async () => {
      const a = await create(ctx.store, makeTask({ type: "mail", index: "i1", indexType: "user", creator: "bob", queue: "q1", tenant: "t1", now: at(0) }));
      const b = await create(ctx.store, makeTask({ type: "mail", tenant: "t1", now: at(1000), definitionId: "d1" }));
      const c = await create(ctx.store, makeTask({ type: "sms", tenant: "t2", now: at(2000) }));
      await ctx.store.requestCancel(c.id, null, at(3000));
      const ids = async (filter: Parameters<typeof ctx.store.listTasks>[0]) =>
        (await ctx.store.listTasks(filter, { limit: 100 })).items.map((t) => t.id).sort();
      assert.deepEqual(await ids({ tenant: "t1" }), [a.id, b.id].sort());
      assert.deepEqual(await ids({ tenant: null }), [a.id, b.id, c.id].sort());
      assert.deepEqual(await ids({ status: ["cancelled"] }), [c.id]);
      assert.deepEqual(await ids({ status: ["pending", "cancelled"] }), [a.id, b.id, c.id].sort());
      assert.deepEqual(await ids({ type: "mail" }), [a.id, b.id].sort());
      assert.deepEqual(await ids({ index: "i1" }), [a.id]);
      assert.deepEqual(await ids({ index: "i1", indexType: "other" }), []);
      assert.deepEqual(await ids({ creator: "bob" }), [a.id]);
      assert.deepEqual(await ids({ queue: "q1" }), [a.id]);
      assert.deepEqual(await ids({ definitionId: "d1" }), [b.id]);
      assert.deepEqual(await ids({ createdFrom: at(1000) }), [b.id, c.id].sort());
      assert.deepEqual(await ids({ createdTo: at(1000) }), [a.id]);
      assert.deepEqual(await ids({ tenant: "t2", type: "mail" }), []);
      assert.equal((await ctx.store.listTasks({ tenant: "t1", status: ["cancelled"] }, { limit: 10 })).total, 0);
    });

    test("listTasks refuses an unknown status, and an empty status list does not narrow", async () => {
      await create(ctx.store, makeTask());
      await assert.rejects(ctx.store.listTasks({ status: ["pending", "sleeping" as never] }, { limit: 10 }), { code: "VALIDATION_FAILED" });
      assert.equal((await ctx.store.listTasks({ status: [] }, { limit: 10 })).total, 1);
      assert.equal((await ctx.store.countTasksByStatus({ status: [] })).pending, 1);
    });

    test("listTasks refuses a page limit outside 1..1000", async () => {
      for (const limit of [0, 1001, 2.5]) {
        await assert.rejects(ctx.store.listTasks({}, { limit }), { code: "VALIDATION_FAILED" });
      }
      assert.equal((await ctx.store.listTasks({}, { limit: 1000 })).total, 0);
    });

    test("countTasksByStatus reports every status, zero when none, within the filter", async () => {
      const empty = await ctx.store.countTasksByStatus({});
      assert.deepEqual(Object.keys(empty).sort(), [...TASK_STATUSES].sort());
      assert.ok(Object.values(empty).every((n) => n === 0));
      await create(ctx.store, makeTask({ tenant: "t1" }));
      await create(ctx.store, makeTask({ tenant: "t1" }));
      const other = await create(ctx.store, makeTask({ tenant: "t2" }));
      await claimOne(ctx.store);
      await ctx.store.requestCancel(other.id, null, T0);
      const all = await ctx.store.countTasksByStatus({});
      assert.deepEqual([all.pending, all.running, all.cancelled, all.succeeded], [1, 1, 1, 0]);
      const t1 = await ctx.store.countTasksByStatus({ tenant: "t1" });
      assert.deepEqual([t1.pending, t1.running, t1.cancelled], [1, 1, 0]);
      assert.equal((await reload(ctx.store, other.id)).status, "cancelled");
    });
  });
}
