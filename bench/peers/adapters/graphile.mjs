// graphile-worker adapter: jobs in schema `bench_graphile`, one task identifier "bench".
import { Logger, makeWorkerUtils, run } from "graphile-worker";
import { PG_URL } from "../lib/config.mjs";
import { dropSchema, pgQuery, withPg } from "../lib/util.mjs";

const TASK = "bench";
const silent = new Logger(() => () => {});

/** Settings (documented in docs/benchmarks.md). */
function settings(concurrency) {
  return {
    concurrency,
    // graphile-worker warns when the pool is smaller than the concurrency.
    maxPoolSize: concurrency,
    // New jobs arrive through LISTEN/NOTIFY; the poll is only a fallback for future-dated jobs.
    pollInterval: 1000,
    preparedStatements: true,
    // Batching from the "Performance" docs: the pool locks a batch of jobs up front and
    // completions are written in batches (0 ms = batch whatever is pending in the same tick).
    localQueueSize: Number(process.env.GRAPHILE_LOCAL_QUEUE ?? 500),
    completeJobBatchDelay: Number(process.env.GRAPHILE_COMPLETE_BATCH_DELAY ?? 0),
  };
}

/** @param {{ schema: string }} descriptor */
export function create(descriptor) {
  const { schema } = descriptor;
  let utils = null;
  let runner = null;

  const common = { connectionString: PG_URL, schema, logger: silent, noPreparedStatements: false };

  async function connect() {
    utils = await makeWorkerUtils({ ...common, maxPoolSize: 32 });
  }

  return {
    name: "graphile",
    descriptor,
    nativeChains: false,
    settings: settings(32),

    async setup() {
      await dropSchema(PG_URL, schema);
      await connect();
      await utils.migrate();
    },

    attach: connect,

    async enqueueBulk(payloads) {
      // WorkerUtils.addJobs → graphile_worker.add_jobs(): one statement for the whole batch.
      await utils.addJobs(payloads.map((payload) => ({ identifier: TASK, payload })));
    },

    async enqueueOne(payload) {
      await utils.addJob(TASK, payload);
    },

    async startWorker({ concurrency, handler }) {
      const s = settings(concurrency);
      runner = await run({
        ...common,
        concurrency: s.concurrency,
        maxPoolSize: s.maxPoolSize,
        pollInterval: s.pollInterval,
        noHandleSignals: true,
        preset: {
          worker: {
            preparedStatements: s.preparedStatements,
            ...(s.localQueueSize > 1 ? { localQueue: { size: s.localQueueSize } } : {}),
            completeJobBatchDelay: s.completeJobBatchDelay,
          },
        },
        taskList: {
          [TASK]: async (payload, helpers) => {
            await handler(payload, { enqueue: (next) => helpers.addJob(TASK, next) });
          },
        },
      });
      const r = runner;
      return {
        stop: async () => {
          await r.stop();
          if (runner === r) runner = null;
        },
      };
    },

    async pendingCount() {
      // Completed jobs are deleted; whatever is left has not completed (or failed).
      return Number((await pgQuery(PG_URL, `SELECT count(*) AS n FROM "${schema}"._private_jobs`)).rows[0].n);
    },

    async failedCount() {
      return Number((await pgQuery(PG_URL, `SELECT count(*) AS n FROM "${schema}"._private_jobs WHERE last_error IS NOT NULL`)).rows[0].n);
    },

    async close() {
      if (runner) await runner.stop().catch(() => {});
      runner = null;
      if (utils) await utils.release().catch(() => {});
      utils = null;
    },

    async teardown() {
      await this.close();
      await dropSchema(PG_URL, schema);
    },
  };
}

export function newDescriptor() {
  return { schema: "bench_graphile" };
}

export async function probe() {
  await withPg(PG_URL, (c) => c.query("SELECT 1"));
  return null;
}
