// BullMQ adapter: a unique queue name per run in a dedicated Redis db index (flushed before and
// after), job name "bench".
import { Redis } from "ioredis";
import { Queue, Worker } from "bullmq";
import { REDIS } from "../lib/config.mjs";

const JOB = "bench";

function settings(concurrency) {
  return {
    concurrency,
    redisDb: REDIS.db,
    // Defaults otherwise: completed jobs are kept (like pg-boss keeps completed rows), stalled
    // checks on, drainDelay 5 s (the blocking wait of an idle worker, not a poll).
    removeOnComplete: false,
  };
}

const connection = () => ({ host: REDIS.host, port: REDIS.port, db: REDIS.db, maxRetriesPerRequest: null });

async function flushDb() {
  const r = new Redis({ host: REDIS.host, port: REDIS.port, db: REDIS.db, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    await r.flushdb();
  } finally {
    r.disconnect();
  }
}

/** @param {{ queue: string }} descriptor */
export function create(descriptor) {
  let queue = null;
  const workers = new Set();

  async function open() {
    queue = new Queue(descriptor.queue, { connection: connection() });
    await queue.waitUntilReady();
  }

  return {
    name: "bullmq",
    descriptor,
    nativeChains: false,
    settings: settings(32),

    async setup() {
      await flushDb();
      await open();
    },

    attach: open,

    async enqueueBulk(payloads) {
      await queue.addBulk(payloads.map((data) => ({ name: JOB, data })));
    },

    async enqueueOne(payload) {
      await queue.add(JOB, payload);
    },

    async startWorker({ concurrency, handler }) {
      const q = queue;
      const enqueue = (next) => q.add(JOB, next);
      const worker = new Worker(descriptor.queue, (job) => handler(job.data, { enqueue }), {
        connection: connection(),
        concurrency: settings(concurrency).concurrency,
      });
      worker.on("error", () => {});
      workers.add(worker);
      return {
        stop: async () => {
          workers.delete(worker);
          await worker.close();
        },
      };
    },

    async pendingCount() {
      const c = await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children", "paused");
      return Object.values(c).reduce((a, b) => a + b, 0);
    },

    async failedCount() {
      return (await queue.getJobCounts("failed")).failed ?? 0;
    },

    async close() {
      for (const w of workers) await w.close(true).catch(() => {});
      workers.clear();
      if (queue) await queue.close().catch(() => {});
      queue = null;
    },

    async teardown() {
      for (const w of workers) await w.close(true).catch(() => {});
      workers.clear();
      if (queue) await queue.obliterate({ force: true }).catch(() => {});
      await this.close();
      await flushDb();
    },
  };
}

export function newDescriptor() {
  return { queue: `bench-${process.pid}-${Date.now().toString(36)}` };
}

export async function probe() {
  const r = new Redis({ host: REDIS.host, port: REDIS.port, db: REDIS.db, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    await r.ping();
    return null;
  } finally {
    r.disconnect();
  }
}
