// `taskrail skip ID STEP`: marks the failed step skipped and resumes the chain after it.
import { withParamsTimeline } from "../../core/params-timeline.js";
import type { Command } from "commander";
import { runAction, withTaskApi } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { printJson } from "../output.js";

/** Options of `skip`. */
export interface SkipFlags {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail skip 0190c3a2-… flaky-deploy
  $ taskrail skip 0190c3a2-… flaky-deploy --json

Only the step the task ended on (failed, timeout or cancelled) can be skipped. The task goes
back to pending to run the steps after it, or succeeds if it was the last step.
Exit code 3 if there is no such task or step, 4 if that step cannot be skipped now.`;

async function skipAction(id: string, step: string, flags: SkipFlags, cmd: Command): Promise<ExitCode> {
  return withTaskApi(cmd, async (api) => {
    const task = await api.skipStep(id, step);
    if (flags.json) printJson(withParamsTimeline(task));
    else {
      const next = task.steps[task.currentStep];
      console.log(`step ${step} of task ${task.id} skipped; task is ${task.status}${next ? `, next step ${next.name}` : ""}`);
    }
    return EXIT.ok;
  });
}

/** Registers `skip` on the program. */
export function registerSkipCommand(program: Command): Command {
  return program
    .command("skip")
    .summary("skip a task's failed step and go on with the next")
    .description("Mark the failed step of a failed, timed-out or cancelled task as skipped and resume the chain after it.")
    .argument("<id>", "task id")
    .argument("<step>", "name of the failed step")
    .option("--json", "print the task as one JSON document")
    .addHelpText("after", EXAMPLES)
    .action((id: string, step: string, flags: SkipFlags, cmd: Command) => runAction(flags.json, () => skipAction(id, step, flags, cmd)));
}
