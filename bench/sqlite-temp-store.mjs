// Benchmark: SQLite temp_store FILE (SQLite's default) vs MEMORY (what the store sets).
// Why: every task/step status change fires a task_events trigger, so each write statement runs
// in a statement sub-transaction whose journal spills to a temp file past 64 KiB. This runs the
// engine scenarios (enqueue N tasks of K no-op steps, then run them at concurrency 32)
// alternately with each setting in one process and prints CPU µs per task of this process for
// the enqueue and the run phase, plus run throughput.
// Usage: npm run build && node bench/sqlite-temp-store.mjs [--tasks 20000] [--steps 1] [--rounds 3]
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { createTaskrail } from "../dist/index.js";
import { runEngineScenario } from "./lib/sqlite-engine-scenario.mjs";

const { values } = parseArgs({ options: { tasks: { type: "string", default: "20000" }, steps: { type: "string", default: "1" }, rounds: { type: "string", default: "3" } } });
const N = Number(values.tasks);
const STEPS = Number(values.steps);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(mode) {
  const r = await runEngineScenario({
    createTaskrail,
    count: N,
    steps: STEPS,
    options: { eventRetention: false },
    prepare: (tr) => tr.store.connection.db.pragma(`temp_store = ${mode}`),
  });
  return { enqueueCpuUs: r.enqueueCpuUs / N, runCpuUs: r.runCpuUs / N, tasksPerSec: N / r.runSeconds };
}

const results = { FILE: [], MEMORY: [] };
for (let r = 0; r < Number(values.rounds); r++) for (const mode of ["FILE", "MEMORY"]) results[mode].push(await once(mode));
const summary = Object.fromEntries(
  Object.entries(results).map(([mode, rs]) => [
    mode,
    { enqueueCpuUsPerTask: +median(rs.map((r) => r.enqueueCpuUs)).toFixed(1), runCpuUsPerTask: +median(rs.map((r) => r.runCpuUs)).toFixed(1), tasksPerSec: Math.round(median(rs.map((r) => r.tasksPerSec))) },
  ]),
);
console.log(JSON.stringify({ date: new Date().toISOString(), machine: `${cpus().length} cores (${cpus()[0].model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`, tasks: N, steps: STEPS, summary, runs: results }, null, 2));
