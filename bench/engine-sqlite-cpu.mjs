// Benchmark: the run phase of bench/engine-sqlite.mjs's S1 (or S2) with the process's CPU time
// per task beside the wall-clock rate. On a shared machine the rate moves with the neighbours'
// load; CPU time per task (all threads of this process: main, GC helpers, WAL checkpointer)
// moves far less, so A/B comparisons of the engine are made with it.
// Usage: npm run build && node bench/engine-sqlite-cpu.mjs [--runs 5] [--steps 1] [--dist dist]
//   --steps 1: 20,000 single-step no-op tasks (S1); --steps 5: 2,000 five-step chains (S2).
//   --dist: another build to compare (e.g. a copy of main's dist/), resolved from the cwd.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, steps: { type: "string", default: "1" }, dist: { type: "string", default: "dist" } },
});
const RUNS = Number(values.runs);
const STEPS = Number(values.steps);
const COUNT = STEPS === 1 ? 20_000 : 2_000;
const { createTaskrail } = await import(pathToFileURL(join(resolve(values.dist), "index.js")).href);

const runs = [];
for (let r = 0; r < RUNS; r++) {
  const dir = mkdtempSync(join(tmpdir(), "taskrail-bench-"));
  const tr = await createTaskrail({ db: `sqlite:${join(dir, "bench.db")}` });
  try {
    const steps = Array.from({ length: STEPS }, (_, i) => ({ name: `s${i}`, executor: "noop" }));
    for (let i = 0; i < COUNT; i += 1000) {
      await tr.client.dispatchMany(Array.from({ length: Math.min(1000, COUNT - i) }, () => ({ type: "bench", steps })));
    }
    const start = performance.now();
    const cpu = process.cpuUsage();
    const worker = tr.startWorker({ concurrency: 32, claimBatchSize: 32, prefetch: 32, pollInterval: 5 });
    await new Promise((done) => {
      const t = setInterval(() => {
        if (worker.stats.tasksEnded >= COUNT) {
          clearInterval(t);
          done();
        }
      }, 2);
    });
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    runs.push({ perSec: Math.round(COUNT / seconds), cpuUsPerTask: +((used.user + used.system) / COUNT).toFixed(1) });
  } finally {
    await tr.close({ deadlineMs: 1000 });
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({ date: new Date().toISOString(), dist: values.dist, scenario: STEPS === 1 ? "S1" : "S2", unit: STEPS === 1 ? "task" : "chain", runs }));
