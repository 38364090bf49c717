// Connection settings of the benchmark, from the environment, loopback only.
import { assertLoopback, assertLoopbackUrl } from "./util.mjs";

/** PostgreSQL database the peers use (each in its own schema). */
export const PG_URL = process.env.BENCH_PG_URL || "postgres://postgres@127.0.0.1:5432/test";

/** Redis for BullMQ: a dedicated db index, flushed before and after every run. */
export const REDIS = {
  host: process.env.BENCH_REDIS_HOST || "127.0.0.1",
  port: Number(process.env.BENCH_REDIS_PORT || 6379),
  db: Number(process.env.BENCH_REDIS_DB || 13),
};

/** taskrail's store: a postgres URL (with ?schema=) or a sqlite: URL. */
export const TASKRAIL_DB = process.env.TASKRAIL_BENCH_DB || "postgres://postgres@127.0.0.1:5432/test?schema=taskrail_bench";

assertLoopbackUrl(PG_URL, "BENCH_PG_URL");
assertLoopback(REDIS.host, "BENCH_REDIS_HOST");
if (/^postgres(ql)?:/i.test(TASKRAIL_DB)) assertLoopbackUrl(TASKRAIL_DB, "TASKRAIL_BENCH_DB");
