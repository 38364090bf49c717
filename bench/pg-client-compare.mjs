// Measures `pg` against `postgres` (postgres.js) on taskrail's hot path: claim a batch with
// FOR UPDATE SKIP LOCKED, then complete each claimed task with one fenced CTE (docs/decisions/0002).
//
// Results and the machine they were measured on: docs/decisions/0002-postgres-client.md.
// Usage: node bench/pg-client-compare.mjs [--rounds 200] [--batch 32] [--workers 4] [--pool 10] [--repeat 3]
//        [--complete single|batch|txn]   batch: a claim's completes as one unnest() statement;
//        txn: the single-row completes sent together inside one transaction (one commit)
// Env TASKRAIL_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test). Uses a scratch
// schema that it drops at the end. Both clients run the same SQL; only the driver differs.
import pg from "pg";

// postgres.js is not a dependency of taskrail (pg won, docs/decisions/0002): install it for a
// re-run with `npm install --no-save postgres`. Without it only the pg variants run.
const postgres = await import("postgres").then((m) => m.default, () => null);

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const URL_ = process.env.TASKRAIL_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(args.rounds ?? 200);
const BATCH = Number(args.batch ?? 32);
const WORKERS = Number(args.workers ?? 4);
const POOL = Number(args.pool ?? 10);
const REPEAT = Number(args.repeat ?? 3);
const COMPLETE_MODE = args.complete ?? "single";
const SCHEMA = `bench_pgclient_${process.pid}`;

// A reduced copy of the adapter's tables: the columns the claim/complete path reads and writes.
const DDL = `
CREATE SCHEMA ${SCHEMA};
CREATE TABLE ${SCHEMA}.tasks (
  id text COLLATE "C" PRIMARY KEY, status text NOT NULL, priority int NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL, current_queue text NOT NULL, current_executor text NOT NULL,
  current_step int NOT NULL DEFAULT 0, step_count int NOT NULL, cancel_requested boolean NOT NULL DEFAULT false,
  params jsonb NOT NULL, payload jsonb, result jsonb, locked_by text, lease_until timestamptz,
  lease_token int NOT NULL DEFAULT 0, started_at timestamptz, ended_at timestamptz,
  updated_at timestamptz NOT NULL, progress int NOT NULL DEFAULT 0, execution_ms bigint);
CREATE INDEX tasks_ready ON ${SCHEMA}.tasks (priority DESC, run_at, id) WHERE status = 'pending';
CREATE TABLE ${SCHEMA}.steps (
  task_id text COLLATE "C" NOT NULL REFERENCES ${SCHEMA}.tasks (id) ON DELETE CASCADE, idx int NOT NULL,
  name text NOT NULL, executor text NOT NULL, params jsonb NOT NULL, status text NOT NULL,
  attempts int NOT NULL DEFAULT 0, output jsonb, started_at timestamptz, ended_at timestamptz,
  execution_ms bigint, PRIMARY KEY (task_id, idx));`;

// Run unnamed (planned with its values each time): a cached generic plan guesses LIMIT $6 as 10% of
// the table and then hash-joins a sequential scan of steps, ~5x slower on 20k rows.
// -- $1 node, $2 now, $3 lease until, $4 queues, $5 executors, $6 limit
const CLAIM = `
WITH claimed AS (
  UPDATE ${SCHEMA}.tasks t SET status = 'running', locked_by = $1, lease_until = $3,
    lease_token = t.lease_token + 1, started_at = COALESCE(t.started_at, $2), updated_at = $2
  WHERE t.id IN (SELECT id FROM ${SCHEMA}.tasks WHERE status = 'pending' AND run_at <= $2
    AND NOT cancel_requested AND current_queue = ANY($4) AND current_executor = ANY($5)
    ORDER BY priority DESC, run_at, id LIMIT $6 FOR UPDATE SKIP LOCKED)
  RETURNING t.*),
started AS (
  UPDATE ${SCHEMA}.steps s SET status = 'running', attempts = s.attempts + 1, started_at = $2
  FROM claimed c WHERE s.task_id = c.id AND s.idx = c.current_step RETURNING s.*)
SELECT c.*, (SELECT json_agg(st ORDER BY st.idx) FROM started st WHERE st.task_id = c.id) AS steps FROM claimed c`;

// -- $1 task, $2 token, $3 node, $4 now, $5 step, $6 output
const COMPLETE = `
WITH t0 AS (
  SELECT id FROM ${SCHEMA}.tasks WHERE id = $1 AND lease_token = $2 AND status = 'running'
    AND locked_by = $3 AND lease_until >= $4 AND current_step = $5),
s AS (
  UPDATE ${SCHEMA}.steps SET status = 'succeeded', output = $6::jsonb, ended_at = $4,
    execution_ms = (extract(epoch FROM $4::timestamptz - started_at) * 1000)::bigint
  WHERE task_id = (SELECT id FROM t0) AND idx = $5 RETURNING idx)
UPDATE ${SCHEMA}.tasks t SET status = 'succeeded', current_step = t.current_step + 1, result = $6::jsonb,
  progress = 100, ended_at = $4, updated_at = $4, locked_by = NULL, lease_until = NULL,
  execution_ms = (extract(epoch FROM $4::timestamptz - t.started_at) * 1000)::bigint
FROM s WHERE t.id = $1 RETURNING t.status`;

// The same transition for many leases in one statement (one commit): what coalescing would send.
// -- $1 task ids, $2 tokens, $3 node, $4 now, $5 outputs (json texts)
const COMPLETE_MANY = `
WITH r AS (SELECT * FROM unnest($1::text[], $2::int[], $5::text[]) AS r(id, token, output)),
f AS (
  SELECT t.id, t.current_step, r.output::jsonb AS output FROM ${SCHEMA}.tasks t JOIN r ON r.id = t.id
  WHERE t.lease_token = r.token AND t.status = 'running' AND t.locked_by = $3 AND t.lease_until >= $4
  ORDER BY t.id FOR UPDATE OF t),
s AS (
  UPDATE ${SCHEMA}.steps s SET status = 'succeeded', output = f.output, ended_at = $4,
    execution_ms = (extract(epoch FROM $4::timestamptz - s.started_at) * 1000)::bigint
  FROM f WHERE s.task_id = f.id AND s.idx = f.current_step RETURNING s.task_id, f.output)
UPDATE ${SCHEMA}.tasks t SET status = 'succeeded', current_step = t.current_step + 1, result = s.output,
  progress = 100, ended_at = $4, updated_at = $4, locked_by = NULL, lease_until = NULL,
  execution_ms = (extract(epoch FROM $4::timestamptz - t.started_at) * 1000)::bigint
FROM s WHERE t.id = s.task_id RETURNING t.id`;

async function seed(run, total) {
  await run(`TRUNCATE ${SCHEMA}.tasks CASCADE`, []);
  const now = new Date(Date.now() - 1000);
  for (let off = 0; off < total; off += 1000) {
    const n = Math.min(1000, total - off);
    const ids = Array.from({ length: n }, (_, i) => `t${String(off + i).padStart(9, "0")}`);
    await run(
      `INSERT INTO ${SCHEMA}.tasks (id, status, run_at, current_queue, current_executor, step_count, params, updated_at)
       SELECT id, 'pending', $2, 'default', 'noop', 1, '{"a":1}'::jsonb, $2 FROM unnest($1::text[]) id`,
      [ids, now],
    );
    await run(
      `INSERT INTO ${SCHEMA}.steps (task_id, idx, name, executor, params, status)
       SELECT id, 0, 'only', 'noop', '{}'::jsonb, 'pending' FROM unnest($1::text[]) id`,
      [ids],
    );
  }
  // Fresh stats so every client meets the same plans (the adapter does not rely on them: see CLAIM).
  await run(`ANALYZE ${SCHEMA}.tasks`, []);
  await run(`ANALYZE ${SCHEMA}.steps`, []);
}

/** One worker loop: claim a batch, complete every task of it concurrently, until nothing is left. */
async function workerLoop(driver, nodeId, stats) {
  for (;;) {
    const now = new Date();
    const t0 = performance.now();
    const claimed = await driver.claim([nodeId, now, new Date(now.getTime() + 30_000), ["default"], ["noop"], BATCH]);
    stats.claimMs.push(performance.now() - t0);
    if (claimed.length === 0) return;
    const t1 = performance.now();
    if (COMPLETE_MODE === "batch") {
      const out = JSON.stringify({ ok: true });
      const r = await driver.completeMany([claimed.map((c) => c.id), claimed.map((c) => c.lease_token), nodeId, new Date(), claimed.map(() => out)]);
      if (r.length !== claimed.length) throw new Error("batch complete missed");
    } else if (COMPLETE_MODE === "txn") {
      const out = JSON.stringify({ ok: true });
      const rows = await driver.completeInTransaction(claimed.map((c) => [c.id, c.lease_token, nodeId, new Date(), 0, out]));
      if (rows.some((r) => r.length !== 1)) throw new Error("txn complete missed");
    } else await Promise.all(
      claimed.map((row) =>
        driver.complete([row.id, row.lease_token, nodeId, new Date(), 0, JSON.stringify({ ok: true })]).then((r) => {
          if (r.length !== 1) throw new Error(`complete missed for ${row.id}`);
        }),
      ),
    );
    stats.completeMs.push(performance.now() - t1);
    stats.done += claimed.length;
  }
}

function pgDriver() {
  const pool = new pg.Pool({ connectionString: URL_, max: POOL });
  // Named statement for the single-row complete: parsed and planned once per connection.
  return {
    name: "pg 8 (Pool, named complete)",
    run: (text, values) => pool.query(text, values).then((r) => r.rows),
    claim: (values) => pool.query(CLAIM, values).then((r) => r.rows),
    complete: (values) => pool.query({ name: "complete", text: COMPLETE, values }).then((r) => r.rows),
    completeMany: (values) => pool.query({ name: "complete_many", text: COMPLETE_MANY, values }).then((r) => r.rows),
    // pg sends a client's queries one after another (no pipelining): one round trip each.
    completeInTransaction: async (list) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const rows = [];
        for (const values of list) rows.push((await client.query({ name: "complete", text: COMPLETE, values })).rows);
        await client.query("COMMIT");
        return rows;
      } finally {
        client.release();
      }
    },
    end: () => pool.end(),
  };
}

function pgUnnamedDriver() {
  const pool = new pg.Pool({ connectionString: URL_, max: POOL });
  return {
    name: "pg 8 (Pool, all unnamed)",
    run: (text, values) => pool.query(text, values).then((r) => r.rows),
    claim: (values) => pool.query(CLAIM, values).then((r) => r.rows),
    complete: (values) => pool.query(COMPLETE, values).then((r) => r.rows),
    completeMany: (values) => pool.query(COMPLETE_MANY, values).then((r) => r.rows),
    completeInTransaction: async (list) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const rows = [];
        for (const values of list) rows.push((await client.query(COMPLETE, values)).rows);
        await client.query("COMMIT");
        return rows;
      } finally {
        client.release();
      }
    },
    end: () => pool.end(),
  };
}

function postgresJsDriver() {
  const sql = postgres(URL_, { max: POOL, onnotice: () => {}, prepare: true });
  return {
    name: "postgres.js 3 (prepared complete)",
    run: (text, values) => sql.unsafe(text, values),
    claim: (values) => sql.unsafe(CLAIM, values, { prepare: false }),
    complete: (values) => sql.unsafe(COMPLETE, values, { prepare: true }),
    completeMany: (values) => sql.unsafe(COMPLETE_MANY, values, { prepare: true }),
    // postgres.js pipelines the statements of a transaction: they go out together.
    completeInTransaction: (list) => sql.begin((tx) => list.map((values) => tx.unsafe(COMPLETE, values, { prepare: true }))),
    end: () => sql.end({ timeout: 5 }),
  };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function measure(makeDriver) {
  const driver = makeDriver();
  const total = ROUNDS * BATCH * WORKERS;
  await seed(driver.run, total);
  // Warm-up: prepare statements on every connection outside the timed part.
  await Promise.all(Array.from({ length: POOL }, () => driver.claim(["warm", new Date(0), new Date(0), ["none"], ["none"], 1])));
  const stats = { claimMs: [], completeMs: [], done: 0 };
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => workerLoop(driver, `node-${w}`, stats)));
  const seconds = (performance.now() - started) / 1000;
  await driver.end();
  if (stats.done !== total) throw new Error(`${driver.name}: completed ${stats.done} of ${total}`);
  return {
    name: driver.name,
    tasksPerSec: Math.round(stats.done / seconds),
    claimP50: pct(stats.claimMs, 50).toFixed(2),
    claimP95: pct(stats.claimMs, 95).toFixed(2),
    batchCompleteP50: pct(stats.completeMs, 50).toFixed(2),
  };
}

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
await admin.query(DDL);
try {
  const results = new Map();
  for (let r = 0; r < REPEAT; r++) {
    // Interleave the clients so drift in the machine hits them alike.
    for (const make of [pgDriver, pgUnnamedDriver, ...(postgres ? [postgresJsDriver] : [])]) {
      const res = await measure(make);
      if (!results.has(res.name)) results.set(res.name, []);
      results.get(res.name).push(res);
    }
  }
  if (!postgres) console.log("postgres.js not installed (npm install --no-save postgres): pg only");
  console.log(`rounds=${ROUNDS} batch=${BATCH} workers=${WORKERS} pool=${POOL} repeat=${REPEAT} complete=${COMPLETE_MODE}`);
  for (const [name, runs] of results) {
    const best = [...runs].sort((a, b) => a.tasksPerSec - b.tasksPerSec)[Math.floor(runs.length / 2)];
    console.log(
      `${name.padEnd(36)} median ${String(best.tasksPerSec).padStart(6)} tasks/s  ` +
        `(runs: ${runs.map((x) => x.tasksPerSec).join(", ")}); claim p50 ${best.claimP50} ms p95 ${best.claimP95} ms; ` +
        `${BATCH} completes p50 ${best.batchCompleteP50} ms`,
    );
  }
} finally {
  await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await admin.end();
}
