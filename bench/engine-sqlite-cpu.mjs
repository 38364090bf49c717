// Benchmark: the run phase of bench/engine-sqlite.mjs's S1 (or S2) with the process's CPU time
// per task beside the wall-clock rate. On a shared machine the rate moves with the neighbours'
// load; CPU time per task (all threads of this process: main, GC helpers, WAL checkpointer)
// moves far less, so A/B comparisons of the engine are made with it.
// Usage: npm run build && node bench/engine-sqlite-cpu.mjs [--runs 5] [--steps 1] [--dist dist]
//   --steps 1: 20,000 single-step no-op tasks (S1); --steps 5: 2,000 five-step chains (S2).
//   --dist: another build to compare (e.g. a copy of main's dist/), resolved from the cwd.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runEngineScenario } from "./lib/sqlite-engine-scenario.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, steps: { type: "string", default: "1" }, dist: { type: "string", default: "dist" } },
});
const RUNS = Number(values.runs);
const STEPS = Number(values.steps);
const COUNT = STEPS === 1 ? 20_000 : 2_000;
const { createTaskrail } = await import(pathToFileURL(join(resolve(values.dist), "index.js")).href);

const runs = [];
for (let r = 0; r < RUNS; r++) {
  const { runSeconds, runCpuUs } = await runEngineScenario({ createTaskrail, count: COUNT, steps: STEPS });
  runs.push({ perSec: Math.round(COUNT / runSeconds), cpuUsPerTask: +(runCpuUs / COUNT).toFixed(1) });
}
console.log(JSON.stringify({ date: new Date().toISOString(), dist: values.dist, scenario: STEPS === 1 ? "S1" : "S2", unit: STEPS === 1 ? "task" : "chain", runs }));
