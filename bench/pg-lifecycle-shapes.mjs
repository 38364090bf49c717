// Benchmark (design study, PostgreSQL): what one one-step task's lifecycle costs the database,
// for the store as it is and for a narrower shape that is NOT implemented. Same driver for
// each: claim 128 ready tasks, complete them in three concurrent batches, repeat until all are
// done; measured is the CPU of the PostgreSQL backends (from /proc, so run it on the database's
// machine) per task, over claims and completions only (dispatch is not counted).
//
//   A  the store as it is: a claim updates the task and step rows (status running, lease),
//      a completion updates them again; row triggers write the four events.
//   B  a narrow shape: ready work in a table of its own (id, priority, run_at, queue,
//      executor) and held work in a lease table. A claim deletes from the first, inserts into
//      the second and writes the two "running" events itself, without touching the task or
//      step rows; a completion deletes the lease and writes the task and step rows once (their
//      triggers write the two "succeeded" events). Same events, same rows returned by claims.
//   C  A with the event triggers disabled: what the four events cost A.
//   D  B without any event row (triggers disabled, none written by the claim): the floor of B.
//   E  A without the four list indexes every status change writes (tasks_tenant_id,
//      tasks_status_id, tasks_queue_id, tasks_type_id): what they cost A.
//
// B is a prototype of the statements only: reads, sweeps, limits and operators do not know its
// tables. It answers "how much would that shape save", nothing more.
//
//   npm run build && node bench/pg-lifecycle-shapes.mjs [--tasks 20000] [--rounds 2] [--shapes A,B,C,D,E]
import { readFileSync, readdirSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { createTaskrail } from "../dist/index.js";

const { values } = parseArgs({ options: { tasks: { type: "string", default: "20000" }, rounds: { type: "string", default: "2" }, shapes: { type: "string", default: "A,B,C,D,E" } } });
const N = Number(values.tasks);
const ROUNDS = Number(values.rounds);
const SHAPES = values.shapes.split(",").map((s) => s.trim().toUpperCase());
const CLAIM_BATCH = 128;
const BASE = process.env.TASKRAIL_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = new pg.Client(BASE);
await admin.connect();

/** CPU ticks (1/100 s) of every PostgreSQL backend serving a client, live or not yet exited. */
function backendTicks() {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      if (!/main: \S+ \S+ /.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"))) continue; // "user db host" = a backend
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended between listing and reading
    }
  }
  return ticks;
}

async function freshStore(schema) {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const tr = await createTaskrail({ db: `${BASE}?schema=${schema}`, builtins: false });
  for (let i = 0; i < N; i += 1000) {
    await tr.client.dispatchMany(Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ type: "bench", steps: [{ name: "s1", executor: "bench", payload: { i: i + k } }] })));
  }
  return tr;
}

async function throughStore(tr) {
  const store = tr.store;
  for (let done = 0; done < N; ) {
    const claimed = await store.claimTasks({ nodeId: "n1", queues: ["default"], executors: ["bench"], limit: CLAIM_BATCH, leaseMs: 30_000, now: new Date() });
    await Promise.all(claimed.map((c) => store.completeStep(c.lease, { stepIndex: 0, output: null, paramsPatch: null, continueNext: false, now: new Date() })));
    done += claimed.length;
  }
}

const NARROW_TABLES = `
CREATE TABLE ready (id text COLLATE "C" PRIMARY KEY, priority int NOT NULL, run_at timestamptz NOT NULL, queue text NOT NULL, executor text NOT NULL);
CREATE INDEX ready_order ON ready (priority DESC, run_at, id);
CREATE TABLE leases (task_id text COLLATE "C" PRIMARY KEY, node text NOT NULL, token int NOT NULL, lease_until timestamptz NOT NULL, started_at timestamptz NOT NULL);
INSERT INTO ready SELECT id, priority, run_at, current_queue, current_executor FROM tasks WHERE status = 'pending';`;

// -- $1 queues, $2 executors, $3 limit
const NARROW_CLAIM = `
WITH picked AS (
  DELETE FROM ready WHERE id IN (
    SELECT id FROM ready WHERE queue = ANY($1) AND executor = ANY($2) AND run_at <= now()
    ORDER BY priority DESC, run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
  RETURNING id
), lease AS (
  INSERT INTO leases SELECT id, 'n1', 1, now() + interval '30 s', now() FROM picked
), events AS (
  INSERT INTO task_events (tenant, task_id, definition_id, kind, step, attempt, status)
  SELECT t.tenant, t.id, t.definition_id, k.kind, k.step, k.attempt, 'running'
  FROM picked p JOIN tasks t ON t.id = p.id
  CROSS JOIN (VALUES ('task:running', NULL, NULL), ('step:running', 's1', 1)) AS k(kind, step, attempt)
)
SELECT t.*, (SELECT json_agg(s ORDER BY s.idx) FROM steps s WHERE s.task_id = t.id) AS steps
FROM picked p JOIN tasks t ON t.id = p.id`;

// D: the same claim without its event rows
const NARROW_CLAIM_WITHOUT_EVENTS = NARROW_CLAIM.replace(/, events AS \([\s\S]*?\n\)\n/, "\n");

// -- $1 task ids (the lease row is the fence: node and token must match)
const NARROW_COMPLETE = `
WITH l AS (
  DELETE FROM leases WHERE task_id = ANY($1::text[]) AND node = 'n1' AND token = 1 RETURNING task_id, started_at
), u AS (
  UPDATE tasks t SET status = 'succeeded', progress = 100, started_at = l.started_at, ended_at = now(), updated_at = now(),
    execution_ms = 0, lease_token = t.lease_token + 1
  FROM l WHERE t.id = l.task_id RETURNING t.id
), s AS (
  UPDATE steps s SET status = 'succeeded', attempts = s.attempts + 1, started_at = l.started_at, ended_at = now(), execution_ms = 0
  FROM l WHERE s.task_id = l.task_id AND s.idx = 0
)
SELECT count(*) FROM u`;

/** The narrow shape's connections, opened before and closed after the measurement (a backend
 * that exits inside the measured span would take its CPU time with it). */
async function narrowConnections(schema) {
  const claimer = new pg.Client({ connectionString: BASE, options: `-c search_path=${schema} -c jit=off` });
  await claimer.connect();
  const completers = new pg.Pool({ connectionString: BASE, max: 3, options: `-c search_path=${schema} -c jit=off` });
  await Promise.all([0, 1, 2].map(() => completers.query("SELECT 1")));
  return { claimer, completers, close: async () => Promise.all([claimer.end(), completers.end()]) };
}

async function throughNarrowShape({ claimer, completers }, claimSql = NARROW_CLAIM) {
  for (let done = 0; done < N; ) {
    const ids = (await claimer.query({ name: "claim", text: claimSql, values: [["default"], ["bench"], CLAIM_BATCH] })).rows.map((r) => r.id);
    // three batches in flight, as the store's completion batcher sends them
    const third = Math.ceil(ids.length / 3);
    const parts = [ids.slice(0, third), ids.slice(third, 2 * third), ids.slice(2 * third)].filter((p) => p.length > 0);
    await Promise.all(parts.map((p) => completers.query({ name: "complete", text: NARROW_COMPLETE, values: [p] })));
    done += ids.length;
  }
}

// prepare(schema) → what run() needs; close() after the measurement
const SHAPE_RUNS = {
  A: { label: "A  store as it is", prepare: async () => ({ close: async () => {} }), run: (tr) => throughStore(tr) },
  B: {
    label: "B  narrow ready + lease tables (prototype)",
    prepare: async (schema) => {
      await admin.query(`SET search_path = ${schema}; ${NARROW_TABLES} RESET search_path`);
      return narrowConnections(schema);
    },
    run: (_tr, prepared) => throughNarrowShape(prepared),
  },
  D: {
    label: "D  B without event rows",
    prepare: async (schema) => {
      await admin.query(`SET search_path = ${schema}; ${NARROW_TABLES} RESET search_path`);
      await admin.query(`ALTER TABLE ${schema}.tasks DISABLE TRIGGER USER; ALTER TABLE ${schema}.steps DISABLE TRIGGER USER`);
      return narrowConnections(schema);
    },
    run: (_tr, prepared) => throughNarrowShape(prepared, NARROW_CLAIM_WITHOUT_EVENTS),
  },
  E: {
    label: "E  store without the four list indexes",
    prepare: async (schema) => {
      await admin.query(`DROP INDEX ${schema}.tasks_tenant_id, ${schema}.tasks_status_id, ${schema}.tasks_queue_id, ${schema}.tasks_type_id`);
      return { close: async () => {} };
    },
    run: (tr) => throughStore(tr),
  },
  C: {
    label: "C  store without event triggers",
    prepare: async (schema) => {
      await admin.query(`ALTER TABLE ${schema}.tasks DISABLE TRIGGER USER; ALTER TABLE ${schema}.steps DISABLE TRIGGER USER`);
      return { close: async () => {} };
    },
    run: (tr) => throughStore(tr),
  },
};

console.log(`pg-lifecycle-shapes: ${N} one-step tasks per run, claims of ${CLAIM_BATCH}; ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()[0].toFixed(2)}`);
const results = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const shape of SHAPES) {
    const spec = SHAPE_RUNS[shape];
    if (!spec) throw new Error(`unknown shape ${shape}; expected A, B, C, D or E`);
    const schema = `bench_shape_${shape.toLowerCase()}_${process.pid}`;
    const tr = await freshStore(schema);
    try {
      // the store's own connections are opened by a warm-up claim of nothing
      await tr.store.claimTasks({ nodeId: "n1", queues: ["none"], executors: ["bench"], limit: 1, leaseMs: 1000, now: new Date() });
      const prepared = await spec.prepare(schema);
      const ticks0 = backendTicks();
      const t0 = performance.now();
      await spec.run(tr, prepared);
      const seconds = (performance.now() - t0) / 1000;
      const usPerTask = ((backendTicks() - ticks0) * 10_000) / N;
      await prepared.close();
      const unfinished = (await admin.query(`SELECT count(*)::int AS n FROM ${schema}.tasks WHERE status <> 'succeeded'`)).rows[0].n;
      const events = (await admin.query(`SELECT count(*)::int AS n FROM ${schema}.task_events`)).rows[0].n;
      if (unfinished !== 0) throw new Error(`${spec.label}: ${unfinished} tasks not succeeded`);
      (results[shape] ??= []).push(usPerTask);
      console.log(`round ${round}  ${spec.label.padEnd(44)} ${usPerTask.toFixed(0).padStart(5)} µs of PostgreSQL CPU per task  ${(N / seconds).toFixed(0).padStart(6)} tasks/s  (${events} events)`);
    } finally {
      await tr.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  }
}
for (const [shape, xs] of Object.entries(results)) console.log(`${SHAPE_RUNS[shape].label.padEnd(44)} runs: ${xs.map((x) => x.toFixed(0)).join(" / ")} µs per task`);
await admin.end();
