// Contract: the task event log written by the database on every task/step status transition,
// read in id order with tenant/task/definition filters, resumable, and pruned by age.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { TaskEvent } from "../../../src/core/task-event.js";
import type { Store, TaskEventQuery } from "../../../src/store/store.js";
import { TASK_EVENT_SCAN_WINDOW } from "../../../src/store/task-event-scan.js";
import { at, makeTask, makeTasks } from "../../support/task-factory.js";
import { claimOne, create, createAndClaim, type ContractContext } from "./contract-context.js";

/** A tenant no other test uses (the PostgreSQL harness keeps the event log between tests). */
function freshTenant(): string {
  return `t-${randomUUID().slice(0, 8)}`;
}

/** Every event matching `query` after `afterId`, read page by page until caught up. */
async function readAll(store: Store, query: Partial<TaskEventQuery> & { tenant: TaskEventQuery["tenant"] }): Promise<TaskEvent[]> {
  const events: TaskEvent[] = [];
  let afterId = query.afterId ?? 0;
  for (let reads = 0; reads < 10_000; reads++) {
    const page = await store.listTaskEvents({ limit: 100, ...query, afterId });
    assert.ok(page.nextAfterId >= afterId, "the cursor never moves back");
    events.push(...page.events);
    afterId = page.nextAfterId;
    if (page.caughtUp) return events;
    // Not caught up with nothing read: recent events are not final yet (PostgreSQL waits for
    // transactions of other test files on the same server); read again shortly.
    if (page.events.length === 0) await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the event log never reported caught up");
}

/** Kinds of the events of one task, in id order. */
async function kindsOf(store: Store, taskId: string): Promise<string[]> {
  return (await readAll(store, { tenant: null, taskId })).map((e) => (e.step === null ? e.kind : `${e.kind}(${e.step})`));
}

/** Splits `kinds` into consecutive groups of the given sizes, each sorted. */
function inWrites(kinds: string[], sizes: number[]): string[][] {
  assert.equal(kinds.length, sizes.reduce((a, b) => a + b, 0), `unexpected events: ${kinds.join(", ")}`);
  let offset = 0;
  return sizes.map((size) => kinds.slice(offset, (offset += size)).sort());
}

/** Registers the task event log tests. */
export function describeTaskEvents(ctx: ContractContext): void {
  describe("task event log", () => {
    test("a task's life is recorded transition by transition, in the order of its writes", async () => {
      const tenant = freshTenant();
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ tenant, steps: 2 }), { now: at(0) });
      await ctx.store.completeStep(lease, { stepIndex: 0, output: 1, paramsPatch: null, continueNext: true, now: at(1) });
      await ctx.store.completeStep(lease, { stepIndex: 1, output: 2, paramsPatch: null, continueNext: true, now: at(2) });
      // Each write's events come together; within one write each store records rows in its
      // own statement order (PostgreSQL's single-statement writes interleave them).
      assert.deepEqual(inWrites(await kindsOf(ctx.store, task.id), [1, 2, 2, 2]), [
        ["task:dispatched"],
        ["step:running(s0)", "task:running"],
        ["step:running(s1)", "step:succeeded(s0)"],
        ["step:succeeded(s1)", "task:succeeded"],
      ]);
      const events = await readAll(ctx.store, { tenant, taskId: task.id });
      assert.ok(events.every((e, i) => i === 0 || e.id > events[i - 1].id), "ids increase");
      const last = events.find((e) => e.kind === "task:succeeded");
      assert.ok(last);
      assert.deepEqual(
        { tenant: last.tenant, taskId: last.taskId, definitionId: last.definitionId, status: last.status, step: last.step, attempt: last.attempt },
        { tenant, taskId: task.id, definitionId: null, status: "succeeded", step: null, attempt: null },
      );
      assert.ok(last.createdAt instanceof Date && !Number.isNaN(last.createdAt.getTime()));
      const stepEvent = events.find((e) => e.kind === "step:succeeded" && e.step === "s1");
      assert.deepEqual([stepEvent?.status, stepEvent?.attempt], ["succeeded", 1]);
    });

    test("a failed try that will retry and a final failure carry the step's message", async () => {
      const tenant = freshTenant();
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ tenant, step: { tries: 2 } }), { now: at(0) });
      await ctx.store.failStep(lease, { stepIndex: 0, stepStatus: "failed", message: "boom 1", then: { kind: "retry", runAt: at(10) }, now: at(1) });
      const retry = await claimOne(ctx.store, { now: at(10) });
      await ctx.store.failStep(retry.lease, { stepIndex: 0, stepStatus: "timeout", message: "too slow", then: { kind: "end", taskStatus: "failed" }, now: at(20) });
      const events = await readAll(ctx.store, { tenant, taskId: task.id });
      const pick = (kind: string) => events.filter((e) => e.kind === kind).map((e) => [e.message, e.attempt]);
      assert.deepEqual(pick("step:pending"), [["boom 1", 1]]);
      assert.deepEqual(pick("step:timeout"), [["too slow", 2]]);
      assert.deepEqual(pick("task:failed"), [["too slow", null]]);
      assert.equal(pick("task:pending").length, 1, "the task went back to pending once");
    });

    test("cancelling records a request for a running task and the cancellation of a pending one", async () => {
      const tenant = freshTenant();
      const running = await createAndClaim(ctx.store, makeTask({ tenant }), { now: at(0) });
      await ctx.store.requestCancel(running.task.id, null, at(1));
      await ctx.store.requestCancel(running.task.id, null, at(2));
      const pending = await create(ctx.store, makeTask({ tenant, queue: "elsewhere" }));
      await ctx.store.requestCancel(pending.id, tenant, at(3));
      assert.deepEqual((await kindsOf(ctx.store, running.task.id)).filter((k) => k.startsWith("task:cancel")), ["task:cancel-requested"]);
      assert.deepEqual(inWrites(await kindsOf(ctx.store, pending.id), [1, 2]), [["task:dispatched"], ["step:cancelled(s0)", "task:cancelled"]]);
    });

    test("writes that change no status (progress, lease renewal, logs) record nothing", async () => {
      const tenant = freshTenant();
      const { task, lease } = await createAndClaim(ctx.store, makeTask({ tenant }), { now: at(0) });
      const before = await readAll(ctx.store, { tenant, taskId: task.id });
      await ctx.store.updateProgress(lease, 50, "half", at(1));
      await ctx.store.renewLeases([lease], at(60_000), at(2));
      await ctx.store.appendLogs([{ taskId: task.id, stepIndex: 0, attempt: 1, at: at(3), level: "info", message: "hi", fields: null }], lease, at(3));
      assert.deepEqual(await readAll(ctx.store, { tenant, taskId: task.id }), before);
    });

    test("reads are limited to the tenant, task and definition asked for", async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      const taskA = await create(ctx.store, makeTask({ tenant: a, definitionId: "def-1" }));
      const taskA2 = await create(ctx.store, makeTask({ tenant: a }));
      const taskB = await create(ctx.store, makeTask({ tenant: b, definitionId: "def-1" }));
      const ids = (events: TaskEvent[]) => events.map((e) => e.taskId);
      assert.deepEqual(ids(await readAll(ctx.store, { tenant: a })), [taskA.id, taskA2.id]);
      assert.deepEqual(ids(await readAll(ctx.store, { tenant: b })), [taskB.id]);
      assert.deepEqual(ids(await readAll(ctx.store, { tenant: a, taskId: taskB.id })), [], "another tenant's task yields nothing");
      assert.deepEqual(ids(await readAll(ctx.store, { tenant: a, definitionId: "def-1" })), [taskA.id]);
      const all = ids(await readAll(ctx.store, { tenant: null, definitionId: "def-1" }));
      assert.deepEqual(all.filter((id) => id === taskA.id || id === taskB.id), [taskA.id, taskB.id], "admin scope sees every tenant");
    });

    test("paging resumes after the last id seen: every event once, in order", async () => {
      const tenant = freshTenant();
      const start = await ctx.store.latestTaskEventId();
      await ctx.store.createTasks(makeTasks(7, { tenant }));
      const whole = await readAll(ctx.store, { tenant, afterId: start });
      assert.equal(whole.length, 7);
      const seen: number[] = [];
      let afterId = start;
      for (;;) {
        const page = await ctx.store.listTaskEvents({ afterId, tenant, limit: 3 });
        assert.ok(page.events.length <= 3);
        seen.push(...page.events.map((e) => e.id));
        afterId = page.nextAfterId;
        if (page.caughtUp) break;
      }
      assert.deepEqual(seen, whole.map((e) => e.id));
    });

    test("the latest id is where a stream of only new events starts", async () => {
      const tenant = freshTenant();
      await create(ctx.store, makeTask({ tenant }));
      // Once its event was delivered, the latest id is at or past it.
      const [delivered] = await readAll(ctx.store, { tenant });
      const latest = await ctx.store.latestTaskEventId();
      assert.ok(latest >= delivered.id);
      assert.deepEqual((await readAll(ctx.store, { tenant, afterId: latest })).length, 0);
      const later = await create(ctx.store, makeTask({ tenant }));
      const fresh = await readAll(ctx.store, { tenant, afterId: latest });
      assert.deepEqual(fresh.map((e) => [e.taskId, e.kind]), [[later.id, "task:dispatched"]]);
      assert.ok((await ctx.store.latestTaskEventId()) >= fresh[0].id);
    });

    test("a filtered read finds its events past a scan window of other tenants' rows", async () => {
      const [mine, other] = [freshTenant(), freshTenant()];
      const start = await ctx.store.latestTaskEventId();
      for (let i = 0; i < TASK_EVENT_SCAN_WINDOW + 100; i += 1000) await ctx.store.createTasks(makeTasks(1000, { tenant: other }));
      const task = await create(ctx.store, makeTask({ tenant: mine }));
      const first = await ctx.store.listTaskEvents({ afterId: start, tenant: mine, limit: 10 });
      assert.deepEqual([first.events.length, first.caughtUp], [0, false], "one read scans one window");
      const events = await readAll(ctx.store, { tenant: mine, afterId: first.nextAfterId });
      assert.deepEqual(events.map((e) => e.taskId), [task.id]);
    });

    test("retention deletes events recorded before a time, oldest first, in batches, keeping the newest", async () => {
      const tenant = freshTenant();
      await ctx.store.createTasks(makeTasks(5, { tenant }));
      assert.equal(await ctx.store.deleteTaskEventsBefore(new Date(Date.now() - 3_600_000), 1000), 0, "nothing is an hour old");
      const future = new Date(Date.now() + 3_600_000);
      const firstBatch = await ctx.store.deleteTaskEventsBefore(future, 2);
      assert.equal(firstBatch, 2);
      while ((await ctx.store.deleteTaskEventsBefore(future, 1000)) > 0);
      const left = await readAll(ctx.store, { tenant: null });
      assert.equal(left.length, 1, "the newest event stays");
      assert.equal(left[0].tenant, tenant);
      const next = await create(ctx.store, makeTask({ tenant }));
      const after = await readAll(ctx.store, { tenant, afterId: left[0].id });
      assert.deepEqual(after.map((e) => e.taskId), [next.id], "ids keep increasing after a purge");
    });

    test("a bad limit or position is a validation error naming the field", async () => {
      await assert.rejects(ctx.store.listTaskEvents({ afterId: 0, tenant: null, limit: 0 }), (err: { code?: string; message?: string }) => {
        assert.equal(err.code, "VALIDATION_FAILED");
        assert.match(String(err.message), /limit: must be an integer from 1 to 1000, got 0/);
        return true;
      });
      await assert.rejects(ctx.store.listTaskEvents({ afterId: -1, tenant: null, limit: 5 }), /afterId: must be an integer >= 0, got -1/);
    });
  });
}
