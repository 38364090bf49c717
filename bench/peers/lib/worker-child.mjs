// A worker child process (W4, and W2 by default): attaches an adapter to the state the parent
// set up, runs a worker on command and reports progress over IPC.
//   parent → child: {type:"init", adapter, descriptor, kind, concurrency, steps} | {type:"start"} | {type:"stop"}
//   child → parent: {type:"ready"} | {type:"progress", count, lastAt} | {type:"stopped", stats} | {type:"error", message}
import { makeHandler } from "./handlers.mjs";

const HARD_LIMIT_MS = 6 * 60_000;

let adapter = null;
let worker = null;
let hs = null;
let progressTimer = null;
let exiting = false;

const send = (msg) => {
  if (process.connected) process.send(msg);
};

async function shutdown(code) {
  if (exiting) return;
  exiting = true;
  clearInterval(progressTimer);
  try {
    if (worker) await worker.stop();
  } catch {}
  try {
    if (adapter) await adapter.close();
  } catch {}
  process.exit(code);
}

// Bounded: a child never outlives its parent, nor the hard limit.
setTimeout(() => shutdown(3), HARD_LIMIT_MS).unref();
process.on("disconnect", () => shutdown(2));

process.on("message", async (msg) => {
  try {
    if (msg.type === "init") {
      const mod = await import(new URL(`../adapters/${msg.adapter}.mjs`, import.meta.url).href);
      adapter = mod.create(msg.descriptor);
      await adapter.attach();
      hs = makeHandler(msg.kind, { steps: msg.steps, nativeChains: adapter.nativeChains });
      hs.concurrency = msg.concurrency;
      send({ type: "ready" });
    } else if (msg.type === "start") {
      worker = await adapter.startWorker({ concurrency: hs.concurrency, handler: hs.handler });
      let last = -1;
      progressTimer = setInterval(() => {
        if (hs.stats.count !== last) {
          last = hs.stats.count;
          send({ type: "progress", count: hs.stats.count, lastAt: hs.stats.lastAt });
        }
      }, 10);
    } else if (msg.type === "stop") {
      clearInterval(progressTimer);
      if (worker) await worker.stop();
      worker = null;
      send({ type: "stopped", stats: hs?.stats ?? null });
      await shutdown(0);
    }
  } catch (err) {
    send({ type: "error", message: String(err?.stack ?? err) });
    await shutdown(1);
  }
});
