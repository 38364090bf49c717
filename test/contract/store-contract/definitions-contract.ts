// Contract: definitions (CRUD, tenant scope, paging, enable/disable), fires as one
// compare-and-set with their tasks, skip records, fixedDelay arming and the scheduler lease.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DefinitionExistsError, DefinitionNotFoundError } from "../../../src/core/errors.js";
import { newId } from "../../../src/core/ids.js";
import type { DefinitionFire, NewDefinition } from "../../../src/store/store.js";
import { at, makeTask } from "../../support/task-factory.js";
import { claimOne, type ContractContext } from "./contract-context.js";

function makeDefinition(overrides: Partial<NewDefinition> = {}): NewDefinition {
  const name = overrides.name ?? `def-${newId().slice(-8)}`;
  return {
    id: newId(),
    tenant: "default",
    name,
    description: null,
    enabled: true,
    spec: { name, schedule: { fixedRate: "1s" }, task: { type: "test", steps: [{ name: "s0", executor: "noop" }] } },
    scheduleKind: "fixedRate",
    fixedDelayMs: null,
    nextFireAt: at(1000),
    createdAt: at(0),
    ...overrides,
  };
}

/** A fire of `def` at its planned time, making one task and planning the next second. */
function fireOf(def: { id: string; version: number; nextFireAt: Date | null }, options: { index?: string } = {}): DefinitionFire {
  const scheduledAt = def.nextFireAt!;
  const task = { ...makeTask({ now: scheduledAt, index: options.index }), definitionId: def.id, scheduledAt };
  return { definitionId: def.id, expectedVersion: def.version, expectedNextFireAt: def.nextFireAt, tasks: [task], skips: [], nextFireAt: new Date(scheduledAt.getTime() + 1000) };
}

/** Registers the definition and scheduler-lease tests. */
export function describeDefinitions(ctx: ContractContext): void {
  describe("definitions", () => {
    test("a definition is stored, read by name and id, and its name is unique per tenant", async () => {
      const created = await ctx.store.createDefinition(makeDefinition({ name: "nightly", description: "d" }));
      assert.equal(created.version, 1);
      assert.equal(created.enabled, true);
      assert.deepEqual(created.nextFireAt, at(1000));
      assert.equal(created.spec.name, "nightly");
      assert.deepEqual(await ctx.store.getDefinition("default", "nightly"), created);
      assert.deepEqual(await ctx.store.getDefinitionById(created.id, "default"), created);
      assert.equal(await ctx.store.getDefinitionById(created.id, "other"), null, "another tenant sees nothing");
      assert.equal(await ctx.store.getDefinition("other", "nightly"), null);
      await assert.rejects(ctx.store.createDefinition(makeDefinition({ name: "nightly" })), DefinitionExistsError);
      await ctx.store.createDefinition(makeDefinition({ name: "nightly", tenant: "other" }));
    });

    test("definitions list by tenant then name, page by cursor and filter", async () => {
      for (const [tenant, name, enabled] of [["a", "x", true], ["a", "y", false], ["b", "x", true], ["a", "z", true]] as const) {
        await ctx.store.createDefinition(makeDefinition({ tenant, name, enabled }));
      }
      const first = await ctx.store.listDefinitions({ tenant: null }, { limit: 2 });
      assert.deepEqual(first.items.map((d) => `${d.tenant}/${d.name}`), ["a/x", "a/y"]);
      assert.equal(first.total, 4);
      const second = await ctx.store.listDefinitions({ tenant: null }, { limit: 2, cursor: first.nextCursor });
      assert.deepEqual(second.items.map((d) => `${d.tenant}/${d.name}`), ["a/z", "b/x"]);
      assert.equal(second.nextCursor, null);
      assert.deepEqual((await ctx.store.listDefinitions({ tenant: "a", enabled: true }, { limit: 10 })).items.map((d) => d.name), ["x", "z"]);
      assert.deepEqual((await ctx.store.listDefinitions({ tenant: "a", namePrefix: "y" }, { limit: 10 })).items.map((d) => d.name), ["y"]);
    });

    test("an update is guarded by the version read before", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "u" }));
      const change = { id: def.id, description: "new", enabled: true, spec: { ...def.spec, description: "new" }, scheduleKind: "cron" as const, fixedDelayMs: null, nextFireAt: at(5000), now: at(10), withdrawEarlyFires: false };
      const updated = await ctx.store.updateDefinition({ ...change, expectedVersion: def.version });
      assert.ok(updated);
      assert.equal(updated.version, 2);
      assert.equal(updated.description, "new");
      assert.equal(updated.scheduleKind, "cron");
      assert.deepEqual(updated.nextFireAt, at(5000));
      assert.deepEqual(updated.updatedAt, at(10));
      assert.equal(await ctx.store.updateDefinition({ ...change, expectedVersion: def.version }), null, "stale version: CAS miss");
      await assert.rejects(ctx.store.updateDefinition({ ...change, id: "missing", expectedVersion: 1 }), DefinitionNotFoundError);
    });

    test("disable and enable keep the planned fire time and bump the version", async () => {
      await ctx.store.createDefinition(makeDefinition({ name: "e" }));
      const off = await ctx.store.setDefinitionEnabled("default", "e", false, at(5));
      assert.equal(off?.enabled, false);
      assert.equal(off?.version, 2);
      assert.deepEqual(off?.nextFireAt, at(1000));
      assert.equal((await ctx.store.setDefinitionEnabled("default", "e", false, at(6)))?.version, 2, "no change, no bump");
      assert.equal((await ctx.store.setDefinitionEnabled("default", "e", true, at(7)))?.enabled, true);
      assert.equal(await ctx.store.setDefinitionEnabled("default", "missing", true, at(7)), null);
    });

    test("delete removes the definition but keeps the tasks it made", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "d" }));
      const [outcome] = await ctx.store.fireDefinitions([fireOf(def)], at(1000));
      assert.equal(outcome.fired, true);
      assert.equal(await ctx.store.deleteDefinition("default", "d", at(2000)), true);
      assert.equal(await ctx.store.deleteDefinition("default", "d", at(2000)), false);
      assert.equal(await ctx.store.getDefinition("default", "d"), null);
      assert.equal((await ctx.store.listTasks({ definitionId: def.id }, { limit: 10 })).total, 1);
    });

    test("only enabled definitions whose time has come are due, earliest first, with their latest task's status", async () => {
      const late = await ctx.store.createDefinition(makeDefinition({ name: "late", nextFireAt: at(2000) }));
      const early = await ctx.store.createDefinition(makeDefinition({ name: "early", nextFireAt: at(1000) }));
      await ctx.store.createDefinition(makeDefinition({ name: "future", nextFireAt: at(9000) }));
      await ctx.store.createDefinition(makeDefinition({ name: "off", nextFireAt: at(1000), enabled: false }));
      await ctx.store.createDefinition(makeDefinition({ name: "none", nextFireAt: null }));
      assert.deepEqual((await ctx.store.listDueDefinitions(at(2000), 10)).map((d) => d.definition.name), ["early", "late"]);
      assert.deepEqual((await ctx.store.listDueDefinitions(at(2000), 1)).map((d) => d.definition.id), [early.id]);
      await ctx.store.fireDefinitions([fireOf(late)], at(2000));
      const due = await ctx.store.listDueDefinitions(at(3000), 10);
      const lateDue = due.find((d) => d.definition.id === late.id);
      assert.equal(lateDue?.lastTaskStatus, "pending");
      assert.equal(due.find((d) => d.definition.id === early.id)?.lastTaskStatus, null);
    });
  });

  describe("definition fires", () => {
    test("a fire creates its task and moves nextFireAt at once; the same guard never fires twice", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "f" }));
      const fire = fireOf(def);
      const [first] = await ctx.store.fireDefinitions([fire], at(1001));
      assert.ok(first.fired);
      assert.equal(first.tasks.length, 1);
      assert.equal(first.tasks[0].definitionId, def.id);
      assert.deepEqual(first.tasks[0].scheduledAt, at(1000));
      const after = (await ctx.store.getDefinition("default", "f"))!;
      assert.deepEqual(after.nextFireAt, at(2000));
      assert.deepEqual(after.lastFireAt, at(1000));
      assert.equal(after.lastTaskId, first.tasks[0].id);
      assert.equal(after.version, def.version + 1);
      const again = { ...fire, tasks: [{ ...fire.tasks[0], id: newId() }] };
      assert.deepEqual(await ctx.store.fireDefinitions([again], at(1002)), [{ fired: false, reason: "moved" }]);
      const history = await ctx.store.listTasks({ definitionId: def.id }, { limit: 10 });
      assert.equal(history.total, 1, "the lost fire wrote nothing");
    });

    test("fires of a batch succeed or miss one by one", async () => {
      const a = await ctx.store.createDefinition(makeDefinition({ name: "a" }));
      const b = await ctx.store.createDefinition(makeDefinition({ name: "b" }));
      const stale = { ...fireOf(b), expectedVersion: b.version + 5 };
      const outcomes = await ctx.store.fireDefinitions([fireOf(a), stale], at(1000));
      assert.equal(outcomes[0].fired, true);
      assert.deepEqual(outcomes[1], { fired: false, reason: "moved" });
      assert.equal((await ctx.store.listTasks({ definitionId: b.id }, { limit: 10 })).total, 0);
    });

    test("a disabled definition does not fire", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "off" }));
      await ctx.store.setDefinitionEnabled("default", "off", false, at(1));
      const [outcome] = await ctx.store.fireDefinitions([{ ...fireOf(def), expectedVersion: def.version + 1 }], at(1000));
      assert.equal(outcome.fired, false);
      assert.equal((await ctx.store.listTasks({ definitionId: def.id }, { limit: 10 })).total, 0);
    });

    test("disabling withdraws the tasks fired ahead whose time has not come, and only those", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "ahead" }));
      // One fire at its time (1000) and one fired ahead (3000, created at 2000 with runAt 3000).
      const [due] = await ctx.store.fireDefinitions([fireOf(def)], at(1000));
      const after = (await ctx.store.getDefinition("default", "ahead"))!;
      const early = fireOf({ ...after, nextFireAt: at(3000) });
      early.expectedNextFireAt = after.nextFireAt;
      early.tasks = [{ ...early.tasks[0], runAt: at(3000), createdAt: at(2000), callbacks: ["notify"] }];
      const [ahead] = await ctx.store.fireDefinitions([early], at(2000));
      assert.ok(due.fired && ahead.fired);
      const off = await ctx.store.setDefinitionEnabled("default", "ahead", false, at(2500));
      assert.equal(off?.enabled, false);
      const withdrawn = (await ctx.store.getTask(ahead.tasks[0].id, null))!;
      assert.equal(withdrawn.status, "cancelled");
      assert.match(withdrawn.message ?? "", /withdrawn before its fire time/);
      assert.equal(withdrawn.steps[0].status, "cancelled");
      assert.deepEqual(withdrawn.endedAt, at(2500));
      assert.equal(withdrawn.callbackStatus, "pending", "its callback runs once for the cancel");
      assert.equal((await ctx.store.getTask(due.tasks[0].id, null))!.status, "pending", "a fire whose time came stays");
      const claimed = await ctx.store.claimTasks({ nodeId: "w", queues: ["default"], executors: ["noop"], limit: 10, leaseMs: 30_000, now: at(4000) });
      assert.deepEqual(claimed.map((c) => c.task.id), [due.tasks[0].id], "the withdrawn task is never claimed");
    });

    test("an update that asks for it withdraws the tasks fired ahead; one that does not keeps them", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "resched", nextFireAt: at(3000) }));
      const [ahead] = await ctx.store.fireDefinitions([fireOf(def)], at(2000));
      assert.ok(ahead.fired);
      const current = (await ctx.store.getDefinition("default", "resched"))!;
      const change = { id: def.id, description: null, enabled: true, spec: def.spec, scheduleKind: "fixedRate" as const, fixedDelayMs: null, nextFireAt: current.nextFireAt, now: at(2500) };
      const kept = await ctx.store.updateDefinition({ ...change, expectedVersion: current.version, withdrawEarlyFires: false });
      assert.ok(kept);
      assert.equal((await ctx.store.getTask(ahead.tasks[0].id, null))!.status, "pending");
      assert.ok(await ctx.store.updateDefinition({ ...change, expectedVersion: kept.version, withdrawEarlyFires: true }));
      assert.equal((await ctx.store.getTask(ahead.tasks[0].id, null))!.status, "cancelled");
    });

    test("deleting withdraws the tasks fired ahead whose time has not come", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "gone", nextFireAt: at(3000) }));
      const [ahead] = await ctx.store.fireDefinitions([fireOf(def)], at(2000));
      assert.ok(ahead.fired);
      assert.equal(await ctx.store.deleteDefinition("default", "gone", at(2500)), true);
      const task = (await ctx.store.getTask(ahead.tasks[0].id, null))!;
      assert.equal(task.status, "cancelled");
      assert.equal(task.steps[0].status, "cancelled");
    });

    test("skips are recorded with the fire; a task whose index is taken is recorded as a duplicate", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "s" }));
      const fire = fireOf(def, { index: "only-one" });
      fire.skips = [{ reason: "misfire", scheduledAt: at(10), count: 7, blockingTaskId: null }];
      const [first] = await ctx.store.fireDefinitions([fire], at(1000));
      assert.ok(first.fired);
      const holder = first.tasks[0].id;
      const now = (await ctx.store.getDefinition("default", "s"))!;
      const [second] = await ctx.store.fireDefinitions([fireOf(now, { index: "only-one" })], at(2000));
      assert.ok(second.fired);
      assert.deepEqual(second.tasks, []);
      const skips = await ctx.store.listSkippedFires(def.id, 10);
      assert.deepEqual(
        skips.map((s) => ({ reason: s.reason, count: s.count, scheduledAt: s.scheduledAt, blockingTaskId: s.blockingTaskId })),
        [
          { reason: "duplicate", count: 1, scheduledAt: at(2000), blockingTaskId: holder },
          { reason: "misfire", count: 7, scheduledAt: at(10), blockingTaskId: null },
        ],
      );
      assert.deepEqual(skips[0].recordedAt, at(2000));
    });

    test("two store instances firing the same guard at once create one task", async (t) => {
      if (!ctx.harness.openSecond) return t.skip("backend has no second instance");
      const def = await ctx.store.createDefinition(makeDefinition({ name: "race" }));
      const second = await ctx.harness.openSecond();
      try {
        const outcomes = await Promise.all([ctx.store.fireDefinitions([fireOf(def)], at(1000)), second.fireDefinitions([fireOf(def)], at(1000))]);
        assert.equal(outcomes.flat().filter((o) => o.fired).length, 1);
        assert.equal((await ctx.store.listTasks({ definitionId: def.id }, { limit: 10 })).total, 1);
      } finally {
        await second.close();
      }
    });

    test("a fixedDelay definition is armed only once its task has ended, from its end time", async () => {
      const def = await ctx.store.createDefinition(makeDefinition({ name: "delay", scheduleKind: "fixedDelay", fixedDelayMs: 5000, nextFireAt: at(0) }));
      const fire = { ...fireOf(def), nextFireAt: null };
      const [outcome] = await ctx.store.fireDefinitions([fire], at(0));
      assert.ok(outcome.fired);
      assert.equal(await ctx.store.armFixedDelayDefinitions(at(100), 10), 0, "its task is still pending");
      const claimed = await claimOne(ctx.store, { now: at(200) });
      assert.equal(await ctx.store.armFixedDelayDefinitions(at(300), 10), 0, "its task is running");
      await ctx.store.completeStep(claimed.lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now: at(400) });
      assert.equal(await ctx.store.armFixedDelayDefinitions(at(500), 10), 1);
      assert.deepEqual((await ctx.store.getDefinition("default", "delay"))!.nextFireAt, at(5400));
      assert.equal(await ctx.store.armFixedDelayDefinitions(at(600), 10), 0, "already armed");
    });
  });

  describe("scheduler lease", () => {
    const req = (holderId: string, ms: number) => ({ holderId, holderName: `n-${holderId}`, leaseMs: 3000, now: at(ms) });

    test("one holder at a time; an expired lease changes hands with a new term", async () => {
      assert.equal(await ctx.store.getSchedulerLease(), null);
      const a = await ctx.store.acquireSchedulerLease(req("a", 0));
      assert.equal(a?.holderId, "a");
      assert.equal(a?.term, 1);
      assert.equal(await ctx.store.acquireSchedulerLease(req("b", 1000)), null, "held by a");
      const again = await ctx.store.acquireSchedulerLease(req("a", 2000));
      assert.equal(again?.term, 1, "re-acquiring one's own lease renews it");
      assert.deepEqual(again?.leaseUntil, at(5000));
      const b = await ctx.store.acquireSchedulerLease(req("b", 5001));
      assert.equal(b?.holderId, "b");
      assert.equal(b?.term, 2);
      assert.deepEqual(b?.acquiredAt, at(5001));
      assert.equal(await ctx.store.renewSchedulerLease({ holderId: "a", term: 1, leaseMs: 3000, now: at(5002), lastTickAt: null, lagMs: null }), false);
    });

    test("renewals record the latest tick and lag; a release frees the lease at once", async () => {
      const a = (await ctx.store.acquireSchedulerLease(req("a", 0)))!;
      assert.equal(await ctx.store.renewSchedulerLease({ holderId: "a", term: a.term, leaseMs: 3000, now: at(1000), lastTickAt: at(990), lagMs: 12 }), true);
      const seen = (await ctx.store.getSchedulerLease())!;
      assert.deepEqual(seen.lastTickAt, at(990));
      assert.equal(seen.lagMs, 12);
      assert.deepEqual(seen.leaseUntil, at(4000));
      await ctx.store.releaseSchedulerLease("a", at(1500));
      assert.equal((await ctx.store.acquireSchedulerLease(req("b", 1600)))?.holderId, "b");
    });
  });
}
