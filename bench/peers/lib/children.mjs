// Parent side of worker child processes (see worker-child.mjs).
import { fork } from "node:child_process";
import { withTimeout } from "./util.mjs";

const CHILD = new URL("./worker-child.mjs", import.meta.url);

/**
 * Forks one worker process for `adapterName` attached to `descriptor`; resolves once it is
 * connected and ready to start. `registry` collects every child so the caller can kill them on
 * timeout.
 */
export async function spawnWorker({ adapterName, descriptor, kind, concurrency, steps, registry, readyTimeoutMs = 60_000 }) {
  const child = fork(CHILD, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  registry.add(child);
  const state = { count: 0, lastAt: 0, error: null, exited: false };
  let onReady;
  let onStopped;
  let onExit;
  const exited = new Promise((resolve) => (onExit = resolve));
  const ready = new Promise((resolve, reject) => (onReady = { resolve, reject }));
  const stopped = new Promise((resolve, reject) => (onStopped = { resolve, reject }));
  stopped.catch(() => {});
  child.on("message", (msg) => {
    if (msg.type === "ready") onReady.resolve();
    else if (msg.type === "progress") {
      state.count = msg.count;
      state.lastAt = msg.lastAt;
    } else if (msg.type === "stopped") {
      if (msg.stats) {
        state.count = msg.stats.count;
        state.lastAt = msg.stats.lastAt;
      }
      onStopped.resolve(msg.stats);
    } else if (msg.type === "error") {
      state.error = msg.message;
      onReady.reject(new Error(`worker child: ${msg.message}`));
      onStopped.reject(new Error(`worker child: ${msg.message}`));
    }
  });
  child.on("exit", (code) => {
    state.exited = true;
    registry.delete(child);
    onExit(code);
    const err = new Error(`worker child exited with code ${code}${state.error ? `: ${state.error}` : ""}`);
    onReady.reject(err);
    onStopped.reject(err);
  });
  child.send({ type: "init", adapter: adapterName, descriptor, kind, concurrency, steps });
  await withTimeout(ready, readyTimeoutMs, "worker child start");
  return {
    state,
    start: () => child.send({ type: "start" }),
    /** Stops the worker, returns its handler stats (count, latencies …). */
    stop: async (timeoutMs = 60_000) => {
      if (state.exited) throw new Error(`worker child already exited${state.error ? `: ${state.error}` : ""}`);
      child.send({ type: "stop" });
      const stats = await withTimeout(stopped, timeoutMs, "worker child stop");
      // Let it close its connections and exit on its own before anyone kills it.
      await withTimeout(exited, 15_000, "worker child exit").catch(() => {});
      return stats;
    },
    kill: () => {
      if (!state.exited) child.kill("SIGKILL");
    },
  };
}
