// `taskrail scheduler`: runs a scheduler process against --db until SIGINT/SIGTERM (any number
// may run; one leads); `taskrail scheduler status` shows the leader, its last tick and lag.
import { Command, Option } from "commander";
import { createDefaultLogger, type LogLevelName } from "../../observability/default-logger.js";
import type { SchedulerOptions } from "../../scheduler/scheduler-options.js";
import { openCliTaskrail, runAction, withTaskrail } from "../cli-context.js";
import { formatSchedulerStatus } from "../definition-view.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { printJson } from "../output.js";
import { LOG_LEVELS } from "./worker.js";

interface SchedulerFlags {
  nodeName?: string;
  lease?: string;
  tickInterval?: string;
  misfireGrace?: string;
  fireAhead?: string;
  logLevel: LogLevelName;
}

const EXAMPLES = `
Examples:
  $ taskrail scheduler --db postgres://app@db/tasks
  $ taskrail scheduler --node-name sched-1 --lease 10s
  $ taskrail scheduler status
  $ taskrail scheduler status --json

Run one or more schedulers (on any hosts sharing the store): one leads and fires due
definitions; when it dies another takes over within about one lease (default 5s). Every
fire creates its task and moves the definition's next fire time in one guarded
transaction, so no fire time is ever created twice. SIGINT/SIGTERM stop it cleanly and
hand the lead over at once. Logs go to stderr as JSON lines.`;

async function runScheduler(cmd: Command, flags: SchedulerFlags): Promise<ExitCode> {
  const logger = createDefaultLogger({ level: flags.logLevel });
  const tr = await openCliTaskrail(cmd, { logger });
  const options: SchedulerOptions = {};
  if (flags.nodeName !== undefined) options.nodeName = flags.nodeName;
  if (flags.lease !== undefined) options.lease = flags.lease;
  if (flags.tickInterval !== undefined) options.tickInterval = flags.tickInterval;
  if (flags.misfireGrace !== undefined) options.misfireGrace = flags.misfireGrace;
  if (flags.fireAhead !== undefined) options.fireAhead = flags.fireAhead;
  let scheduler;
  try {
    scheduler = tr.startScheduler(options);
  } catch (err) {
    await tr.close();
    throw err;
  }
  tr.events.on("scheduler:leader-acquired", (e) => e.holderId === scheduler.id && console.log(`scheduler ${e.nodeName} is the leader (term ${e.term})`));
  tr.events.on("scheduler:error", (e) => logger.error({ where: e.where, definitionId: e.definitionId, err: String(e.error) }, "scheduler error"));
  console.log(`scheduler ${scheduler.options.nodeName} started (id ${scheduler.id})`);
  // The scheduler's timers are unref'd (right inside someone's app): keep this process alive.
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise<ExitCode>((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(EXIT.interrupted);
      stopping = true;
      logger.info({ signal }, "stopping scheduler");
      tr.close({ deadlineMs: 5000 })
        .finally(() => clearInterval(keepAlive))
        .then(() => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          console.log(`scheduler ${scheduler.options.nodeName} stopped`);
          resolve(EXIT.ok);
        }, reject);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** Registers `scheduler` and `scheduler status` on the program. */
export function registerSchedulerCommand(program: Command): Command {
  const scheduler = program
    .command("scheduler")
    .summary("run a scheduler that fires due definitions (or: scheduler status)")
    .description("Run a scheduler against the store until SIGINT/SIGTERM; `scheduler status` shows the leader, its last tick and lag.")
    .option("--node-name <NAME>", "name shown by scheduler status (default <hostname>-<pid>)")
    .option("--lease <DURATION>", "leader lease; a dead leader is replaced after about this long (default 5s)")
    .option("--tick-interval <DURATION>", "how often the leader looks for due definitions (default 200ms)")
    .option("--misfire-grace <DURATION>", "a fire later than this counts as missed; its misfire policy applies (default 60s)")
    .option("--fire-ahead <DURATION>", "create tasks up to this long before their fire time, runAt = the fire time (default 5s; 0 turns it off)")
    .addOption(new Option("--log-level <LEVEL>", "log level on stderr").choices(LOG_LEVELS).default("info"))
    .addHelpText("after", EXAMPLES)
    .action((flags: SchedulerFlags, cmd: Command) => runAction(false, () => runScheduler(cmd, flags)));
  scheduler
    .command("status")
    .summary("show the scheduler leader, its last tick and lag")
    .option("--json", "print { leader, lastTickAt, lagMs, lease } as JSON")
    .action((flags: { json?: boolean }, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskrail(cmd, async (tr): Promise<ExitCode> => {
          const status = await tr.client.schedulerStatus();
          if (flags.json) printJson(status);
          else console.log(formatSchedulerStatus(status, new Date()));
          return EXIT.ok;
        }),
      ),
    );
  return scheduler;
}
