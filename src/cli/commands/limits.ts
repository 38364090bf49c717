// `taskrail limits`: list, set and clear cluster-wide limits (running steps per queue or type,
// claims per interval per queue), enforced by every node's claims.
import type { Command } from "commander";
import { ValidationError } from "../../core/errors.js";
import type { TaskLimit } from "../../core/task-limit.js";
import type { LimitSpec } from "../../core/validation/limit-spec.js";
import { runAction, withTaskrail } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseIntFlag } from "../flag-parsers.js";
import { formatDuration, formatTable, printJson } from "../output.js";

/** Options of `limits set` / `limits clear`. */
export interface LimitFlags {
  queue?: string;
  type?: string;
  maxRunning?: string;
  rate?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail limits
  $ taskrail limits set --queue emails --max-running 2 --rate 10/1s
  $ taskrail limits set --type video-encode --max-running 4
  $ taskrail limits clear --queue emails

Limits hold across every node: a claim never starts a step that would put more than
--max-running steps of that queue (or task type) in flight, nor more than N claims per
interval in a rate-limited queue. Changes reach every node within about a second.`;

function target(flags: LimitFlags): { scope: "queue" | "type"; name: string } {
  if ((flags.queue === undefined) === (flags.type === undefined)) {
    throw new ValidationError([{ path: "--queue/--type", message: "give exactly one of --queue NAME or --type NAME" }]);
  }
  return flags.queue !== undefined ? { scope: "queue", name: flags.queue } : { scope: "type", name: flags.type! };
}

function parseRate(text: string): { count: number; interval: string } {
  const m = /^(\d+)\/(.+)$/.exec(text.trim());
  if (!m) throw new ValidationError([{ path: "--rate", message: `must look like N/INTERVAL (e.g. 10/1s), got "${text}"` }]);
  return { count: Number(m[1]), interval: m[2] };
}

function print(limits: TaskLimit[], json: boolean | undefined): void {
  if (json) return printJson(limits);
  if (limits.length === 0) return console.log("no limits");
  console.log(
    formatTable(
      ["SCOPE", "NAME", "MAX-RUNNING", "RATE"],
      limits.map((l) => [l.scope, l.name, l.maxRunning === null ? "-" : String(l.maxRunning), l.rate ? `${l.rate.count}/${formatDuration(l.rate.intervalMs)}` : "-"]),
    ),
  );
}

/** Registers `limits` (list), `limits set` and `limits clear` on the program. */
export function registerLimitsCommand(program: Command): Command {
  const limits = program
    .command("limits")
    .summary("list, set or clear cluster-wide limits")
    .description("List the cluster-wide limits; `limits set` and `limits clear` change them.")
    .option("--json", "print the limits as one JSON array")
    .addHelpText("after", EXAMPLES)
    .action((flags: LimitFlags, cmd: Command) =>
      runAction(flags.json, async (): Promise<ExitCode> => withTaskrail(cmd, async (tr) => (print(await tr.client.listLimits(), flags.json), EXIT.ok))),
    );
  limits
    .command("set")
    .summary("set a limit on a queue or a task type")
    .option("--queue <NAME>", "limit this queue")
    .option("--type <NAME>", "limit this task type")
    .option("--max-running <N>", "most steps running at once across all nodes")
    .option("--rate <N/INTERVAL>", "at most N claims per INTERVAL (queues only), e.g. 10/1s")
    .option("--json", "print the limit as JSON")
    .addHelpText("after", EXAMPLES)
    .action((ownFlags: LimitFlags, cmd: Command) => {
      // `--json` may land on `limits` itself (it has the same option): read both levels.
      const flags: LimitFlags = { ...ownFlags, json: ownFlags.json || (cmd.parent?.opts() as LimitFlags | undefined)?.json };
      return runAction(flags.json, () =>
        withTaskrail(cmd, async (tr): Promise<ExitCode> => {
          if (flags.maxRunning === undefined && flags.rate === undefined) {
            throw new ValidationError([{ path: "--max-running/--rate", message: "give --max-running N, --rate N/INTERVAL or both" }]);
          }
          const spec: LimitSpec = {
            ...target(flags),
            maxRunning: flags.maxRunning !== undefined ? parseIntFlag("--max-running", flags.maxRunning, 0) : null,
            rate: flags.rate !== undefined ? parseRate(flags.rate) : null,
          };
          const limit = await tr.client.setLimit(spec);
          if (flags.json) printJson(limit);
          else console.log(`limit set on ${limit.scope} ${limit.name}`);
          return EXIT.ok;
        }),
      );
    });
  limits
    .command("clear")
    .summary("remove the limit of a queue or a task type")
    .option("--queue <NAME>", "the queue")
    .option("--type <NAME>", "the task type")
    .action((flags: LimitFlags, cmd: Command) =>
      runAction(false, () =>
        withTaskrail(cmd, async (tr): Promise<ExitCode> => {
          const t = target(flags);
          await tr.client.setLimit({ ...t, maxRunning: null, rate: null });
          console.log(`limit cleared on ${t.scope} ${t.name}`);
          return EXIT.ok;
        }),
      ),
    );
  return limits;
}
