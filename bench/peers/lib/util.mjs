// Small helpers shared by the harness, the adapters and the worker child process.
import pg from "pg";

/** Wall-clock time in ms with sub-ms precision, comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with a labelled error when `promise` has not settled after `ms`. */
export function withTimeout(promise, ms, label) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: timed out after ${Math.round(ms / 1000)}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `check` every `intervalMs` until it returns true; throws after `timeoutMs`. Bounded in
 * time (and so in count).
 */
export async function waitUntil(check, { timeoutMs, intervalMs = 5, label = "condition" }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${label}: not reached within ${Math.round(timeoutMs / 1000)}s`);
    await sleep(intervalMs);
  }
}

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted array. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(rank, s.length) - 1];
}

/** Runs `fn` with a short-lived admin connection (schema drops). Loopback only. */
export async function withPg(connectionString, fn) {
  const client = new pg.Client({ connectionString });
  client.on("error", () => {}); // a server restart must not crash the harness; the query fails instead
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const pools = new Map();
/** A query on a small cached pool (the harness's progress counts); see closePools(). */
export async function pgQuery(connectionString, sql, params) {
  let pool = pools.get(connectionString);
  if (!pool) {
    pools.set(connectionString, (pool = new pg.Pool({ connectionString, max: 2 })));
    pool.on("error", () => {}); // idle connection lost (server restart): the pool drops it
  }
  return pool.query(sql, params);
}

export async function closePools() {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end().catch(() => {})));
}

export function quoteIdent(name) {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export async function dropSchema(connectionString, schema) {
  await withPg(connectionString, (c) => c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`));
}

/** Refuses any database/Redis host that is not on the loopback interface. */
export function assertLoopback(host, what) {
  const h = String(host ?? "").replace(/^\[|\]$/g, "");
  if (!(h === "localhost" || h === "::1" || /^127\./.test(h))) {
    throw new Error(`${what}: host ${JSON.stringify(host)} is not a loopback address; this benchmark only talks to 127.0.0.0/8`);
  }
}

export function assertLoopbackUrl(url, what) {
  assertLoopback(new URL(url).hostname, what);
}
