// `taskrail cancel ID`: a pending task is cancelled at once; a running one is asked to stop.
import { withParamsTimeline } from "../../core/params-timeline.js";
import type { Command } from "commander";
import { runAction, withTaskApi } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { printJson } from "../output.js";

/** Options of `cancel`. */
export interface CancelFlags {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail cancel 0190c3a2-…
  $ taskrail cancel 0190c3a2-… --json

A pending task becomes cancelled at once. A running task gets a cancel request: its worker
fires the step's abort signal within one heartbeat and records it cancelled.
Exit code 3 if there is no such task, 4 if it already ended.`;

async function cancelAction(id: string, flags: CancelFlags, cmd: Command): Promise<ExitCode> {
  return withTaskApi(cmd, async (api) => {
    const task = await api.cancelTask(id);
    if (flags.json) printJson(withParamsTimeline(task));
    else if (task.status === "cancelled") console.log(`task ${task.id} cancelled`);
    else {
      const step = task.steps[task.currentStep];
      console.log(`cancel requested for task ${task.id} (${task.status}${step ? `, step ${step.name}` : ""}); its worker will stop it shortly`);
    }
    return EXIT.ok;
  });
}

/** Registers `cancel` on the program. */
export function registerCancelCommand(program: Command): Command {
  return program
    .command("cancel")
    .summary("cancel a pending or running task")
    .description("Cancel a task: a pending one at once, a running one by asking its worker to abort the running step.")
    .argument("<id>", "task id")
    .option("--json", "print the task as one JSON document")
    .addHelpText("after", EXAMPLES)
    .action((id: string, flags: CancelFlags, cmd: Command) => runAction(flags.json, () => cancelAction(id, flags, cmd)));
}
