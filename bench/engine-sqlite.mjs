// Benchmark: one process on the embedded SQLite store (issue "engine" targets).
//   S1: 20,000 single-step no-op tasks enqueued first, then run at concurrency 32 → tasks/s
//   S2: 2,000 five-step no-op chains enqueued first, then run at concurrency 32 → chains/s
// Each scenario runs 3 times on a fresh database; the median is reported.
// Usage: npm run build && node bench/engine-sqlite.mjs [--runs 3] [--tasks 20000] [--chains 2000]
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { createTaskrail } from "../dist/index.js";
import { runEngineScenario } from "./lib/sqlite-engine-scenario.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, tasks: { type: "string", default: "20000" }, chains: { type: "string", default: "2000" } },
});
const RUNS = Number(values.runs);

async function scenario(taskCount, stepCount) {
  const { runSeconds } = await runEngineScenario({ createTaskrail, count: taskCount, steps: stepCount });
  return taskCount / runSeconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { s1: [], s2: [] };
for (let r = 0; r < RUNS; r++) {
  results.s1.push(await scenario(Number(values.tasks), 1));
  results.s2.push(await scenario(Number(values.chains), 5));
}
const out = {
  date: new Date().toISOString(),
  machine: `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  s1TasksPerSec: Math.round(median(results.s1)),
  s2ChainsPerSec: Math.round(median(results.s2)),
  runs: { s1: results.s1.map(Math.round), s2: results.s2.map(Math.round) },
};
console.log(JSON.stringify(out, null, 2));
