// taskrail adapter, against the built library (this repository's dist/, `npm run build` first).
// Store: TASKRAIL_BENCH_DB, a postgres URL (`?schema=` names the schema, dropped before and
// after each run) or a `sqlite:PATH` URL (the file is deleted before and after each run).
// A job = a one-step task whose step runs executor "bench"; W3 = ONE task of five steps (the
// engine runs the chain itself), not five jobs.
import { rmSync } from "node:fs";
import { TASKRAIL_DB } from "../lib/config.mjs";
import { dropSchema } from "../lib/util.mjs";

const DIST = new URL("../../../dist/index.js", import.meta.url);
const EXECUTOR = "bench";

function settings(concurrency) {
  return {
    store: redactUrl(TASKRAIL_DB),
    concurrency,
    claimBatchSize: Number(process.env.TASKRAIL_BENCH_CLAIM_BATCH ?? 128),
    // Tasks claimed ahead of free slots (graphile-worker's localQueue is the same idea): they
    // keep the slots fed while earlier outcomes are being committed.
    prefetch: Number(process.env.TASKRAIL_BENCH_PREFETCH ?? 256),
    pollInterval: Number(process.env.TASKRAIL_BENCH_POLL ?? 50),
  };
}

function redactUrl(url) {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@/]*@/i, "$1:***@");
}

/** What the URL points at: { kind: "postgres", connect, schema } or { kind: "sqlite", path }. */
function target(url) {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const u = new URL(url);
    const schema = u.searchParams.get("schema") || "taskrail";
    u.searchParams.delete("schema");
    return { kind: "postgres", connect: u.toString(), schema };
  }
  if (/^sqlite:/i.test(url)) {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    return { kind: "sqlite", path };
  }
  throw new Error(`TASKRAIL_BENCH_DB: unsupported URL ${redactUrl(url)}`);
}

async function wipe(t) {
  if (t.kind === "postgres") await dropSchema(t.connect, t.schema);
  else if (t.path !== ":memory:") for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(t.path + suffix, { force: true });
}

let lib = null;
async function loadLib() {
  lib ??= await import(DIST.href);
  return lib;
}

/** @param {{ url: string }} descriptor */
export function create(descriptor) {
  const t = target(descriptor.url);
  let tr = null;
  let handler = null;
  let worker = null;

  async function open() {
    const { createTaskrail } = await loadLib();
    tr = await createTaskrail({
      db: descriptor.url,
      builtins: false,
      executors: {
        [EXECUTOR]: async (ctx) => {
          const h = handler;
          if (!h) throw new Error("no handler installed");
          await h(ctx.payload ?? ctx.taskPayload, { enqueue: (next) => tr.client.dispatch(oneStep(next)) });
          return null;
        },
      },
    });
  }

  const oneStep = (payload) => ({ type: "bench", steps: [{ name: "s1", executor: EXECUTOR, payload }] });
  const chain = (payload, steps) => ({
    type: "bench-chain",
    steps: Array.from({ length: steps }, (_, i) => ({ name: `s${i + 1}`, executor: EXECUTOR, payload: { ...payload, step: i + 1 } })),
  });

  return {
    name: "taskrail",
    descriptor,
    nativeChains: true,
    multiProcess: !(t.kind === "sqlite" && t.path === ":memory:"),
    settings: settings(32),

    async setup() {
      await wipe(t);
      await open();
    },

    attach: open,

    async enqueueBulk(payloads) {
      await tr.client.dispatchMany(payloads.map(oneStep));
    },

    async enqueueChainsBulk(payloads, steps) {
      await tr.client.dispatchMany(payloads.map((p) => chain(p, steps)));
    },

    async enqueueOne(payload) {
      await tr.client.dispatch(oneStep(payload));
    },

    async startWorker({ concurrency, handler: h }) {
      const s = settings(concurrency);
      handler = h;
      worker = tr.startWorker({ concurrency: s.concurrency, claimBatchSize: s.claimBatchSize, prefetch: s.prefetch, pollInterval: s.pollInterval });
      const w = worker;
      return {
        stop: async () => {
          await w.stop({ deadlineMs: 5000 });
          if (worker === w) worker = null;
        },
      };
    },

    async pendingCount() {
      const { isTerminalTaskStatus } = await loadLib();
      const counts = await tr.client.countTasksByStatus();
      return Object.entries(counts).reduce((n, [status, c]) => n + (isTerminalTaskStatus(status) ? 0 : c), 0);
    },

    async failedCount() {
      const counts = await tr.client.countTasksByStatus();
      return (counts.failed ?? 0) + (counts.timeout ?? 0) + (counts.cancelled ?? 0);
    },

    async close() {
      if (tr) await tr.close({ deadlineMs: 5000 }).catch(() => {});
      tr = null;
      worker = null;
    },

    async teardown() {
      await this.close();
      await wipe(t);
    },
  };
}

export function newDescriptor() {
  return { url: TASKRAIL_DB };
}

/** null when usable, else why not (dist missing, store cannot be opened …). */
export async function probe() {
  let mod;
  try {
    mod = await loadLib();
  } catch (err) {
    return `cannot load ${DIST.pathname} (run \`npm run build\` in the repo root): ${err.message}`;
  }
  const t = target(TASKRAIL_DB);
  try {
    const tr = await mod.createTaskrail({ db: TASKRAIL_DB, builtins: false });
    await tr.client.countTasksByStatus();
    await tr.close();
  } catch (err) {
    return `store ${redactUrl(TASKRAIL_DB)} unavailable: ${err?.code ? `${err.code}: ` : ""}${err?.message ?? err}`;
  } finally {
    await wipe(t).catch(() => {});
  }
  return null;
}

