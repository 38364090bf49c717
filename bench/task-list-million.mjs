// Benchmark: does the task list (the dashboard's table, `GET /api/v1/tasks`, `taskrail list`)
// stay fast with a million rows? Fills a fresh store with N tasks (10 types, unique indexes,
// one creator per 1,000), then times `listTasks` (50 rows + the total) for the common filters:
// first page, the 20th page reached by cursor, and the cost of the page without its total.
// Usage: npm run build && node bench/task-list-million.mjs [--store sqlite|postgres|both] [--tasks 1000000]
import { parseArgs } from "node:util";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { openStore } from "../dist/index.js";
import { resolveTaskSpec } from "../dist/core/validation/task-spec.js";

const { values } = parseArgs({
  options: { store: { type: "string", default: "both" }, tasks: { type: "string", default: "1000000" }, repeat: { type: "string", default: "5" } },
});
const TASKS = Number(values.tasks);
const REPEAT = Number(values.repeat);
const PG = process.env.TASKRAIL_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";

async function fill(store) {
  const now = new Date();
  const t0 = performance.now();
  for (let done = 0; done < TASKS; done += 5000) {
    const specs = [];
    for (let i = done; i < Math.min(TASKS, done + 5000); i++) {
      specs.push(
        resolveTaskSpec(
          { type: `type${i % 10}`, index: `order-${i}`, indexType: "order", steps: [{ name: "s", executor: "noop" }] },
          { now, creator: `user${Math.floor(i / 1000)}` },
        ),
      );
    }
    await store.createTasks(specs);
  }
  return (performance.now() - t0) / 1000;
}

/** Median and max of `REPEAT` timings of `fn`, in ms. */
async function time(fn) {
  const ms = [];
  let last;
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { medianMs: +ms[Math.floor(ms.length / 2)].toFixed(1), maxMs: +ms[ms.length - 1].toFixed(1), total: last?.total, rows: last?.items.length };
}

async function measure(store) {
  const page = { limit: 50 };
  const out = {};
  out.firstPage = await time(() => store.listTasks({ tenant: "default" }, page));
  out.byType = await time(() => store.listTasks({ tenant: "default", type: "type3" }, page));
  out.byStatusNone = await time(() => store.listTasks({ tenant: "default", status: ["failed"] }, page));
  out.byIndex = await time(() => store.listTasks({ tenant: "default", index: `order-${Math.floor(TASKS / 2)}` }, page));
  out.byCreator = await time(() => store.listTasks({ tenant: "default", creator: "user7" }, page));
  out.lastHour = await time(() => store.listTasks({ tenant: "default", createdFrom: new Date(Date.now() - 3_600_000) }, page));
  out.page20 = await time(async () => {
    let p = await store.listTasks({ tenant: "default" }, page);
    for (let i = 1; i < 20 && p.nextCursor; i++) p = await store.listTasks({ tenant: "default" }, { limit: 50, cursor: p.nextCursor });
    return p;
  });
  out.getById = await time(async () => {
    const first = await store.listTasks({ tenant: "default" }, { limit: 1 });
    await store.getTask(first.items[0].id, "default");
    return first;
  });
  return out;
}

const results = [];
if (values.store === "sqlite" || values.store === "both") {
  const dir = mkdtempSync(join(tmpdir(), "taskrail-list-"));
  const store = await openStore(`sqlite:${join(dir, "bench.db")}`);
  try {
    const fillSeconds = await fill(store);
    results.push({ store: "sqlite", fillSeconds: +fillSeconds.toFixed(1), ...(await measure(store)) });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (values.store === "postgres" || values.store === "both") {
  const schema = `bench_list_${process.pid}`;
  const store = await openStore(`${PG}?schema=${schema}`);
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  try {
    const fillSeconds = await fill(store);
    await admin.query(`ANALYZE "${schema}".tasks`);
    results.push({ store: "postgres", fillSeconds: +fillSeconds.toFixed(1), ...(await measure(store)) });
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      loadAverageAtEnd: loadavg().map((x) => +x.toFixed(1)),
      tasks: TASKS,
      results,
    },
    null,
    2,
  ),
);
