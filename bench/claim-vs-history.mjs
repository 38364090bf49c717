// Benchmark: does claim cost stay flat as finished history grows? On PostgreSQL, in a scratch
// schema: time claim + complete of 5,000 one-step tasks (batches of 32) with an empty table,
// then with 1,000,000 succeeded tasks (and their steps) added, then again.
// Usage: npm run build && node bench/claim-vs-history.mjs [--history 1000000]
import { parseArgs } from "node:util";
import { cpus, totalmem } from "node:os";
import pg from "pg";
import { openStore } from "../dist/index.js";
import { resolveTaskSpec } from "../dist/core/validation/task-spec.js";

const { values } = parseArgs({ options: { history: { type: "string", default: "1000000" }, tasks: { type: "string", default: "5000" } } });
const HISTORY = Number(values.history);
const TASKS = Number(values.tasks);
const base = process.env.TASKRAIL_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `bench_history_${process.pid}`;

async function measure(store) {
  const now = new Date();
  const specs = Array.from({ length: TASKS }, () => resolveTaskSpec({ type: "bench", steps: [{ name: "s", executor: "noop" }] }, { now }));
  for (let i = 0; i < specs.length; i += 1000) await store.createTasks(specs.slice(i, i + 1000));
  const claimMs = [];
  const start = performance.now();
  let done = 0;
  while (done < TASKS) {
    const t0 = performance.now();
    const claimed = await store.claimTasks({ nodeId: "bench", queues: ["default"], executors: ["noop"], limit: 32, leaseMs: 30_000, now: new Date() });
    claimMs.push(performance.now() - t0);
    await Promise.all(claimed.map((c) => store.completeStep(c.lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now: new Date() })));
    done += claimed.length;
  }
  const seconds = (performance.now() - start) / 1000;
  claimMs.sort((a, b) => a - b);
  return { tasksPerSec: Math.round(TASKS / seconds), claimP50Ms: +claimMs[Math.floor(claimMs.length / 2)].toFixed(2), claimP99Ms: +claimMs[Math.floor(claimMs.length * 0.99)].toFixed(2) };
}

const admin = new pg.Client({ connectionString: base });
await admin.connect();
const store = await openStore(`${base}?schema=${schema}`);
try {
  const empty = await measure(store);
  const t0 = performance.now();
  // Finished history written directly: ids sort before new UUIDv7 ids, as old tasks' would.
  await admin.query(`SET search_path = ${schema}`);
  await admin.query(`
    INSERT INTO tasks (id, tenant, type, queue, priority, params, payload, step_count, current_step, current_executor, current_queue, status, run_at, created_at, updated_at, started_at, ended_at)
    SELECT '0000' || lpad(g::text, 12, '0'), 'default', 'history', 'default', 0, '{}', 'null', 1, 1, NULL, 'default', 'succeeded', now(), now(), now(), now(), now()
    FROM generate_series(1, ${HISTORY}) g`);
  await admin.query(`
    INSERT INTO steps (task_id, idx, name, executor, status, attempts, max_tries, backoff_kind, backoff_delay_ms, backoff_max_ms)
    SELECT '0000' || lpad(g::text, 12, '0'), 0, 's', 'noop', 'succeeded', 1, 1, 'fixed', 1000, 3600000
    FROM generate_series(1, ${HISTORY}) g`);
  await admin.query(`ANALYZE tasks; ANALYZE steps`);
  const loadSeconds = ((performance.now() - t0) / 1000).toFixed(1);
  const withHistory = await measure(store);
  const out = {
    date: new Date().toISOString(),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL on loopback`,
    history: HISTORY,
    historyLoadSeconds: Number(loadSeconds),
    empty,
    withHistory,
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
