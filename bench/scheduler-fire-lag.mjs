// Benchmark: 10,000 definitions firing every minute (cron "* * * * *", all at :00). One
// scheduler (the leader) in this process; for each fire, lag = commit time of the fire's
// transaction − its scheduled time (the `scheduler:fired` event's lagMs). Reports p50/p99/max
// lag per store and the leader's CPU (process.cpuUsage) over the measured minutes.
// Usage: npm run build && node bench/scheduler-fire-lag.mjs [--store postgres|sqlite|both]
//   [--definitions 10000] [--minutes 3] [--fire-ahead default,0,10s] (one run per store and
//   window; "default" passes no fireAhead option, so the scheduler's default window applies)
import { parseArgs } from "node:util";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { createTaskrail } from "../dist/index.js";

const { values } = parseArgs({
  options: { store: { type: "string", default: "both" }, definitions: { type: "string", default: "10000" }, minutes: { type: "string", default: "3" }, "fire-ahead": { type: "string", default: "default" } },
});
const DEFINITIONS = Number(values.definitions);
const MINUTES = Number(values.minutes);
const PG_BASE = process.env.TASKRAIL_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(kind, fireAhead) {
  const schema = `bench_sched_${process.pid}`;
  const dir = kind === "sqlite" ? mkdtempSync(join(tmpdir(), "taskrail-bench-sched-")) : null;
  const db = kind === "sqlite" ? `sqlite:${join(dir, "bench.db")}` : `${PG_BASE}?schema=${schema}`;
  const tr = await createTaskrail({ db });
  try {
    const t0 = performance.now();
    const task = { type: "bench", steps: [{ name: "s", executor: "noop" }] };
    for (let i = 0; i < DEFINITIONS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, DEFINITIONS - i) }, (_, j) => tr.client.createDefinition({ name: `def-${i + j}`, schedule: { cron: "* * * * *" }, task })),
      );
    }
    const createSeconds = (performance.now() - t0) / 1000;
    const lags = [];
    const rounds = new Map();
    tr.events.on("scheduler:fired", (e) => {
      lags.push(e.lagMs);
      const r = rounds.get(e.scheduledAt.getTime()) ?? { fires: 0, lastLagMs: -Infinity };
      r.fires++;
      r.lastLagMs = Math.max(r.lastLagMs, e.lagMs);
      rounds.set(e.scheduledAt.getTime(), r);
    });
    const scheduler = tr.startScheduler(fireAhead === "default" ? {} : { fireAhead });
    // Measure whole minutes: from 5 s before the next minute's fires start (fire-ahead
    // included) to 30 s after the last one.
    const aheadMs = fireAhead === "default" ? scheduler.options.fireAheadMs : Number(/^\d+$/.test(fireAhead) ? fireAhead : Number.parseFloat(fireAhead) * (fireAhead.endsWith("ms") ? 1 : 1000));
    const firstMinute = Math.ceil((Date.now() + 10_000 + aheadMs) / 60_000) * 60_000;
    await sleep(firstMinute - aheadMs - 5_000 - Date.now());
    lags.length = 0;
    rounds.clear();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await sleep(firstMinute + (MINUTES - 1) * 60_000 + 30_000 - Date.now());
    const cpu = process.cpuUsage(cpu0);
    const wallSeconds = (performance.now() - wall0) / 1000;
    await scheduler.stop();
    lags.sort((a, b) => a - b);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      store: kind,
      fireAhead,
      definitions: DEFINITIONS,
      createSeconds: +createSeconds.toFixed(1),
      fires: lags.length,
      expectedFires: DEFINITIONS * MINUTES,
      lagMs: { p50: pct(lags, 0.5), p99: pct(lags, 0.99), max: lags[lags.length - 1] },
      rounds: [...rounds.entries()].sort((a, b) => a[0] - b[0]).map(([at, r]) => ({ at: new Date(at).toISOString(), fires: r.fires, lastFireLagMs: r.lastLagMs })),
      leaderCpu: { seconds: +cpuSeconds.toFixed(2), perMinuteSeconds: +(cpuSeconds / (wallSeconds / 60)).toFixed(2), pctOfOneCore: +((100 * cpuSeconds) / wallSeconds).toFixed(1) },
    };
  } finally {
    await tr.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (kind === "postgres") {
      const admin = new pg.Client({ connectionString: PG_BASE });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
}

const kinds = values.store === "both" ? ["postgres", "sqlite"] : [values.store];
const results = [];
for (const kind of kinds) for (const fireAhead of values["fire-ahead"].split(",")) results.push(await run(kind, fireAhead));
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      loadAverageAtEnd: loadavg().map((l) => +l.toFixed(1)),
      results,
    },
    null,
    2,
  ),
);
