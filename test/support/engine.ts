// An in-process taskrail on a temp SQLite file with fast worker timings, for engine tests.
import { createTaskrail, type Taskrail, type TaskrailOptions } from "../../src/runtime/taskrail.js";
import type { WorkerOptions } from "../../src/worker/worker-options.js";
import { tempSqliteUrl } from "./temp-sqlite.js";

/** Fast timings so tests finish quickly; they never assert on wall time. */
export const FAST_WORKER: WorkerOptions = {
  concurrency: 8,
  lease: 2_000,
  heartbeat: 100,
  pollInterval: 50,
  sweepInterval: 100,
  abortGrace: 300,
  progressInterval: 0,
  callbackBackoff: 20,
};

/** A taskrail on a fresh database; `dispose` closes it and removes the file. */
export async function openTestEngine(options: Omit<TaskrailOptions, "db"> = {}): Promise<{ tr: Taskrail; url: string; dispose: () => Promise<void> }> {
  const db = tempSqliteUrl();
  const tr = await createTaskrail({ ...options, db: db.url });
  return {
    tr,
    url: db.url,
    dispose: async () => {
      await tr.close({ deadlineMs: 1000 });
      db.cleanup();
    },
  };
}
