// Benchmark: what the task event log triggers cost the embedded engine. Runs the scenarios of
// bench/engine-sqlite.mjs (S1: single-step no-op tasks, S2: five-step chains, concurrency 32)
// alternately with the triggers in place and with them dropped, in one process, and reports
// the medians and their ratio: throughput (wall clock) and CPU time of this process per task,
// which stays meaningful on a machine shared with other work.
// Usage: npm run build && node bench/event-log-cost.mjs [--runs 3] [--tasks 20000] [--chains 2000]
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { createTaskrail } from "../dist/index.js";
import { runEngineScenario } from "./lib/sqlite-engine-scenario.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, tasks: { type: "string", default: "20000" }, chains: { type: "string", default: "2000" } },
});
const RUNS = Number(values.runs);
const TRIGGERS = ["task_events_task_created", "task_events_task_status", "task_events_cancel_requested", "task_events_step_status"];

async function scenario(taskCount, stepCount, withEvents) {
  const r = await runEngineScenario({
    createTaskrail,
    count: taskCount,
    steps: stepCount,
    options: { eventRetention: false },
    prepare: (tr) => {
      if (!withEvents) for (const name of TRIGGERS) tr.store.connection.db.exec(`DROP TRIGGER ${name}`);
    },
    check: async (tr) => {
      const events = (await tr.store.listTaskEvents({ afterId: 0, tenant: null, limit: 1 })).events.length;
      if (withEvents !== (events > 0)) throw new Error(`event log ${withEvents ? "empty" : "written"} against the setting`);
    },
  });
  return {
    runPerSec: taskCount / r.runSeconds,
    enqueuePerSec: taskCount / r.enqueueSeconds,
    runCpuUsPerTask: r.runCpuUs / taskCount,
    enqueueCpuUsPerTask: r.enqueueCpuUs / taskCount,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fresh = () => ({ s1: [], s1enq: [], s2: [], s1cpu: [], s1enqCpu: [], s2cpu: [] });
const results = { on: fresh(), off: fresh() };
for (let r = 0; r < RUNS; r++) {
  // Alternate the order so neither setting always runs on a warmer process.
  for (const mode of r % 2 === 0 ? ["off", "on"] : ["on", "off"]) {
    const s1 = await scenario(Number(values.tasks), 1, mode === "on");
    results[mode].s1.push(s1.runPerSec);
    results[mode].s1enq.push(s1.enqueuePerSec);
    results[mode].s1cpu.push(s1.runCpuUsPerTask);
    results[mode].s1enqCpu.push(s1.enqueueCpuUsPerTask);
    const s2 = await scenario(Number(values.chains), 5, mode === "on");
    results[mode].s2.push(s2.runPerSec);
    results[mode].s2cpu.push(s2.runCpuUsPerTask);
  }
}
const summary = (mode) => ({
  s1TasksPerSec: Math.round(median(results[mode].s1)),
  s1EnqueuePerSec: Math.round(median(results[mode].s1enq)),
  s2ChainsPerSec: Math.round(median(results[mode].s2)),
  s1RunCpuUsPerTask: Math.round(median(results[mode].s1cpu)),
  s1EnqueueCpuUsPerTask: Math.round(median(results[mode].s1enqCpu)),
  s2RunCpuUsPerChain: Math.round(median(results[mode].s2cpu)),
});
const on = summary("on");
const off = summary("off");
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      withoutEvents: off,
      withEvents: on,
      ratio: {
        s1: +(on.s1TasksPerSec / off.s1TasksPerSec).toFixed(3),
        s1Enqueue: +(on.s1EnqueuePerSec / off.s1EnqueuePerSec).toFixed(3),
        s2: +(on.s2ChainsPerSec / off.s2ChainsPerSec).toFixed(3),
        s1RunCpu: +(on.s1RunCpuUsPerTask / off.s1RunCpuUsPerTask).toFixed(3),
        s1EnqueueCpu: +(on.s1EnqueueCpuUsPerTask / off.s1EnqueueCpuUsPerTask).toFixed(3),
        s2RunCpu: +(on.s2RunCpuUsPerChain / off.s2RunCpuUsPerChain).toFixed(3),
      },
      runs: results,
    },
    null,
    2,
  ),
);
