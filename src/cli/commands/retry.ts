// `taskrail retry ID [--from STEP]`: a failed/timeout/cancelled task goes back to pending from
// its failed step (or from an earlier step), keeping what earlier steps did.
import { withParamsTimeline } from "../../core/params-timeline.js";
import type { Command } from "commander";
import { runAction, withTaskApi } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { printJson } from "../output.js";

/** Options of `retry`. */
export interface RetryFlags {
  from?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail retry 0190c3a2-…
  $ taskrail retry 0190c3a2-… --from migrate
  $ taskrail retry 0190c3a2-… --json

The step retried from and every later step go back to pending with their tries reset;
earlier succeeded steps and the params they set are kept.
Exit code 3 if there is no such task or step, 4 if the task is not failed/timeout/cancelled.`;

async function retryAction(id: string, flags: RetryFlags, cmd: Command): Promise<ExitCode> {
  return withTaskApi(cmd, async (api) => {
    const task = await api.retryTask(id, { fromStep: flags.from });
    if (flags.json) printJson(withParamsTimeline(task));
    else {
      const step = task.steps[task.currentStep];
      console.log(`task ${task.id} retried from step ${step ? step.name : "-"} (${task.status})`);
    }
    return EXIT.ok;
  });
}

/** Registers `retry` on the program. */
export function registerRetryCommand(program: Command): Command {
  return program
    .command("retry")
    .summary("retry a failed, timed-out or cancelled task")
    .description("Retry a failed, timed-out or cancelled task from its failed step, or from an earlier step with --from.")
    .argument("<id>", "task id")
    .option("--from <STEP>", "restart from this step (name) instead of the failed one")
    .option("--json", "print the task as one JSON document")
    .addHelpText("after", EXAMPLES)
    .action((id: string, flags: RetryFlags, cmd: Command) => runAction(flags.json, () => retryAction(id, flags, cmd)));
}
