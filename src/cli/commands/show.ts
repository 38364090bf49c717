// `taskrail show ID`: the task's header, steps and params; --follow redraws until it ends.
import { withParamsTimeline } from "../../core/params-timeline.js";
import type { Command } from "commander";
import { isTerminalTaskStatus } from "../../core/status.js";
import type { TaskApi } from "../task-api.js";
import { delay, runAction, withTaskApi } from "../cli-context.js";
import { EXIT, exitCodeForStatus, type ExitCode } from "../exit-codes.js";
import { printJson } from "../output.js";
import { formatTaskLine, formatTaskView, taskChangeKey } from "../task-view.js";

/** Options of `show`. */
export interface ShowFlags {
  json?: boolean;
  follow?: boolean;
}

/** How often `--follow` reads the task (the worker may be another process). */
const FOLLOW_POLL_MS = 500;
/** ANSI: cursor home, then clear the screen. */
const CLEAR_SCREEN = "\x1b[H\x1b[2J";

const EXAMPLES = `
Examples:
  $ taskrail show 0190c3a2-…
  $ taskrail show 0190c3a2-… --follow
  $ taskrail show 0190c3a2-… --json | jq .steps

With --follow the exit code is 0 if the task succeeded, 1 if it ended failed/timeout/cancelled.
On a terminal the view is redrawn in place; otherwise one line is printed per change.
With --json --follow, one JSON document (the final task) is printed when it ends.`;

/**
 * Reads the task until it is terminal, printing as it changes (nothing with `json`); returns
 * the `--wait` exit code of its final status.
 */
export async function followTask(api: TaskApi, id: string, options: { json?: boolean; tty: boolean }): Promise<ExitCode> {
  let lastKey = "";
  for (;;) {
    const task = await api.getTask(id);
    const ended = isTerminalTaskStatus(task.status);
    const key = taskChangeKey(task);
    if (!options.json) {
      // On a terminal, redraw every tick so running durations move; elsewhere, only changes.
      if (options.tty) process.stdout.write(`${CLEAR_SCREEN}${formatTaskView(task)}\n`);
      else if (key !== lastKey) console.log(formatTaskLine(task));
    }
    lastKey = key;
    if (ended) {
      if (options.json) printJson(withParamsTimeline(task));
      return exitCodeForStatus(task.status);
    }
    await delay(FOLLOW_POLL_MS);
  }
}

async function showAction(id: string, flags: ShowFlags, cmd: Command): Promise<ExitCode> {
  return withTaskApi(cmd, async (api) => {
    if (flags.follow) return followTask(api, id, { json: flags.json, tty: process.stdout.isTTY === true });
    const task = await api.getTask(id);
    const waiting = await api.waitingReason(task);
    const definition = task.definitionId !== null ? await api.getDefinitionById(task.definitionId) : null;
    if (flags.json) {
      const doc = { ...withParamsTimeline(task), ...(definition ? { definitionName: definition.name } : {}) };
      printJson(waiting === null ? doc : { ...doc, waitingReason: waiting });
    } else {
      const view = formatTaskView(task, new Date(), definition?.name ?? null);
      console.log(waiting === null ? view : `${view}
${waiting}`);
    }
    return EXIT.ok;
  });
}

/** Registers `show` on the program. */
export function registerShowCommand(program: Command): Command {
  return program
    .command("show")
    .summary("show a task: status, progress, steps and params")
    .description("Show one task: header (id, type, status, progress, timings, message), a table of its steps and its params. --follow watches it live until it ends.")
    .argument("<id>", "task id")
    .option("--json", "print the task as one JSON document")
    .option("--follow", "redraw live until the task ends; exit 0 only if it succeeded")
    .addHelpText("after", EXAMPLES)
    .action((id: string, flags: ShowFlags, cmd: Command) => runAction(flags.json, () => showAction(id, flags, cmd)));
}
