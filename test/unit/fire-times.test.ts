// Fire times per schedule kind, with a DST table checked by hand and against croner itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cron } from "croner";
import type { Schedule } from "../../src/core/definition.js";
import { computeNextFireAt, firstFireAt, upcomingFireTimes } from "../../src/scheduler/fire-times.js";

const policies = { misfire: { policy: "fireOnce" as const, max: 100 }, overlap: "allow" as const };
const cron = (expr: string, timezone: string | null = null): Schedule => ({ kind: "cron", cron: expr, timezone, startAt: null, ...policies });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

/** Fire times strictly after `from`, by repeated computeNextFireAt. */
function walk(s: Schedule, from: string, n: number): string[] {
  const out: Date[] = [];
  let t: Date | null = new Date(from);
  while (out.length < n && (t = computeNextFireAt(s, t, new Date(from))) !== null) out.push(t);
  return iso(out);
}

// Hand-checked: Europe/Berlin leaves CET (+1) for CEST (+2) on 2026-03-29 at 02:00 local (01:00Z)
// and returns on 2026-10-25 at 03:00 CEST (01:00Z); America/New_York on 2026-03-08 02:00 EST
// (07:00Z) and 2026-11-01 02:00 EDT (06:00Z). A daily job at a local time that does not exist
// runs at the first instant after the gap; one whose local time happens twice runs once (the
// first), as Vixie cron does. An hourly job runs once per real hour, never twice, never skipped.
const DST_TABLE: { name: string; schedule: Schedule; from: string; expected: string[] }[] = [
  {
    name: "daily 02:30 Berlin across spring-forward: the missing 02:30 runs at 03:00 CEST",
    schedule: cron("30 2 * * *", "Europe/Berlin"),
    from: "2026-03-28T00:00:00Z",
    expected: ["2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"],
  },
  {
    name: "daily 02:30 Berlin across fall-back: the doubled 02:30 runs once",
    schedule: cron("30 2 * * *", "Europe/Berlin"),
    from: "2026-10-24T00:00:00Z",
    expected: ["2026-10-24T00:30:00.000Z", "2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"],
  },
  {
    name: "hourly Berlin across spring-forward: one run per real hour",
    schedule: cron("0 * * * *", "Europe/Berlin"),
    from: "2026-03-28T22:30:00Z",
    expected: ["2026-03-28T23:00:00.000Z", "2026-03-29T00:00:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"],
  },
  {
    name: "hourly Berlin across fall-back: the repeated 02:00 hour runs in both real hours, none twice",
    schedule: cron("0 * * * *", "Europe/Berlin"),
    from: "2026-10-24T21:30:00Z",
    expected: ["2026-10-24T22:00:00.000Z", "2026-10-24T23:00:00.000Z", "2026-10-25T00:00:00.000Z", "2026-10-25T01:00:00.000Z", "2026-10-25T02:00:00.000Z"],
  },
  {
    name: "daily 02:30 New York across spring-forward",
    schedule: cron("30 2 * * *", "America/New_York"),
    from: "2026-03-07T00:00:00Z",
    expected: ["2026-03-07T07:30:00.000Z", "2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"],
  },
  {
    name: "daily 01:30 New York across fall-back: once",
    schedule: cron("30 1 * * *", "America/New_York"),
    from: "2026-10-31T00:00:00Z",
    expected: ["2026-10-31T05:30:00.000Z", "2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"],
  },
  {
    name: "six fields: every 20 seconds",
    schedule: cron("*/20 * * * * *"),
    from: "2030-01-01T00:00:05Z",
    expected: ["2030-01-01T00:00:20.000Z", "2030-01-01T00:00:40.000Z", "2030-01-01T00:01:00.000Z"],
  },
];

for (const row of DST_TABLE) {
  test(`cron: ${row.name}`, () => {
    const got = walk(row.schedule, row.from, row.expected.length);
    assert.deepEqual(got, row.expected, "hand-checked table");
    // The library's own enumeration agrees with ours step by step.
    const s = row.schedule as Extract<Schedule, { kind: "cron" }>;
    const lib = new Cron(s.cron, { paused: true, timezone: s.timezone ?? "UTC" }).nextRuns(row.expected.length, new Date(row.from));
    assert.deepEqual(got, iso(lib), "croner's nextRuns");
  });
}

test("cron: no fire time twice and none missing across a whole DST year, every 15 minutes", () => {
  const s = cron("*/15 * * * *", "Europe/Berlin");
  let t = new Date("2026-01-01T00:00:00Z");
  for (let i = 0; i < 365 * 96; i++) {
    const next = computeNextFireAt(s, t, t)!;
    assert.equal(next.getTime() - t.getTime(), 15 * 60_000, `gap after ${t.toISOString()}`);
    t = next;
  }
});

test("fixedRate counts from startAt (or the definition's creation) in whole periods", () => {
  const s: Schedule = { kind: "fixedRate", everyMs: 60_000, startAt: new Date("2030-01-01T00:00:10Z"), ...policies };
  assert.equal(firstFireAt(s, new Date("2030-01-01T00:00:00Z"))!.toISOString(), "2030-01-01T00:00:10.000Z");
  assert.equal(firstFireAt(s, new Date("2030-01-01T00:05:00Z"))!.toISOString(), "2030-01-01T00:05:10.000Z");
  assert.equal(computeNextFireAt(s, new Date("2030-01-01T00:05:10Z"), new Date(0))!.toISOString(), "2030-01-01T00:06:10.000Z");
  const anchored: Schedule = { kind: "fixedRate", everyMs: 1000, startAt: null, ...policies };
  const created = new Date("2030-01-01T00:00:00.250Z");
  assert.equal(firstFireAt(anchored, created, created)!.toISOString(), "2030-01-01T00:00:00.250Z");
  assert.deepEqual(iso(upcomingFireTimes(anchored, created, created, 3)), ["2030-01-01T00:00:00.250Z", "2030-01-01T00:00:01.250Z", "2030-01-01T00:00:02.250Z"]);
});

test("cron with a future startAt fires first at or after it", () => {
  const s: Schedule = { kind: "cron", cron: "0 * * * *", timezone: null, startAt: new Date("2030-01-02T05:00:00Z"), ...policies };
  assert.equal(firstFireAt(s, new Date("2030-01-01T00:00:00Z"))!.toISOString(), "2030-01-02T05:00:00.000Z");
});

test("once fires once; fixedDelay starts at once and waits for its task after", () => {
  const once: Schedule = { kind: "once", at: new Date("2030-01-01T12:00:00Z"), ...policies };
  assert.equal(firstFireAt(once, new Date("2030-01-01T00:00:00Z"))!.toISOString(), "2030-01-01T12:00:00.000Z");
  assert.equal(computeNextFireAt(once, once.at, once.at), null);
  assert.deepEqual(iso(upcomingFireTimes(once, once.at, once.at)), ["2030-01-01T12:00:00.000Z"]);
  const delay: Schedule = { kind: "fixedDelay", delayMs: 5000, startAt: null, ...policies };
  const now = new Date("2030-01-01T00:00:00Z");
  assert.equal(firstFireAt(delay, now)!.getTime(), now.getTime());
  assert.equal(computeNextFireAt(delay, now, now), null);
});
