// `taskrail list`: a page of tasks, newest first, filtered; a table for people, `{ items,
// total, nextCursor }` with --json.
import { withParamsTimeline } from "../../core/params-timeline.js";
import type { Command } from "commander";
import { runAction, withTaskApi } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { collect, parseInstantFlag, parseIntFlag } from "../flag-parsers.js";
import { formatStepCounter, formatTable, formatTime, printJson } from "../output.js";
import type { TaskQuery } from "../../core/validation/task-query.js";
import { TASK_STATUSES, type TaskStatus } from "../../core/status.js";
import { flagError } from "../cli-errors.js";
import type { TaskApi } from "../task-api.js";

/** Options of `list`. */
export interface ListFlags {
  status?: string[];
  type?: string;
  index?: string;
  queue?: string;
  creator?: string;
  definition?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail list
  $ taskrail list --status failed --status timeout --type deploy
  $ taskrail list --since 2024-05-01T00:00:00Z --limit 100 --json
  $ taskrail list --since -1h --status failed
  $ taskrail list --index release-42
  $ taskrail list --definition nightly-report
  $ taskrail list --cursor <nextCursor of the previous page>

--status may be repeated or comma-separated (pending,running,succeeded,failed,timeout,cancelled).`;

/** The list query of the flags (validated by the shared task-query schema). */
export function listQueryOf(flags: ListFlags): TaskQuery {
  const statuses = (flags.status ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  for (const s of statuses) {
    if (!(TASK_STATUSES as readonly string[]).includes(s)) throw flagError("--status", `must be one of ${TASK_STATUSES.join(", ")}, got ${JSON.stringify(s)}`);
  }
  return {
    status: statuses.length > 0 ? (statuses as TaskStatus[]) : undefined,
    type: flags.type,
    index: flags.index,
    queue: flags.queue,
    creator: flags.creator,
    createdFrom: flags.since !== undefined ? parseInstantFlag("--since", flags.since) : undefined,
    createdTo: flags.until !== undefined ? parseInstantFlag("--until", flags.until) : undefined,
    limit: flags.limit !== undefined ? parseIntFlag("--limit", flags.limit, 1, 1000) : 50,
    cursor: flags.cursor,
  };
}

async function listAction(flags: ListFlags, cmd: Command): Promise<ExitCode> {
  const query = listQueryOf(flags);
  return withTaskApi(cmd, async (api) => {
    if (flags.definition !== undefined) query.definitionId = (await api.getDefinition(flags.definition)).id;
    const page = await api.listTasks(query);
    if (flags.json) {
      printJson({ items: page.items.map((t) => withParamsTimeline(t)), total: page.total, totalCapped: page.totalCapped, nextCursor: page.nextCursor });
      return EXIT.ok;
    }
    if (page.items.length === 0) {
      console.log(page.total === 0 ? "no tasks" : `no more tasks (${page.total}${page.totalCapped ? "+" : ""} in all)`);
      return EXIT.ok;
    }
    const rows = page.items.map((t) => [t.id, t.type, t.status, formatStepCounter(t), `${t.progress}%`, formatTime(t.createdAt), t.index ?? "-"]);
    const headers = ["ID", "TYPE", "STATUS", "STEP", "PROGRESS", "CREATED", "INDEX"];
    // Tasks made by definitions also show which one and the fire time they stand for.
    if (page.items.some((t) => t.definitionId !== null)) {
      const names = await definitionNames(api, page.items.map((t) => t.definitionId));
      page.items.forEach((t, i) => rows[i].push(t.definitionId ? (names.get(t.definitionId) ?? t.definitionId) : "-", formatTime(t.scheduledAt)));
      headers.push("DEFINITION", "SCHEDULED");
    }
    console.log(formatTable(headers, rows));
    const footer = `${page.items.length} of ${page.total}${page.totalCapped ? "+" : ""} task${page.total === 1 ? "" : "s"}`;
    console.log(page.nextCursor ? `${footer}; next page: --cursor ${page.nextCursor}` : footer);
    return EXIT.ok;
  });
}

/** Names of the definitions `ids` (ids of deleted definitions are left out). */
async function definitionNames(api: TaskApi, ids: (string | null)[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids.filter((x): x is string => x !== null))) {
    const def = await api.getDefinitionById(id);
    if (def) names.set(id, def.name);
  }
  return names;
}

/** Registers `list` on the program. */
export function registerListCommand(program: Command): Command {
  return program
    .command("list")
    .summary("list tasks, newest first")
    .description("List tasks newest first, filtered by status, type, index, queue, creator and creation time; pages with --cursor.")
    .option("--status <STATUS>", "only tasks in this status (repeatable or comma-separated)", collect)
    .option("--type <TYPE>", "only tasks of this type")
    .option("--index <INDEX>", "only tasks with this business key")
    .option("--queue <QUEUE>", "only tasks on this queue")
    .option("--creator <CREATOR>", "only tasks dispatched by this creator (the CLI records cli:<user>)")
    .option("--definition <NAME>", "only tasks made by this definition (scheduled or triggered)")
    .option("--since <TIME>", "created at or after (ISO-8601, or -DURATION for that long ago: -1h)")
    .option("--until <TIME>", "created before (ISO-8601, or -DURATION ago)")
    .option("--limit <N>", "tasks per page, 1-1000 (default 50)")
    .option("--cursor <CURSOR>", "the nextCursor of the previous page")
    .option("--json", "print { items, total, totalCapped, nextCursor } as one JSON document")
    .addHelpText("after", EXAMPLES)
    .action((flags: ListFlags, cmd: Command) => runAction(flags.json, () => listAction(flags, cmd)));
}
