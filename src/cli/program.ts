// The `taskrail` commander program: global options, every command, and help/usage behaviour.
import { Command } from "commander";
import { registerCancelCommand } from "./commands/cancel.js";
import { registerDispatchCommand } from "./commands/dispatch.js";
import { registerListCommand } from "./commands/list.js";
import { registerLogsCommand } from "./commands/logs.js";
import { registerRetryCommand } from "./commands/retry.js";
import { registerShowCommand } from "./commands/show.js";
import { registerSkipCommand } from "./commands/skip.js";
import { registerStartDemoCommand } from "./commands/start-demo.js";
import { registerWorkerCommand } from "./commands/worker.js";
import { registerNodesCommand } from "./commands/nodes.js";
import { registerStatsCommand } from "./commands/stats.js";
import { registerMigrateCommand } from "./commands/migrate.js";
import { registerLimitsCommand } from "./commands/limits.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerTokenCommand } from "./commands/token.js";
import { registerDefsCommand } from "./commands/defs.js";
import { registerSchedulerCommand } from "./commands/scheduler.js";
import { packageVersion } from "../runtime/package-info.js";

const EXAMPLES = `
Examples:
  $ taskrail worker --executors ./executors.js
  $ taskrail dispatch -f examples/hello.task.yaml --param a=10 --param b=20 --wait
  $ taskrail list --status failed
  $ taskrail show <id> --follow
  $ taskrail retry <id> --from migrate
  $ taskrail defs apply -f examples/nightly-report.def.yaml && taskrail scheduler

Store: --db URL, else env TASKRAIL_DATABASE_URL, else sqlite:./taskrail.db
Server: dispatch, list, show, cancel, retry, skip, logs and defs talk to the API instead with
--server URL --token T (or env TASKRAIL_SERVER_URL, TASKRAIL_TOKEN).
Exit codes: 0 ok, 1 task did not succeed (--wait/--follow), 2 usage/validation,
3 not found, 4 invalid transition/duplicate, 5 store unavailable, 70 internal error.`;

/**
 * Builds the program. Commander errors (unknown command or flag, missing argument) are thrown
 * as CommanderError instead of exiting, so `main` maps them to exit code 2.
 */
export function createProgram(): Command {
  const program = new Command("taskrail");
  // Settings that subcommands inherit must be set before they are added.
  program
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .description("Durable task scheduling and step workflows: dispatch, run, watch and repair tasks.")
    .version(packageVersion(), "-V, --version", "print the taskrail version")
    .helpOption("-h, --help", "show help")
    .option("--db <URL>", "store URL: sqlite:PATH or postgres://… (default: env TASKRAIL_DATABASE_URL, else sqlite:./taskrail.db)")
    .option("--server <URL>", "task commands call this taskrail serve instead of opening the store (default: env TASKRAIL_SERVER_URL)")
    .option("--token <TOKEN>", "API token for --server (default: env TASKRAIL_TOKEN)")
    .addHelpText("after", EXAMPLES);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerDispatchCommand(program);
  registerListCommand(program);
  registerShowCommand(program);
  registerCancelCommand(program);
  registerRetryCommand(program);
  registerSkipCommand(program);
  registerLogsCommand(program);
  registerNodesCommand(program);
  registerStatsCommand(program);
  registerMigrateCommand(program);
  registerLimitsCommand(program);
  registerTokenCommand(program);
  registerDefsCommand(program);
  registerSchedulerCommand(program);
  registerStartDemoCommand(program);
  return program;
}
