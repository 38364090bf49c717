// `taskrail serve`: the HTTP API, the dashboard and a worker in one process until SIGINT/SIGTERM.
import { Command, Option } from "commander";
import type { Callback, Executor } from "../../core/step-context.js";
import { createDefaultLogger } from "../../observability/default-logger.js";
import type { WorkerOptions } from "../../worker/worker-options.js";
import { globalOptions, runAction } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { collect } from "../flag-parsers.js";
import { loadExecutorsModule } from "../load-executors.js";
import { SHUTDOWN_DEADLINE_MS } from "../run-worker.js";
import { resolveServeSettings, type ServeFlags } from "../serve-settings.js";
import { LOG_LEVELS } from "./worker.js";

const EXAMPLES = `
Examples:
  $ taskrail serve
  $ taskrail serve --executors ./executors.js --port 9000
  $ taskrail serve --db postgres://app@db/taskrail --no-worker --host 0.0.0.0
  $ taskrail serve --port 0 --data-dir /var/lib/taskrail --config taskrail.yaml

Settings come from flags, else env (TASKRAIL_DATABASE_URL, TASKRAIL_HOST, TASKRAIL_PORT,
TASKRAIL_DATA_DIR, TASKRAIL_CONCURRENCY, TASKRAIL_QUEUES=a,b, TASKRAIL_EXECUTORS,
TASKRAIL_SHELL_ALLOW, TASKRAIL_CONFIG), else the --config file (JSON or YAML with the same
names: db, dataDir, host, port, worker, scheduler, concurrency, queues, executors, nodeName,
labels, shellAllow, publicMetrics, logLevel), else defaults (127.0.0.1:8080,
sqlite:./taskrail.db). On the first start with no API token an admin token is created and
printed once. SIGINT/SIGTERM stop it gracefully (in-flight steps get 10s).`;

async function serveAction(flags: ServeFlags, cmd: Command): Promise<ExitCode> {
  const settings = await resolveServeSettings(flags, globalOptions(cmd).db);
  let executors: Record<string, Executor> = {};
  let callbacks: Record<string, Callback> = {};
  if (settings.executors !== undefined) ({ executors, callbacks } = await loadExecutorsModule(settings.executors));
  const logger = createDefaultLogger({ level: settings.logLevel });
  const workerOptions: WorkerOptions = {};
  if (settings.nodeName !== undefined) workerOptions.nodeName = settings.nodeName;
  if (settings.concurrency !== undefined) workerOptions.concurrency = settings.concurrency;
  if (settings.queues !== undefined) workerOptions.queues = settings.queues;
  if (settings.labels !== undefined) workerOptions.labels = settings.labels;
  // Loaded here, not at the top: every other command would otherwise pay for loading Fastify.
  const { startServer } = await import("../../runtime/server.js");
  const server = await startServer({
    db: settings.db,
    host: settings.host,
    port: settings.port,
    worker: settings.worker,
    workerOptions,
    scheduler: settings.scheduler,
    executors,
    callbacks,
    builtins: { shell: { allow: settings.shellAllow } },
    publicMetrics: settings.publicMetrics,
    logger,
  });
  const worker = server.taskrail.worker;
  const parts = [
    `store ${settings.db}`,
    worker ? `worker ${worker.options.nodeName} on queues ${worker.servedQueues.join(", ")} (executors ${server.taskrail.registry.executorNames().join(", ")})` : "no worker",
    server.taskrail.scheduler ? "scheduler on" : "no scheduler",
  ];
  console.log(`taskrail serve: listening on ${server.url}`);
  console.log(`  ${parts.join("; ")}`);
  console.log(`  dashboard ${server.url}/  API reference ${server.url}/api/v1/reference`);
  if (server.initialAdminToken) {
    console.log("");
    console.log(`admin token (created because the store had none; shown once, keep it): ${server.initialAdminToken.token}`);
    console.log(`  try: curl -H "Authorization: Bearer ${server.initialAdminToken.token}" ${server.url}/api/v1/whoami`);
    console.log("");
  }

  // Fastify's socket keeps the process alive; the worker's timers are unref'd.
  return new Promise<ExitCode>((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, "second signal: exiting without waiting for in-flight steps");
        process.exit(EXIT.interrupted);
      }
      stopping = true;
      logger.info({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, "stopping server");
      server.close({ deadlineMs: SHUTDOWN_DEADLINE_MS }).then(() => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        console.log("taskrail serve stopped");
        resolve(EXIT.ok);
      }, reject);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** Registers `serve` on the program. */
export function registerServeCommand(program: Command): Command {
  return program
    .command("serve")
    .summary("run the HTTP API, dashboard and a worker in one process")
    .description("Serve the REST API (/api/v1), the dashboard (/) and health endpoints, with a worker and the scheduler in the same process unless --no-worker / --no-scheduler.")
    .option("--config <FILE>", "configuration file (JSON or YAML)")
    .option("--data-dir <DIR>", "folder of the default SQLite store (created if missing; default: the working directory)")
    .option("--host <HOST>", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    .option("--port <N>", "port to listen on; 0 picks a free one (default 8080)")
    .option("--no-worker", "do not run a worker in this process (API only)")
    .option("--no-scheduler", "do not run the scheduler in this process (it can be started later: POST /api/v1/scheduler/start)")
    .option("--concurrency <N>", "worker: steps run at once (default 10)")
    .option("--queue <QUEUE>", "worker: queue to serve (repeatable; default: default)", collect)
    .option("--executors <MODULE>", "worker: executors module (ESM; path relative to the cwd)")
    .option("--node-name <NAME>", "worker: node name (default <hostname>-<pid>)")
    .option("--label <K=V>", "worker: node label (repeatable)", collect)
    .option("--shell-allow <CMD>", "program the built-in shell executor may run (repeatable)", collect)
    .option("--public-metrics", "let /metrics answer without a token")
    .addOption(new Option("--log-level <LEVEL>", "log level on stderr").choices(LOG_LEVELS))
    .addHelpText("after", EXAMPLES)
    .action((flags: ServeFlags, cmd: Command) => runAction(false, () => serveAction(flags, cmd)));
}
