// Misfire and overlap policies as pure plans: which fire times make tasks, which are recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { MisfirePolicyName, OverlapPolicy, Schedule } from "../../src/core/definition.js";
import type { TaskStatus } from "../../src/core/status.js";
import { planFires } from "../../src/scheduler/fire-plan.js";

const T = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
const everySecond = (misfire: MisfirePolicyName = "fireOnce", overlap: OverlapPolicy = "allow", max = 100): Schedule => ({
  kind: "fixedRate",
  everyMs: 1000,
  startAt: T(0),
  misfire: { policy: misfire, max },
  overlap,
});

function plan(schedule: Schedule, nextFireAt: Date, now: Date, last: { id?: string; status?: TaskStatus } = {}) {
  return planFires({ schedule, nextFireAt, anchor: T(0), lastTaskId: last.id ?? null, lastTaskStatus: last.status ?? null, now, misfireGraceMs: 5000 });
}
const secs = (dates: Date[]) => dates.map((d) => d.getUTCSeconds() + d.getUTCMinutes() * 60);

test("on-time fires all fire and the next time follows them", () => {
  const p = plan(everySecond(), T(10), new Date(T(12).getTime() + 300));
  assert.deepEqual(secs(p.fireTimes), [10, 11, 12]);
  assert.deepEqual(p.skips, []);
  assert.deepEqual(p.nextFireAt, T(13));
});

test("fireOnce: missed times collapse into the latest one when nothing is on time", () => {
  const schedule: Schedule = { kind: "cron", cron: "0 * * * *", timezone: null, startAt: null, misfire: { policy: "fireOnce", max: 100 }, overlap: "allow" };
  const p = planFires({ schedule, nextFireAt: new Date("2030-01-01T01:00:00Z"), anchor: T(0), lastTaskId: null, lastTaskStatus: null, now: new Date("2030-01-01T04:30:00Z"), misfireGraceMs: 5000 });
  assert.deepEqual(p.fireTimes.map((d) => d.toISOString()), ["2030-01-01T04:00:00.000Z"]);
  assert.deepEqual(p.skips, [{ reason: "misfire", scheduledAt: new Date("2030-01-01T01:00:00Z"), count: 3, blockingTaskId: null }]);
  assert.equal(p.nextFireAt?.toISOString(), "2030-01-01T05:00:00.000Z");
});

test("fireOnce: with on-time fires, the missed ones are only recorded", () => {
  const p = plan(everySecond("fireOnce"), T(0), T(30));
  assert.deepEqual(secs(p.fireTimes), [25, 26, 27, 28, 29, 30]);
  assert.deepEqual(p.skips, [{ reason: "misfire", scheduledAt: T(0), count: 25, blockingTaskId: null }]);
});

test("skip: missed times are dropped and recorded", () => {
  const p = plan(everySecond("skip"), T(0), T(30));
  assert.deepEqual(secs(p.fireTimes), [25, 26, 27, 28, 29, 30]);
  assert.equal(p.skips[0].count, 25);
});

test("fireAll: every missed time fires, capped to the latest max", () => {
  const all = plan(everySecond("fireAll"), T(0), T(30));
  assert.deepEqual(secs(all.fireTimes), Array.from({ length: 31 }, (_, i) => i));
  assert.deepEqual(all.skips, []);
  const capped = plan(everySecond("fireAll", "allow", 10), T(0), T(30));
  assert.deepEqual(secs(capped.fireTimes), [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  assert.deepEqual(capped.skips, [{ reason: "misfire", scheduledAt: T(0), count: 15, blockingTaskId: null }]);
});

test("forbid: with the previous task active nothing fires and the skip names it", () => {
  const p = plan(everySecond("fireOnce", "forbid"), T(10), T(10), { id: "prev", status: "running" });
  assert.deepEqual(p.fireTimes, []);
  assert.deepEqual(p.skips, [{ reason: "overlap", scheduledAt: T(10), count: 1, blockingTaskId: "prev" }]);
  assert.deepEqual(p.nextFireAt, T(11));
  const free = plan(everySecond("fireOnce", "forbid"), T(10), T(12), { id: "prev", status: "succeeded" });
  assert.deepEqual(secs(free.fireTimes), [10], "one task at most per tick");
  assert.equal(free.skips[0].count, 2);
});

test("replace: the latest fire is made and the active task is to be cancelled", () => {
  const p = plan(everySecond("fireOnce", "replace"), T(10), T(10), { id: "prev", status: "pending" });
  assert.deepEqual(secs(p.fireTimes), [10]);
  assert.equal(p.cancelTaskId, "prev");
  assert.equal(plan(everySecond("fireOnce", "replace"), T(10), T(10), { id: "prev", status: "failed" }).cancelTaskId, null);
});

test("once and fixedDelay plan no next time after a fire; a skipped fixedDelay waits one delay", () => {
  const once: Schedule = { kind: "once", at: T(5), misfire: { policy: "fireOnce", max: 100 }, overlap: "allow" };
  const p = planFires({ schedule: once, nextFireAt: T(5), anchor: T(0), lastTaskId: null, lastTaskStatus: null, now: T(6), misfireGraceMs: 5000 });
  assert.deepEqual(secs(p.fireTimes), [5]);
  assert.equal(p.nextFireAt, null);
  const delay: Schedule = { kind: "fixedDelay", delayMs: 3000, startAt: null, misfire: { policy: "skip", max: 100 }, overlap: "allow" };
  const skipped = planFires({ schedule: delay, nextFireAt: T(0), anchor: T(0), lastTaskId: null, lastTaskStatus: null, now: T(60), misfireGraceMs: 5000 });
  assert.deepEqual(skipped.fireTimes, []);
  assert.deepEqual(skipped.nextFireAt, T(63));
});

test("a fire-ahead horizon fires upcoming times now and plans the next one after it", () => {
  const p = planFires({ schedule: everySecond(), nextFireAt: T(10), anchor: T(0), lastTaskId: null, lastTaskStatus: null, now: new Date(T(9).getTime() + 500), horizon: T(11), misfireGraceMs: 5000 });
  assert.deepEqual(secs(p.fireTimes), [10, 11]);
  assert.deepEqual(p.nextFireAt, T(12));
});
