// pg-boss (v10) adapter: schema `bench_pgboss`, one queue "bench".
//
// pg-boss 10 has no teamSize/localConcurrency (v9 had teams, v11+ has localConcurrency): the
// unit of concurrency is a `work()` poller that fetches up to `batchSize` jobs per round trip and
// hands them to the handler as an array. Concurrency 32 here = WORKERS pollers × BATCH jobs, the
// jobs of one batch run concurrently. A v10 poller sleeps `pollingIntervalSeconds` (min 0.5 s)
// after every fetch, even a full one; when a fetch fills the batch, the handler calls the public
// `notifyWorker(id)` ("bypass the polling interval for the next iteration") so a backlog is
// drained back to back. With a partial or empty fetch it polls at the interval as usual.
import PgBoss from "pg-boss";
import { PG_URL } from "../lib/config.mjs";
import { dropSchema, pgQuery, withPg } from "../lib/util.mjs";

const QUEUE = "bench";

function settings(concurrency) {
  const workers = Number(process.env.PGBOSS_WORKERS ?? 1);
  // PGBOSS_BATCH overrides the batch size (then concurrency = workers × batch, not 32: side experiments only).
  const batchSize = Number(process.env.PGBOSS_BATCH ?? 0) || Math.max(1, Math.floor(concurrency / workers));
  return {
    workers,
    batchSize,
    concurrency: workers * batchSize,
    pollingIntervalSeconds: Number(process.env.PGBOSS_POLL_SECONDS ?? 0.5),
    refetchWhenFull: process.env.PGBOSS_REFETCH !== "0",
    max: Number(process.env.PGBOSS_POOL_MAX ?? 32),
    supervise: false,
    schedule: false,
  };
}

/** @param {{ schema: string }} descriptor */
export function create(descriptor) {
  const { schema } = descriptor;
  let boss = null;
  const errors = [];

  async function open(migrate) {
    const s = settings(32);
    boss = new PgBoss({ connectionString: PG_URL, schema, max: s.max, supervise: s.supervise, schedule: s.schedule, migrate });
    boss.on("error", (err) => {
      if (errors.length < 20) errors.push(String(err?.message ?? err));
    });
    await boss.start();
  }

  return {
    name: "pgboss",
    descriptor,
    nativeChains: false,
    settings: settings(32),
    errors,

    async setup() {
      await dropSchema(PG_URL, schema);
      await open(true);
      await boss.createQueue(QUEUE);
    },

    attach: () => open(false),

    async enqueueBulk(payloads) {
      // insert(): one statement for the whole array (json_to_recordset).
      await boss.insert(payloads.map((data) => ({ name: QUEUE, data })));
    },

    async enqueueOne(payload) {
      await boss.send(QUEUE, payload);
    },

    async startWorker({ concurrency, handler }) {
      const s = settings(concurrency);
      const b = boss;
      const enqueue = (next) => b.send(QUEUE, next);
      const ids = [];
      for (let i = 0; i < s.workers; i++) {
        let id = null;
        id = await b.work(QUEUE, { batchSize: s.batchSize, pollingIntervalSeconds: s.pollingIntervalSeconds }, async (jobs) => {
          await Promise.all(jobs.map((job) => handler(job.data, { enqueue })));
          if (s.refetchWhenFull && jobs.length === s.batchSize && id) b.notifyWorker(id);
        });
        ids.push(id);
      }
      return {
        stop: async () => {
          await b.offWork(QUEUE);
        },
      };
    },

    async pendingCount() {
      const r = await pgQuery(PG_URL, `SELECT count(*) AS n FROM "${schema}".job WHERE name = $1 AND state IN ('created','retry','active')`, [QUEUE]);
      return Number(r.rows[0].n);
    },

    async failedCount() {
      const r = await pgQuery(PG_URL, `SELECT count(*) AS n FROM "${schema}".job WHERE name = $1 AND (state = 'failed' OR retry_count > 0)`, [QUEUE]);
      return Number(r.rows[0].n);
    },

    async close() {
      if (boss) await boss.stop({ graceful: false, close: true, wait: true }).catch(() => {});
      boss = null;
    },

    async teardown() {
      await this.close();
      await dropSchema(PG_URL, schema);
    },
  };
}

export function newDescriptor() {
  return { schema: "bench_pgboss" };
}

export async function probe() {
  await withPg(PG_URL, (c) => c.query("SELECT 1"));
  return null;
}
