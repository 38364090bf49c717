// Moves WAL checkpoints off the event loop: a worker thread with its own connection copies
// committed WAL frames back into the database file while the main thread keeps writing.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Why: with the default `wal_autocheckpoint` the committing connection itself copies the WAL
 * back every ~1000 pages: page reads, writes and two fsyncs on the event loop. Measured on
 * the claim+complete path that costs ~30% of the store's time (98 → 75 µs per task, the same
 * as an in-memory database). A PASSIVE checkpoint never blocks writers, so a second
 * connection in a thread can do it concurrently.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 100");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy, or the file went away: try again on the next tick or stop when told.
  }
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

/** Checkpoints the WAL of one database file from a worker thread until stopped. */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  /**
   * @param path the database file (not `:memory:`)
   * @param onFailure called once if the thread dies on its own (the caller then checkpoints itself)
   */
  constructor(
    private readonly path: string,
    private readonly onFailure: (err: unknown) => void,
    private readonly intervalMs = 100,
  ) {}

  /** True while the thread runs. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Starts the thread; does nothing if it runs already. */
  start(): void {
    if (this.worker !== null) return;
    const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");
    // execArgv [] keeps loaders such as tsx out of the thread: it runs plain CommonJS.
    const worker = new Worker(THREAD_SOURCE, { eval: true, execArgv: [], workerData: { path: this.path, driverPath, intervalMs: this.intervalMs } });
    worker.unref();
    this.stopping = false;
    this.exited = new Promise((resolve) => {
      worker.once("error", (err) => {
        if (!this.stopping) this.onFailure(err);
      });
      worker.once("exit", (code) => {
        if (!this.stopping && code !== 0) this.onFailure(new Error(`wal checkpointer exited with code ${code}`));
        if (this.worker === worker) this.worker = null;
        resolve();
      });
    });
    this.worker = worker;
  }

  /** Stops the thread and waits until it has closed its connection. Idempotent. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return this.exited;
    this.stopping = true;
    // Unref'd while it runs (it must never keep a process alive); ref'd while we wait for it,
    // or the event loop could empty and exit before the thread confirms.
    worker.ref();
    worker.postMessage("stop");
    // A checkpoint in progress finishes first; a thread stuck past that is terminated.
    const timer = setTimeout(() => void worker.terminate(), 5000);
    timer.unref();
    await this.exited;
    clearTimeout(timer);
  }
}
