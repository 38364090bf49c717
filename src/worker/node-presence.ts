// Keeps this worker's node row alive: registers at start, heartbeats with the in-flight count,
// re-registers if it was marked dead (a long pause), and marks it stopped on shutdown.
import { hostname } from "node:os";
import type { Clock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { NodeRegistration } from "../core/node.js";
import type { Store } from "../store/store.js";

/** The node row of one worker. */
export class NodePresence {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly registration: () => Omit<NodeRegistration, "host" | "pid">,
    private readonly inFlight: () => number,
    private readonly heartbeatMs: number,
  ) {}

  /** Registers the node and starts heartbeats. A failure is logged; heartbeats retry it. */
  async start(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Stops heartbeats and marks the node stopped. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    try {
      await this.store.stopNode(this.registration().id, new Date(this.clock.now()));
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, "could not mark the node stopped");
    }
  }

  private async register(): Promise<void> {
    try {
      await this.store.registerNode({ ...this.registration(), host: hostname(), pid: process.pid }, new Date(this.clock.now()));
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, "node registration failed; will retry with the heartbeat");
    }
  }

  private beat(): Promise<void> {
    if (this.beating) return this.beating;
    this.beating = (async () => {
      try {
        const alive = await this.store.heartbeatNode(this.registration().id, this.inFlight(), new Date(this.clock.now()));
        if (!alive) {
          this.logger.warn({}, "this node was marked dead (missed heartbeats); registering again");
          await this.register();
        }
      } catch (err) {
        this.logger.warn({ err: errorMessage(err) }, "node heartbeat failed");
      }
    })().finally(() => {
      this.beating = null;
    });
    return this.beating;
  }
}
