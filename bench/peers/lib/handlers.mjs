// Job handlers of the workloads, built the same way in the harness process and in worker child
// processes. A handler is `(payload, ctx) => Promise|void` with `ctx.enqueue(payload)` adding a
// follow-up job through the adapter (W3 on peers).
import { nowMs } from "./util.mjs";

/**
 * @param {"count"|"latency"|"chain"} kind
 * @param {{ steps?: number, nativeChains?: boolean }} options
 * @returns {{ handler: Function, stats: { count: number, firstAt: number, lastAt: number, latencies: number[] } }}
 */
export function makeHandler(kind, { steps = 5, nativeChains = false } = {}) {
  const stats = { count: 0, firstAt: 0, lastAt: 0, latencies: [], calls: 0 };
  const done = () => {
    stats.count++;
    stats.lastAt = nowMs();
  };
  const started = () => {
    stats.calls++;
    if (stats.firstAt === 0) stats.firstAt = nowMs();
  };
  let handler;
  switch (kind) {
    case "count":
      // W1/W4: a no-op job.
      handler = () => {
        started();
        done();
      };
      break;
    case "latency":
      // W2: enqueue-to-start latency; warm-up jobs are counted but not recorded.
      handler = (payload) => {
        const latency = nowMs() - payload.enqueuedAt;
        started();
        if (!payload.warm) stats.latencies.push(latency);
        done();
      };
      break;
    case "chain":
      // W3: step k < steps enqueues step k+1 (peers); the chain is done when its last step runs.
      // Engines with native chains (taskrail) run the next step themselves.
      handler = async (payload, ctx) => {
        started();
        if (payload.step < steps) {
          if (!nativeChains) await ctx.enqueue({ chain: payload.chain, step: payload.step + 1 });
        } else {
          done();
        }
      };
      break;
    default:
      throw new Error(`unknown handler kind ${kind}`);
  }
  return { handler, stats };
}
