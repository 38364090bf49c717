// Micro-benchmark of the SQLite store alone (no worker, no executors): dispatch, then a
// worker-like loop (32 slots) claiming and completing one-step tasks and five-step chains.
// Each scenario runs on a fresh database file, best of --runs (default 3).
//   node --import tsx bench/sqlite-store-micro.mjs [tasks=20000] [chains=2000] [runs=3]
// Runs src/ when started with tsx, else dist/ (npm run build first).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url);
const underTsx = process.execArgv.some((arg) => arg.includes("tsx"));
const fromDist = !underTsx && existsSync(new URL("dist/store/sqlite/sqlite-store.js", root));
const base = fromDist ? "dist" : "src";
const ext = fromDist ? "js" : "ts";
const { openSqliteStore } = await import(new URL(`${base}/store/sqlite/sqlite-store.${ext}`, root).href);
const { resolveTaskSpec } = await import(new URL(`${base}/core/validation/task-spec.${ext}`, root).href);

const TASKS = Number(process.argv[2] ?? 20_000);
const CHAINS = Number(process.argv[3] ?? 2_000);
const RUNS = Number(process.argv[4] ?? 3);
const SLOTS = 32;

function newTasks(n, steps) {
  const spec = { type: "bench", steps: Array.from({ length: steps }, (_, i) => ({ name: `s${i}`, executor: "noop" })) };
  const now = new Date();
  return Array.from({ length: n }, () => resolveTaskSpec(spec, { now }));
}

/** Claims into free slots and completes every step of each claimed task under its lease. */
function drain(store) {
  return new Promise((resolve, reject) => {
    let inFlight = 0;
    let claiming = false;
    let scheduled = false;
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        pump().catch(reject);
      });
    };
    const runTask = async ({ task, lease }) => {
      let step = task.currentStep;
      for (;;) {
        const res = await store.completeStep(lease, { stepIndex: step, output: null, paramsPatch: null, continueNext: true, now: new Date() });
        if (!res.ok) throw new Error("lease lost in benchmark");
        if (res.startedStep === null) break;
        step = res.startedStep;
      }
    };
    const pump = async () => {
      if (claiming) return;
      claiming = true;
      const claimed = await store.claimTasks({ nodeId: "bench", queues: ["default"], executors: ["noop"], limit: SLOTS - inFlight, leaseMs: 30_000, now: new Date() });
      claiming = false;
      if (claimed.length === 0 && inFlight === 0) return resolve();
      for (const c of claimed) {
        inFlight++;
        runTask(c).then(() => {
          inFlight--;
          // Refill when half the slots are free, as a worker's claim loop does.
          if (inFlight <= SLOTS / 2) schedule();
        }, reject);
      }
    };
    schedule();
  });
}

async function best(name, count, unit, scenario) {
  let bestMs = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const dir = mkdtempSync(join(tmpdir(), "taskrail-bench-"));
    const store = await openSqliteStore(join(dir, "bench.db"));
    try {
      const ms = await scenario(store);
      bestMs = Math.min(bestMs, ms);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const rate = Math.round((count / bestMs) * 1000).toLocaleString("en-US");
  console.log(`${name.padEnd(48)} ${rate.padStart(8)} ${unit}/s   (${(bestMs / count * 1000).toFixed(1)} µs each, best of ${RUNS})`);
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

console.log(`taskrail SQLite store micro-benchmark (${base}/), node ${process.version}`);
await best("dispatch: createTasks, batches of 500", TASKS, "tasks", async (store) => {
  const tasks = newTasks(TASKS, 1);
  return timed(async () => {
    for (let i = 0; i < tasks.length; i += 500) await store.createTasks(tasks.slice(i, i + 500));
  });
});
await best("dispatch: createTask, all at once", TASKS, "tasks", async (store) => {
  const tasks = newTasks(TASKS, 1);
  return timed(() => Promise.all(tasks.map((t) => store.createTask(t, "return"))));
});
await best("dispatch: createTask, one awaited at a time", 2000, "tasks", async (store) => {
  const tasks = newTasks(2000, 1);
  return timed(async () => {
    for (const t of tasks) await store.createTask(t, "return");
  });
});
await best(`run: one-step tasks, claim + complete, ${SLOTS} slots`, TASKS, "tasks", async (store) => {
  await store.createTasks(newTasks(TASKS, 1));
  return timed(() => drain(store));
});
await best(`run: five-step chains, continueNext, ${SLOTS} slots`, CHAINS, "chains", async (store) => {
  await store.createTasks(newTasks(CHAINS, 5));
  return timed(() => drain(store));
});
