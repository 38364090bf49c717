// `taskrail stats`: counts by status, success rate, throughput and duration percentiles by type
// over a window — the same report as `GET /api/v1/stats` and the dashboard's overview.
import type { Command } from "commander";
import type { StatsReport } from "../../client/stats-report.js";
import { runAction, withTaskrail } from "../cli-context.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { flagError } from "../cli-errors.js";
import { formatDuration, formatTable, printJson } from "../output.js";
import { ValidationError } from "../../core/errors.js";

/** Options of `stats`. */
export interface StatsFlags {
  window: string;
  buckets?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ taskrail stats                       # the last hour
  $ taskrail stats --window 24h
  $ taskrail stats --window 7d --json | jq .successRate

Counts are tasks created in the window, by their status now; "ended" and the success rate are
tasks that ended in it (cancelled tasks are left out of the rate); durations are of the tasks
that succeeded in it.`;

function percent(rate: number | null): string {
  return rate === null ? "-" : `${(rate * 100).toFixed(1)}%`;
}

function printReport(report: StatsReport, window: string): void {
  const c = report.counts;
  console.log(`window ${window} (from ${report.window.from.toISOString()})`);
  console.log(
    `created: pending ${c.pending}, running ${c.running}, succeeded ${c.succeeded}, failed ${c.failed}, timeout ${c.timeout}, cancelled ${c.cancelled}`,
  );
  const e = report.ended;
  console.log(`ended: succeeded ${e.succeeded}, failed ${e.failed}, cancelled ${e.cancelled}; success rate ${percent(report.successRate)}`);
  const oldest = report.oldestWaiting;
  console.log(oldest === null ? "oldest waiting: none" : `oldest waiting: ${oldest.id} (${oldest.type}, queue ${oldest.queue}) for ${formatDuration(oldest.waitingMs)}`);
  if (report.durations.length > 0) {
    console.log("");
    console.log(
      formatTable(
        ["TYPE", "SUCCEEDED", "P50", "P90", "P99", "MAX"],
        report.durations.map((d) => [d.type, String(d.count), formatDuration(d.p50Ms), formatDuration(d.p90Ms), formatDuration(d.p99Ms), formatDuration(d.maxMs)]),
      ),
    );
  }
}

/** `--buckets` as an integer; the report's schema checks its range and names the field. */
function parseBuckets(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw flagError("--buckets", `must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Re-labels the report's validation error with the flag names the user typed. */
function asFlagError(err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err;
  const field = err.fields[0];
  if (field === undefined) return err;
  return flagError(`--${field.path}`, field.message);
}

async function statsAction(flags: StatsFlags, cmd: Command): Promise<ExitCode> {
  const buckets = parseBuckets(flags.buckets);
  return withTaskrail(cmd, async (tr) => {
    let report: StatsReport;
    try {
      report = await tr.client.statsReport({ window: flags.window, buckets });
    } catch (err) {
      throw asFlagError(err);
    }
    if (flags.json) printJson(report);
    else printReport(report, flags.window);
    return EXIT.ok;
  });
}

/** Registers `stats` on the program. */
export function registerStatsCommand(program: Command): Command {
  return program
    .command("stats")
    .summary("counts, success rate and durations over a window")
    .description("Statistics of the tenant's tasks over a window: counts by status, tasks ended and the success rate, duration percentiles by type, the oldest waiting task.")
    .option("--window <duration>", "how far back (1m to 90d)", "1h")
    .option("--buckets <n>", "throughput buckets in the JSON report (1–500)")
    .option("--json", "print the report as one JSON document")
    .addHelpText("after", EXAMPLES)
    .action((flags: StatsFlags, cmd: Command) => runAction(flags.json, () => statsAction(flags, cmd)));
}
