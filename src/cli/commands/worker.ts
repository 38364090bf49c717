// `taskrail worker`: runs a worker with the user's executors module until SIGINT/SIGTERM.
import { Command, Option } from "commander";
import type { LogLevelName } from "../../observability/default-logger.js";
import { runAction } from "../cli-context.js";
import { collect, parseIntFlag, parseKeyValue } from "../flag-parsers.js";
import { runCliWorker, shellAllowList } from "../run-worker.js";

/** Options of `worker`. */
export interface WorkerFlags {
  executors?: string;
  concurrency?: string;
  queue?: string[];
  label?: string[];
  nodeName?: string;
  shellAllow?: string[];
  logLevel: LogLevelName;
}

/** The `--log-level` choices. */
export const LOG_LEVELS: LogLevelName[] = ["debug", "info", "warn", "error", "silent"];

const EXAMPLES = `
Examples:
  $ taskrail worker --executors ./executors.js
  $ taskrail worker --executors ./executors.js --concurrency 4 --queue default --queue batch
  $ taskrail worker --executors ./executors.js --shell-allow git --shell-allow make
  $ taskrail worker --executors ./executors.js --label gpu=a100 --node-name trainer-1
  $ TASKRAIL_SHELL_ALLOW=git,make taskrail worker --executors ./executors.js --log-level debug

The executors module's default export maps executor names to functions (ctx) => result;
an optional named export "callbacks" maps callback names to functions. The built-in
executors noop, sleep, shell and http are always registered; shell runs nothing until
--shell-allow (or TASKRAIL_SHELL_ALLOW) lists programs. Logs go to stderr as JSON lines.
SIGINT/SIGTERM stop it gracefully (in-flight steps get 10s), then it exits 0.`;

/** Registers `worker` on the program. */
export function registerWorkerCommand(program: Command): Command {
  return program
    .command("worker")
    .summary("run a worker that executes tasks")
    .description("Run a worker: claim tasks from the store and execute their steps with the executors of --executors (plus the built-ins) until SIGINT/SIGTERM.")
    .option("--executors <MODULE>", "executors module (ESM; path relative to the cwd)")
    .option("--concurrency <N>", "steps run at once (default 10)")
    .option("--queue <QUEUE>", "queue to serve (repeatable; default: default)", collect)
    .option("--label <K=V>", "node label (repeatable); the node also serves queue label:K=V", collect)
    .option("--node-name <NAME>", "node name (default <hostname>-<pid>); the node also serves queue node:<NAME>")
    .option("--shell-allow <CMD>", "program the built-in shell executor may run (repeatable; also env TASKRAIL_SHELL_ALLOW=a,b)", collect)
    .addOption(new Option("--log-level <LEVEL>", "log level on stderr").choices(LOG_LEVELS).default("info"))
    .addHelpText("after", EXAMPLES)
    .action((flags: WorkerFlags, cmd: Command) =>
      runAction(false, () =>
        runCliWorker(cmd, {
          executors: flags.executors,
          concurrency: flags.concurrency !== undefined ? parseIntFlag("--concurrency", flags.concurrency, 1, 10_000) : undefined,
          queues: flags.queue,
          labels: flags.label ? Object.fromEntries(flags.label.map((l) => parseKeyValue("--label", l))) : undefined,
          nodeName: flags.nodeName,
          shellAllow: shellAllowList(flags.shellAllow),
          logLevel: flags.logLevel,
        }),
      ),
    );
}
