// Runs a worker for `taskrail worker` and `taskrail start-demo`: loads the executors module,
// starts the worker, announces it on stdout and stops it gracefully on SIGINT/SIGTERM.
import type { Command } from "commander";
import type { Callback, Executor } from "../core/step-context.js";
import { createDefaultLogger, type LogLevelName } from "../observability/default-logger.js";
import type { WorkerOptions } from "../worker/worker-options.js";
import { openCliTaskrail } from "./cli-context.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { loadExecutorsModule } from "./load-executors.js";

/** How long in-flight steps get to finish on SIGINT/SIGTERM before they are aborted and released. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/** What a CLI worker is started with. */
export interface CliWorkerSettings {
  /** Executors module path (resolved against `baseDir`). */
  executors?: string;
  /** Folder `executors` is resolved against. @default process.cwd() */
  baseDir?: string;
  concurrency?: number;
  queues?: string[];
  /** Node labels; each also serves queue `label:k=v`. */
  labels?: Record<string, string>;
  nodeName?: string;
  /** Programs the built-in `shell` executor may run. */
  shellAllow: string[];
  logLevel: LogLevelName;
}

/** `--shell-allow` values plus env TASKRAIL_SHELL_ALLOW (comma-separated), de-duplicated. */
export function shellAllowList(flags: readonly string[] | undefined, env: string | undefined = process.env.TASKRAIL_SHELL_ALLOW): string[] {
  const fromEnv = (env ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return [...new Set([...(flags ?? []), ...fromEnv])];
}

/** Starts the worker and resolves (exit code 0) once a signal has stopped it. */
export async function runCliWorker(cmd: Command, settings: CliWorkerSettings): Promise<ExitCode> {
  let executors: Record<string, Executor> = {};
  let callbacks: Record<string, Callback> = {};
  if (settings.executors !== undefined) {
    const loaded = await loadExecutorsModule(settings.executors, settings.baseDir);
    executors = loaded.executors;
    callbacks = loaded.callbacks;
  }
  const logger = createDefaultLogger({ level: settings.logLevel });
  const tr = await openCliTaskrail(cmd, { executors, callbacks, builtins: { shell: { allow: settings.shellAllow } }, logger });
  const workerOptions: WorkerOptions = {};
  if (settings.nodeName !== undefined) workerOptions.nodeName = settings.nodeName;
  if (settings.concurrency !== undefined) workerOptions.concurrency = settings.concurrency;
  if (settings.queues !== undefined && settings.queues.length > 0) workerOptions.queues = settings.queues;
  if (settings.labels !== undefined) workerOptions.labels = settings.labels;

  let worker;
  try {
    worker = tr.startWorker(workerOptions);
  } catch (err) {
    await tr.close();
    throw err;
  }
  const name = worker.options.nodeName;
  const queues = worker.servedQueues;
  console.log(`worker ${name} started: queues ${queues.join(", ")}, executors ${tr.registry.executorNames().join(", ")}`);

  // The worker's timers are unref'd (right for a library inside someone's app), so this
  // process would exit at once; a ref'd timer keeps it alive until a signal stops the worker.
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise<ExitCode>((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second Ctrl-C means "now": skip the rest of the grace period.
        logger.warn({ signal }, "second signal: exiting without waiting for in-flight steps");
        process.exit(EXIT.interrupted);
      }
      stopping = true;
      logger.info({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, "stopping worker");
      tr.close({ deadlineMs: SHUTDOWN_DEADLINE_MS }).finally(() => clearInterval(keepAlive)).then(
        () => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          console.log(`worker ${name} stopped`);
          resolve(EXIT.ok);
        },
        reject,
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
