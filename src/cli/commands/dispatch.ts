// `taskrail dispatch|send`: builds a task from flags and/or a task file, stores it, and with
// --wait waits for its end (exit 0 only if it succeeded).
import { withParamsTimeline } from "../../core/params-timeline.js";
import { Command, Option } from "commander";
import { ValidationError } from "../../core/errors.js";
import { isPlainObject } from "../../core/json.js";
import type { Task } from "../../core/task.js";
import type { TaskSpec } from "../../core/validation/task-spec.js";
import { flagError } from "../cli-errors.js";
import { runAction, withTaskApi } from "../cli-context.js";
import { EXIT, exitCodeForStatus, type ExitCode } from "../exit-codes.js";
import { collect, parseInstantFlag, parseIntFlag, parseKeyValue, parseParamFlags } from "../flag-parsers.js";
import { printJson } from "../output.js";
import { readTaskFile } from "../read-task-file.js";
import { formatTaskView } from "../task-view.js";

/** Options of `dispatch`. */
export interface DispatchFlags {
  step?: string[];
  param?: string[];
  file?: string;
  index?: string;
  queue?: string;
  priority?: string;
  runAt?: string;
  timeout?: string;
  onDuplicate?: "return" | "fail";
  wait?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail dispatch hello --step add=add --param a=10 --param b=20 --wait
  $ taskrail dispatch -f examples/hello.task.yaml --param a=10 --param b=20 --wait
  $ taskrail send -f examples/deploy.task.yaml --index release-42 --json
  $ taskrail dispatch report --step build=noop --run-at +5m --queue batch

--param values are parsed as JSON when they parse (10, true, {"x":1}), else kept as strings.
With --wait the exit code is 0 if the task succeeded, 1 if it ended failed/timeout/cancelled.`;

/** Builds the task spec from the file (if any) and the flags; the schema validates it later. */
export async function buildDispatchSpec(type: string | undefined, flags: DispatchFlags, now = new Date()): Promise<Record<string, unknown>> {
  const spec: Record<string, unknown> = flags.file ? await readTaskFile(flags.file) : {};
  if (type !== undefined) spec.type = type;
  else if (!flags.file) throw flagError("<type>", "missing task type: give <type> or -f FILE");
  const steps = (flags.step ?? []).map((text) => {
    const [name, executor] = parseKeyValue("--step", text, "NAME=EXECUTOR");
    if (executor.trim() === "") throw flagError("--step", `expected NAME=EXECUTOR with a non-empty EXECUTOR, got ${JSON.stringify(text)}`);
    return { name, executor: executor.trim() };
  });
  if (!flags.file && steps.length === 0) throw flagError("--step", "a task needs at least one step: give --step NAME=EXECUTOR (repeatable) or -f FILE");
  // A malformed `steps`/`params` in the file is left alone for the schema to report by path.
  if (steps.length > 0 && (spec.steps === undefined || Array.isArray(spec.steps))) spec.steps = [...((spec.steps as unknown[]) ?? []), ...steps];
  const params = parseParamFlags(flags.param);
  if (Object.keys(params).length > 0 && (spec.params === undefined || isPlainObject(spec.params))) {
    spec.params = { ...((spec.params as Record<string, unknown>) ?? {}), ...params };
  }
  if (flags.index !== undefined) spec.index = flags.index;
  if (flags.queue !== undefined) spec.queue = flags.queue;
  if (flags.priority !== undefined) spec.priority = parseIntFlag("--priority", flags.priority, -1_000_000, 1_000_000);
  if (flags.runAt !== undefined) spec.runAt = parseInstantFlag("--run-at", flags.runAt, now);
  if (flags.timeout !== undefined) spec.timeout = flags.timeout;
  return spec;
}

async function dispatchAction(type: string | undefined, flags: DispatchFlags, cmd: Command): Promise<ExitCode> {
  const spec = await buildDispatchSpec(type, flags);
  return withTaskApi(cmd, async (api) => {
    const startedAtMs = Date.now();
    let task: Task;
    try {
      // The spec is unchecked input; dispatch validates it with the shared task schema.
      task = await api.dispatch(spec as TaskSpec, { onDuplicate: flags.onDuplicate ?? "return" });
    } catch (err) {
      // Name the file, so a typo in a YAML file is found without guessing where it came from.
      if (flags.file && err instanceof ValidationError) throw new ValidationError(err.fields, `invalid task from ${flags.file}`);
      throw err;
    }
    // The client does not say whether it created the task or returned an active duplicate;
    // a task created before this call started can only be the duplicate.
    const existing = task.createdAt.getTime() < startedAtMs;
    if (!flags.json) {
      console.log(
        existing
          ? `task ${task.id} already active with index ${JSON.stringify(task.index)} (${task.status}); not dispatched again`
          : `dispatched task ${task.id} (${task.type}, ${task.steps.length} step${task.steps.length === 1 ? "" : "s"}, queue ${task.queue})`,
      );
    }
    if (!flags.wait) {
      if (flags.json) printJson(withParamsTimeline(task));
      else console.log(`follow it with: taskrail show ${task.id} --follow`);
      return EXIT.ok;
    }
    const final = await api.waitForTask(task.id, { pollMs: 250 });
    if (flags.json) printJson(withParamsTimeline(final));
    else console.log(`\n${formatTaskView(final)}`);
    return exitCodeForStatus(final.status);
  });
}

/** Registers `dispatch` (alias `send`) on the program. */
export function registerDispatchCommand(program: Command): Command {
  return program
    .command("dispatch")
    .alias("send")
    .summary("dispatch a task (from flags and/or a task file)")
    .description("Dispatch a task: the task file (-f, JSON or YAML) gives the task, flags add steps and override fields. Prints the task; with --wait, waits for its end.")
    .argument("[type]", "task type (optional with -f; overrides the file's type)")
    .option("--step <NAME=EXECUTOR>", "append a step running EXECUTOR (repeatable)", collect)
    .option("--param <K=V>", "set task param K (value parsed as JSON when it parses; repeatable)", collect)
    .option("-f, --file <FILE>", "task file (JSON or YAML)")
    .option("--index <INDEX>", "business key (de-duplicated among active tasks of the type)")
    .option("--queue <QUEUE>", "queue to run on (default: default)")
    .option("--priority <N>", "priority, higher first (integer, default 0)")
    .option("--run-at <TIME>", "not before this time: ISO-8601 or +DURATION (+30s, +5m)")
    .option("--timeout <DURATION>", "task timeout (e.g. 30s, 5m, or ms)")
    .addOption(new Option("--on-duplicate <POLICY>", "an active task with the same index exists: return it, or fail").choices(["return", "fail"]).default("return"))
    .option("--wait", "wait for the task to end; exit 0 only if it succeeded")
    .option("--json", "print the task as one JSON document")
    .addHelpText("after", EXAMPLES)
    .action((type: string | undefined, flags: DispatchFlags, cmd: Command) => runAction(flags.json, () => dispatchAction(type, flags, cmd)));
}
