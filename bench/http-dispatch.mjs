// Benchmark: dispatch through the HTTP API. 50 concurrent HTTP clients (autocannon) POST a
// one-step task to /api/v1/tasks on 127.0.0.1 for DURATION seconds; requests/s and latency
// percentiles per store. The server is a separate `taskrail serve --no-worker --no-scheduler`
// process (dispatch cost only; autocannon does not share its CPU); audit entries are written as
// in production (one per dispatch, coalesced).
// Usage: npm run build && node bench/http-dispatch.mjs [--duration 10] [--connections 50]
//        [--stores sqlite,postgres] [--pg postgres://postgres@127.0.0.1:5432/test]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { spawn } from "node:child_process";
import { loadavg } from "node:os";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    stores: { type: "string", default: "sqlite,postgres" },
    pg: { type: "string", default: process.env.TASKRAIL_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test" },
    // Write a V8 CPU profile of the server process into this folder.
    profile: { type: "string" },
  },
});

const body = JSON.stringify({ type: "bench", params: { n: 1 }, steps: [{ name: "s0", executor: "noop" }] });

/** Starts `taskrail serve` on `db` and resolves with its URL, admin token and the child process. */
function serve(db) {
  const profile = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [];
  const child = spawn(process.execPath, [...profile, "dist/cli/main.js", "serve", "--port", "0", "--db", db, "--no-worker", "--no-scheduler", "--log-level", "warn"], {
    cwd: new URL("..", import.meta.url),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const token = /(trk_\S+)/.exec(out)?.[1];
      if (url && token) resolve({ url, token, child });
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

/** CPU seconds (user + system) the process has used, from /proc (Linux; null elsewhere). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

async function run(label, db, cleanup) {
  const server = await serve(db);
  try {
    const token = server.token;
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    // Warm-up: prepared statements, JIT, token cache.
    await autocannon({ url: `${server.url}/api/v1/tasks`, method: "POST", headers, body, connections: 10, duration: 2 });
    const cpuBefore = cpuSeconds(server.child.pid);
    const result = await autocannon({
      url: `${server.url}/api/v1/tasks`,
      method: "POST",
      headers,
      body,
      connections: Number(values.connections),
      duration: Number(values.duration),
    });
    const non2xx = result.non2xx + result.errors;
    const cpuAfter = cpuSeconds(server.child.pid);
    // Server CPU per dispatch: what the machine's load cannot distort (wall-clock figures can).
    const cpuPer = cpuBefore === null || cpuAfter === null ? "n/a" : `${Math.round(((cpuAfter - cpuBefore) * 1e6) / result.requests.total)} µs`;
    console.log(
      `${label}: ${Math.round(result.requests.average)} dispatches/s (total ${result.requests.total}), latency p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, non-2xx/errors ${non2xx}, server CPU ${cpuPer}/dispatch`,
    );
    return result;
  } finally {
    const exited = new Promise((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGTERM");
    await exited;
    await cleanup();
  }
}

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadavg()[0].toFixed(1)}, ${values.connections} connections, ${values.duration}s`);
for (const store of values.stores.split(",")) {
  if (store === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "taskrail-http-bench-"));
    await run("sqlite", `sqlite:${join(dir, "bench.db")}`, async () => rmSync(dir, { recursive: true, force: true }));
  } else if (store === "postgres") {
    const schema = `bench_http_${process.pid}`;
    const url = `${values.pg}${values.pg.includes("?") ? "&" : "?"}schema=${schema}`;
    await run("postgres", url, async () => {
      const client = new pg.Client({ connectionString: values.pg });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });
  } else throw new Error(`unknown store ${store}`);
}
