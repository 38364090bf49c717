// The composition root of `taskrail serve`: one process with the HTTP API, the dashboard, a
// worker and a scheduler (each optional), on one store; stopped in reverse order.
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "../core/logger.js";
import type { Callback, Executor } from "../core/step-context.js";
import { issueInitialAdminToken, type IssuedToken } from "../client/api-tokens.js";
import type { BuiltinExecutorOptions } from "../executors/builtin-executors.js";
import { createHttpApp, type HttpAppDeps } from "../http/create-http-app.js";
import { createObservabilityPlugins } from "../http/observability-plugins.js";
import type { Store } from "../store/store.js";
import type { WorkerOptions } from "../worker/worker-options.js";
import type { SchedulerOptions } from "../scheduler/scheduler-options.js";
import type { SchedulerControl } from "../http/routes/scheduler.js";
import { packageRoot, packageVersion } from "./package-info.js";
import { createTaskrail, type Taskrail } from "./taskrail.js";

/** Options of `startServer`. */
export interface ServerOptions {
  /** Store URL or an open store. @default env TASKRAIL_DATABASE_URL, else `sqlite:./taskrail.db` */
  db?: string | Store;
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 = any free port. @default 8080 */
  port?: number;
  /** Run a worker in this process. @default true */
  worker?: boolean;
  /** Options of that worker. */
  workerOptions?: WorkerOptions;
  /** Run a scheduler in this process (it fires definitions while it holds the leader lease). @default true */
  scheduler?: boolean;
  /** Options of that scheduler. */
  schedulerOptions?: SchedulerOptions;
  executors?: Record<string, Executor>;
  callbacks?: Record<string, Callback>;
  builtins?: BuiltinExecutorOptions;
  /** Let `/metrics` answer without a token. @default false */
  publicMetrics?: boolean;
  /** Plugins of the HTTP app. @default the live event stream and `/metrics` (createObservabilityPlugins) */
  plugins?: HttpAppDeps["plugins"];
  /** The dashboard build. @default <package>/dist/dashboard */
  dashboardDir?: string | null;
  logger?: Logger;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port` actually bound. */
  url: string;
  app: FastifyInstance;
  taskrail: Taskrail;
  /** The admin token created on this start (empty token table), or null. Print it once. */
  initialAdminToken: IssuedToken | null;
  /** Stops accepting requests, finishes in-flight ones, stops the worker (up to `deadlineMs`) and closes the store. */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

/** Opens the store, starts the worker (unless `worker: false`) and the HTTP server. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const taskrail = await createTaskrail({
    db: options.db,
    executors: options.executors,
    callbacks: options.callbacks,
    builtins: options.builtins ?? {},
    logger: options.logger,
    tenant: null,
  });
  let app: FastifyInstance | null = null;
  try {
    const initialAdminToken = await issueInitialAdminToken(taskrail.store);
    const scheduler = schedulerControlOf(taskrail, options.schedulerOptions);
    app = await createHttpApp({
      scheduler,
      store: taskrail.store,
      events: taskrail.events,
      logger: options.logger,
      plugins: options.plugins ?? createObservabilityPlugins({ metrics: { schedulerStatus: () => schedulerMetricsOf(taskrail) } }),
      publicMetrics: options.publicMetrics,
      dashboardDir: options.dashboardDir === undefined ? join(packageRoot(), "dist", "dashboard") : options.dashboardDir,
      version: packageVersion(),
    });
    await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 8080 });
    if (options.worker !== false) taskrail.startWorker(options.workerOptions ?? {});
    if (options.scheduler !== false) scheduler.start();
    const address = app.server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const running = app;
    return {
      url: `http://${host}:${address.port}`,
      app: running,
      taskrail,
      initialAdminToken,
      close: async (closeOptions = {}) => {
        await running.close();
        await taskrail.close(closeOptions);
      },
    };
  } catch (err) {
    await app?.close();
    await taskrail.close();
    throw err;
  }
}

/** The API's handle on this process's scheduler (started, stopped and restarted over HTTP). */
export function schedulerControlOf(taskrail: Taskrail, options: SchedulerOptions | undefined): SchedulerControl {
  return {
    local: () => {
      const s = taskrail.scheduler;
      return s === null ? null : { state: s.state, role: s.role };
    },
    start: () => {
      const s = taskrail.scheduler;
      if (s !== null && s.state !== "stopped") return false;
      taskrail.startScheduler(options ?? {});
      return true;
    },
    stop: async () => {
      const s = taskrail.scheduler;
      if (s === null || s.state === "stopped") return false;
      await s.stop();
      return true;
    },
  };
}

/** What `/metrics` reports about this process's scheduler (nothing while none runs). */
function schedulerMetricsOf(taskrail: Taskrail): { leader: boolean; lagMs: number | null } | null {
  const s = taskrail.scheduler;
  if (s === null || s.state !== "running") return null;
  return { leader: s.role === "leader", lagMs: s.role === "leader" ? s.lastLagMs : null };
}
