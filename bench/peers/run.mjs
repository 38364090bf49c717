#!/usr/bin/env node
// Peer benchmark: taskrail vs graphile-worker, pg-boss and BullMQ on one machine and database.
//
//   npm install --prefix bench/peers            # once
//   npm run build                               # taskrail's dist/, for the taskrail adapter
//   node bench/peers/run.mjs [--only graphile,pgboss,bullmq,taskrail] [--workloads W1,W2,W3,W4,W5]
//                            [--runs 3] [--scale 1] [--w2-inprocess] [--out FILE]
//
// Workloads (concurrency 32 everywhere):
//   W1  20,000 no-op jobs enqueued first (bulk), then run by ONE process → jobs/s, from worker
//       start until the last job's completion is stored
//   W2  single enqueues at a steady 50/s for 20 s (1,000 jobs, after 20 warm-up jobs) to an idle
//       worker → enqueue-to-start latency p50/p95/p99 ms. The worker runs in a child process
//       (producer and worker share no client), or in-process with --w2-inprocess
//   W3  2,000 five-step chains → chains/s (peers: each step's handler enqueues the next step;
//       taskrail: one task of five steps)
//   W4  W1 with TWO worker child processes → jobs/s
//   W5  10,000 single enqueues from 32 concurrent producers in one process → enqueues/s
//
// Each adapter × workload × run starts from fresh state (schemas dropped and recreated, Redis db
// flushed, unique BullMQ queue) and cleans up after itself. Every wait is bounded; a workload run
// is abandoned after 5 minutes. Prints a markdown table of medians and writes the raw results to
// bench/results/peers-<date>.json.
//
// Adapter contract (adapters/<name>.mjs):
//   export function newDescriptor(): JSON naming the run's state (schema, queue, store URL)
//   export async function probe(): null when usable, else a reason string ("unavailable")
//   export function create(descriptor): {
//     name, settings, nativeChains, multiProcess?,
//     setup()                        fresh state (drop/recreate) + connect — harness process
//     attach()                       connect to state made by setup() — worker child processes
//     enqueueBulk(payloads)          one bulk call per chunk of ≤ 1,000
//     enqueueChainsBulk(payloads, steps)   only when nativeChains
//     enqueueOne(payload)            one job, one call
//     startWorker({ concurrency, handler }) → { stop() }
//         handler(payload, { enqueue(payload) }) may enqueue a follow-up job
//     pendingCount()                 jobs/tasks not yet completed in the store
//     failedCount()                  jobs that failed or were retried (sanity check)
//     close()                        release connections, keep state
//     teardown()                     close() + drop state
//   }
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { spawnWorker } from "./lib/children.mjs";
import { makeHandler } from "./lib/handlers.mjs";
import { PG_URL } from "./lib/config.mjs";
import { closePools, median, nowMs, percentile, pgQuery, sleep, waitUntil, withTimeout } from "./lib/util.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, "..", "..");
const ALL_ADAPTERS = ["graphile", "pgboss", "bullmq", "taskrail"];
const ALL_WORKLOADS = ["W1", "W2", "W3", "W4", "W5"];
const WORKLOAD_TIMEOUT_MS = 5 * 60_000;
const SETUP_TIMEOUT_MS = 60_000;
const CONCURRENCY = 32;
const CHUNK = 1000;

const { values: args } = parseArgs({
  options: {
    only: { type: "string", default: ALL_ADAPTERS.join(",") },
    workloads: { type: "string", default: ALL_WORKLOADS.join(",") },
    runs: { type: "string", default: "3" },
    scale: { type: "string", default: "1" },
    "w2-inprocess": { type: "boolean", default: false },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 26).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
  process.exit(0);
}
const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
const adapterNames = list(args.only).map((n) => n.toLowerCase());
const workloadNames = list(args.workloads).map((w) => w.toUpperCase());
for (const a of adapterNames) if (!ALL_ADAPTERS.includes(a)) throw new Error(`unknown adapter ${a}; expected ${ALL_ADAPTERS.join(",")}`);
for (const w of workloadNames) if (!ALL_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}; expected ${ALL_WORKLOADS.join(",")}`);
const RUNS = Math.max(1, Math.min(20, Number(args.runs) || 3));
const SCALE = Math.max(0.001, Math.min(10, Number(args.scale) || 1));
const n = (x) => Math.max(1, Math.round(x * SCALE));

const P = {
  W1: { jobs: n(20_000) },
  W2: { rate: 50, jobs: n(1_000), warmup: 20 },
  W3: { chains: n(2_000), steps: 5 },
  W4: { jobs: n(20_000), processes: 2 },
  W5: { jobs: n(10_000), producers: 32 },
};

const log = (...xs) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);

// ───────────────────────── helpers shared by workloads ─────────────────────────

async function enqueueInChunks(ad, payloads, chains) {
  for (let i = 0; i < payloads.length; i += CHUNK) {
    const chunk = payloads.slice(i, i + CHUNK);
    if (chains) await ad.enqueueChainsBulk(chunk, chains);
    else await ad.enqueueBulk(chunk);
  }
}

/**
 * After the handlers have all run: waits for the store to show every job completed. Returns the
 * issue time of the first count that came back 0 (completion happened at or before it).
 */
async function settle(ad, deadline) {
  for (;;) {
    const at = nowMs();
    const pending = await ad.pendingCount();
    if (pending === 0) return at;
    if (Date.now() > deadline) throw new Error(`${pending} jobs still not completed at the deadline`);
    await sleep(5);
  }
}

/** W1/W3 shape: jobs already enqueued, one in-process worker, run until `total` handler completions + settle. */
async function drainInProcess(ad, kind, total, deadline, steps) {
  const { handler, stats } = makeHandler(kind, { steps, nativeChains: ad.nativeChains });
  const t0 = nowMs();
  const worker = await ad.startWorker({ concurrency: CONCURRENCY, handler });
  try {
    await waitUntil(() => stats.count >= total, { timeoutMs: deadline - Date.now(), intervalMs: 2, label: `${total} completions` });
    const tHandlers = stats.lastAt;
    const tEnd = await settle(ad, deadline);
    return { t0, tEnd, tHandlers, firstStartMs: stats.firstAt - t0, count: stats.count, handlerCalls: stats.calls };
  } finally {
    await withTimeout(worker.stop(), 60_000, "worker stop");
  }
}

async function sanity(ad, details) {
  const failed = await ad.failedCount().catch(() => null);
  if (failed) details.failedOrRetried = failed;
}

// ───────────────────────── workloads ─────────────────────────

const WORKLOADS = {
  async W1(ad, ctx) {
    const { jobs } = P.W1;
    const payloads = Array.from({ length: jobs }, (_, i) => ({ i }));
    const te = nowMs();
    await enqueueInChunks(ad, payloads);
    const enqueueMs = nowMs() - te;
    const r = await drainInProcess(ad, "count", jobs, ctx.deadline);
    const seconds = (r.tEnd - r.t0) / 1000;
    const details = { jobs, enqueueMs: round(enqueueMs), bulkEnqueuePerSec: round(jobs / (enqueueMs / 1000)), seconds: round3(seconds), settleMs: round(r.tEnd - r.tHandlers), firstStartMs: round(r.firstStartMs), handlerCalls: r.handlerCalls };
    await sanity(ad, details);
    return { value: jobs / seconds, unit: "jobs/s", details };
  },

  async W2(ad, ctx) {
    const { rate, jobs, warmup } = P.W2;
    const total = jobs + warmup;
    const interval = 1000 / rate;
    let worker;
    let progress;
    if (args["w2-inprocess"]) {
      const hs = makeHandler("latency");
      worker = await ad.startWorker({ concurrency: CONCURRENCY, handler: hs.handler });
      progress = () => hs.stats.count;
      worker.collect = async () => {
        await worker.stop();
        return hs.stats;
      };
    } else {
      const child = await spawnWorker({ adapterName: ctx.adapterName, descriptor: ad.descriptor, kind: "latency", concurrency: CONCURRENCY, registry: ctx.children });
      child.start();
      worker = child;
      progress = () => child.state.count;
      worker.collect = () => child.stop();
    }
    let stats;
    try {
      await sleep(1000); // let the worker reach its idle state
      const inflight = new Set();
      let enqueueErrors = 0;
      let maxLagMs = 0;
      const t0 = nowMs();
      for (let i = 0; i < total; i++) {
        const target = t0 + i * interval;
        const wait = target - nowMs();
        if (wait > 0) await sleep(wait);
        maxLagMs = Math.max(maxLagMs, nowMs() - target);
        if (Date.now() > ctx.deadline) throw new Error("deadline reached while producing");
        const p = ad
          .enqueueOne({ enqueuedAt: nowMs(), warm: i < warmup, i })
          .catch(() => enqueueErrors++)
          .finally(() => inflight.delete(p));
        inflight.add(p);
        // Bounded: never more than 256 enqueues outstanding.
        if (inflight.size >= 256) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      const produceSeconds = (nowMs() - t0) / 1000;
      await waitUntil(() => progress() >= total, { timeoutMs: Math.min(60_000, ctx.deadline - Date.now()), intervalMs: 5, label: `${total} jobs started` });
      stats = await worker.collect();
      worker = null;
      const lat = stats.latencies;
      const details = {
        jobs,
        warmup,
        workerIn: args["w2-inprocess"] ? "same process" : "child process",
        produceSeconds: round3(produceSeconds),
        achievedRate: round(total / produceSeconds),
        maxProducerLagMs: round(maxLagMs),
        enqueueErrors,
        recorded: lat.length,
        min: round1(Math.min(...lat)),
        mean: round1(lat.reduce((a, b) => a + b, 0) / lat.length),
        max: round1(Math.max(...lat)),
      };
      await sanity(ad, details);
      return { value: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99) }, unit: "ms", details };
    } finally {
      if (worker) await worker.collect().catch(() => {});
    }
  },

  async W3(ad, ctx) {
    const { chains, steps } = P.W3;
    const payloads = Array.from({ length: chains }, (_, i) => ({ chain: i, step: 1 }));
    const te = nowMs();
    await enqueueInChunks(ad, payloads, ad.nativeChains ? steps : 0);
    const enqueueMs = nowMs() - te;
    const r = await drainInProcess(ad, "chain", chains, ctx.deadline, steps);
    const seconds = (r.tEnd - r.t0) / 1000;
    const details = {
      chains,
      steps,
      model: ad.nativeChains ? "one task of 5 steps per chain" : "each step's handler enqueues the next step as a new job",
      enqueueMs: round(enqueueMs),
      seconds: round3(seconds),
      stepsPerSec: round((chains * steps) / seconds),
      settleMs: round(r.tEnd - r.tHandlers),
      handlerCalls: r.handlerCalls,
    };
    await sanity(ad, details);
    return { value: chains / seconds, unit: "chains/s", details };
  },

  async W4(ad, ctx) {
    if (ad.multiProcess === false) throw new Skip("store cannot be shared by two processes (sqlite::memory:)");
    const { jobs, processes } = P.W4;
    const payloads = Array.from({ length: jobs }, (_, i) => ({ i }));
    const te = nowMs();
    await enqueueInChunks(ad, payloads);
    const enqueueMs = nowMs() - te;
    const kids = [];
    for (let i = 0; i < processes; i++) {
      kids.push(await spawnWorker({ adapterName: ctx.adapterName, descriptor: ad.descriptor, kind: "count", concurrency: CONCURRENCY, registry: ctx.children }));
    }
    const t0 = nowMs();
    for (const k of kids) k.start();
    const sum = () => kids.reduce((a, k) => a + k.state.count, 0);
    try {
      await waitUntil(
        () => {
          const dead = kids.find((k) => k.state.exited);
          if (dead) throw new Error(`a worker process died: ${dead.state.error ?? "no message"}`);
          return sum() >= jobs;
        },
        { timeoutMs: ctx.deadline - Date.now(), intervalMs: 2, label: `${jobs} completions` },
      );
      const tHandlers = Math.max(...kids.map((k) => k.state.lastAt));
      const tEnd = await settle(ad, ctx.deadline);
      const seconds = (tEnd - t0) / 1000;
      const perProcess = [];
      for (const k of kids) perProcess.push((await k.stop()).count);
      const details = { jobs, processes, enqueueMs: round(enqueueMs), seconds: round3(seconds), settleMs: round(tEnd - tHandlers), perProcess };
      await sanity(ad, details);
      return { value: jobs / seconds, unit: "jobs/s", details };
    } finally {
      for (const k of kids) if (!k.state.exited) await k.stop().catch(() => k.kill());
    }
  },

  async W5(ad, ctx) {
    const { jobs, producers } = P.W5;
    let next = 0;
    let errors = 0;
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: producers }, async () => {
        while (next < jobs) {
          const i = next++;
          if ((i & 255) === 0 && Date.now() > ctx.deadline) throw new Error("deadline reached while enqueueing");
          try {
            await ad.enqueueOne({ i });
          } catch (err) {
            if (++errors > 100) throw err;
          }
        }
      }),
    );
    const seconds = (nowMs() - t0) / 1000;
    const stored = await ad.pendingCount();
    if (stored !== jobs - errors) throw new Error(`expected ${jobs - errors} stored jobs, found ${stored}`);
    return { value: (jobs - errors) / seconds, unit: "enqueues/s", details: { jobs, producers, errors, seconds: round3(seconds), stored } };
  },
};

class Skip extends Error {}

const round = (x) => Math.round(x);
const round1 = (x) => Math.round(x * 10) / 10;
const round3 = (x) => Math.round(x * 1000) / 1000;

// ───────────────────────── driver ─────────────────────────

/** PostgreSQL's start time, to flag runs during which the server restarted (shared machine). */
async function pgStartedAt() {
  try {
    const r = await withTimeout(pgQuery(PG_URL, "SELECT pg_postmaster_start_time()::text AS t"), 5000, "pg start time");
    return r.rows[0].t;
  } catch {
    return null;
  }
}

async function runOne(mod, adapterName, workload, run) {
  const ad = mod.create(mod.newDescriptor());
  const children = new Set();
  const started = Date.now();
  const ctx = { adapterName, children, deadline: started + WORKLOAD_TIMEOUT_MS };
  const rec = { adapter: adapterName, workload, run, ok: false, startedAt: new Date(started).toISOString(), loadAvg1mBefore: round1(loadavg()[0]) };
  const pgBefore = await pgStartedAt();
  try {
    await withTimeout(ad.setup(), SETUP_TIMEOUT_MS, `${adapterName} setup`);
    const r = await withTimeout(WORKLOADS[workload](ad, ctx), WORKLOAD_TIMEOUT_MS, `${adapterName} ${workload}`);
    Object.assign(rec, { ok: true, value: r.value, unit: r.unit, details: r.details });
  } catch (err) {
    if (err instanceof Skip) rec.skipped = err.message;
    else rec.error = String(err?.message ?? err);
  } finally {
    for (const c of [...children]) {
      try {
        c.kill("SIGKILL");
      } catch {}
    }
    try {
      await withTimeout(ad.teardown(), SETUP_TIMEOUT_MS, `${adapterName} teardown`);
    } catch (err) {
      rec.teardownError = String(err?.message ?? err);
    }
    if (ad.errors?.length) rec.libraryErrors = [...ad.errors];
    rec.wallSeconds = round3((Date.now() - started) / 1000);
    rec.loadAvg1mAfter = round1(loadavg()[0]);
    const pgAfter = await pgStartedAt();
    // BullMQ does not use PostgreSQL, but a restart still means a machine busy with other work.
    if (pgBefore === null || pgAfter === null || pgBefore !== pgAfter) rec.pgRestarted = true;
  }
  return rec;
}

function fmt(rec) {
  if (!rec) return "—";
  if (rec.unit === "ms") return `${rec.value.p50.toFixed(1)} / ${rec.value.p95.toFixed(1)} / ${rec.value.p99.toFixed(1)}`;
  return Math.round(rec.value).toLocaleString("en-US");
}

function summarize(records, adapters) {
  const med = {};
  for (const a of adapters) {
    med[a] = {};
    for (const w of workloadNames) {
      const ok = records.filter((r) => r.adapter === a && r.workload === w && r.ok);
      if (ok.length === 0) {
        const bad = records.find((r) => r.adapter === a && r.workload === w);
        med[a][w] = bad ? { note: bad.skipped ? "skipped" : "failed", reason: bad.skipped ?? bad.error } : null;
        continue;
      }
      if (ok[0].unit === "ms") {
        med[a][w] = {
          unit: "ms",
          runs: ok.length,
          value: { p50: median(ok.map((r) => r.value.p50)), p95: median(ok.map((r) => r.value.p95)), p99: median(ok.map((r) => r.value.p99)) },
        };
      } else {
        med[a][w] = { unit: ok[0].unit, runs: ok.length, value: median(ok.map((r) => r.value)), all: ok.map((r) => round(r.value)) };
      }
    }
  }
  return med;
}

function table(med, adapters, unavailable) {
  const head = {
    W1: "W1 jobs/s (1 proc)",
    W2: "W2 latency p50 / p95 / p99 ms",
    W3: "W3 chains/s",
    W4: "W4 jobs/s (2 procs)",
    W5: "W5 enqueues/s",
  };
  const lines = [`| System | ${workloadNames.map((w) => head[w]).join(" | ")} |`, `|---|${workloadNames.map(() => "---:").join("|")}|`];
  for (const a of adapters) {
    const cells = workloadNames.map((w) => {
      const m = med[a][w];
      if (!m) return "—";
      if (m.note) return m.note;
      return fmt(m) + (m.runs < RUNS ? ` (${m.runs}/${RUNS} runs)` : "");
    });
    lines.push(`| ${a} | ${cells.join(" | ")} |`);
  }
  for (const [a, why] of Object.entries(unavailable)) lines.push(`| ${a} | ${workloadNames.map(() => "unavailable").join(" | ")} |`);
  return lines.join("\n") + (Object.keys(unavailable).length ? `\n\n${Object.entries(unavailable).map(([a, why]) => `- ${a} unavailable: ${why}`).join("\n")}` : "");
}

function versions() {
  const v = {};
  for (const p of ["graphile-worker", "pg-boss", "bullmq", "ioredis", "pg"]) {
    try {
      v[p] = JSON.parse(readFileSync(join(HERE, "node_modules", p, "package.json"), "utf8")).version;
    } catch {
      v[p] = null;
    }
  }
  try {
    v.taskrail = `${JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version} @ ${execFileSync("git", ["-C", REPO, "describe", "--always", "--dirty"], { encoding: "utf8" }).trim()}`;
  } catch {
    v.taskrail = null;
  }
  return v;
}

/** When taskrail's dist/ was last built (other people rebuild it in a shared tree). */
function distBuiltAt() {
  try {
    return statSync(join(REPO, "dist", "index.js")).mtime.toISOString();
  } catch {
    return null;
  }
}

async function main() {
  const distBefore = distBuiltAt();
  const mods = {};
  const unavailable = {};
  for (const name of adapterNames) {
    const mod = await import(new URL(`./adapters/${name}.mjs`, import.meta.url).href);
    let reason;
    try {
      reason = await withTimeout(mod.probe(), 30_000, `${name} probe`);
    } catch (err) {
      reason = String(err?.message ?? err);
    }
    if (reason) {
      unavailable[name] = reason;
      log(`${name}: unavailable — ${reason}`);
    } else mods[name] = mod;
  }
  const adapters = Object.keys(mods);
  const records = [];
  log(`adapters: ${adapters.join(", ") || "(none)"}; workloads: ${workloadNames.join(", ")}; runs: ${RUNS}; scale: ${SCALE}`);
  // Interleaved (workload → run → adapter) so slow drift of the machine hits every system alike.
  for (const w of workloadNames) {
    for (let run = 1; run <= RUNS; run++) {
      for (const a of adapters) {
        const rec = await runOne(mods[a], a, w, run);
        records.push(rec);
        log(`${a} ${w} run ${run}: ${rec.ok ? `${fmt(rec)} ${rec.unit}` : rec.skipped ? `skipped (${rec.skipped})` : `FAILED (${rec.error})`}${rec.teardownError ? ` [teardown: ${rec.teardownError}]` : ""}${rec.pgRestarted ? " [PostgreSQL restarted during the run]" : ""}`);
      }
    }
  }
  // A run that failed, or during which PostgreSQL restarted (the machine is shared), is run once
  // more at the end; the first one is kept in the raw records but left out of the medians.
  for (const rec of [...records]) {
    if (rec.skipped || (rec.ok && !rec.pgRestarted)) continue;
    rec.superseded = true;
    const again = await runOne(mods[rec.adapter], rec.adapter, rec.workload, rec.run);
    again.retryOf = rec.run;
    records.push(again);
    log(`${rec.adapter} ${rec.workload} run ${rec.run} (again): ${again.ok ? `${fmt(again)} ${again.unit}` : `FAILED (${again.error ?? again.skipped})`}${again.pgRestarted ? " [PostgreSQL restarted during the run]" : ""}`);
  }
  const med = summarize(records.filter((r) => !r.superseded), adapters);
  const settings = {};
  for (const a of adapters) {
    const ad = mods[a].create(mods[a].newDescriptor());
    settings[a] = ad.settings;
    // Last cleanup pass: a teardown that failed (e.g. server restarting) leaves nothing behind.
    await withTimeout(ad.teardown(), SETUP_TIMEOUT_MS, `${a} final cleanup`).catch((err) => log(`${a} final cleanup failed: ${err.message}`));
  }
  const date = new Date().toISOString().slice(0, 10);
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "?", memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
    versions: versions(),
    taskrailDist: { builtAtStart: distBefore, builtAtEnd: distBuiltAt() },
    params: { runs: RUNS, scale: SCALE, concurrency: CONCURRENCY, bulkChunk: CHUNK, w2WorkerIn: args["w2-inprocess"] ? "same process" : "child process", ...P },
    settings,
    unavailable,
    medians: med,
    records,
  };
  const dir = join(REPO, "bench", "results");
  mkdirSync(dir, { recursive: true });
  let file = args.out ?? join(dir, `peers-${date}.json`);
  if (!args.out && existsSync(file)) file = join(dir, `peers-${date}-${new Date().toISOString().slice(11, 19).replace(/:/g, "")}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`\nMedians of ${RUNS} run(s), ${date}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, concurrency ${CONCURRENCY}\n`);
  console.log(table(med, adapters, unavailable));
  if (adapters.includes("taskrail") && out.taskrailDist.builtAtStart !== out.taskrailDist.builtAtEnd) {
    console.log(`\nwarning: dist/ was rebuilt during the run (${out.taskrailDist.builtAtStart} → ${out.taskrailDist.builtAtEnd}); worker child processes may have loaded the newer build`);
  }
  console.log(`\nraw results: ${file}`);
}

main().then(
  async () => {
    await closePools();
    process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
