// The engine scenario every SQLite engine benchmark runs: a fresh database, `count` tasks of
// `steps` no-op steps enqueued first (dispatchMany, chunks of 1,000), then one worker at
// concurrency 32 runs them all. Wall time and this process's CPU time (all threads) are
// measured for both phases; every task is checked to have succeeded after the clock stops.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForTasksEnded } from "./wait-for-tasks-ended.mjs";

const WORKER = { concurrency: 32, claimBatchSize: 32, prefetch: 32, pollInterval: 5 };
const cpuUs = (usage) => usage.user + usage.system;

/**
 * Runs the scenario once. `createTaskrail` comes from the build under test; `options` are
 * extra createTaskrail options; `prepare(tr)` runs before the enqueue (e.g. to change a pragma),
 * `check(tr)` after the clock stopped (e.g. to verify what a setting did).
 * Resolves to { enqueueSeconds, enqueueCpuUs, runSeconds, runCpuUs } (totals, not per task).
 */
export async function runEngineScenario({ createTaskrail, count, steps, options = {}, prepare = () => {}, check = () => {} }) {
  const dir = mkdtempSync(join(tmpdir(), "taskrail-bench-"));
  const tr = await createTaskrail({ db: `sqlite:${join(dir, "bench.db")}`, ...options });
  try {
    await prepare(tr);
    const stepSpecs = Array.from({ length: steps }, (_, i) => ({ name: `s${i}`, executor: "noop" }));
    const enqueueStart = performance.now();
    const enqueueCpu = process.cpuUsage();
    for (let i = 0; i < count; i += 1000) {
      await tr.client.dispatchMany(Array.from({ length: Math.min(1000, count - i) }, () => ({ type: "bench", steps: stepSpecs })));
    }
    const enqueueSeconds = (performance.now() - enqueueStart) / 1000;
    const enqueueCpuUs = cpuUs(process.cpuUsage(enqueueCpu));
    const runStart = performance.now();
    const runCpu = process.cpuUsage();
    const worker = tr.startWorker(WORKER);
    await waitForTasksEnded(worker, count);
    const runSeconds = (performance.now() - runStart) / 1000;
    const runCpuUs = cpuUs(process.cpuUsage(runCpu));
    const counts = await tr.client.countTasksByStatus();
    if (counts.succeeded !== count) throw new Error(`expected ${count} succeeded, got ${JSON.stringify(counts)}`);
    await check(tr);
    return { enqueueSeconds, enqueueCpuUs, runSeconds, runCpuUs };
  } finally {
    await tr.close({ deadlineMs: 1000 });
    rmSync(dir, { recursive: true, force: true });
  }
}
