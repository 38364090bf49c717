// Benchmark: one worker process on the PostgreSQL store (no peers, no harness).
//   P1: --tasks one-step no-op tasks enqueued first, then run → tasks/s
//   P2: --chains five-step no-op chains enqueued first, then run → chains/s
// Worker: concurrency 32 and the given --claim-batch / --prefetch. Scratch schema, dropped after.
// Usage: npm run build && node bench/engine-postgres.mjs [--runs 3] [--tasks 8000] [--chains 1000]
//        [--claim-batch 128] [--prefetch 256]      env TASKRAIL_BENCH_PG (default loopback /test)
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { createTaskrail } from "../dist/index.js";
import { waitForTasksEnded } from "./lib/wait-for-tasks-ended.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    tasks: { type: "string", default: "8000" },
    chains: { type: "string", default: "1000" },
    "claim-batch": { type: "string", default: "128" },
    prefetch: { type: "string", default: "256" },
  },
});
const base = process.env.TASKRAIL_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";

async function scenario(count, stepCount) {
  const schema = `bench_engine_${process.pid}`;
  const tr = await createTaskrail({ db: `${base}?schema=${schema}`, builtins: false, executors: { bench: async () => null } });
  try {
    const steps = Array.from({ length: stepCount }, (_, i) => ({ name: `s${i}`, executor: "bench" }));
    for (let i = 0; i < count; i += 1000) {
      await tr.client.dispatchMany(Array.from({ length: Math.min(1000, count - i) }, () => ({ type: "bench", steps })));
    }
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const worker = tr.startWorker({ concurrency: 32, claimBatchSize: Number(values["claim-batch"]), prefetch: Number(values.prefetch), pollInterval: 50 });
    await waitForTasksEnded(worker, count);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const counts = await tr.client.countTasksByStatus();
    if (counts.succeeded !== count) throw new Error(`expected ${count} succeeded, got ${JSON.stringify(counts)}`);
    return { perSec: count / seconds, cpuUsPerItem: (cpu.user + cpu.system) / count };
  } finally {
    await tr.close({ deadlineMs: 1000 });
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { p1: [], p2: [] };
for (let r = 0; r < Number(values.runs); r++) {
  results.p1.push(await scenario(Number(values.tasks), 1));
  results.p2.push(await scenario(Number(values.chains), 5));
}
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      settings: { concurrency: 32, claimBatchSize: Number(values["claim-batch"]), prefetch: Number(values.prefetch) },
      p1TasksPerSec: Math.round(median(results.p1.map((x) => x.perSec))),
      p2ChainsPerSec: Math.round(median(results.p2.map((x) => x.perSec))),
      runs: results,
    },
    null,
    2,
  ),
);
