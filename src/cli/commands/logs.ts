// `taskrail logs ID`: the task's log lines (`time level [step#attempt] message fields`);
// --follow keeps reading new lines until the task has ended and no more come.
import type { Command } from "commander";
import { isTerminalTaskStatus } from "../../core/status.js";
import type { Task, TaskLogEntry } from "../../core/task.js";
import type { TaskApi } from "../task-api.js";
import { delay, runAction, withTaskApi } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { formatValue, printJson, printJsonLine } from "../output.js";

/** Options of `logs`. */
export interface LogsFlags {
  follow?: boolean;
  json?: boolean;
}

/** Lines per store read. */
const PAGE = 500;
/** How often `--follow` looks for new lines. */
const FOLLOW_POLL_MS = 500;

const EXAMPLES = `
Examples:
  $ taskrail logs 0190c3a2-…
  $ taskrail logs 0190c3a2-… --follow
  $ taskrail logs 0190c3a2-… --json | jq '.[] | select(.level == "error")'

Each line: time level [step#attempt] message key=value…  ([task] for task-level lines).
--json prints one JSON array; --json --follow prints one JSON object per line as they come.`;

/** A log line as printed with --json: the stored entry plus the step's name. */
export type LogLineDocument = TaskLogEntry & { step: string | null };

function withStepName(task: Task, entry: TaskLogEntry): LogLineDocument {
  return { ...entry, step: entry.stepIndex === null ? null : (task.steps[entry.stepIndex]?.name ?? String(entry.stepIndex)) };
}

/** One human log line: `time level [step#attempt] message k=v …`. */
export function formatLogLine(line: LogLineDocument): string {
  const where = line.step === null ? "[task]" : `[${line.step}${line.attempt !== null ? `#${line.attempt}` : ""}]`;
  const fields = Object.entries(line.fields ?? {})
    .map(([k, v]) => `${k}=${formatValue(v, 200)}`)
    .join(" ");
  return `${line.at.toISOString()} ${line.level.padEnd(5)} ${where} ${line.message}${fields ? ` ${fields}` : ""}`;
}

/** Every line after `afterId`, read page by page. */
async function readAll(api: TaskApi, id: string, afterId: number | undefined): Promise<TaskLogEntry[]> {
  const out: TaskLogEntry[] = [];
  for (;;) {
    const page = await api.listLogs(id, { afterId, limit: PAGE });
    out.push(...page);
    if (page.length < PAGE) return out;
    afterId = page[page.length - 1].id;
  }
}

async function logsAction(id: string, flags: LogsFlags, cmd: Command): Promise<ExitCode> {
  return withTaskApi(cmd, async (api) => {
    let task = await api.getTask(id);
    if (!flags.follow) {
      const lines = (await readAll(api, id, undefined)).map((e) => withStepName(task, e));
      if (flags.json) printJson(lines);
      else for (const line of lines) console.log(formatLogLine(line));
      return EXIT.ok;
    }
    let afterId: number | undefined;
    for (;;) {
      // Status first, lines second: lines are written with (or before) the outcome that ends
      // the task, so a read after seeing it terminal gets every line.
      task = await api.getTask(id);
      const ended = isTerminalTaskStatus(task.status);
      const lines = await readAll(api, id, afterId);
      for (const entry of lines) {
        const line = withStepName(task, entry);
        if (flags.json) printJsonLine(line);
        else console.log(formatLogLine(line));
      }
      if (lines.length > 0) afterId = lines[lines.length - 1].id;
      if (ended && lines.length === 0) return EXIT.ok;
      if (!ended) await delay(FOLLOW_POLL_MS);
    }
  });
}

/** Registers `logs` on the program. */
export function registerLogsCommand(program: Command): Command {
  return program
    .command("logs")
    .summary("print a task's log lines")
    .description("Print a task's log lines in order; --follow keeps printing new lines until the task has ended.")
    .argument("<id>", "task id")
    .option("--follow", "keep printing new lines until the task ends")
    .option("--json", "print one JSON array (JSON lines with --follow)")
    .addHelpText("after", EXAMPLES)
    .action((id: string, flags: LogsFlags, cmd: Command) => runAction(flags.json, () => logsAction(id, flags, cmd)));
}
