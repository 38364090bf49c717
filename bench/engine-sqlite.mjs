// Benchmark: one process on the embedded SQLite store (issue "engine" targets).
//   S1: 20,000 single-step no-op tasks enqueued first, then run at concurrency 32 → tasks/s
//   S2: 2,000 five-step no-op chains enqueued first, then run at concurrency 32 → chains/s
// Each scenario runs 3 times on a fresh database; the median is reported.
// Usage: npm run build && node bench/engine-sqlite.mjs [--runs 3] [--tasks 20000] [--chains 2000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createTaskrail } from "../dist/index.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, tasks: { type: "string", default: "20000" }, chains: { type: "string", default: "2000" } },
});
const RUNS = Number(values.runs);

async function scenario(taskCount, stepCount) {
  const dir = mkdtempSync(join(tmpdir(), "taskrail-bench-"));
  const tr = await createTaskrail({ db: `sqlite:${join(dir, "bench.db")}` });
  try {
    const steps = Array.from({ length: stepCount }, (_, i) => ({ name: `s${i}`, executor: "noop" }));
    for (let i = 0; i < taskCount; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, taskCount - i) }, () => ({ type: "bench", steps }));
      await tr.client.dispatchMany(batch);
    }
    const start = performance.now();
    const worker = tr.startWorker({ concurrency: 32, claimBatchSize: 32, prefetch: 32, pollInterval: 5 });
    await new Promise((resolve) => {
      const t = setInterval(() => {
        if (worker.stats.tasksEnded >= taskCount) {
          clearInterval(t);
          resolve();
        }
      }, 2);
    });
    const seconds = (performance.now() - start) / 1000;
    const counts = await tr.client.countTasksByStatus();
    if (counts.succeeded !== taskCount) throw new Error(`expected ${taskCount} succeeded, got ${JSON.stringify(counts)}`);
    return taskCount / seconds;
  } finally {
    await tr.close({ deadlineMs: 1000 });
    rmSync(dir, { recursive: true, force: true });
  }
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
