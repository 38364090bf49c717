// The scheduler with an injected clock on SQLite: leader election, firing at the right
// instants (DST included), fixedDelay, overlap and misfire policies, disable/enable, trigger,
// and the default fire-ahead window (early fires, and their withdrawal).
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DefinitionSpec } from "../../src/core/validation/definition-spec.js";
import type { TaskrailEvents } from "../../src/core/events.js";
import { createTaskrail, type Taskrail } from "../../src/runtime/taskrail.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import type { SchedulerOptions } from "../../src/scheduler/scheduler-options.js";
import type { Task } from "../../src/core/task.js";
import { FakeClock } from "../support/fake-clock.js";
import { tempSqliteUrl } from "../support/temp-sqlite.js";

const task = { type: "job", steps: [{ name: "run", executor: "noop" }] };
// fireAhead 0: these tests watch tasks being created at their fire instants; the default
// window (5 s) has its own tests below ("fire-ahead window").
const OPTIONS: SchedulerOptions = { lease: 5000, tickInterval: 200, misfireGrace: 10_000, nodeName: "a", fireAhead: 0 };

let clock: FakeClock;
let tr: Taskrail;
let cleanup: () => void;

beforeEach(async () => {
  clock = new FakeClock("2030-01-01T00:00:00Z");
  const db = tempSqliteUrl();
  cleanup = db.cleanup;
  tr = await createTaskrail({ db: db.url, clock });
});

afterEach(async () => {
  await tr.close();
  cleanup();
});

function scheduler(options: SchedulerOptions = {}): Scheduler {
  return new Scheduler({ store: tr.store, events: tr.events, clock }, { ...OPTIONS, ...options });
}

/** Ticks `s` every `stepMs` until the clock reaches `until`. */
async function runUntil(s: Scheduler, until: string | Date, stepMs = 1000): Promise<void> {
  const end = new Date(until).getTime();
  while (clock.now() < end) {
    clock.advance(Math.min(stepMs, end - clock.now()));
    await s.tick();
  }
}

async function history(name: string): Promise<Task[]> {
  return (await tr.client.definitionHistory(name, { limit: 1000 })).items.reverse();
}

async function scheduledTimes(name: string): Promise<string[]> {
  return (await history(name)).map((t) => t.scheduledAt!.toISOString());
}

/** Claims and completes the pending tasks `ids` at the current clock time. */
async function finish(...ids: string[]): Promise<void> {
  const now = clock.date();
  const claimed = await tr.store.claimTasks({ nodeId: "w", queues: ["default"], executors: ["noop"], limit: 100, leaseMs: 30_000, now });
  for (const id of ids) {
    const mine = claimed.find((c) => c.task.id === id);
    assert.ok(mine, `task ${id} should be claimable`);
    await tr.store.completeStep(mine.lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now });
  }
}

describe("leader", () => {
  test("one scheduler leads; another takes over once the leader stops renewing", async () => {
    const seen: TaskrailEvents["scheduler:leader-acquired"][] = [];
    tr.events.on("scheduler:leader-acquired", (e) => seen.push(e));
    const lost: string[] = [];
    tr.events.on("scheduler:leader-lost", (e) => lost.push(`${e.nodeName}:${e.reason}`));
    const a = scheduler({ nodeName: "a" });
    const b = scheduler({ nodeName: "b" });
    assert.equal((await a.tick()).leader, true);
    assert.equal((await b.tick()).leader, false);
    clock.advance(3000);
    await a.tick();
    await b.tick();
    assert.equal(a.role, "leader");
    assert.equal(b.role, "follower");
    // a goes silent (killed); b takes over once a's lease ran out.
    clock.advance(5001);
    assert.equal((await b.tick()).leader, true);
    assert.deepEqual(seen.map((e) => [e.nodeName, e.term]), [["a", 1], ["b", 2]]);
    const status = await tr.client.schedulerStatus();
    assert.equal(status.leader?.nodeName, "b");
    assert.equal(status.leader?.term, 2);
    // a wakes up: its renewal fails and it steps down.
    assert.equal((await a.tick()).leader, false);
    assert.deepEqual(lost, ["a:lease-moved"]);
  });

  test("a clean stop releases the lease so another scheduler leads at once", async () => {
    const a = scheduler({ nodeName: "a" });
    const b = scheduler({ nodeName: "b" });
    a.start();
    await a.tick();
    await a.stop();
    clock.advance(1000);
    assert.equal((await b.tick()).leader, true);
  });

  test("status reports the last tick and its lag", async () => {
    await tr.client.createDefinition({ name: "rate", schedule: { fixedRate: "1s" }, task });
    const s = scheduler();
    await s.tick();
    clock.advance(250);
    await s.tick();
    clock.advance(1000);
    await s.tick();
    const status = await tr.client.schedulerStatus();
    assert.equal(status.leader?.nodeName, "a");
    assert.ok(status.lastTickAt !== null);
    assert.equal(typeof status.lagMs, "number");
  });
});

describe("firing", () => {
  test("cron with a timezone fires at the right instants across a DST change", async () => {
    clock.set("2026-03-28T22:00:00Z");
    await tr.client.createDefinition({ name: "hourly", schedule: { cron: "30 * * * *", timezone: "Europe/Berlin" }, task });
    await tr.client.createDefinition({ name: "nightly", schedule: { cron: "30 2 * * *", timezone: "Europe/Berlin" }, task });
    const s = scheduler();
    await runUntil(s, "2026-03-29T03:10:00Z", 60_000);
    // Hand-checked: Berlin jumps from 02:00 CET to 03:00 CEST at 01:00Z on 2026-03-29.
    assert.deepEqual(await scheduledTimes("hourly"), [
      "2026-03-28T22:30:00.000Z", // 23:30 CET
      "2026-03-28T23:30:00.000Z", // 00:30 CET
      "2026-03-29T00:30:00.000Z", // 01:30 CET
      "2026-03-29T01:30:00.000Z", // 03:30 CEST (02:30 does not exist)
      "2026-03-29T02:30:00.000Z", // 04:30 CEST
    ]);
    assert.deepEqual(await scheduledTimes("nightly"), ["2026-03-29T01:00:00.000Z"], "the missing 02:30 runs once, at 03:00 CEST");
    const [first] = await history("hourly");
    assert.equal(first.status, "pending");
    assert.equal(first.creator, "scheduler");
  });

  test("fixedRate fires every period; once fires once", async () => {
    await tr.client.createDefinition({ name: "rate", schedule: { fixedRate: "10s" }, task });
    await tr.client.createDefinition({ name: "once", schedule: { once: "2030-01-01T00:00:25Z" }, task });
    const s = scheduler();
    await s.tick();
    await runUntil(s, "2030-01-01T00:01:00Z", 500);
    assert.deepEqual((await scheduledTimes("rate")).map((t) => t.slice(14, 19)), ["00:00", "00:10", "00:20", "00:30", "00:40", "00:50", "01:00"]);
    assert.deepEqual(await scheduledTimes("once"), ["2030-01-01T00:00:25.000Z"]);
    assert.equal((await tr.client.getDefinition("once")).nextFireAt, null);
  });

  test("fixedDelay waits for the previous task to end and never overlaps", async () => {
    await tr.client.createDefinition({ name: "delay", schedule: { fixedDelay: "10s" }, task });
    const s = scheduler();
    await s.tick();
    const [first] = await history("delay");
    await runUntil(s, "2030-01-01T00:01:00Z");
    assert.equal((await history("delay")).length, 1, "no second task while the first is pending");
    await finish(first.id);
    const endedAt = clock.now();
    await runUntil(s, new Date(endedAt + 9000));
    assert.equal((await history("delay")).length, 1, "not before the delay passed");
    await runUntil(s, new Date(endedAt + 10_000));
    const tasks = await history("delay");
    assert.equal(tasks.length, 2);
    assert.equal(tasks[1].scheduledAt!.getTime(), endedAt + 10_000);
    assert.ok(tasks[1].createdAt.getTime() >= (await tr.client.getTask(first.id)).endedAt!.getTime());
  });

  test("forbid skips a fire while the previous task runs, and records it", async () => {
    await tr.client.createDefinition({ name: "solo", schedule: { fixedRate: "10s", overlap: "forbid" }, task });
    const s = scheduler();
    await s.tick();
    const [first] = await history("solo");
    await runUntil(s, "2030-01-01T00:00:25Z");
    assert.equal((await history("solo")).length, 1);
    const details = await tr.client.getDefinition("solo");
    assert.deepEqual(
      details.skippedFires.map((k) => [k.reason, k.scheduledAt.toISOString(), k.count, k.blockingTaskId]),
      [
        ["overlap", "2030-01-01T00:00:20.000Z", 1, first.id],
        ["overlap", "2030-01-01T00:00:10.000Z", 1, first.id],
      ],
    );
    await finish(first.id);
    await runUntil(s, "2030-01-01T00:00:30Z");
    assert.deepEqual((await scheduledTimes("solo")).map((t) => t.slice(17, 19)), ["00", "30"]);
  });

  test("replace cancels the still-active task when the next fire comes", async () => {
    await tr.client.createDefinition({ name: "fresh", schedule: { fixedRate: "10s", overlap: "replace" }, task });
    const s = scheduler();
    await s.tick();
    const [first] = await history("fresh");
    await runUntil(s, "2030-01-01T00:00:10Z");
    const tasks = await history("fresh");
    assert.equal(tasks.length, 2);
    assert.equal((await tr.client.getTask(first.id)).status, "cancelled");
    assert.equal(tasks[1].status, "pending");
  });

  test("a disabled definition never fires; re-enabled, fireOnce makes one task for the missed ones", async () => {
    await tr.client.createDefinition({ name: "paused", schedule: { fixedRate: "10s" }, task });
    const s = scheduler();
    await s.tick();
    await tr.client.disableDefinition("paused");
    await runUntil(s, "2030-01-01T00:05:00Z");
    assert.equal((await history("paused")).length, 1);
    assert.deepEqual((await tr.client.getDefinition("paused")).nextFireTimes, [], "a disabled definition shows no next fire times");
    await tr.client.enableDefinition("paused");
    await s.tick();
    const times = await scheduledTimes("paused");
    assert.deepEqual(
      times,
      ["2030-01-01T00:00:00.000Z", "2030-01-01T00:04:50.000Z", "2030-01-01T00:05:00.000Z"],
      "04:50 and 05:00 are within the 10 s grace and fire; the missed 00:10..04:40 are not made up",
    );
    const [skip] = (await tr.client.getDefinition("paused")).skippedFires;
    assert.equal(skip.reason, "misfire");
    assert.equal(skip.count, 28);
  });

  test("re-enabled with skip, missed fires are dropped; with fireAll they all fire up to the cap", async () => {
    const defs: DefinitionSpec[] = [
      { name: "skipper", schedule: { fixedRate: "1m", misfire: "skip" }, task },
      { name: "all", schedule: { fixedRate: "1m", misfire: { policy: "fireAll", max: 3 } }, task },
    ];
    for (const d of defs) await tr.client.createDefinition(d);
    const s = scheduler();
    await s.tick();
    for (const d of defs) await tr.client.disableDefinition(d.name);
    clock.set("2030-01-01T00:10:30Z");
    for (const d of defs) await tr.client.enableDefinition(d.name);
    await s.tick();
    assert.deepEqual(await scheduledTimes("skipper"), ["2030-01-01T00:00:00.000Z"]);
    assert.equal((await tr.client.getDefinition("skipper")).nextFireAt?.toISOString(), "2030-01-01T00:11:00.000Z");
    assert.deepEqual((await scheduledTimes("all")).map((t) => t.slice(14, 19)), ["00:00", "08:00", "09:00", "10:00"]);
  });

  test("a scheduler that was down catches up by each definition's misfire policy", async () => {
    await tr.client.createDefinition({ name: "once-after", schedule: { cron: "*/5 * * * * *" }, task });
    clock.set("2030-01-01T01:00:00Z");
    await scheduler().tick();
    const times = await scheduledTimes("once-after");
    // fireOnce: the on-time fires within the 10 s grace stand in for the hour missed before.
    assert.deepEqual(times, ["2030-01-01T00:59:50.000Z", "2030-01-01T00:59:55.000Z", "2030-01-01T01:00:00.000Z"]);
  });

  test("with a fire-ahead window, tasks exist before their time and wait for it", async () => {
    await tr.client.createDefinition({ name: "ahead", schedule: { cron: "0 * * * *" }, task });
    const s = scheduler({ fireAhead: 2000 });
    clock.set("2030-01-01T00:59:58.500Z");
    await s.tick();
    const [early] = await history("ahead");
    assert.equal(early.scheduledAt!.toISOString(), "2030-01-01T01:00:00.000Z");
    assert.equal(early.runAt.toISOString(), "2030-01-01T01:00:00.000Z", "not runnable before its time");
    assert.ok(early.createdAt < early.scheduledAt!);
    const none = await tr.store.claimTasks({ nodeId: "w", queues: ["default"], executors: ["noop"], limit: 10, leaseMs: 30_000, now: clock.date() });
    assert.equal(none.length, 0);
    assert.equal((await tr.client.getDefinition("ahead")).nextFireAt?.toISOString(), "2030-01-01T02:00:00.000Z");
  });

  test("trigger creates one task at once, whatever the schedule or enabled state", async () => {
    await tr.client.createDefinition({ name: "manual", enabled: false, task });
    const t = await tr.client.triggerDefinition("manual");
    assert.equal(t.status, "pending");
    assert.equal(t.definitionId, (await tr.client.getDefinition("manual")).id);
    assert.deepEqual(t.scheduledAt, clock.date());
    assert.equal((await tr.client.definitionHistory("manual")).total, 1);
  });
});

/** Every task the worker could start at the clock's time (claimed and released by the test). */
async function claimableNow(): Promise<string[]> {
  const claimed = await tr.store.claimTasks({ nodeId: "w", queues: ["default"], executors: ["noop"], limit: 100, leaseMs: 30_000, now: clock.date() });
  return claimed.map((c) => c.task.id);
}

describe("fire-ahead window (the default, 5 s)", () => {
  /** A scheduler with the default fireAhead. */
  function defaultScheduler(): Scheduler {
    const { fireAhead: _ignored, ...rest } = OPTIONS;
    return new Scheduler({ store: tr.store, events: tr.events, clock }, rest);
  }

  test("is 5 s: an allow definition's task exists up to 5 s early and cannot start before its time", async () => {
    await tr.client.createDefinition({ name: "hourly", schedule: { cron: "0 * * * *" }, task });
    const s = defaultScheduler();
    assert.equal(s.options.fireAheadMs, 5000);
    clock.set("2030-01-01T00:59:54.900Z");
    await s.tick();
    assert.equal((await history("hourly")).length, 0, "not earlier than the window");
    clock.set("2030-01-01T00:59:55.000Z");
    await s.tick();
    const [early] = await history("hourly");
    assert.equal(early.scheduledAt!.toISOString(), "2030-01-01T01:00:00.000Z");
    assert.equal(early.runAt.toISOString(), "2030-01-01T01:00:00.000Z");
    assert.deepEqual(
      (await tr.client.getDefinition("hourly")).nextFireTimes.slice(0, 2).map((t) => t.toISOString()),
      ["2030-01-01T01:00:00.000Z", "2030-01-01T02:00:00.000Z"],
      "show still lists the fire made ahead as the next one",
    );
    clock.set("2030-01-01T00:59:59.999Z");
    assert.deepEqual(await claimableNow(), []);
    clock.set("2030-01-01T01:00:00.000Z");
    assert.deepEqual(await claimableNow(), [early.id]);
  });

  test("a task made ahead keeps its whole startTimeout from the fire time", async () => {
    await tr.client.createDefinition({ name: "prompt", schedule: { cron: "0 * * * *" }, task: { ...task, startTimeout: "10s" } });
    const s = defaultScheduler();
    clock.set("2030-01-01T00:59:56Z");
    await s.tick();
    const [early] = await history("prompt");
    assert.equal(early.startTimeoutMs, 14_000, "10 s from 01:00:00, counted from its creation at 00:59:56");
    assert.deepEqual(await tr.store.expireOverdueTasks(new Date("2030-01-01T01:00:09.999Z"), 10), []);
    assert.deepEqual(await tr.store.expireOverdueTasks(new Date("2030-01-01T01:00:10.001Z"), 10), [early.id]);
  });

  test("forbid and replace definitions are not fired ahead: the overlap check happens at the fire time", async () => {
    await tr.client.createDefinition({ name: "solo", schedule: { fixedRate: "10s", overlap: "forbid" }, task });
    await tr.client.createDefinition({ name: "latest", schedule: { fixedRate: "10s", overlap: "replace" }, task });
    const s = defaultScheduler();
    await s.tick();
    const [soloFirst] = await history("solo");
    const [latestFirst] = await history("latest");
    // Both previous tasks end 3 s before the next fire: inside the window, before the time.
    clock.set("2030-01-01T00:00:06Z");
    await s.tick();
    assert.equal((await history("solo")).length, 1, "forbid: nothing made ahead");
    assert.equal((await history("latest")).length, 1, "replace: nothing made ahead");
    clock.set("2030-01-01T00:00:07Z");
    await finish(soloFirst.id, latestFirst.id);
    clock.set("2030-01-01T00:00:10Z");
    await s.tick();
    assert.deepEqual((await scheduledTimes("solo")).map((t) => t.slice(17, 19)), ["00", "10"], "forbid fired: the previous had ended by then");
    assert.deepEqual((await tr.client.getDefinition("solo")).skippedFires, []);
    assert.equal((await tr.client.getTask(latestFirst.id)).status, "succeeded", "replace cancelled nothing");
  });

  test("a definition disabled inside the window never fires: its early task is withdrawn and never runs", async () => {
    await tr.client.createDefinition({ name: "paused", schedule: { cron: "0 * * * *" }, task });
    const s = defaultScheduler();
    clock.set("2030-01-01T00:59:57Z");
    await s.tick();
    const [early] = await history("paused");
    assert.equal(early.status, "pending");
    await tr.client.disableDefinition("paused");
    const withdrawn = await tr.client.getTask(early.id);
    assert.equal(withdrawn.status, "cancelled");
    assert.match(withdrawn.message ?? "", /withdrawn before its fire time/);
    clock.set("2030-01-01T01:00:00Z");
    assert.deepEqual(await claimableNow(), [], "nothing to run at the fire time");
    await runUntil(s, "2030-01-01T01:10:00Z");
    assert.equal((await history("paused")).length, 1, "no other task");
  });

  test("a deleted definition's early task is withdrawn", async () => {
    await tr.client.createDefinition({ name: "gone", schedule: { cron: "0 * * * *" }, task });
    const s = defaultScheduler();
    clock.set("2030-01-01T00:59:58Z");
    await s.tick();
    const [early] = await history("gone");
    assert.equal(early.status, "pending");
    await tr.client.deleteDefinition("gone");
    assert.equal((await tr.client.getTask(early.id)).status, "cancelled");
  });

  test("a changed schedule withdraws the early task and fires by the new one; a changed task keeps it", async () => {
    const spec = { name: "moving", schedule: { cron: "0 * * * *" }, task };
    await tr.client.createDefinition(spec);
    const s = defaultScheduler();
    clock.set("2030-01-01T00:59:56Z");
    await s.tick();
    const [first] = await history("moving");
    // Only the task changes: the fire made ahead stands (the change applies from the next one).
    await tr.client.updateDefinition("moving", { ...spec, task: { ...task, priority: 5 } });
    assert.equal((await tr.client.getTask(first.id)).status, "pending");
    // The schedule changes: the early fire goes and the new schedule plans from now.
    await tr.client.updateDefinition("moving", { ...spec, schedule: { cron: "30 * * * *" }, task: { ...task, priority: 5 } });
    assert.equal((await tr.client.getTask(first.id)).status, "cancelled");
    assert.equal((await tr.client.getDefinition("moving")).nextFireAt?.toISOString(), "2030-01-01T01:30:00.000Z");
    await runUntil(s, "2030-01-01T01:31:00Z", 5000);
    const live = (await history("moving")).filter((t) => t.status !== "cancelled").map((t) => t.scheduledAt!.toISOString());
    assert.deepEqual(live, ["2030-01-01T01:30:00.000Z"]);
  });

  test("fixedDelay: the next task is made ahead but starts a whole delay after the previous one ended", async () => {
    await tr.client.createDefinition({ name: "delay", schedule: { fixedDelay: "10s" }, task });
    const s = defaultScheduler();
    await s.tick();
    const [first] = await history("delay");
    await runUntil(s, "2030-01-01T00:00:30Z");
    assert.equal((await history("delay")).length, 1, "no second task while the first is active");
    await finish(first.id);
    const endedAt = clock.now();
    clock.set(new Date(endedAt + 5000));
    await s.tick();
    const [, second] = await history("delay");
    assert.equal(second.runAt.getTime(), endedAt + 10_000);
    clock.set(new Date(endedAt + 9_999));
    assert.deepEqual(await claimableNow(), []);
  });
});
